"""/search at the article level: every query word somewhere in the article, end to end."""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path

from bot.clock import ManualClock
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.store import Store
from bot.store.schema import MIGRATIONS
from tests.conftest import START, TestApp
from tests.test_summary import NBSP

NOTE = """---
title: Заметка о балалайках
source: Тестовое агентство
url: https://example.org/note
published: '2025-09-01'
lang: ru
---

Казахстан и Китай обсудили поставки балалаек на выставку в Астане.
Организаторы ждут гостей из многих стран.
"""


def hits(replies: list[str]) -> list[str]:
    """The hit blocks of a /search answer (the heading left out)."""
    blocks = "\n\n".join(replies).split("\n\n")
    return [b for b in blocks if "/article " in b]


def quotes(hit: str) -> list[str]:
    """The sentences a hit shows, as visible text, without the «…» of a cut."""
    parts = re.findall(r"<i>(.*?)</i>", hit, flags=re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", p)).replace(NBSP, " ").strip("…") for p in parts]


def bold(hit: str) -> list[str]:
    return [html.unescape(w).lower() for w in re.findall(r"<b>([^<]+)</b>", hit)]


async def shown_verbatim(store: Store, hit: str) -> bool:
    number = int(re.search(r"/article (\d+)", hit)[1])  # type: ignore[index]
    article = await store.get_article(number)
    assert article is not None
    body = article.body.replace(NBSP, " ")
    return all(q and q in body for q in quotes(hit))


async def test_search_words_in_different_sentences_find_the_article(
    app: TestApp, store: Store
) -> None:
    # Before: nothing, as FTS5 wanted «торговля» and «Китай» in one sentence, and no seed
    # sentence has both, though three seeds have both words.
    replies = await app.send_text("/search торговля с Китаем")
    assert replies[0].startswith(f"<b>Поиск «торговля с Китаем»</b>: 3{NBSP}материала")
    found = hits(replies)
    assert len(found) == 3
    for hit in found:
        words = bold(hit)
        assert any(w.startswith("торгов") for w in words), hit
        assert any(w.startswith("кита") for w in words), hit
        assert 2 <= len(quotes(hit)) <= 3  # no sentence has both: one for each word
        assert await shown_verbatim(store, hit)


async def test_search_shows_one_sentence_when_it_has_every_word(
    app: TestApp, store: Store
) -> None:
    replies = await app.send_text("/search торговля инвестициям")
    found = hits(replies)
    assert found
    for hit in found:
        assert len(quotes(hit)) == 1  # «…торговля, инвестиции и энергетика…»
        assert {"торговля", "торговлю"} & set(bold(hit)) and "инвестиции" in bold(hit)
        assert await shown_verbatim(store, hit)


async def test_search_quotes_and_operators_are_words(app: TestApp) -> None:
    # Quotes are not a phrase search: the same words, any order, anywhere in the article.
    plain = hits(await app.send_text("/search торговля Китаем"))
    assert hits(await app.send_text('/search "торговля" «Китаем»')) == plain
    assert len(plain) == 3
    # FTS5 syntax in a query is text, not an operator: no error, no match of «OR».
    [reply] = await app.send_text("/search торговля OR NEAR(Китай*")
    assert reply.startswith("По запросу")


async def test_search_forgets_words_an_edited_article_lost(
    store: Store, models: LazyModels, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "note.md").write_text(NOTE, encoding="utf-8")
    await Ingestor(store, models).ingest([folder])
    [(head, _)] = await store.search_articles('"балалайка" "китай"', ("балалайка",), 10)
    (folder / "note.md").write_text(NOTE.replace("балалаек", "домбр"), encoding="utf-8")
    await Ingestor(store, models).ingest([folder])
    assert await store.search_articles('"балалайка"', ("балалайка",), 10) == ()
    [(edited, _)] = await store.search_articles('"домбра" "китай"', ("домбра",), 10)
    assert edited.id == head.id


async def test_search_index_built_for_articles_stored_before_it(db_path: Path) -> None:
    # A database from before the index: its migration indexes the articles it holds (run
    # alone: the migrations after it have run on this file already).
    [migration] = [m for m in MIGRATIONS if "CREATE VIRTUAL TABLE articles_fts" in m]
    with sqlite3.connect(db_path) as db:
        db.executescript("DROP TRIGGER articles_fts_bd; DROP TABLE articles_fts;")
        db.executescript(migration)
    async with Store(db_path, ManualClock(START)) as store:
        found = await store.search_articles('"торговля" "китай"', ("торговля", "китай"), 10)
    assert len(found) == 3
