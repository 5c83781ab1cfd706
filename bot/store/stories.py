"""Stories (issue 12): joining an article to a story at ingest, and reading stories back.

An article joins in one transaction: document frequencies -> its fingerprint -> candidate
stories from the inverted index (`story_terms`, by feature and day, within the window) ->
the choice (bot.analysis.stories) -> the rows. An article already in a story stays there: a
re-ingest or re-analysis updates its fingerprint in place and never moves it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path

import aiosqlite

from bot.analysis.stories import (
    LEAD_SENTENCES,
    TOP_CANDIDATES,
    Candidate,
    Features,
    StoryRules,
    Vector,
    add,
    choose_story,
    dot,
    fingerprint,
    index_terms,
    prune,
    with_background,
)
from bot.clock import Clock
from bot.models import ArticleHead, Entity, Figure, Story
from bot.store.readcache import cached
from bot.store.reading import ReadingQueries, latest_filter
from bot.store.rows import briefable, figure, head_fields, prefixed

TOTAL = ""  # the story_df row counting fingerprinted articles
CENTROID_MEMO = 256  # decoded story centroids kept (the candidates of the last days)


def _day(value: dt.date | None) -> int | None:
    return value.toordinal() if value else None


def _date(day: int | None) -> dt.date | None:
    return dt.date.fromordinal(day) if day else None


def _story(row: aiosqlite.Row) -> Story:
    return Story(
        id=row["id"],
        first=_date(row["first_day"]),
        last=_date(row["last_day"]),
        size=row["size"],
        sources=row["sources"],
        title_article_id=row["title_article_id"],
        version=row["version"],
    )


# The columns of a Story (not the summed fingerprint: a few KB of JSON per story).
STORY_COLUMNS = "id, first_day, last_day, size, sources, title_article_id, version"
STORY_COLUMNS_S = ", ".join(f"s.{c.strip()}" for c in STORY_COLUMNS.split(","))  # alias s


StoryInput = tuple[
    int, str, dt.date | None, str | None, tuple[str, ...], list[Entity], list[Figure]
]


class StoryQueries(ReadingQueries):
    """Story rows: the join at ingest, the reads of /summary and /story."""

    def __init__(self, path: Path, clock: Clock) -> None:
        super().__init__(path, clock)
        # story id -> (version, decoded centroid); never mutated (add() and prune() copy).
        self._centroids: OrderedDict[int, tuple[int, Vector]] = OrderedDict()

    async def join_story(
        self,
        article_id: int,
        published: dt.date | None,
        source: str | None,
        feats: Features,
        rules: StoryRules,
    ) -> int:
        """Put the article into a story (an existing one it matches, or a new one); its id."""
        async with self._article_write():
            rows = list(
                await self.db.execute_fetchall(
                    "SELECT story_id, vector FROM story_articles WHERE article_id = ?",
                    (article_id,),
                )
            )
            if rows:
                return await self._refresh(
                    article_id, int(rows[0][0]), json.loads(rows[0][1]), feats
                )
            vector = await self._fingerprint(feats, count=True)
            day = _day(published)
            story, title = None, None
            if day is not None:
                candidates, titles = await self._candidates(vector, day, source, rules)
                chosen = choose_story(vector, day, candidates, rules)
                story = next((c for c in candidates if c.story_id == chosen), None)
                title = titles.get(chosen) if chosen is not None else None
            if story is None or day is None:
                story_id = await self._new_story(article_id, vector, day)
            else:
                story_id = story.story_id
                title_vector = json.loads(title) if title else None
                await self._grow(story, article_id, vector, day, source, title=title_vector)
            await self.db.execute(
                "INSERT INTO story_articles (article_id, story_id, day, source, vector)"
                " VALUES (?, ?, ?, ?, ?)",
                (article_id, story_id, day, source, json.dumps(vector, ensure_ascii=False)),
            )
            await self._index(article_id, story_id, vector, day)
        return story_id

    async def _fingerprint(self, feats: Features, *, count: bool) -> Vector:
        terms = [TOTAL, *sorted(feats.terms())]
        if count:
            # Upsert: the first article with a feature inserts its row, later ones add one;
            # RETURNING gives the counts with this article in them (one trip, not two).
            sql = (
                "INSERT INTO story_df (term, n) VALUES "
                + ",".join(["(?, 1)"] * len(terms))
                + " ON CONFLICT(term) DO UPDATE SET n = n + 1 RETURNING term, n"
            )
        else:
            sql = f"SELECT term, n FROM story_df WHERE term IN ({','.join('?' * len(terms))})"
        df = {str(r[0]): int(r[1]) for r in await self.db.execute_fetchall(sql, terms)}
        total = df.pop(TOTAL, 0)
        return fingerprint(*with_background(df, total), feats=feats)

    async def _refresh(
        self, article_id: int, story_id: int, old: Mapping[str, float], feats: Features
    ) -> int:
        """A stored article analysed again: same story, its share of the story updated."""
        vector = await self._fingerprint(feats, count=False)
        if vector == old:
            return story_id
        rows = list(
            await self.db.execute_fetchall(
                "SELECT centroid FROM stories WHERE id = ?", (story_id,)
            )
        )
        centroid = prune(add(add(json.loads(rows[0][0]), old, -1.0), vector))
        await self.db.execute(
            "UPDATE stories SET centroid = ? WHERE id = ?",
            (json.dumps(centroid, ensure_ascii=False), story_id),
        )
        await self.db.execute(
            "UPDATE story_articles SET vector = ? WHERE article_id = ?",
            (json.dumps(vector, ensure_ascii=False), article_id),
        )
        day_rows = list(
            await self.db.execute_fetchall(
                "SELECT day FROM story_articles WHERE article_id = ?", (article_id,)
            )
        )
        await self.db.execute("DELETE FROM story_terms WHERE article_id = ?", (article_id,))
        await self._index(article_id, story_id, vector, day_rows[0][0] if day_rows else None)
        return story_id

    async def _candidates(
        self, vector: Vector, day: int, source: str | None, rules: StoryRules
    ) -> tuple[list[Candidate], dict[int, str | None]]:
        """The stories the article may join, and the fingerprint (JSON) of each one's title
        article: decoded only for the story chosen."""
        terms = index_terms(vector)
        if not terms:
            return [], {}
        marks = ",".join("?" * len(terms))
        # One trip: the candidate stories with their rows, the fingerprints of their articles
        # from the same source and the title article's fingerprint. Each term is one range of
        # the primary key (term, day, story_id), counted without leaving the index; only
        # stories with an article within reach of the day are found, so a story never grows
        # across a longer gap.
        rows = await self.db.execute_fetchall(
            "WITH found AS (SELECT story_id AS id, count(*) AS hits FROM story_terms"
            f" WHERE term IN ({marks}) AND day BETWEEN ? AND ?"
            " GROUP BY story_id ORDER BY hits DESC, story_id DESC LIMIT ?)"
            " SELECT s.id, s.size, s.centroid, s.version, s.first_day, s.last_day,"
            # The vectors are JSON objects already: joined with commas they are a JSON list.
            " (SELECT '[' || group_concat(o.vector, ',') || ']' FROM story_articles o"
            "  WHERE o.story_id = s.id AND o.source = ?) AS same,"
            " (SELECT v.vector FROM story_articles v WHERE v.article_id = s.title_article_id)"
            "  AS title_vector"
            " FROM found JOIN stories s ON s.id = found.id",
            [*terms, day - rules.reach, day + rules.reach, TOP_CANDIDATES, source],
        )
        return [
            Candidate(
                story_id=int(r["id"]),
                size=int(r["size"]),
                centroid=self._centroid(int(r["id"]), int(r["version"]), r["centroid"]),
                first_day=int(r["first_day"]),
                last_day=int(r["last_day"]),
                same_source=tuple(json.loads(r["same"] or "[]")),
            )
            for r in rows
        ], {int(r["id"]): r["title_vector"] for r in rows}

    def _centroid(self, story_id: int, version: int, text: str) -> Vector:
        """A story's summed fingerprint, decoded once per version: the stories of the last
        days are the candidates of article after article, and decoding their JSON was the
        join's largest cost in Python. Read before the transaction changes any story, the
        row is committed: valid for that version even if the transaction rolls back."""
        known = self._centroids.get(story_id)
        if known is not None and known[0] == version:
            self._centroids.move_to_end(story_id)
            return known[1]
        centroid: Vector = json.loads(text)
        self._centroids[story_id] = (version, centroid)
        if len(self._centroids) > CENTROID_MEMO:
            self._centroids.popitem(last=False)
        return centroid

    async def _new_story(self, article_id: int, vector: Vector, day: int | None) -> int:
        rows = list(
            await self.db.execute_fetchall(
                "INSERT INTO stories (first_day, last_day, size, sources, title_article_id,"
                " centroid) VALUES (?, ?, 1, 1, ?, ?) RETURNING id",
                (day, day, article_id, json.dumps(vector, ensure_ascii=False)),
            )
        )
        return int(rows[0][0]) if rows else 0

    async def _grow(
        self,
        story: Candidate,
        article_id: int,
        vector: Vector,
        day: int,
        source: str | None,
        *,
        title: Vector | None,
    ) -> None:
        """Add the article to the story: summed fingerprint, dates, size, sources, title."""
        centroid = prune(add(story.centroid, vector))
        # The title is the most central article: the new one takes it if it is closer to the
        # story (with the new article in it) than the current title article (`title`).
        title_score = dot(title, centroid) if title is not None else -1.0
        await self.db.execute(
            "UPDATE stories SET centroid = ?, first_day = min(first_day, ?),"
            " last_day = max(last_day, ?), size = size + 1,"
            " sources = sources + NOT EXISTS (SELECT 1 FROM story_articles"
            "  WHERE story_id = ? AND source IS ?),"
            " title_article_id = CASE WHEN ? THEN ? ELSE title_article_id END WHERE id = ?",
            (
                json.dumps(centroid, ensure_ascii=False),
                day,
                day,
                story.story_id,
                source,
                dot(vector, centroid) > title_score,
                article_id,
                story.story_id,
            ),
        )

    async def _index(
        self, article_id: int, story_id: int, vector: Vector, day: int | None
    ) -> None:
        if day is None:
            return  # an undated article never joins anything: nothing to find it by
        await self.db.executemany(
            "INSERT OR IGNORE INTO story_terms (term, day, story_id, article_id)"
            " VALUES (?, ?, ?, ?)",
            [(t, day, story_id, article_id) for t in index_terms(vector)],
        )

    # --- backfill -------------------------------------------------------------------------

    async def articles_without_story(self, limit: int) -> list[StoryInput]:
        """Articles stored before stories existed: id, title, date, source, lead lemmas,
        entities and figures; oldest first, so stories grow in time order."""
        heads = await self._heads(
            f"SELECT {prefixed('a')} FROM articles a WHERE {briefable('a')} AND NOT EXISTS"
            " (SELECT 1 FROM story_articles s WHERE s.article_id = a.id)"
            " ORDER BY a.published IS NULL, a.published, a.id LIMIT ?",
            (limit,),
        )
        if not heads:
            return []
        ids = [h.id for h in heads]
        marks = ",".join("?" * len(ids))
        lemmas: dict[int, list[str]] = {}
        for r in await self.db.execute_fetchall(
            f"SELECT article_id, lemmas FROM sentences WHERE article_id IN ({marks})"
            " AND idx < ? ORDER BY article_id, idx",
            [*ids, LEAD_SENTENCES],
        ):
            lemmas.setdefault(int(r[0]), []).append(str(r[1]))
        entities: dict[int, list[Entity]] = {}
        for article_id, entity in await self.entities(ids):
            entities.setdefault(article_id, []).append(entity)
        figures: dict[int, list[Figure]] = {}
        for r in await self.db.execute_fetchall(
            f"SELECT * FROM figures WHERE article_id IN ({marks})", ids
        ):
            figures.setdefault(int(r["article_id"]), []).append(figure(r))
        return [
            (
                h.id,
                h.title,
                h.published,
                h.source,
                tuple(lemmas.get(h.id, ())),
                entities.get(h.id, []),
                figures.get(h.id, []),
            )
            for h in heads
        ]

    # --- reads ----------------------------------------------------------------------------

    def quiet_point(self) -> int | None:
        """A mark of the article writes ended on this connection, None while one is open.
        What is read from one mark to the same mark was committed: no write began (its
        uncommitted rows are visible to our reads) or ended (a rollback) in between."""
        return None if self.db.in_transaction else self.read_cache.writes

    async def story_of(self, article_id: int) -> int | None:
        rows = list(
            await self.db.execute_fetchall(
                "SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)
            )
        )
        return int(rows[0][0]) if rows else None

    @cached
    async def recent_stories(
        self, articles: int, *, since: dt.date | None = None, theme: str | None = None
    ) -> tuple[Story, ...]:
        """Stories of the `articles` latest briefable articles (since a date, on a theme)."""
        where, params = latest_filter(since, theme)
        rows = await self.db.execute_fetchall(
            "WITH recent AS (SELECT a.id FROM articles a"
            f" WHERE {where} ORDER BY a.published DESC, a.id DESC LIMIT ?)"
            f" SELECT {STORY_COLUMNS} FROM stories WHERE id IN (SELECT sa.story_id FROM recent"
            " JOIN story_articles sa ON sa.article_id = recent.id)",
            [*params, articles],
        )
        return tuple(_story(r) for r in rows)

    async def story_members(
        self, story_ids: tuple[int, ...], per_story: int = 100
    ) -> Mapping[int, tuple[ArticleHead, ...]]:
        """The briefable articles of each story, oldest first (at most `per_story`, the
        latest): an article found off-topic after it joined is not shown. Not `@cached`:
        the caller keeps them by story version (`Story.version`)."""
        marks = ",".join("?" * len(story_ids))
        found: dict[int, list[ArticleHead]] = {i: [] for i in story_ids}
        # The window function numbers each story's articles newest first from their dates
        # alone; only the first `per_story` are read in full and become models (the columns
        # stored after the body, relevant and china, cost a walk through its overflow pages).
        rows = await self.db.execute_fetchall(
            f"SELECT w.story_id, {prefixed('a')} FROM (SELECT sa.story_id, a.id AS aid,"
            " row_number() OVER"
            " (PARTITION BY sa.story_id ORDER BY a.published DESC, a.id DESC) AS n"
            " FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
            f" WHERE sa.story_id IN ({marks})) w JOIN articles a ON a.id = w.aid"
            # Filtered after the numbering: relevance is read for the chosen rows only.
            f" WHERE w.n <= ? AND {briefable('a')} ORDER BY w.story_id, w.n",
            [*story_ids, per_story],
        )
        for r in rows:
            found[int(r["story_id"])].append(ArticleHead(**head_fields(r)))
        return {i: tuple(reversed(h)) for i, h in found.items()}

    @cached
    async def get_story(self, story_id: int) -> Story | None:
        rows = list(
            await self.db.execute_fetchall(
                f"SELECT {STORY_COLUMNS} FROM stories WHERE id = ?", (story_id,)
            )
        )
        return _story(rows[0]) if rows else None

    async def stories_by_article(self, article_ids: Sequence[int]) -> dict[int, Story]:
        """Article id -> its story (with dates, size and sources), for the digest; articles
        in none are left out."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = await self.db.execute_fetchall(
            f"SELECT sa.article_id, {STORY_COLUMNS_S} FROM story_articles sa"
            f" JOIN stories s ON s.id = sa.story_id WHERE sa.article_id IN ({marks})",
            list(article_ids),
        )
        return {int(r["article_id"]): _story(r) for r in rows}

    async def stories_of(self, article_ids: Sequence[int]) -> dict[int, int]:
        """Article id -> story id, for the articles that have a story."""
        marks = ",".join("?" * len(article_ids))
        rows = await self.db.execute_fetchall(
            f"SELECT article_id, story_id FROM story_articles WHERE article_id IN ({marks})",
            list(article_ids),
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def story_follow_up(
        self, article_id: int
    ) -> tuple[int, str, frozenset[tuple[int, int]]] | None:
        """For a new article of a story: the story, its title, and the (chat, thread or 0)
        places already alerted about another of its articles; None if it has no story."""
        rows = list(
            await self.db.execute_fetchall(
                "SELECT s.id, a.title FROM story_articles sa JOIN stories s ON s.id = sa.story_id"
                " JOIN articles a ON a.id = s.title_article_id WHERE sa.article_id = ?",
                (article_id,),
            )
        )
        if not rows:
            return None
        story_id, title = int(rows[0][0]), str(rows[0][1])
        alerted = await self.db.execute_fetchall(
            "SELECT DISTINCT o.chat_id, coalesce(o.thread_id, 0) FROM story_articles sa"
            " JOIN outbox o ON o.article_id = sa.article_id AND o.kind = 'alert'"
            " WHERE sa.story_id = ? AND sa.article_id != ? AND o.state IN ('pending', 'sent')",
            (story_id, article_id),
        )
        return story_id, title, frozenset((int(r[0]), int(r[1])) for r in alerted)
