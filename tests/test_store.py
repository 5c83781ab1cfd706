"""The article store on real SQLite files: idempotent loads, edits, bad files, schema."""

import asyncio
import datetime as dt
import logging
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.analysis.pipeline import ANALYSIS_VERSION
from bot.clock import ManualClock
from bot.ingest.files import MAX_FILE_BYTES
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.store import Store, StoreError
from bot.store.schema import MIGRATIONS


@pytest.fixture
async def empty_store(tmp_path: Path, clock: ManualClock) -> Store:
    return await Store(tmp_path / "db" / "fresh.sqlite3", clock).open()


async def test_fresh_store_has_wal_foreign_keys_and_schema(empty_store: Store) -> None:
    assert await empty_store.schema_version() == len(MIGRATIONS)
    async with empty_store.db.execute("PRAGMA journal_mode") as cursor:
        assert (await cursor.fetchone())[0] == "wal"
    async with empty_store.db.execute("PRAGMA foreign_keys") as cursor:
        assert (await cursor.fetchone())[0] == 1
    await empty_store.close()


async def test_store_refuses_newer_schema(tmp_path: Path, clock: ManualClock) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer than this code"):
        await Store(path, clock).open()


async def everything_stored(store: Store, ids: list[int]) -> tuple[object, ...]:
    """Every article row and analysis row, and the counter that moves with article writes."""
    return (
        await store.latest_articles(10),
        [await store.get_article(i) for i in ids],
        await store.summaries(ids),
        [await store.article_themes(i) for i in ids],
        await store.entities(ids),
        await store.figures(ids),
        await store.read_generation(),
    )


async def test_reload_of_unchanged_files_changes_nothing(
    articles_dir: Path, store: Store, models: LazyModels, clock: ManualClock
) -> None:
    ids = [a.id for a in await store.latest_articles(10)]
    before = await everything_stored(store, ids)
    clock.advance(days=3)  # a rewrite now would stamp new times
    report = await Ingestor(store, models).ingest([articles_dir])
    assert (report.added, report.updated, report.unchanged) == ([], [], 5)
    assert report.reanalysed == 0
    assert await everything_stored(store, ids) == before
    # Nothing counts as added since the clock moved: no row was written again.
    assert await store.articles_added(clock() - dt.timedelta(days=2), clock(), None) == []


async def test_edited_file_updates_article_in_place(
    articles_dir: Path, store: Store, models: LazyModels
) -> None:
    path = articles_dir / "003_7e007acaf2bdb90c.md"
    old_id = next(a.id for a in await store.latest_articles(10) if a.key == path.name)
    path.write_text(path.read_text("utf-8").replace("8-е заседание", "9-е заседание"), "utf-8")
    report = await Ingestor(store, models).ingest([articles_dir])
    assert report.updated == [old_id] and report.added == []
    article = await store.get_article(old_id)
    assert article is not None and "9-е заседание" in article.body
    assert await store.count_articles() == 5


async def test_deleted_file_keeps_its_article(
    articles_dir: Path, store: Store, models: LazyModels
) -> None:
    shutil.rmtree(articles_dir)
    articles_dir.mkdir()
    await Ingestor(store, models).ingest([articles_dir])
    assert await store.count_articles() == 5


STORED = "000_451b224480e1e7da.md"  # a seed already in the store
FRONT = "---\ntitle: Заголовок\nsource: Тест\n{}---\nКазахстан и Китай подписали соглашение.\n"
BAD_FILES = {
    "not UTF-8": "Заголовок\nтекст".encode("cp1251"),
    "empty file": b" \n\t\n",
    "over the 1 MB limit": "Заголовок\nтекст ".encode() + b"a" * MAX_FILE_BYTES,
    "binary file": b"\x00\x01\x02",
    "broken front matter: no closing": "---\ntitle: x\n\nТекст".encode(),
    "broken front matter: while": FRONT.format("title: [oops\n").encode(),
    "invalid url in front matter": FRONT.format("url: nope\n").encode(),
    "invalid published in front matter": FRONT.format("published: '2025-13-45'\n").encode(),
}


@pytest.mark.parametrize("reason", BAD_FILES)
async def test_bad_file_replacing_stored_article_is_skipped_and_logged(
    articles_dir: Path,
    store: Store,
    models: LazyModels,
    caplog: pytest.LogCaptureFixture,
    reason: str,
) -> None:
    state = await store.article_state(STORED)
    assert state is not None
    before = await store.get_article(state[0])
    (articles_dir / STORED).write_bytes(BAD_FILES[reason])
    with caplog.at_level(logging.WARNING):
        report = await Ingestor(store, models).ingest([articles_dir])
    [(path, why)] = report.skipped
    assert path.name == STORED and reason in why
    [logged] = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert f"{STORED}: skipped: " in logged and reason in logged
    after = await store.get_article(state[0])
    assert after is not None and before is not None
    assert (after.title, after.body) == (before.title, before.body)
    assert after == before
    assert await store.article_state(STORED) == state  # the stored version stays current
    assert report.unchanged == 4 and await store.count_articles() == 5


async def test_bad_new_files_are_logged_and_not_stored(
    articles_dir: Path, store: Store, models: LazyModels, caplog: pytest.LogCaptureFixture
) -> None:
    (articles_dir / "latin1.txt").write_bytes(BAD_FILES["not UTF-8"])
    (articles_dir / "broken.md").write_bytes(BAD_FILES["invalid url in front matter"])
    with caplog.at_level(logging.WARNING):
        report = await Ingestor(store, models).ingest([articles_dir])
    assert {p.name for p, _ in report.skipped} == {"latin1.txt", "broken.md"}
    assert "latin1.txt: skipped: not UTF-8" in caplog.text
    assert "broken.md: skipped: invalid url" in caplog.text
    assert await store.count_articles() == 5


async def test_same_content_under_new_name_is_not_duplicated(
    articles_dir: Path, store: Store, models: LazyModels
) -> None:
    shutil.copyfile(articles_dir / "002_eb48d51dffeef2e8.md", articles_dir / "copy.md")
    report = await Ingestor(store, models).ingest([articles_dir])
    assert report.added == [] and "same content as" in report.skipped[0][1]


async def test_new_file_is_added_with_analysis(
    articles_dir: Path, store: Store, models: LazyModels
) -> None:
    (articles_dir / "new.md").write_text(
        "---\ntitle: Новость\nsource: Тест\nurl: https://example.org/n\npublished: 2025-09-03\n"
        "---\nКазахстан и Китай обсудили борьбу с киберпреступностью и кибератаками.\n",
        "utf-8",
    )
    report = await Ingestor(store, models).ingest([articles_dir])
    [new_id] = report.added
    assert (await store.latest_articles(1))[0].id == new_id
    assert "cybersecurity" in {t.theme for t in await store.article_themes(new_id)}


async def test_articles_from_an_older_analysis_are_analysed_again(
    articles_dir: Path, store: Store, models: LazyModels, db_path: Path
) -> None:
    # A database written by an older pipeline: version 0 and its theme rows gone.
    with sqlite3.connect(db_path) as old:
        old.execute("UPDATE articles SET analysis_version = 0 WHERE key LIKE '000_%'")
        old.execute("DELETE FROM article_themes WHERE article_id = 1")
    report = await Ingestor(store, models).ingest([articles_dir])
    assert report.reanalysed == 1 and report.unchanged == 5
    assert "cybersecurity" in {t.theme for t in await store.article_themes(1)}
    assert await store.stale_articles(ANALYSIS_VERSION, 10) == []


async def test_concurrent_writers_on_one_connection_take_turns(
    articles_dir: Path, store: Store, models: LazyModels, clock: ManualClock
) -> None:
    # A rescan storing an article while a /subscribe writes: both land, neither fails.
    (articles_dir / "new.md").write_text(
        "Новость\nКазахстан и Китай подписали соглашение.", "utf-8"
    )
    subscribe = store.upsert_subscription(
        chat_id=-100,
        chat_type="supergroup",
        title="Группа",
        theme=None,
        thread_id=None,
        digest_time=dt.time(9, 0),
        next_digest_at=clock() + dt.timedelta(hours=5),
    )
    report, (_, created) = await asyncio.gather(
        Ingestor(store, models).ingest([articles_dir]), subscribe
    )
    assert len(report.added) == 1 and created
    assert len(await store.chat_subscriptions(-100)) == 1


async def test_same_file_name_in_two_folders_are_two_articles(
    articles_dir: Path, store: Store, models: LazyModels
) -> None:
    for folder, title in (("a", "Первая"), ("b", "Вторая")):
        (articles_dir / folder).mkdir()
        (articles_dir / folder / "news.md").write_text(f"{title}\nТекст о ШОС: {title}.", "utf-8")
    first = await Ingestor(store, models).ingest([articles_dir])
    again = await Ingestor(store, models).ingest([articles_dir])
    assert len(first.added) == 2 and (again.added, again.updated) == ([], [])
    titles = {(await store.get_article(i)).title for i in first.added}  # type: ignore[union-attr]
    assert titles == {"Первая", "Вторая"}
