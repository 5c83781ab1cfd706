"""Stories (issue 12): /summary as a list of events told once, /story N, follow-up alerts."""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from typing import cast
from zoneinfo import ZoneInfo

from bot.analysis.stories import key_sentences, merge_figures
from bot.clock import Clock
from bot.models import ArticleHead, Figure, KeySentence, Story
from bot.services.briefing import Briefings
from bot.services.requests import SummaryRequest
from bot.services.views import (
    FigureEntry,
    StoryBriefing,
    StoryEntry,
    StoryLine,
    StoryView,
    ThemeMenu,
)
from bot.store import Store
from bot.store.readcache import Generation

RECENT_ARTICLES = 300  # /summary ranks the stories of the latest articles only
HALF_LIFE_DAYS = 2.0  # a story's weight halves every two days behind the newest article
SUMMARY_LINES = 2  # key sentences per story in /summary (1-3)
STORY_LINES = 8  # /story N: every key sentence, up to this many
MEMO_SIZE = 64  # shaped answers kept per generation of the articles
STORY_MEMO_SIZE = 512  # per story version: its latest articles, its shaped entry
SHORTLIST = 2  # stories read in full per story shown, before China-first and source weights
MEMBERS_READ = 12  # articles read per story (the latest): sources, key sentences, figures
STORY_ARTICLES = 200  # /story N lists every article, up to this many (the latest)
# "вторая встреча", "к 2033 году": true figures, but they tell nothing about the event.
HIDDEN_FIGURE_KINDS = frozenset({"ordinal", "target_year"})
MAIN_FIGURE_KINDS = ("money", "percent", "count", "measure", "multiplier")


def _is_china(head: ArticleHead) -> bool:
    """Whether China is a substantive part of the article (from the relevance analysis)."""
    return head.china


def weighted_sources(heads: Sequence[ArticleHead], weights: Mapping[str, float]) -> float:
    """Distinct sources, each by its weight (by name; 1 if unlisted, and an unnamed source
    counts once per article)."""
    return sum(weights.get(s, 1.0) for s in {h.source or f"#{h.id}" for h in heads})


def story_weight(sources: float, last: dt.date | None, anchor: dt.date) -> float:
    """Weighted distinct sources, halved every HALF_LIFE_DAYS behind the newest article."""
    if last is None:
        return sources
    return sources * math.pow(0.5, max(0, (anchor - last).days) / HALF_LIFE_DAYS)


def story_rank(
    heads: Sequence[ArticleHead],
    last: dt.date | None,
    anchor: dt.date,
    story_id: int,
    weights: Mapping[str, float],
) -> tuple[bool, bool, float, int, int]:
    """The order of stories in /summary and the digest, for a sort key: China first, undated
    last (their age is unknown), then weighted distinct sources decayed by age, the newest,
    the newest story."""
    return (
        not any(_is_china(h) for h in heads),
        last is None,
        -story_weight(weighted_sources(heads, weights), last, anchor),
        -(last or dt.date.min).toordinal(),
        -story_id,
    )


def main_figure(groups: Sequence[tuple[FigureEntry, ...]]) -> FigureEntry | None:
    """The figure most sources cite, money first among equals."""
    entries = [e for group in groups for e in group if e.figure.kind in MAIN_FIGURE_KINDS]
    if not entries:
        return None
    return max(
        entries,
        key=lambda e: (len(e.heads), -MAIN_FIGURE_KINDS.index(e.figure.kind)),
    )


class Stories:
    """Reads stories from the store and shapes them for /summary and /story."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        tz: ZoneInfo,
        briefings: Briefings,
        source_weights: Mapping[str, float] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.briefings = briefings  # theme resolution and periods, as in the article briefing
        # Weight by source name in the ranking (the `weight` of the live sources file).
        self.source_weights: Mapping[str, float] = dict(source_weights or {})
        # Shaped answers for the current generation of the articles (key sentences and figures
        # are computed, not read): asked again before the next ingest, they cost one trip.
        self._memo: dict[Hashable, object] = {}
        self._memo_generation: Generation | None = None
        # What is computed from one story's articles, by (story with its version, ...): an
        # ingest changes one story, so the next /summary reads and shapes that one only.
        self._by_story: OrderedDict[Hashable, object] = OrderedDict()

    async def _remembered(self, key: Hashable) -> tuple[Generation, object | None]:
        generation = await self.store.read_generation()
        if generation != self._memo_generation:
            self._memo.clear()
            self._memo_generation = generation
        return generation, self._memo.get(key)

    def _remember(self, generation: Generation, key: Hashable, value: object) -> None:
        if generation == self._memo_generation:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = value

    async def warm_up(self) -> None:
        """Shape the default briefing's stories once (at start): the first /summary after a
        restart then reads only what changed since, like any /summary after an ingest."""
        await self.summary(SummaryRequest())

    async def summary(self, request: SummaryRequest) -> StoryBriefing | ThemeMenu:
        """The top stories (of a theme, within a period): China first, then by weight."""
        generation, known = await self._remembered(("summary", request))
        if isinstance(known, StoryBriefing | ThemeMenu):
            return known
        result = await self._summary(request)
        self._remember(generation, ("summary", request), result)
        return result

    async def _summary(self, request: SummaryRequest) -> StoryBriefing | ThemeMenu:
        theme = None
        if request.theme is not None:
            theme, suggestions = self.briefings.resolve(request.theme)
            if theme is None:
                return await self.briefings.menu(request.theme, suggestions)
        since = await self.briefings._since(request.period) if request.period else None
        stories = await self.store.recent_stories(
            RECENT_ARTICLES, since=since, theme=theme.slug if theme else None
        )
        entries = await self._entries(stories, request.limit, SUMMARY_LINES)
        return StoryBriefing(entries, theme=theme, period=request.period, since=since)

    async def story(self, story_id: int) -> StoryView | None:
        """One story in full; None when there is no such story."""
        generation, known = await self._remembered(("story", story_id))
        if isinstance(known, StoryView):
            return known
        view = await self._story(story_id)
        if view is not None:
            self._remember(generation, ("story", story_id), view)
        return view

    async def _story(self, story_id: int) -> StoryView | None:
        story = await self.store.get_story(story_id)
        if story is None:
            return None
        [entry] = await self._entries((story,), 1, STORY_LINES, STORY_ARTICLES)
        groups = await self._figures(entry.heads)
        return StoryView(entry, groups)

    async def story_of(self, article_id: int) -> int | None:
        """The story an article belongs to (for alerts: a follow-up of a story already sent)."""
        return await self.store.story_of(article_id)

    async def _entries(
        self, stories: Sequence[Story], limit: int, lines: int, read: int = MEMBERS_READ
    ) -> tuple[StoryEntry, ...]:
        if not stories:
            return ()
        anchor = await self.store.newest_published() or self.clock().astimezone(self.tz).date()
        # Ranked first by the stored counts, so that only the leading stories are read in full
        # (a summit can have a hundred articles); China first and source weights among those.
        leading = sorted(
            stories,
            key=lambda s: (s.last is None, -story_weight(s.sources, s.last, anchor), -s.id),
        )[: limit * SHORTLIST]
        mark = self.store.quiet_point()
        fresh: dict[Hashable, object] = {}
        members = await self._members(leading, read, fresh)
        ranked = sorted(
            leading,
            key=lambda s: story_rank(members[s.id], s.last, anchor, s.id, self.source_weights),
        )[:limit]
        entries = {s.id: self._known(("entry", s, lines, read)) for s in ranked}
        todo = [s for s in ranked if not isinstance(entries[s.id], StoryEntry)]
        if todo:
            ids = [h.id for s in todo for h in members[s.id]]
            summaries = await self.store.summaries(ids)
            # The entry shows its main figure only: figures of other kinds never group with
            # those (a fact and a metric both start with the kind), so they are not read.
            figures = await self.store.figures(ids, MAIN_FIGURE_KINDS)
            for s in todo:
                entries[s.id] = fresh[("entry", s, lines, read)] = self._entry(
                    s, members[s.id], summaries, figures, lines
                )
        # Kept only if every read saw committed rows (no article write began or ended).
        if mark is not None and mark == self.store.quiet_point():
            for key, value in fresh.items():
                self._keep(key, value)
        return tuple(cast(StoryEntry, entries[s.id]) for s in ranked)

    async def _members(
        self, stories: Sequence[Story], read: int, fresh: dict[Hashable, object]
    ) -> dict[int, tuple[ArticleHead, ...]]:
        """The latest `read` articles of each story, oldest first (from memory by version)."""
        found: dict[int, tuple[ArticleHead, ...]] = {}
        for s in stories:
            known = self._known(("members", s, read))
            if isinstance(known, tuple):
                found[s.id] = known
        todo = {s.id: s for s in stories if s.id not in found}
        if todo:
            for story_id, heads in (
                await self.store.story_members(tuple(sorted(todo)), read)
            ).items():
                found[story_id] = fresh[("members", todo[story_id], read)] = heads
        return found

    def _known(self, key: Hashable) -> object | None:
        value = self._by_story.get(key)
        if value is not None:
            self._by_story.move_to_end(key)
        return value

    def _keep(self, key: Hashable, value: object) -> None:
        self._by_story[key] = value
        self._by_story.move_to_end(key)
        if len(self._by_story) > STORY_MEMO_SIZE:
            self._by_story.popitem(last=False)

    def _entry(
        self,
        story: Story,
        heads: Sequence[ArticleHead],
        summaries: Mapping[int, Sequence[KeySentence]],
        figures: Sequence[tuple[int, Figure]],
        lines: int,
    ) -> StoryEntry:
        by_id = {h.id: h for h in heads}
        chosen = key_sentences({h.id: summaries.get(h.id, ()) for h in heads}, lines)
        story_lines = tuple(
            StoryLine(k, by_id[i], tuple(by_id[e] for e in echoes)) for i, k, echoes in chosen
        )
        groups = _figure_groups([(i, f) for i, f in figures if i in by_id], by_id)
        title = by_id.get(story.title_article_id or 0, heads[0])
        return StoryEntry(
            id=story.id,
            title=title,
            heads=tuple(heads),
            lines=story_lines,
            figure=main_figure(groups),
            china=any(_is_china(h) for h in heads),
            total_sources=story.sources,
        )

    async def _figures(self, heads: Sequence[ArticleHead]) -> tuple[tuple[FigureEntry, ...], ...]:
        by_id = {h.id: h for h in heads}
        return _figure_groups(await self.store.figures(list(by_id)), by_id)


def _figure_groups(
    figures: Sequence[tuple[int, Figure]], heads: Mapping[int, ArticleHead]
) -> tuple[tuple[FigureEntry, ...], ...]:
    shown = [(i, f) for i, f in figures if f.kind not in HIDDEN_FIGURE_KINDS]
    return tuple(
        tuple(FigureEntry(f, tuple(heads[i] for i in ids)) for f, ids in group)
        for group in merge_figures(shown)
    )
