"""What the reading commands ask of the articles: latest, themes, figures, people, sources."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence

from bot.models import (
    ArticleHead,
    Entity,
    Figure,
    KeySentence,
    Span,
    StoredArticle,
    ThemeScore,
)
from bot.store.articles import ArticleQueries
from bot.store.readcache import cached
from bot.store.rows import (
    BRIEFABLE,
    HEAD_COLUMNS,
    briefable,
    figure,
    head_fields,
    prefixed,
    theme_score,
)

Brief = tuple[ArticleHead, tuple[KeySentence, ...]]  # an article with its key sentences


def china_first(heads: Sequence[ArticleHead]) -> list[ArticleHead]:
    """China-related articles first, each group in its given (recency) order."""
    return sorted(heads, key=lambda h: not h.china)


def latest_filter(since: dt.date | None, theme: str | None) -> tuple[str, list[str]]:
    """The WHERE clause (on `articles a`) and parameters of the latest briefable articles,
    since a date, on a theme: for a walk newest first that stops at its LIMIT."""
    where, params = [briefable("a")], []
    if since is not None:
        where.append("a.published >= ?")
        params.append(since.isoformat())
    if theme is not None:
        # EXISTS (not IN): SQLite walks articles_recent newest first and stops at LIMIT,
        # instead of sorting every article of a popular theme (16 ms -> 0.1 ms at 10,000).
        where.append(
            "EXISTS (SELECT 1 FROM article_themes t WHERE t.article_id = a.id AND t.theme = ?)"
        )
        params.append(theme)
    return " AND ".join(where), params


class ReadingQueries(ArticleQueries):
    """Reads for every command. Reads that only change with the articles are `@cached`."""

    async def latest_articles(
        self, limit: int, *, since: dt.date | None = None, theme: str | None = None
    ) -> list[ArticleHead]:
        """Relevant Russian articles, newest first (undated last), optionally since a date or
        on a theme. Callers that rank put China-related ones first (`china_first`)."""
        where, params = latest_filter(since, theme)
        sql = (
            f"SELECT {prefixed('a')} FROM articles a WHERE {where}"
            " ORDER BY a.published DESC, a.id DESC LIMIT ?"
        )
        return await self._heads(sql, [*params, limit])

    @cached
    async def newest_published(self) -> dt.date | None:
        """The newest publication date in the store (periods count back from it)."""
        row = await self._one("SELECT max(published) FROM articles")
        return dt.date.fromisoformat(row[0]) if row and row[0] else None

    async def get_article(self, article_id: int) -> StoredArticle | None:
        row = await self._one(
            f"SELECT {HEAD_COLUMNS}, body FROM articles WHERE id = ?", (article_id,)
        )
        return StoredArticle(**head_fields(row), body=row["body"]) if row else None

    async def get_heads(self, ids: Iterable[int]) -> dict[int, ArticleHead]:
        ids = list(ids)
        marks = ",".join("?" * len(ids))
        heads = await self._heads(
            f"SELECT {HEAD_COLUMNS} FROM articles WHERE id IN ({marks})", ids
        )
        return {h.id: h for h in heads}

    async def summaries(self, ids: Sequence[int]) -> dict[int, list[KeySentence]]:
        """Key sentences per article, in article order."""
        marks = ",".join("?" * len(ids))
        result: dict[int, list[KeySentence]] = {i: [] for i in ids}
        for row in await self.db.execute_fetchall(
            "SELECT article_id, start, stop, text, score, lemmas FROM summary_sentences"
            f" WHERE article_id IN ({marks}) ORDER BY article_id, position",
            list(ids),
        ):
            result[int(row["article_id"])].append(
                KeySentence(
                    span=Span(start=row["start"], stop=row["stop"], text=row["text"]),
                    score=row["score"],
                    lemmas=tuple(row["lemmas"].split()),
                )
            )
        return result

    @cached
    async def latest_briefs(
        self, limit: int, *, since: dt.date | None = None, theme: str | None = None
    ) -> tuple[Brief, ...]:
        """The latest articles (as `latest_articles`), each with its key sentences."""
        heads = china_first(await self.latest_articles(limit, since=since, theme=theme))
        summaries = await self.summaries([h.id for h in heads])
        return tuple((h, tuple(summaries[h.id])) for h in heads)

    async def theme_articles(
        self, theme: str, limit: int, offset: int = 0
    ) -> list[tuple[ArticleHead, ThemeScore]]:
        """Articles scoring in a theme, most relevant first, with the snippet."""
        rows = await self.db.execute_fetchall(
            f"SELECT {prefixed('a')}, t.score, t.snippet_start, t.snippet_stop, t.snippet,"
            " t.matched FROM article_themes t JOIN articles a ON a.id = t.article_id"
            f" WHERE t.theme = ? AND {briefable('a')}"
            " ORDER BY a.china DESC, t.score DESC, a.published DESC LIMIT ? OFFSET ?",
            (theme, limit, offset),
        )
        return [(ArticleHead(**head_fields(row)), theme_score(theme, row)) for row in rows]

    @cached
    async def theme_page(
        self, theme: str, limit: int, offset: int = 0
    ) -> tuple[int, tuple[tuple[ArticleHead, ThemeScore], ...]]:
        """How many articles score in a theme, and one page of them (as `theme_articles`)."""
        total = await self.theme_count(theme)
        rows = await self.theme_articles(theme, limit, offset) if offset < total else []
        return total, tuple(rows)

    @cached
    async def theme_counts(self) -> Mapping[str, int]:
        """How many articles score in each theme."""
        rows = await self.db.execute_fetchall(
            "SELECT theme, count(*) AS n FROM article_themes t JOIN articles a"
            f" ON a.id = t.article_id WHERE {briefable('a')} GROUP BY theme"
        )
        return {str(row["theme"]): int(row["n"]) for row in rows}

    async def theme_count(self, theme: str) -> int:
        """How many articles score in one theme (a range of article_themes_by_theme)."""
        row = await self._one(
            "SELECT count(*) FROM article_themes t JOIN articles a ON a.id = t.article_id"
            f" WHERE t.theme = ? AND {briefable('a')}",
            (theme,),
        )
        return int(row[0]) if row else 0

    async def article_themes(self, article_id: int) -> list[ThemeScore]:
        rows = await self.db.execute_fetchall(
            "SELECT theme, score, snippet_start, snippet_stop, snippet, matched"
            " FROM article_themes WHERE article_id = ? ORDER BY score DESC",
            (article_id,),
        )
        return [theme_score(str(row["theme"]), row) for row in rows]

    async def figures(
        self, ids: Sequence[int], kinds: Sequence[str] | None = None
    ) -> list[tuple[int, Figure]]:
        """Figures of these articles (of these kinds), in article order then text order."""
        marks = ",".join("?" * len(ids))
        only = f" AND kind IN ({','.join('?' * len(kinds))})" if kinds is not None else ""
        rows = await self.db.execute_fetchall(
            "SELECT * FROM figures"
            f" WHERE article_id IN ({marks}){only} ORDER BY article_id, phrase_start",
            [*ids, *(kinds or ())],
        )
        return [(int(row["article_id"]), figure(row)) for row in rows]

    @cached
    async def latest_figures(
        self, limit: int, *, theme: str | None = None
    ) -> tuple[tuple[ArticleHead, Figure], ...]:
        """Figures of the latest articles (of a theme), in article id order then text order."""
        heads = {h.id: h for h in await self.latest_articles(limit, theme=theme)}
        return tuple((heads[i], figure) for i, figure in await self.figures(list(heads)))

    @cached
    async def article_details(
        self, article_id: int
    ) -> tuple[StoredArticle, tuple[KeySentence, ...], tuple[Figure, ...], tuple[str, ...]] | None:
        """An article with its key sentences, figures and theme slugs (best first)."""
        article = await self.get_article(article_id)
        if article is None:
            return None
        summary = (await self.summaries([article_id]))[article_id]
        figures = [f for _, f in await self.figures([article_id])]
        themes = [t.theme for t in await self.article_themes(article_id)]
        return article, tuple(summary), tuple(figures), tuple(themes)

    async def entities(self, ids: Sequence[int] | None = None) -> list[tuple[int, Entity]]:
        """Entities per article (of these articles, or all)."""
        sql, params = "SELECT * FROM entities", []
        if ids is not None:
            sql += f" WHERE article_id IN ({','.join('?' * len(ids))})"
            params = list(ids)
        return [
            (
                int(row["article_id"]),
                Entity(
                    kind=row["kind"],
                    name=row["name"],
                    mentions=row["mentions"],
                    aliases=tuple(json.loads(row["aliases"])),
                ),
            )
            for row in await self.db.execute_fetchall(sql + " ORDER BY article_id", params)
        ]

    @cached
    async def top_entities(
        self, recent: int, kinds: tuple[str, ...], limit: int, offset: int = 0
    ) -> tuple[int, tuple[tuple[str, str, int, tuple[ArticleHead, ...]], ...]]:
        """Entities of the `recent` latest articles, most mentioned first: the number of
        distinct entities, and a page of (kind, name, total mentions, articles by id)."""
        kind_marks = ",".join("?" * len(kinds))
        # The window count(*) OVER () gives the total before LIMIT in the same pass.
        # CROSS JOIN keeps `recent` the outer loop (entities found by primary key); with
        # IN, SQLite chose entities_by_name and read every PER/ORG row (55 ms at 10,000).
        sql = (
            f"WITH recent AS (SELECT id FROM articles WHERE {BRIEFABLE}"
            " ORDER BY published DESC, id DESC LIMIT ?)"
            " SELECT kind, name, sum(mentions) AS total, group_concat(article_id) AS ids,"
            " count(*) OVER () AS n FROM recent CROSS JOIN entities e ON e.article_id = recent.id"
            f" WHERE kind IN ({kind_marks})"
            " GROUP BY kind, name ORDER BY total DESC, name LIMIT ? OFFSET ?"
        )
        rows = list(await self.db.execute_fetchall(sql, (recent, *kinds, limit, offset)))
        if not rows:
            return 0, ()
        page = [
            (
                str(r["kind"]),
                str(r["name"]),
                int(r["total"]),
                sorted(int(i) for i in str(r["ids"]).split(",")),
            )
            for r in rows
        ]
        heads = await self.get_heads({i for *_, ids in page for i in ids})
        return int(rows[0]["n"]), tuple(
            (kind, name, total, tuple(heads[i] for i in ids if i in heads))
            for kind, name, total, ids in page
        )

    @cached
    async def source_stats(self) -> tuple[tuple[str | None, int, dt.date | None], ...]:
        """(source, article count, latest date) for every source, most articles first."""
        rows = await self.db.execute_fetchall(
            "SELECT source, count(*) AS n, max(published) AS latest FROM articles"
            " GROUP BY source ORDER BY n DESC, latest DESC"
        )
        return tuple(
            (
                row["source"],
                int(row["n"]),
                dt.date.fromisoformat(row["latest"]) if row["latest"] else None,
            )
            for row in rows
        )
