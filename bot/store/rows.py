"""Rows -> models: the column lists and converters shared by the store's query mixins."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import aiosqlite

from bot.models import Figure, Span, ThemeScore

HEAD_COLUMNS = "id, key, title, source, url, published, lang, relevant, china"
# Articles that may enter briefings, searches, alerts and digests: relevant and in Russian.
# `/article N` opens any stored article.
BRIEFABLE = "relevant = 1 AND lang = 'ru'"


def briefable(alias: str) -> str:
    """BRIEFABLE for a table alias: "a.relevant = 1 AND a.lang = 'ru'"."""
    return f"{alias}.relevant = 1 AND {alias}.lang = 'ru'"


def prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in HEAD_COLUMNS.split(","))


def head_fields(row: aiosqlite.Row) -> dict[str, Any]:
    published = row["published"]
    return {
        "id": row["id"],
        "key": row["key"],
        "title": row["title"],
        "source": row["source"],
        "url": row["url"],
        "lang": row["lang"],
        "relevant": bool(row["relevant"]),
        "china": bool(row["china"]),
        "published": dt.date.fromisoformat(published) if published else None,
    }


def theme_score(theme: str, row: aiosqlite.Row) -> ThemeScore:
    return ThemeScore(
        theme=theme,
        score=row["score"],
        snippet=Span(start=row["snippet_start"], stop=row["snippet_stop"], text=row["snippet"]),
        matched=tuple(tuple(pair) for pair in json.loads(row["matched"])),
    )


def figure(row: aiosqlite.Row) -> Figure:
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
