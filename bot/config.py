"""Settings read from the environment and an optional .env file."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_URL = "https://api.telegram.org"


class Settings(BaseSettings):
    """Every knob of the bot; names are the environment variables, documented in the README."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, alias="BOT_TOKEN")
    telegram_api_url: str = Field(default=DEFAULT_API_URL, alias="TELEGRAM_API_URL")
    db_path: Path = Field(default=Path("data/briefing.sqlite3"), alias="DB_PATH")
    articles_dir: Path = Field(default=Path("seeds"), alias="ARTICLES_DIR")
    articles_poll_seconds: float = Field(default=60.0, gt=0, alias="ARTICLES_POLL_SECONDS")
    # Live sources (issue 11): the sources file (default: the one shipped with the package),
    # how often feeds are polled, and whether intranet/loopback addresses may be fetched.
    sources_file: Path | None = Field(default=None, alias="SOURCES_FILE")
    sources_poll_seconds: float = Field(default=600.0, gt=0, alias="SOURCES_POLL_SECONDS")
    sources_allow_private_hosts: bool = Field(default=False, alias="SOURCES_ALLOW_PRIVATE_HOSTS")
    # Where publishers reach the operator: sent in the User-Agent of every request to them.
    sources_contact_url: str = Field(
        default="https://github.com/dipbrief/dipbrief", alias="SOURCES_CONTACT_URL"
    )
    # Seconds between two requests to one host; lower only for tests against a local fake.
    sources_host_delay: float = Field(default=2.0, ge=0, alias="SOURCES_HOST_DELAY_SECONDS")
    bot_timezone: str = Field(default="Asia/Almaty", alias="BOT_TIMEZONE")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")

    @field_validator("bot_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram tokens look like "123456:ABC-def"; never echo the value in the error.
        if value is not None and ":" not in value.get_secret_value():
            raise ValueError("BOT_TOKEN does not look like a Telegram token (<id>:<secret>)")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("TELEGRAM_API_URL must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("sources_contact_url")
    @classmethod
    def _contact_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "mailto:")) or any(
            c in value for c in "\r\n()"
        ):
            raise ValueError("SOURCES_CONTACT_URL must be an http(s) or mailto: address")
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)


def describe_error(error: ValidationError) -> str:
    """One line naming each invalid setting; values are never echoed (the token is secret)."""
    parts = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "settings"
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{name}: {message}")
    return "invalid settings: " + "; ".join(parts)
