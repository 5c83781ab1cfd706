"""/search: articles holding every query lemma somewhere (articles_fts), with their sentences."""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import ArticleHead, Span
from bot.store.readcache import cached
from bot.store.reading import ReadingQueries
from bot.store.rows import briefable, head_fields, prefixed

# Matching articles considered by search_articles, newest first, ranked among themselves:
# bm25 over every article with «Китай» would be most of the corpus.
SEARCH_WINDOW = 500

# An article's sentences with their lemmas, in text order (the caller picks what to show).
Found = tuple[ArticleHead, tuple[tuple[Span, str], ...]]


class SearchQueries(ReadingQueries):
    """Full-text search at the article level."""

    @cached
    async def search_articles(
        self, match: str, words: tuple[str, ...], limit: int
    ) -> tuple[Found, ...]:
        """FTS5 MATCH over whole articles' lemmas, China-related first, then by bm25; each
        article with those of its sentences whose lemmas may hold one of `words` (a substring
        test: the caller checks whole words)."""
        rows = await self.db.execute_fetchall(
            f"SELECT {prefixed('a')} FROM ("
            "  SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ?"
            f"  ORDER BY rowid DESC LIMIT {SEARCH_WINDOW}"
            f" ) f JOIN articles a ON a.id = f.rowid WHERE {briefable('a')}"
            " ORDER BY a.china DESC, f.rank, a.id DESC LIMIT ?",
            (match, limit),
        )
        heads = [ArticleHead(**head_fields(row)) for row in rows]
        sentences = await self._sentences([h.id for h in heads], words)
        return tuple((h, sentences.get(h.id, ())) for h in heads)

    async def _sentences(
        self, ids: Sequence[int], words: Sequence[str]
    ) -> dict[int, tuple[tuple[Span, str], ...]]:
        if not ids or not words:
            return {}
        marks = ",".join("?" * len(ids))
        # instr() leaves out most sentences before they become models: a Span costs ~30 us,
        # and all 600 sentences of ten articles took 9 ms.
        holds = " OR ".join("instr(lemmas, ?) > 0" for _ in words)
        found: dict[int, list[tuple[Span, str]]] = {}
        for row in await self.db.execute_fetchall(
            "SELECT article_id, start, stop, text, lemmas FROM sentences"
            f" WHERE article_id IN ({marks}) AND ({holds}) ORDER BY article_id, idx",
            [*ids, *words],
        ):
            span = Span(start=row["start"], stop=row["stop"], text=row["text"])
            found.setdefault(int(row["article_id"]), []).append((span, str(row["lemmas"])))
        return {i: tuple(rows) for i, rows in found.items()}
