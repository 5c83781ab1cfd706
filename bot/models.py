"""Pydantic models that cross boundaries: files -> store -> services -> renderers."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from bot.analysis.models import Analysis, Entity, Figure, KeySentence, Span, ThemeScore

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
    "Span",
    "StoredArticle",
    "Subscription",
    "ThemeScore",
]


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
        return value.strip() or None if isinstance(value, str) else value


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
