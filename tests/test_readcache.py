"""Cached article reads: served from memory until the articles change, here or elsewhere."""

import sqlite3
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.services.requests import fts_query
from bot.store import Store
from bot.store.readcache import ReadCache

NEW_ARTICLE = (
    "---\ntitle: Новость\nsource: Новый источник\nurl: https://example.org/n\n"
    "published: 2025-09-03\n---\n"
    "Казахстан и Китай обсудили борьбу с киберпреступностью и кибератаками.\n"
)


async def cached_answers(store: Store) -> tuple[Any, ...]:
    """What the reading commands ask the store for, through its cache."""
    return (
        await store.theme_counts(),
        await store.source_stats(),
        await store.latest_briefs(3),
        await store.newest_published(),
        await store.theme_page("cybersecurity", 5),
        await store.search_articles(fts_query(["киберпреступность"]), ("киберпреступность",), 10),
    )


async def test_readcache_serves_repeated_reads_from_memory(store: Store) -> None:
    first = await store.source_stats()
    assert await store.source_stats() is first


async def test_readcache_changes_after_ingest_in_this_process(
    store: Store, articles_dir: Path, models: LazyModels
) -> None:
    before = await cached_answers(store)
    (articles_dir / "new.md").write_text(NEW_ARTICLE, "utf-8")
    await Ingestor(store, models).ingest([articles_dir])
    after = await cached_answers(store)
    for old, new in zip(before, after, strict=True):
        assert old != new


async def test_readcache_changes_after_ingest_by_another_connection(
    store: Store, db_path: Path, articles_dir: Path, models: LazyModels, clock: ManualClock
) -> None:
    before = await cached_answers(store)
    (articles_dir / "new.md").write_text(NEW_ARTICLE, "utf-8")
    async with Store(db_path, clock) as other:  # as `python -m bot ingest` would
        await Ingestor(other, models).ingest([articles_dir])
    after = await cached_answers(store)
    for old, new in zip(before, after, strict=True):
        assert old != new


async def test_readcache_notices_an_article_write_by_plain_sqlite(
    store: Store, db_path: Path
) -> None:
    before = await store.source_stats()
    with sqlite3.connect(db_path) as other:
        other.execute("UPDATE articles SET source = 'Kazinform' WHERE source = 'Fintel.kz'")
    after = await store.source_stats()
    assert "Fintel.kz" in {row[0] for row in before}
    assert "Fintel.kz" not in {row[0] for row in after}


async def test_readcache_survives_deliveries_written_by_another_connection(
    store: Store, db_path: Path
) -> None:
    # The sender writes the outbox on its own connection all the time; /topics must stay hot.
    await store.theme_counts()
    with sqlite3.connect(db_path) as other:
        other.execute("UPDATE articles SET matched_at = '2025-09-02T04:00:00+00:00'")
        other.execute(
            "INSERT INTO outbox (dedup_key, kind, chat_id, text, next_attempt_at, created_at)"
            " VALUES ('k', 'alert', 1, 'x', '2025', '2025')"
        )
    hits = store.read_cache.hits
    await store.theme_counts()
    assert store.read_cache.hits == hits + 1


def test_readcache_new_generation_forgets_everything() -> None:
    cache = ReadCache()
    cache.get((0, 1), "key")
    cache.put((0, 1), "key", "old")
    assert cache.get((0, 1), "key") == (True, "old")
    assert cache.get((1, 1), "key") == (False, None)


def test_readcache_drops_a_read_that_straddled_a_write() -> None:
    cache = ReadCache()
    cache.get((0, 1), "key")  # a read starts in generation (0, 1)...
    cache.get((1, 1), "other")  # ...an article is written and another read starts...
    cache.put((0, 1), "key", "stale")  # ...then the first read ends
    assert cache.get((1, 1), "key") == (False, None)


def test_readcache_keeps_the_most_recently_used() -> None:
    cache = ReadCache(size=2)
    cache.get((0, 0), "a")
    for key in ("a", "b"):
        cache.put((0, 0), key, key)
    cache.get((0, 0), "a")
    cache.put((0, 0), "c", "c")
    assert [cache.get((0, 0), k)[0] for k in ("a", "b", "c")] == [True, False, True]
