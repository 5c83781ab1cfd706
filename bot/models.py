"""Pydantic models that cross boundaries: files -> store -> services -> renderers."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from bot.analysis.models import (
    Analysis,
    Entity,
    Figure,
    KeySentence,
    Relevance,
    Span,
    ThemeScore,
)

__all__ = [
    "Analysis",
    "ArticleFile",
    "ArticleHead",
    "Delivery",
    "Entity",
    "Figure",
    "FrontMatter",
    "KeySentence",
    "NewDelivery",
    "Origin",
    "Relevance",
    "SeenItem",
    "SourceState",
    "Span",
    "StoredArticle",
    "Story",
    "Subscription",
    "ThemeScore",
]


# Characters that reorder or hide text: bidi embeddings, overrides and isolates, marks, and
# control characters. «U+202E» in a title shows what follows backwards in every client.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = re.compile(f"[{_BIDI}\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff]")
_SPACES = re.compile(r"\s+")


def one_line(text: str) -> str:
    """A title or a name as one clean line: control and bidi characters dropped, line breaks
    and runs of spaces made one space (a multi-line YAML title would break its <b>)."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def _clean_optional(value: object) -> object:
    return (one_line(value) or None) if isinstance(value, str) else value


class FrontMatter(BaseModel):
    """The YAML block at the top of an article file; unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    title: str | None = Field(default=None, min_length=1, max_length=500)
    source: str | None = Field(default=None, min_length=1, max_length=200)
    url: HttpUrl | None = None
    published: dt.date | None = None
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")

    @field_validator("title", "source", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return _clean_optional(value)


class ArticleFile(BaseModel):
    """An article as read from a file, cleaned of page debris, before analysis."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(min_length=1)  # the file name: the article's identity in the store
    content_hash: str = Field(min_length=64, max_length=64)
    title: str = Field(min_length=1)
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    lang: str | None = None
    body: str = Field(min_length=1)

    @field_validator("title", "source", mode="before")
    @classmethod
    def _one_line(cls, value: object) -> object:
        return _clean_optional(value)


class ArticleHead(BaseModel):
    """An article as listed: its number (id, for `/article N`) and citation facts."""

    model_config = ConfigDict(frozen=True)

    id: int
    key: str
    title: str
    source: str | None
    url: str | None
    published: dt.date | None
    lang: str
    relevant: bool = True  # foreign-affairs news of Kazakhstan / Central Asia (analysis)
    china: bool = False  # China is a substantive part of it

    # Rows stored before titles were cleaned at ingest are cleaned on the way out, too.
    @field_validator("title", mode="before")
    @classmethod
    def _clean_title(cls, value: object) -> object:
        return (one_line(value) or "…") if isinstance(value, str) else value

    @field_validator("source", mode="before")
    @classmethod
    def _clean_source(cls, value: object) -> object:
        return _clean_optional(value)


class StoredArticle(ArticleHead):
    """An article as kept in the store, with its full text."""

    body: str


class Subscription(BaseModel):
    """What one chat (or forum topic) receives: alerts for new articles plus a daily digest."""

    model_config = ConfigDict(frozen=True)

    id: int
    chat_id: int
    chat_type: str
    theme: str | None  # theme slug from themes.toml; None = every article
    thread_id: int | None  # forum topic where /subscribe was sent
    digest_time: dt.time  # local time in BOT_TIMEZONE
    next_digest_at: dt.datetime  # aware UTC
    paused: bool = False
    created_at: dt.datetime | None = None  # aware UTC; alerts are for what is newer
    digest_from: dt.datetime | None = None  # aware UTC end of the last digest window written
    quiet: bool = False  # issue 12: «меньше шума», no follow-ups on a story already alerted


class NewDelivery(BaseModel):
    """An outbox row to write before anything is sent."""

    model_config = ConfigDict(frozen=True)

    key: str  # unique: writing the same delivery twice keeps one row
    kind: str  # "alert" | "digest"
    chat_id: int
    thread_id: int | None
    subscription_id: int
    article_id: int | None
    text: str
    unit: str | None = None  # the parts of one message share it: written all or none


class Delivery(BaseModel):
    """A pending outbox row as the sender sees it."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: str
    chat_id: int
    thread_id: int | None
    text: str
    attempts: int


class SourceState(BaseModel):
    """What the store remembers about polling one live source."""

    model_config = ConfigDict(frozen=True)

    id: str
    url: str  # the address polled (after permanent redirects)
    file_url: str  # the address the sources file gave
    etag: str | None = None
    last_modified: str | None = None
    next_check_at: dt.datetime | None = None  # aware UTC; None: due now
    error_count: int = 0
    last_error: str | None = None
    failing_since: dt.datetime | None = None
    last_ok_at: dt.datetime | None = None
    checked_at: dt.datetime | None = None
    disabled: str | None = None


class SeenItem(BaseModel):
    """A feed entry met before: its fingerprint and the article it became."""

    model_config = ConfigDict(frozen=True)

    fingerprint: str
    article_id: int | None
    etag: str | None
    last_modified: str | None
    errors: int


class Origin(BaseModel):
    """Where a fetched article came from."""

    model_config = ConfigDict(frozen=True)

    source_id: str
    original_url: str
    canonical_url: str
    fetched_at: dt.datetime


class Story(BaseModel):
    """One event told by one or more articles (issue 12): its dates, size and title article."""

    model_config = ConfigDict(frozen=True)

    id: int
    first: dt.date | None
    last: dt.date | None
    size: int  # articles
    sources: int  # distinct sources
    title_article_id: int | None
    # Bumped by triggers whenever one of its articles joins, leaves or changes: what is
    # computed from a story's articles is valid for one (id, version).
    version: int = 0
