"""Services: store + analysis -> what a briefing command shows; pure request parsers."""

from __future__ import annotations

import datetime as dt
import functools
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from bot.analysis.nlp import WORD_RE, NlpModels
from bot.analysis.summary import group_near_duplicates
from bot.analysis.themes import Theme, ThemeBook, lemma_seq, load_themes, resolve_theme
from bot.clock import Clock
from bot.models import ArticleHead, Figure, KeySentence, Span, StoredArticle
from bot.store import Store

MAX_ARG_LENGTH = 200  # longer arguments are refused with an explanation
DEFAULT_SUMMARY = 5
MAX_SUMMARY = 20
PERIOD_DAYS = {"week": 7, "month": 30}
# Words a user may type after /summary for a period; inflected forms are common ("за неделю").
PERIOD_WORDS = {
    "неделя": "week", "неделю": "week", "недели": "week", "неделе": "week",
    "месяц": "month", "месяца": "month", "месяце": "month",
}  # fmt: skip
TOPIC_PAGE = 5
PEOPLE_PAGE = 10
PEOPLE_RECENT = 100  # /people counts mentions in the latest articles: bounded at 10,000 stored
FIGURES_RECENT = 10  # /figures reads the figures of the latest articles
SEARCH_LIMIT = 10
INLINE_LIMIT = 10

FigureGroup = Literal["money", "growth", "counts", "dates"]
FIGURE_GROUPS: dict[str, FigureGroup] = {
    "money": "money", "percent": "growth", "multiplier": "growth", "count": "counts",
    "measure": "counts", "anniversary": "dates", "ordinal": "dates", "target_year": "dates",
}  # fmt: skip
BadReason = Literal["too_long", "control", "no_words", "count", "number"]
Period = Literal["week", "month"]


class BadArgument(ValueError):
    """A command argument that cannot be used; `reason` picks the explanation shown."""

    def __init__(self, reason: BadReason) -> None:
        super().__init__(reason)
        self.reason: BadReason = reason


# --- request parsers (pure) -----------------------------------------------------------------


def clean_args(args: str | None) -> str:
    """A command's argument with spaces collapsed; BadArgument for unusable input."""
    if not args:
        return ""
    if len(args) > MAX_ARG_LENGTH:
        raise BadArgument("too_long")
    # Cc: control characters; Cf: RTL/LTR marks, zero-width joiners, BOMs.
    if any(unicodedata.category(ch) in ("Cc", "Cf") and not ch.isspace() for ch in args):
        raise BadArgument("control")
    text = " ".join(args.split())
    if text and not WORD_RE.search(text):
        raise BadArgument("no_words")  # only punctuation or emoji
    return text


@dataclass(frozen=True)
class SummaryRequest:
    """What /summary asked for: a count, a theme (user's words) or a period."""

    limit: int = DEFAULT_SUMMARY
    theme: str | None = None
    period: Period | None = None


def parse_summary_args(args: str | None) -> SummaryRequest:
    """`/summary`, `/summary 3`, `/summary кибербезопасность`, `/summary неделя`."""
    text = clean_args(args)
    if not text:
        return SummaryRequest()
    if text.lstrip("-+").isdigit():
        count = int(text) if text.isdigit() else 0
        if not 1 <= count <= MAX_SUMMARY:
            raise BadArgument("count")
        return SummaryRequest(limit=count)
    words = text.lower().replace("ё", "е").split()
    if words and words[0] == "за":  # "/summary за неделю"
        words = words[1:]
    if len(words) == 1 and words[0] in PERIOD_WORDS:
        period = PERIOD_WORDS[words[0]]
        return SummaryRequest(limit=MAX_SUMMARY, period=period)  # type: ignore[arg-type]
    return SummaryRequest(theme=text)


def parse_article_number(args: str | None) -> int:
    """`/article 3` -> 3; BadArgument when the argument is not a positive number."""
    text = clean_args(args).lstrip("№#").strip()
    if not text.isdigit() or not 0 < int(text) < 2**62:
        raise BadArgument("number")
    return int(text)


def parse_inline_query(query: str) -> str | None:
    """The words of an inline query ("" for latest articles); None when unusable."""
    try:
        return clean_args(query)
    except BadArgument:
        return None


def fts_query(lemmas: Sequence[str]) -> str:
    """An FTS5 MATCH expression requiring every lemma; quoting keeps hyphens literal."""
    return " ".join(f'"{lem}"' for lem in dict.fromkeys(lemmas))


def marks_in(text: str, lemmas: set[str], models: NlpModels) -> tuple[tuple[int, int], ...]:
    """Offsets (into text) of the words whose lemma is one of `lemmas`."""
    return tuple((t.start, t.stop) for t in models.tokens(text) if t.lemma in lemmas)


def marks_from_body(
    snippet: Span, matched: Sequence[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    """Body offsets of matched words that fall inside the snippet, made relative to it."""
    inside = (
        (start - snippet.start, stop - snippet.start)
        for start, stop in matched
        if snippet.start <= start and stop <= snippet.stop
    )
    return tuple(sorted(set(inside)))


def same_story(summaries: dict[int, list[KeySentence]]) -> list[tuple[KeySentence, list[int]]]:
    """Key sentences that several articles share (near-duplicates), with those article ids;
    one line per set of articles, in the order the articles were given."""
    pairs = [(i, k) for i, ks in summaries.items() for k in ks]
    found: dict[tuple[int, ...], KeySentence] = {}
    for group in near_duplicates(tuple(k.lemmas for _, k in pairs)):
        ids = tuple(dict.fromkeys(pairs[g][0] for g in group))
        if len(ids) > 1 and ids not in found:
            found[ids] = pairs[group[0]][1]
    return [(sentence, list(ids)) for ids, sentence in found.items()]


@functools.lru_cache(maxsize=64)
def near_duplicates(lemmas: tuple[tuple[str, ...], ...]) -> tuple[tuple[int, ...], ...]:
    """group_near_duplicates, remembered: it compares every pair (1,770 for /summary неделя,
    ~2 ms), and the same latest articles are asked about again and again until an ingest."""
    return tuple(tuple(group) for group in group_near_duplicates(lemmas))


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefItem:
    head: ArticleHead
    sentences: tuple[KeySentence, ...]


@dataclass(frozen=True)
class Briefing:
    """The /summary answer: articles newest first, and groups reporting the same thing."""

    items: tuple[BriefItem, ...]
    same_story: tuple[tuple[KeySentence, tuple[ArticleHead, ...]], ...] = ()
    theme: Theme | None = None
    period: Period | None = None
    since: dt.date | None = None


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


# --- the service ------------------------------------------------------------------------------


class Briefings:
    """Reads precomputed analysis from the store and shapes it for one command."""

    def __init__(
        self, store: Store, clock: Clock, tz: ZoneInfo, morph: Callable[[], NlpModels]
    ) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self._morph = morph
        self.book: ThemeBook = load_themes()

    def resolve(self, query: str) -> tuple[Theme | None, tuple[Theme, ...]]:
        """A user's theme words -> the theme (or None) and themes to suggest."""
        resolution = resolve_theme(query, self.book, self._morph())
        return resolution.theme, resolution.suggestions

    def theme(self, slug: str) -> Theme | None:
        try:
            return self.book.by_slug(slug)
        except KeyError:
            return None

    async def summary(self, request: SummaryRequest) -> Briefing | ThemeMenu:
        """The latest articles with key sentences (of a theme, within a period)."""
        theme = None
        if request.theme is not None:
            theme, suggestions = self.resolve(request.theme)
            if theme is None:
                return await self.menu(request.theme, suggestions)
        since = await self._since(request.period) if request.period else None
        briefs = await self.store.latest_briefs(
            request.limit, since=since, theme=theme.slug if theme else None
        )
        by_id = {h.id: h for h, _ in briefs}
        shared = same_story({h.id: list(sentences) for h, sentences in briefs})
        return Briefing(
            items=tuple(BriefItem(h, sentences) for h, sentences in briefs),
            same_story=tuple((k, tuple(by_id[i] for i in ids)) for k, ids in shared),
            theme=theme, period=request.period, since=since,
        )  # fmt: skip

    async def _since(self, period: Period) -> dt.date:
        newest = await self.store.newest_published()
        anchor = newest or self.clock().astimezone(self.tz).date()
        return anchor - dt.timedelta(days=PERIOD_DAYS[period] - 1)

    async def menu(self, query: str = "", suggestions: tuple[Theme, ...] = ()) -> ThemeMenu:
        """Every theme with its article count, in taxonomy order."""
        counts = await self.store.theme_counts()
        return ThemeMenu(
            counts=tuple((t, counts.get(t.slug, 0)) for t in self.book.themes),
            query=query, suggestions=suggestions,
        )  # fmt: skip

    async def topic(self, query: str) -> TopicPage | ThemeMenu:
        """Articles of the theme the user named, most relevant first; else the menu."""
        theme, suggestions = self.resolve(query) if query else (None, ())
        if theme is None:
            return await self.menu(query, suggestions)
        page = await self.topic_page(theme, 0)
        return page if page is not None else await self.menu(query)

    async def topic_page(self, theme: Theme, page: int) -> TopicPage | None:
        """One page of a theme's articles; None when the page does not exist (stale button)."""
        if page < 0:
            return None
        total, rows = await self.store.theme_page(theme.slug, TOPIC_PAGE, page * TOPIC_PAGE)
        pages = max(1, math.ceil(total / TOPIC_PAGE))
        if page >= pages:
            return None
        hits = tuple(
            Hit(head, score.snippet, marks_from_body(score.snippet, score.matched))
            for head, score in rows
        )
        return TopicPage(theme, total, page, pages, hits)

    async def figures(self, query: str) -> FigureBoard | ThemeMenu:
        """Figures of the latest articles (of a theme), merged across sources, by group."""
        theme = None
        if query:
            theme, suggestions = self.resolve(query)
            if theme is None:
                return await self.menu(query, suggestions)
        rows = await self.store.latest_figures(FIGURES_RECENT, theme=theme.slug if theme else None)
        # Sources by article id: comparing pydantic heads field by field cost ~0.2 ms here.
        merged: dict[tuple[object, ...], tuple[Figure, dict[int, ArticleHead]]] = {}
        for head, figure in rows:
            merged.setdefault(_figure_key(figure), (figure, {}))[1].setdefault(head.id, head)
        groups: dict[FigureGroup, list[FigureEntry]] = {}
        for figure, sources in merged.values():
            groups.setdefault(FIGURE_GROUPS[figure.kind], []).append(
                FigureEntry(figure, tuple(sources.values()))
            )
        order: tuple[FigureGroup, ...] = ("money", "growth", "counts", "dates")
        return FigureBoard(theme, tuple((g, tuple(groups[g])) for g in order if g in groups))

    async def people(self, page: int = 0) -> PeoplePage | None:
        """Persons and organisations of the latest articles, most mentioned first."""
        total, rows = await self.store.top_entities(
            PEOPLE_RECENT, ("PER", "ORG"), PEOPLE_PAGE, page * PEOPLE_PAGE
        )
        pages = max(1, math.ceil(total / PEOPLE_PAGE))
        if not 0 <= page < pages:
            return None
        people = tuple(PersonRow(*row) for row in rows)
        return PeoplePage(total, page, pages, people)

    async def sources(self) -> tuple[SourceRow, ...]:
        """Every source with its article count and latest date, most articles first."""
        return tuple(SourceRow(*row) for row in await self.store.source_stats())

    async def search(self, query: str) -> SearchResult:
        """Full-text search over lemmas: the best sentence per article, matched words marked."""
        models = self._morph()
        lemmas = lemma_seq(query, models)
        if not lemmas:
            return SearchResult(query, (), False)
        rows = await self.store.search_sentences(fts_query(lemmas), SEARCH_LIMIT)
        wanted = set(lemmas)
        hits = tuple(Hit(head, span, marks_in(span.text, wanted, models)) for head, span in rows)
        return SearchResult(query, hits, len(hits) >= SEARCH_LIMIT)

    async def article(self, number: int) -> ArticleView | None:
        """One article with its summary, figures and themes."""
        details = await self.store.article_details(number)
        if details is None:
            return None
        article, summary, figures, slugs = details
        themes = tuple(t for slug in slugs if (t := self.theme(slug)))
        return ArticleView(article, summary, figures, themes)

    async def inline(self, query: str) -> list[tuple[ArticleHead, Span | None]]:
        """Articles for an inline query: latest when empty, a theme's, else a search."""
        if not query:
            briefs = await self.store.latest_briefs(INLINE_LIMIT)
            return [(h, sentences[0].span if sentences else None) for h, sentences in briefs]
        theme, _ = self.resolve(query)
        if theme is not None:
            _, rows = await self.store.theme_page(theme.slug, INLINE_LIMIT)
            return [(head, score.snippet) for head, score in rows]
        result = await self.search(query)
        return [(hit.head, hit.snippet) for hit in result.hits]


def _figure_key(figure: Figure) -> tuple[object, ...]:
    """Figures that are the same fact: kind, value, unit and year (or the phrase, if no value)."""
    if figure.value is None:
        return (figure.kind, figure.phrase.text.lower(), figure.unit)
    return (figure.kind, round(figure.value, 6), figure.unit, figure.year)
