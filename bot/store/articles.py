"""Articles and their analysis rows: writes at ingest, versions, the read cache."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from bot.clock import Clock
from bot.models import (
    Analysis,
    ArticleFile,
    ArticleHead,
    StoredArticle,
)
from bot.store.base import BaseStore, StoreError
from bot.store.readcache import Generation, ReadCache
from bot.store.rows import HEAD_COLUMNS, head_fields

# An article's sentence lemmas as one text: what articles_fts indexes (and must be told again
# to forget). Token order does not matter to FTS5's 'delete', only the tokens themselves.
ARTICLE_LEMMAS = "SELECT group_concat(lemmas, ' ') AS lemmas FROM sentences WHERE article_id = ?"


def relevance_values(analysis: Analysis) -> tuple[float, int, int, str]:
    """The relevance columns of an article row."""
    r = analysis.relevance
    return r.score, int(r.relevant), int(r.china), " ".join(r.reasons)


class ArticleQueries(BaseStore):
    """Article rows and analysis rows; one transaction per article write.

    Reads use `execute_fetchall`: one trip to aiosqlite's worker thread (~0.1 ms each), where
    `async with execute() as cursor: fetchall()` takes three (execute, fetch, close) and
    `async for` one per row. Reads that only change with the articles are `@cached`.
    """

    def __init__(self, path: Path, clock: Clock) -> None:
        super().__init__(path, clock)
        self.read_cache = ReadCache()

    async def read_generation(self) -> Generation:
        """Which version of the articles reads see: our writes, then any connection's."""
        rows = list(await self.db.execute_fetchall("SELECT value FROM article_generation"))
        return self.read_cache.writes, int(rows[0][0])

    async def article_state(self, key: str) -> tuple[int, str] | None:
        """(id, content_hash) of the article stored under this file name, if any."""
        row = await self._one("SELECT id, content_hash FROM articles WHERE key = ?", (key,))
        return (int(row["id"]), str(row["content_hash"])) if row else None

    async def key_for_hash(self, content_hash: str) -> str | None:
        """The file name already holding exactly this content, if any."""
        row = await self._one("SELECT key FROM articles WHERE content_hash = ?", (content_hash,))
        return str(row["key"]) if row else None

    async def upsert_article(self, article: ArticleFile, analysis: Analysis, version: int) -> int:
        """Insert or update (same id) an article with its analysis; returns its id."""
        now = self.clock().isoformat()
        lang = article.lang or analysis.lang
        published = article.published.isoformat() if article.published else None
        async with self._article_write():
            # Upsert keyed on the file name keeps the id stable when a file is edited.
            async with self.db.execute(
                "INSERT INTO articles (key, content_hash, title, source, url, published, lang,"
                " body, added_at, updated_at, analysis_version, relevance, relevant, china,"
                " relevance_reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET content_hash = excluded.content_hash,"
                " title = excluded.title, source = excluded.source, url = excluded.url,"
                " published = excluded.published, lang = excluded.lang, body = excluded.body,"
                " updated_at = excluded.updated_at, analysis_version = excluded.analysis_version,"
                " relevance = excluded.relevance, relevant = excluded.relevant,"
                " china = excluded.china, relevance_reasons = excluded.relevance_reasons"
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
                    *relevance_values(analysis),
                ),
            ) as cursor:
                row = await cursor.fetchone()
            article_id = int(row["id"]) if row else 0
            await self._replace_analysis(article_id, analysis)
        return article_id

    async def move_article(self, old_key: str, new_key: str) -> int:
        """A renamed file: the article (same id, same analysis) takes the new key."""
        async with self._article_write():
            rows = list(
                await self.db.execute_fetchall(
                    "UPDATE articles SET key = ? WHERE key = ? RETURNING id", (new_key, old_key)
                )
            )
        if not rows:
            raise StoreError(f"no article stored under {old_key!r}")
        return int(rows[0][0])

    async def stale_articles(self, version: int, limit: int) -> list[StoredArticle]:
        """Articles analysed by an older version of the pipeline than `version`."""
        rows = await self.db.execute_fetchall(
            f"SELECT {HEAD_COLUMNS}, body FROM articles WHERE analysis_version < ?"
            " ORDER BY id LIMIT ?",
            (version, limit),
        )
        return [StoredArticle(**head_fields(row), body=row["body"]) for row in rows]

    async def replace_analysis(self, article_id: int, analysis: Analysis, version: int) -> None:
        """Swap an article's analysis rows for a newer analysis of the same text."""
        async with self._article_write():
            await self._replace_analysis(article_id, analysis)
            await self.db.execute(
                "UPDATE articles SET analysis_version = ?, relevance = ?, relevant = ?,"
                " china = ?, relevance_reasons = ? WHERE id = ?",
                (version, *relevance_values(analysis), article_id),
            )

    @contextlib.asynccontextmanager
    async def _article_write(self) -> AsyncIterator[None]:
        """One transaction changing articles; cached reads are dropped once it ends."""
        try:
            async with self.transaction():
                yield
        finally:
            # Also after a rollback: a read between our statements saw the uncommitted rows.
            self.read_cache.bump()

    async def _replace_analysis(self, article_id: int, analysis: Analysis) -> None:
        # The contentless articles_fts forgets an article only when told its lemmas (schema).
        await self.db.execute(
            "INSERT INTO articles_fts(articles_fts, rowid, lemmas)"
            f" SELECT 'delete', ?, lemmas FROM ({ARTICLE_LEMMAS}) WHERE lemmas IS NOT NULL",
            (article_id, article_id),
        )
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
        await self.db.execute(
            "INSERT INTO articles_fts(rowid, lemmas)"
            f" SELECT ?, lemmas FROM ({ARTICLE_LEMMAS}) WHERE lemmas IS NOT NULL",
            (article_id, article_id),
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
        row = await self._one("SELECT count(*) FROM articles")
        return int(row[0]) if row else 0

    async def relevance_counts(self) -> tuple[int, int, int]:
        """(relevant Russian, off-topic Russian, non-Russian) article counts, for `status`."""
        row = await self._one(
            "SELECT coalesce(sum(lang = 'ru' AND relevant = 1), 0),"
            " coalesce(sum(lang = 'ru' AND relevant = 0), 0), coalesce(sum(lang != 'ru'), 0)"
            " FROM articles"
        )
        return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)

    async def _heads(self, sql: str, params: Sequence[Any]) -> list[ArticleHead]:
        return [
            ArticleHead(**head_fields(row)) for row in await self.db.execute_fetchall(sql, params)
        ]

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = list(await self.db.execute_fetchall(sql, params))
        return rows[0] if rows else None
