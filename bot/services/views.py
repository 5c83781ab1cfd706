"""What the reading services return and the renderers in bot/texts show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.analysis.themes import Theme
from bot.models import ArticleHead, Figure, KeySentence, Span, StoredArticle, Subscription
from bot.services.requests import Period

FigureGroup = Literal["money", "growth", "counts", "dates"]

PEOPLE_RECENT = 100  # /people counts mentions in the latest articles: bounded at 10,000 stored
FIGURES_RECENT = 10  # /figures reads the figures of the latest articles


@dataclass(frozen=True)
class ThemeMenu:
    """Themes with article counts; shown for /topics and for an unknown or missing theme."""

    counts: tuple[tuple[Theme, int], ...]
    query: str = ""
    suggestions: tuple[Theme, ...] = ()


@dataclass(frozen=True)
class Hit:
    """An article with the sentence that matched and the matched words' offsets in it."""

    head: ArticleHead
    snippet: Span
    marks: tuple[tuple[int, int], ...]
    # /search: further sentences, each with its marks, holding query words the snippet lacks
    more: tuple[tuple[Span, tuple[tuple[int, int], ...]], ...] = ()


@dataclass(frozen=True)
class TopicPage:
    theme: Theme
    total: int
    page: int
    pages: int
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class FigureEntry:
    """One figure, reported by one or more articles."""

    figure: Figure
    heads: tuple[ArticleHead, ...]


@dataclass(frozen=True)
class FigureBoard:
    theme: Theme | None
    groups: tuple[tuple[FigureGroup, tuple[FigureEntry, ...]], ...]


@dataclass(frozen=True)
class PersonRow:
    kind: str
    name: str
    mentions: int
    heads: tuple[ArticleHead, ...]


@dataclass(frozen=True)
class PeoplePage:
    total: int
    page: int
    pages: int
    rows: tuple[PersonRow, ...]
    query: str = ""  # the /people filter, if any


@dataclass(frozen=True)
class SourceRow:
    name: str | None
    articles: int
    latest: dt.date | None


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]
    limited: bool  # True when there may be more matches than shown


@dataclass(frozen=True)
class ArticleView:
    article: StoredArticle
    summary: tuple[KeySentence, ...]
    figures: tuple[Figure, ...]
    themes: tuple[Theme, ...]


# --- subscriptions: what the service answers, what bot/texts/subscriptions renders


@dataclass(frozen=True)
class Resumed:
    missed: int
    summary_count: int  # for «/summary N», capped at what /summary accepts


@dataclass(frozen=True)
class NothingToResume:
    """`/resume` in a chat that is not paused: it has working subscriptions, or none at all."""

    subscribed: bool


@dataclass(frozen=True)
class Subscribed:
    theme: Theme | None
    subscription: Subscription
    created: bool
    resumed: Resumed | None  # set when this also resumed a paused chat


@dataclass(frozen=True)
class UnknownTheme:
    query: str
    suggestions: tuple[Theme, ...]


@dataclass(frozen=True)
class Unsubscribed:
    themes: tuple[Theme | None, ...]  # empty: everything
    removed: int


@dataclass(frozen=True)
class Ambiguous:
    """`/unsubscribe` alone in a chat with several subscriptions."""

    example: str | None  # a theme the chat is subscribed to, for the hint


@dataclass(frozen=True)
class QuietSet:
    """`/quiet` (issue 12): «меньше шума» turned on or off for a theme (None: every one)."""

    theme: Theme | None
    quiet: bool
    changed: int  # subscriptions it applies to; 0: the chat has no such subscription


@dataclass(frozen=True)
class Overview:
    """What a chat receives (`/subscriptions`)."""

    items: tuple[tuple[Theme | None, Subscription], ...]
    paused: tuple[dt.datetime, str] | None


@dataclass(frozen=True)
class DeliveryTexts:
    """The renderers of alerts and digests, given to the subscriptions service at wiring."""

    alert: Callable[[ArticleHead, Sequence[KeySentence], str | None], list[str]]
    # issue 12: the daily digest by story (the day, its stories ranked as in /summary, theme).
    digest: Callable[[dt.date, Sequence[StoryEntry], str | None], list[str]]
    roundup: Callable[[Sequence[ArticleHead]], list[str]]  # a burst of new articles at once
    # issue 12: a new article of a story the chat was alerted about (head, story, its title,
    # theme): «ещё один источник» instead of a fresh alert.
    follow_up: Callable[[ArticleHead, int, str, str | None], list[str]]


# --- stories (issue 12): what bot/texts/stories renders


@dataclass(frozen=True)
class StoryLine:
    """A key sentence of a story: verbatim from `head`, also said by `echoes`."""

    sentence: KeySentence
    head: ArticleHead
    echoes: tuple[ArticleHead, ...] = ()


@dataclass(frozen=True)
class StoryEntry:
    """One story as listed: title article, articles oldest first, key sentences, main figure."""

    id: int
    title: ArticleHead  # the most central article; its headline is the story's title
    heads: tuple[ArticleHead, ...]
    lines: tuple[StoryLine, ...]
    figure: FigureEntry | None
    china: bool
    total_sources: int = 0  # distinct sources of the whole story (heads may be the latest only)

    @property
    def sources(self) -> tuple[ArticleHead, ...]:
        """The first article of each distinct source (undated or unnamed ones count alone)."""
        seen: dict[object, ArticleHead] = {}
        for head in self.heads:
            seen.setdefault(head.source or head.id, head)
        return tuple(seen.values())


@dataclass(frozen=True)
class StoryBriefing:
    """/summary from stories: ranked entries, for a theme or a period."""

    entries: tuple[StoryEntry, ...]
    theme: Theme | None = None
    period: Period | None = None
    since: dt.date | None = None


@dataclass(frozen=True)
class StoryView:
    """/story N: the story with all its key sentences and figures by metric."""

    entry: StoryEntry
    figures: tuple[tuple[FigureEntry, ...], ...]  # one tuple per metric; values side by side
