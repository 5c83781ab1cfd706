"""Services: store + analysis -> what a reading command shows (see bot.services.views)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from bot.analysis.nlp import NlpModels
from bot.analysis.query import covering_sentences, name_matches, name_query
from bot.analysis.summary import stop_words
from bot.analysis.themes import Theme, ThemeBook, lemma_seq, load_themes, resolve_theme
from bot.clock import Clock
from bot.models import ArticleHead, Figure, Span
from bot.services.requests import (
    Period,
    fts_query,
)
from bot.services.views import (
    FIGURES_RECENT,
    PEOPLE_RECENT,
    ArticleView,
    FigureBoard,
    FigureEntry,
    FigureGroup,
    Hit,
    PeoplePage,
    PersonRow,
    SearchResult,
    SourceRow,
    ThemeMenu,
    TopicPage,
)
from bot.store import Store

PERIOD_DAYS = {"week": 7, "month": 30}
TOPIC_PAGE = 5
PEOPLE_PAGE = 10
PEOPLE_SCAN = 10_000  # names of the latest articles a /people filter looks through
SEARCH_LIMIT = 10
INLINE_LIMIT = 10

FIGURE_GROUPS: dict[str, FigureGroup] = {
    "money": "money",
    "percent": "growth",
    "multiplier": "growth",
    "count": "counts",
    "measure": "counts",
    "anniversary": "dates",
    "ordinal": "dates",
    "target_year": "dates",
    "date": "dates",
}


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


# --- results ----------------------------------------------------------------------------------


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

    async def _since(self, period: Period) -> dt.date:
        # From today, not from the newest date stored: one article dated 2099 would otherwise
        # make "the last week" a week of 2098.
        today = self.clock().astimezone(self.tz).date()
        return today - dt.timedelta(days=PERIOD_DAYS[period] - 1)

    async def menu(self, query: str = "", suggestions: tuple[Theme, ...] = ()) -> ThemeMenu:
        """Every theme with its article count, in taxonomy order."""
        counts = await self.store.theme_counts()
        return ThemeMenu(
            counts=tuple((t, counts.get(t.slug, 0)) for t in self.book.themes),
            query=query,
            suggestions=suggestions,
        )

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

    async def people(self, page: int = 0, query: str = "") -> PeoplePage | None:
        """Persons and organisations of the latest articles, most mentioned first; with a
        query, only the names it matches (any word form: «Токаева» finds «Токаев»)."""
        if query:
            return await self._people_matching(page, query)
        total, rows = await self.store.top_entities(
            PEOPLE_RECENT, ("PER", "ORG"), PEOPLE_PAGE, page * PEOPLE_PAGE
        )
        return _people_page(total, page, tuple(PersonRow(*row) for row in rows))

    async def _people_matching(self, page: int, query: str) -> PeoplePage | None:
        models = self._morph()
        wanted = name_query(query, models)
        _, rows = await self.store.top_entities(PEOPLE_RECENT, ("PER", "ORG"), PEOPLE_SCAN)
        found = [PersonRow(*row) for row in rows if name_matches(wanted, row[1], models)]
        shown = tuple(found[page * PEOPLE_PAGE : (page + 1) * PEOPLE_PAGE])
        return _people_page(len(found), page, shown, query)

    async def sources(self, query: str = "") -> tuple[SourceRow, ...]:
        """Every source with its article count and latest date, most articles first; with a
        query, only the sources whose name it matches."""
        rows = tuple(SourceRow(*row) for row in await self.store.source_stats())
        if not query:
            return rows
        models = self._morph()
        wanted = name_query(query, models)
        return tuple(r for r in rows if r.name and name_matches(wanted, r.name, models))

    async def search(self, query: str) -> SearchResult:
        """Full-text search over lemmas: articles holding every query word, each with its
        best sentences (one with all the words if there is one), matched words marked."""
        models = self._morph()
        words = lemma_seq(query, models)
        # «торговля с Китаем»: a hit need not contain «с». A query of stop words only
        # («/search и») is searched as written rather than answered with nothing.
        stops = stop_words()
        lemmas = tuple(lem for lem in words if lem not in stops) or words
        if not lemmas:
            return SearchResult(query, (), False)
        # Every lemma somewhere in the article, not all in one sentence: «торговля» and
        # «Китай» are rarely in the same sentence of an article on trade with China.
        rows = await self.store.search_articles(fts_query(lemmas), lemmas, SEARCH_LIMIT)
        wanted = set(lemmas)
        hits = tuple(
            hit
            for head, sentences in rows
            if (hit := _search_hit(head, sentences, lemmas, wanted, models)) is not None
        )
        return SearchResult(query, hits, len(rows) >= SEARCH_LIMIT)

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


def _search_hit(
    head: ArticleHead,
    sentences: Sequence[tuple[Span, str]],
    lemmas: Sequence[str],
    wanted: set[str],
    models: NlpModels,
) -> Hit | None:
    """The sentences that show why an article matched, as a hit; None if it has none."""
    picked = covering_sentences([lem for _, lem in sentences], lemmas) or (0,)
    spans = [sentences[i][0] for i in picked if i < len(sentences)]
    if not spans:
        return None
    first, *rest = ((span, marks_in(span.text, wanted, models)) for span in spans)
    return Hit(head, first[0], first[1], tuple(rest))


def _people_page(
    total: int, page: int, rows: tuple[PersonRow, ...], query: str = ""
) -> PeoplePage | None:
    """A page of /people; None for a page that does not exist (a stale button)."""
    pages = max(1, math.ceil(total / PEOPLE_PAGE))
    if not 0 <= page < pages:
        return None
    return PeoplePage(total, page, pages, rows, query)


def _figure_key(figure: Figure) -> tuple[object, ...]:
    """Figures that are the same fact: kind, value, unit and year (or the phrase, if no value)."""
    if figure.value is None:
        return (figure.kind, figure.phrase.text.lower(), figure.unit)
    return (figure.kind, round(figure.value, 6), figure.unit, figure.year)
