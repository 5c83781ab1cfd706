"""Articles and their analysis: writes at ingest, reads for every command."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

from bot.models import (
    Analysis,
    ArticleFile,
    ArticleHead,
    Entity,
    Figure,
    KeySentence,
    Span,
    StoredArticle,
    ThemeScore,
)
from bot.store.base import BaseStore

HEAD_COLUMNS = "id, key, title, source, url, published, lang"
SEARCH_WINDOW = 300  # matching sentences considered by search_sentences, newest first


class ArticleQueries(BaseStore):
    """Article rows and analysis rows; one transaction per article write.

    Reads use `await cursor.fetchall()`: aiosqlite's `async for` fetches one row per trip to
    its worker thread (sqlite3's default arraysize is 1), which dominated command latency.
    """

    async def article_state(self, key: str) -> tuple[int, str] | None:
        """(id, content_hash) of the article stored under this file name, if any."""
        async with self.db.execute(
            "SELECT id, content_hash FROM articles WHERE key = ?", (key,)
        ) as cursor:
            row = await cursor.fetchone()
        return (int(row["id"]), str(row["content_hash"])) if row else None

    async def key_for_hash(self, content_hash: str) -> str | None:
        """The file name already holding exactly this content, if any."""
        async with self.db.execute(
            "SELECT key FROM articles WHERE content_hash = ?", (content_hash,)
        ) as cursor:
            row = await cursor.fetchone()
        return str(row["key"]) if row else None

    async def upsert_article(self, article: ArticleFile, analysis: Analysis, version: int) -> int:
        """Insert or update (same id) an article with its analysis; returns its id."""
        now = self.clock().isoformat()
        lang = article.lang or analysis.lang
        published = article.published.isoformat() if article.published else None
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            # Upsert keyed on the file name keeps the id stable when a file is edited.
            async with self.db.execute(
                "INSERT INTO articles (key, content_hash, title, source, url, published, lang,"
                " body, added_at, updated_at, analysis_version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET content_hash = excluded.content_hash,"
                " title = excluded.title, source = excluded.source, url = excluded.url,"
                " published = excluded.published, lang = excluded.lang, body = excluded.body,"
                " updated_at = excluded.updated_at, analysis_version = excluded.analysis_version"
                " RETURNING id",
                (
                    article.key,
                    article.content_hash,
                    article.title,
                    article.source,
                    article.url,
                    published,
                    lang,
                    article.body,
                    now,
                    now,
                    version,
                ),
            ) as cursor:
                row = await cursor.fetchone()
            article_id = int(row["id"]) if row else 0
            await self._replace_analysis(article_id, analysis)
        except Exception:
            await self.db.execute("ROLLBACK")
            raise
        await self.db.execute("COMMIT")
        return article_id

    async def stale_articles(self, version: int, limit: int) -> list[StoredArticle]:
        """Articles analysed by an older version of the pipeline than `version`."""
        async with self.db.execute(
            f"SELECT {HEAD_COLUMNS}, body FROM articles WHERE analysis_version < ?"
            " ORDER BY id LIMIT ?",
            (version, limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [StoredArticle(**_head_fields(row), body=row["body"]) for row in rows]

    async def replace_analysis(self, article_id: int, analysis: Analysis, version: int) -> None:
        """Swap an article's analysis rows for a newer analysis of the same text."""
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            await self._replace_analysis(article_id, analysis)
            await self.db.execute(
                "UPDATE articles SET analysis_version = ? WHERE id = ?", (version, article_id)
            )
        except Exception:
            await self.db.execute("ROLLBACK")
            raise
        await self.db.execute("COMMIT")

    async def _replace_analysis(self, article_id: int, analysis: Analysis) -> None:
        for table in ("sentences", "summary_sentences", "article_themes", "figures", "entities"):
            await self.db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
        await self.db.executemany(
            "INSERT INTO sentences (article_id, idx, start, stop, text, lemmas)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (article_id, i, s.start, s.stop, s.text, lem)
                for i, (s, lem) in enumerate(
                    zip(analysis.sentences, analysis.sentence_lemmas, strict=True)
                )
            ],
        )
        await self.db.executemany(
            "INSERT INTO summary_sentences"
            " (article_id, position, start, stop, text, score, lemmas)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    article_id,
                    i,
                    k.span.start,
                    k.span.stop,
                    k.span.text,
                    k.score,
                    " ".join(k.lemmas),
                )
                for i, k in enumerate(analysis.summary)
            ],
        )
        await self.db.executemany(
            "INSERT INTO article_themes (article_id, theme, score, snippet_start, snippet_stop,"
            " snippet, matched) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    article_id,
                    t.theme,
                    t.score,
                    t.snippet.start,
                    t.snippet.stop,
                    t.snippet.text,
                    json.dumps(t.matched),
                )
                for t in analysis.themes
            ],
        )
        await self.db.executemany(
            "INSERT INTO figures (article_id, kind, value, unit, qualifier, phrase_start,"
            " phrase_stop, phrase, sentence_start, sentence_stop, sentence, year)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    article_id,
                    f.kind,
                    f.value,
                    f.unit,
                    f.qualifier,
                    f.phrase.start,
                    f.phrase.stop,
                    f.phrase.text,
                    f.sentence.start,
                    f.sentence.stop,
                    f.sentence.text,
                    f.year,
                )
                for f in analysis.figures
            ],
        )
        await self.db.executemany(
            "INSERT INTO entities (article_id, kind, name, mentions, aliases)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (article_id, e.kind, e.name, e.mentions, json.dumps(e.aliases, ensure_ascii=False))
                for e in analysis.entities
            ],
        )

    async def count_articles(self) -> int:
        async with self.db.execute("SELECT count(*) FROM articles") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def latest_articles(
        self, limit: int, *, since: dt.date | None = None, theme: str | None = None
    ) -> list[ArticleHead]:
        """Newest first (undated last), optionally since a date or on a theme."""
        where, params = ["1"], []
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
        sql = (
            f"SELECT {_prefixed('a')} FROM articles a WHERE {' AND '.join(where)}"
            " ORDER BY a.published DESC, a.id DESC LIMIT ?"
        )
        return await self._heads(sql, [*params, limit])

    async def newest_published(self) -> dt.date | None:
        """The newest publication date in the store (periods count back from it)."""
        async with self.db.execute("SELECT max(published) FROM articles") as cursor:
            row = await cursor.fetchone()
        return dt.date.fromisoformat(row[0]) if row and row[0] else None

    async def get_article(self, article_id: int) -> StoredArticle | None:
        async with self.db.execute(
            f"SELECT {HEAD_COLUMNS}, body FROM articles WHERE id = ?", (article_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return StoredArticle(**_head_fields(row), body=row["body"]) if row else None

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
        async with self.db.execute(
            "SELECT article_id, start, stop, text, score, lemmas FROM summary_sentences"
            f" WHERE article_id IN ({marks}) ORDER BY article_id, position",
            list(ids),
        ) as cursor:
            for row in await cursor.fetchall():
                result[int(row["article_id"])].append(
                    KeySentence(
                        span=Span(start=row["start"], stop=row["stop"], text=row["text"]),
                        score=row["score"],
                        lemmas=tuple(row["lemmas"].split()),
                    )
                )
        return result

    async def theme_articles(
        self, theme: str, limit: int, offset: int = 0
    ) -> list[tuple[ArticleHead, ThemeScore]]:
        """Articles scoring in a theme, most relevant first, with the snippet."""
        result = []
        async with self.db.execute(
            f"SELECT {_prefixed('a')}, t.score, t.snippet_start, t.snippet_stop, t.snippet,"
            " t.matched FROM article_themes t JOIN articles a ON a.id = t.article_id"
            " WHERE t.theme = ? ORDER BY t.score DESC, a.published DESC LIMIT ? OFFSET ?",
            (theme, limit, offset),
        ) as cursor:
            for row in await cursor.fetchall():
                result.append((ArticleHead(**_head_fields(row)), _theme_score(theme, row)))
        return result

    async def theme_counts(self) -> dict[str, int]:
        """How many articles score in each theme."""
        async with self.db.execute(
            "SELECT theme, count(*) AS n FROM article_themes GROUP BY theme"
        ) as cursor:
            return {str(row["theme"]): int(row["n"]) for row in await cursor.fetchall()}

    async def theme_count(self, theme: str) -> int:
        """How many articles score in one theme (a range of article_themes_by_theme)."""
        async with self.db.execute(
            "SELECT count(*) FROM article_themes WHERE theme = ?", (theme,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def article_themes(self, article_id: int) -> list[ThemeScore]:
        async with self.db.execute(
            "SELECT theme, score, snippet_start, snippet_stop, snippet, matched"
            " FROM article_themes WHERE article_id = ? ORDER BY score DESC",
            (article_id,),
        ) as cursor:
            return [_theme_score(str(row["theme"]), row) for row in await cursor.fetchall()]

    async def figures(self, ids: Sequence[int]) -> list[tuple[int, Figure]]:
        """Figures of these articles, in article order then text order."""
        marks = ",".join("?" * len(ids))
        async with self.db.execute(
            "SELECT * FROM figures"
            f" WHERE article_id IN ({marks}) ORDER BY article_id, phrase_start",
            list(ids),
        ) as cursor:
            return [(int(row["article_id"]), _figure(row)) for row in await cursor.fetchall()]

    async def entities(self, ids: Sequence[int] | None = None) -> list[tuple[int, Entity]]:
        """Entities per article (of these articles, or all)."""
        sql, params = "SELECT * FROM entities", []
        if ids is not None:
            sql += f" WHERE article_id IN ({','.join('?' * len(ids))})"
            params = list(ids)
        async with self.db.execute(sql + " ORDER BY article_id", params) as cursor:
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
                for row in await cursor.fetchall()
            ]

    async def top_entities(
        self, recent: int, kinds: Sequence[str], limit: int, offset: int = 0
    ) -> tuple[int, list[tuple[str, str, int, list[int]]]]:
        """Entities of the `recent` latest articles, most mentioned first: the number of
        distinct entities, and a page of (kind, name, total mentions, article ids)."""
        kind_marks = ",".join("?" * len(kinds))
        async with self.db.execute(
            # The window count(*) OVER () gives the total before LIMIT in the same pass.
            # CROSS JOIN keeps `recent` the outer loop (entities found by primary key); with
            # IN, SQLite chose entities_by_name and read every PER/ORG row (55 ms at 10,000).
            "WITH recent AS (SELECT id FROM articles ORDER BY published DESC, id DESC LIMIT ?)"
            " SELECT kind, name, sum(mentions) AS total, group_concat(article_id) AS ids,"
            " count(*) OVER () AS n FROM recent CROSS JOIN entities e ON e.article_id = recent.id"
            f" WHERE kind IN ({kind_marks})"
            " GROUP BY kind, name ORDER BY total DESC, name LIMIT ? OFFSET ?",
            (recent, *kinds, limit, offset),
        ) as cursor:
            rows = list(await cursor.fetchall())
        if not rows:
            return 0, []
        page = [
            (str(r["kind"]), str(r["name"]), int(r["total"]),
             sorted(int(i) for i in str(r["ids"]).split(",")))
            for r in rows
        ]  # fmt: skip
        return int(rows[0]["n"]), page

    async def source_stats(self) -> list[tuple[str | None, int, dt.date | None]]:
        """(source, article count, latest date) for every source, most articles first."""
        async with self.db.execute(
            "SELECT source, count(*) AS n, max(published) AS latest FROM articles"
            " GROUP BY source ORDER BY n DESC, latest DESC"
        ) as cursor:
            return [
                (row["source"], int(row["n"]),
                 dt.date.fromisoformat(row["latest"]) if row["latest"] else None)
                for row in await cursor.fetchall()
            ]  # fmt: skip

    async def search_sentences(self, match: str, limit: int) -> list[tuple[ArticleHead, Span]]:
        """FTS5 MATCH over sentence lemmas; best-ranked sentence per article."""
        result = []
        async with self.db.execute(
            f"SELECT {_prefixed('a')}, s.start, s.stop, s.text FROM ("
            # The newest SEARCH_WINDOW matching sentences only, ranked among themselves: ranking
            # every match of a common word ("Китай") costs ~100 ms at 10,000 articles.
            "  SELECT rowid, rank FROM sentences_fts WHERE sentences_fts MATCH ?"
            f"  ORDER BY rowid DESC LIMIT {SEARCH_WINDOW}"
            " ) f JOIN sentences s ON s.id = f.rowid JOIN articles a ON a.id = s.article_id"
            " GROUP BY a.id HAVING f.rank = min(f.rank) ORDER BY f.rank LIMIT ?",
            (match, limit),
        ) as cursor:
            for row in await cursor.fetchall():
                span = Span(start=row["start"], stop=row["stop"], text=row["text"])
                result.append((ArticleHead(**_head_fields(row)), span))
        return result

    async def _heads(self, sql: str, params: Sequence[Any]) -> list[ArticleHead]:
        async with self.db.execute(sql, params) as cursor:
            return [ArticleHead(**_head_fields(row)) for row in await cursor.fetchall()]


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in HEAD_COLUMNS.split(","))


def _head_fields(row: aiosqlite.Row) -> dict[str, Any]:
    published = row["published"]
    return {
        "id": row["id"],
        "key": row["key"],
        "title": row["title"],
        "source": row["source"],
        "url": row["url"],
        "lang": row["lang"],
        "published": dt.date.fromisoformat(published) if published else None,
    }


def _theme_score(theme: str, row: aiosqlite.Row) -> ThemeScore:
    return ThemeScore(
        theme=theme,
        score=row["score"],
        snippet=Span(start=row["snippet_start"], stop=row["snippet_stop"], text=row["snippet"]),
        matched=tuple(tuple(pair) for pair in json.loads(row["matched"])),
    )


def _figure(row: aiosqlite.Row) -> Figure:
    return Figure(
        kind=row["kind"],
        value=row["value"],
        unit=row["unit"],
        qualifier=row["qualifier"],
        phrase=Span(start=row["phrase_start"], stop=row["phrase_stop"], text=row["phrase"]),
        sentence=Span(
            start=row["sentence_start"], stop=row["sentence_stop"], text=row["sentence"]
        ),
        year=row["year"],
    )
