"""Settings read from the environment and an optional .env file."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_URL = "https://api.telegram.org"
# "123456789:AAE…": the bot's numeric id, a colon, a secret of ~35 URL-safe characters.
TOKEN_PATTERN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{30,64}")
# Rescans: not a busy loop (1e-9), not never (inf); a day at most.
MIN_POLL_SECONDS, MAX_POLL_SECONDS = 0.1, 86_400.0


class SettingsError(ValueError):
    """Settings that cannot be read at all (an .env file that is not UTF-8); one line."""


class Settings(BaseSettings):
    """Every knob of the bot; names are the environment variables, documented in the README."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, alias="BOT_TOKEN")
    telegram_api_url: str = Field(default=DEFAULT_API_URL, alias="TELEGRAM_API_URL")
    db_path: Path = Field(default=Path("data/briefing.sqlite3"), alias="DB_PATH")
    articles_dir: Path = Field(default=Path("seeds"), alias="ARTICLES_DIR")
    articles_poll_seconds: float = Field(
        default=60.0,
        ge=MIN_POLL_SECONDS,
        le=MAX_POLL_SECONDS,
        allow_inf_nan=False,
        alias="ARTICLES_POLL_SECONDS",
    )
    # Live sources (issue 11): the sources file (default: the one shipped with the package),
    # how often feeds are polled, and whether intranet/loopback addresses may be fetched.
    sources_file: Path | None = Field(default=None, alias="SOURCES_FILE")
    sources_poll_seconds: float = Field(
        default=600.0,
        ge=MIN_POLL_SECONDS,
        le=MAX_POLL_SECONDS,
        allow_inf_nan=False,
        alias="SOURCES_POLL_SECONDS",
    )
    sources_allow_private_hosts: bool = Field(default=False, alias="SOURCES_ALLOW_PRIVATE_HOSTS")
    # Where publishers reach the operator: sent in the User-Agent of every request to them.
    sources_contact_url: str = Field(
        default="https://github.com/dipbrief/dipbrief", alias="SOURCES_CONTACT_URL"
    )
    # Seconds between two requests to one host; lower only for tests against a local fake.
    sources_host_delay: float = Field(
        default=2.0, ge=0, le=60, allow_inf_nan=False, alias="SOURCES_HOST_DELAY_SECONDS"
    )
    bot_timezone: str = Field(default="Asia/Almaty", alias="BOT_TIMEZONE")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")

    @field_validator("bot_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Never echo the value in the error: it is a secret, even when malformed.
        if value is not None and not TOKEN_PATTERN.fullmatch(value.get_secret_value().strip()):
            raise ValueError(
                "BOT_TOKEN does not look like a Telegram token "
                "(<digits>:<30-64 letters, digits, _ or ->)"
            )
        return SecretStr(value.get_secret_value().strip()) if value is not None else None

    @field_validator("telegram_api_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        # A URL without a host ("http://", "https:///x") passes a prefix check and fails at
        # the first request, with the token in the traceback's URL: check it all here.
        value = value.strip()
        try:
            parts = urlsplit(value)
            port = parts.port  # ValueError for "host:99999" or "host:x"
        except ValueError as exc:
            raise ValueError(f"TELEGRAM_API_URL is not a valid URL ({exc})") from exc
        if parts.scheme not in {"http", "https"}:
            raise ValueError("TELEGRAM_API_URL must start with http:// or https://")
        if not parts.hostname:
            raise ValueError("TELEGRAM_API_URL has no host name")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("TELEGRAM_API_URL must be scheme://host[:port][/path] only")
        if port == 0 or any(c.isspace() for c in value):
            raise ValueError("TELEGRAM_API_URL is not a valid URL")
        return value.rstrip("/")

    @field_validator("db_path", mode="before")
    @classmethod
    def _db_path_given(cls, value: object) -> object:
        # Path("") is ".", the current folder: never what an operator meant.
        if isinstance(value, str) and not value.strip():
            raise ValueError("DB_PATH is empty")
        return value

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


def load_settings() -> Settings:
    """Settings from the environment and .env; SettingsError (one line) when unreadable."""
    try:
        return Settings()
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f".env: not UTF-8 (invalid byte at offset {exc.start}); save it as UTF-8"
        ) from exc
    except ValidationError as exc:
        raise SettingsError(describe_error(exc)) from exc


def describe_error(error: ValidationError) -> str:
    """One line naming each invalid setting; values are never echoed (the token is secret)."""
    parts = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "settings"
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{name}: {message}")
    return "invalid settings: " + "; ".join(parts)
