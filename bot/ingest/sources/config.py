"""The sources file (TOML) -> validated Source models; the packaged default list."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.ingest.sources.urls import host_of, path_allowed

MIN_POLL_MINUTES = 10  # feed polls no more often than this, whatever the file says
# A source's weight in the story ranking (weighted distinct sources): 1 is an ordinary source.
# Bounded so that no single publisher can outweigh a story told by many, nor vanish.
MIN_WEIGHT, MAX_WEIGHT = 0.1, 3.0

Kind = Literal["rss", "atom", "sitemap", "html-list"]
FEED_KINDS = ("rss", "atom")


class SourcesError(ValueError):
    """The sources file cannot be used; the message names the file and the entry."""


class Source(BaseModel):
    """One `[[source]]` table of the sources file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    name: str = Field(min_length=1, max_length=100)  # as shown in citations: «Казинформ»
    kind: Kind
    url: str
    lang: str = Field(default="ru", pattern=r"^[a-z]{2,3}$")
    enabled: bool = True
    poll_minutes: int | None = Field(default=None, ge=MIN_POLL_MINUTES)
    keep_paths: tuple[str, ...] = ()  # article links must start with one of these paths
    drop_paths: tuple[str, ...] = ()  # ... and with none of these
    keep_pattern: str | None = None  # a regular expression article URLs must match
    verified: bool = False  # true only once `python -m bot sources check` found what we expect
    # In the story ranking; strict: `weight = true` is a mistake, not 1.
    weight: float = Field(default=1.0, ge=MIN_WEIGHT, le=MAX_WEIGHT, strict=True)
    provenance: str = ""  # where the address came from
    notes: str = ""

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value

    @field_validator("keep_paths", "drop_paths")
    @classmethod
    def _paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not p.startswith("/") for p in value):
            raise ValueError("paths start with '/'")
        return value

    @field_validator("keep_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"keep_pattern is not a regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _html_list_needs_filter(self) -> Source:
        if self.kind == "html-list" and not (self.keep_paths or self.keep_pattern):
            raise ValueError(
                "an html-list source needs keep_paths or keep_pattern (which links are articles)"
            )
        return self

    def wants(self, link: str) -> bool:
        """Is this link one of the source's articles? Its URL filters, and for pages and
        sitemaps (which link to anything) the source's own host."""
        if not path_allowed(link, self.keep_paths, self.drop_paths):
            return False
        if self.keep_pattern and not re.search(self.keep_pattern, link):
            return False
        if self.kind in ("html-list", "sitemap"):
            return host_of(link).removeprefix("www.") == host_of(self.url).removeprefix("www.")
        return True

    @property
    def is_feed(self) -> bool:
        return self.kind in FEED_KINDS


class SourcesFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: tuple[Source, ...] = ()


def default_sources_text() -> str:
    return resources.files("bot.ingest.sources").joinpath("sources.toml").read_text("utf-8")


def load_sources(path: Path | None) -> tuple[Source, ...]:
    """The sources of SOURCES_FILE, or of the packaged default when it is not set."""
    where = str(path) if path else "default sources file"
    try:
        text = path.read_text(encoding="utf-8") if path else default_sources_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{where}: cannot read: {exc}") from exc
    return parse_sources(text, where)


def parse_sources(text: str, where: str = "sources file") -> tuple[Source, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{where}: not valid TOML: {exc}") from exc
    try:
        sources = SourcesFile.model_validate(data).source
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = first["loc"]
        entry = ""
        if len(loc) >= 2 and loc[0] == "source" and isinstance(loc[1], int):
            raw = data.get("source", [])[loc[1]]
            ident = raw.get("id", "?") if isinstance(raw, dict) else "?"
            entry = f"source #{loc[1] + 1} ({ident})"
            loc = loc[2:]
        field = ".".join(str(p) for p in loc)
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SourcesError(f"{where}: {entry} {field}: {message}".replace("  ", " ")) from exc
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise SourcesError(f"{where}: source id {source.id!r} appears twice")
        seen.add(source.id)
    _check_weights(sources, where)
    return sources


def _check_weights(sources: tuple[Source, ...], where: str) -> None:
    """Entries of one name (a feed and a sitemap of one publisher) weigh the same: the weight
    belongs to the name cited on the articles, which does not say which entry fetched them."""
    first: dict[str, Source] = {}
    for n, source in enumerate(sources, 1):
        other = first.setdefault(source.name, source)
        if other.weight != source.weight:
            raise SourcesError(
                f"{where}: source #{n} ({source.id}) weight: {source.weight:g} differs from"
                f" {other.weight:g} of {other.id!r}, which has the same name {source.name!r}"
            )


def source_weights(sources: Sequence[Source]) -> dict[str, float]:
    """Weight by source name (as stored on articles) for the story ranking; others weigh 1."""
    return {s.name: s.weight for s in sources if s.weight != 1.0}
