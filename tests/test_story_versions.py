"""Story versions (issue 12, speed): what /summary computes for a story is kept until that
story changes (an article joins it, one of its articles is edited), not until any article does.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import ManualClock
from bot.ingest.models_loader import LazyModels, LazyMorph
from bot.ingest.pipeline import Ingestor
from bot.services.briefing import Briefings
from bot.services.requests import SummaryRequest
from bot.services.stories import Stories
from bot.services.views import StoryBriefing
from bot.store import Store
from bot.store.schema import MIGRATIONS

SCO = "004_772369b6def8ce5e.md"  # article 5, in one story with article 3 (the SCO summit)
ASTANA = "000_451b224480e1e7da.md"  # article 1, a story of its own


def stories_service(store: Store, clock: ManualClock, models: LazyModels) -> Stories:
    tz = ZoneInfo("UTC")
    return Stories(store, clock, tz, Briefings(store, clock, tz, LazyMorph(models)))


async def summary(stories: Stories) -> StoryBriefing:
    result = await stories.summary(SummaryRequest())
    assert isinstance(result, StoryBriefing)
    return result


async def versions(store: Store) -> dict[int, int]:
    """Story id -> version, for the stories of the five seeds."""
    found = {}
    for story_id in set((await store.stories_of([1, 2, 3, 4, 5])).values()):
        story = await store.get_story(story_id)
        assert story is not None
        found[story_id] = story.version
    return found


def another_source_reports(articles_dir: Path, seed: str) -> None:
    """A second source tells the seed's event again (one more sentence, its own address)."""
    text = (articles_dir / seed).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^source: .*$", "source: Другое агентство", text, count=1)
    text = re.sub(r"(?m)^url: .*$", "url: https://example.org/sco", text, count=1)
    (articles_dir / f"new_{seed}").write_text(text + "\nОб этом сообщили журналистам.\n", "utf-8")


async def test_story_version_changes_when_an_article_joins_it_and_only_its_story(
    store: Store, models: LazyModels, articles_dir: Path
) -> None:
    before = await versions(store)
    sco = (await store.stories_of([5]))[5]
    another_source_reports(articles_dir, SCO)
    report = await Ingestor(store, models).ingest([articles_dir])
    [new] = report.added
    assert (await store.stories_of([new]))[new] == sco
    after = await versions(store)
    assert after[sco] > before[sco]
    assert {s: v for s, v in after.items() if s != sco} == {
        s: v for s, v in before.items() if s != sco
    }


async def test_story_version_changes_when_one_of_its_articles_is_edited(
    store: Store, models: LazyModels, articles_dir: Path
) -> None:
    before = await versions(store)
    sco = (await store.stories_of([5]))[5]
    path = articles_dir / SCO
    path.write_text(path.read_text(encoding="utf-8") + "\nДобавлен абзац.\n", encoding="utf-8")
    report = await Ingestor(store, models).ingest([articles_dir])
    assert report.updated == [5]
    after = await versions(store)
    assert after[sco] > before[sco]
    assert all(after[s] == v for s, v in before.items() if s != sco)


async def test_summary_reshapes_only_the_story_an_article_joined(
    store: Store, models: LazyModels, articles_dir: Path, clock: ManualClock
) -> None:
    stories = stories_service(store, clock, models)
    before = {e.id: e for e in (await summary(stories)).entries}
    sco = (await store.stories_of([5]))[5]
    another_source_reports(articles_dir, SCO)
    await Ingestor(store, models).ingest([articles_dir])
    after = await summary(stories)
    changed = {e.id: e for e in after.entries}
    assert "Другое агентство" in {h.source for h in changed[sco].heads}
    assert "Другое агентство" not in {h.source for h in before[sco].heads}
    # Every other story's entry is the one shaped before: read and shaped again, it is equal.
    assert all(changed[i] is e for i, e in before.items() if i != sco)
    assert after == await summary(stories_service(store, clock, models))


async def test_summary_keeps_nothing_read_inside_a_write_that_rolls_back(
    store: Store, models: LazyModels, clock: ManualClock
) -> None:
    # A read between the statements of a write sees its uncommitted rows; after a rollback
    # the story's version is back where it was, and the next committed change takes the
    # same number again: what was shaped from the rolled-back rows must not be kept under it.
    stories = stories_service(store, clock, models)
    await summary(stories)
    edit = "UPDATE articles SET title = ? WHERE id = 1"
    try:
        async with store._article_write():
            await store.db.execute(edit, ("Заголовок, который откатят",))
            seen = await summary(stories)
            assert "Заголовок, который откатят" in {e.title.title for e in seen.entries}
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    async with store._article_write():
        await store.db.execute(edit, ("Заголовок, который сохранят",))
    titles = {e.title.title for e in (await summary(stories)).entries}
    assert "Заголовок, который сохранят" in titles
    assert "Заголовок, который откатят" not in titles


async def test_story_index_migration_carries_the_story_of_each_indexed_article(
    tmp_path: Path, clock: ManualClock
) -> None:
    # A database from before the migration: index rows without their story id.
    path = tmp_path / "old.sqlite3"
    mine = next(i for i, m in enumerate(MIGRATIONS) if "story_terms_new" in m)
    with sqlite3.connect(path, isolation_level=None) as db:
        for migration in MIGRATIONS[:mine]:
            db.executescript(migration)
        db.execute(f"PRAGMA user_version={mine}")
        db.execute(
            "INSERT INTO articles (id, key, content_hash, title, lang, body, added_at,"
            " updated_at) VALUES (7, 'a7', 'h7', 'Заголовок', 'ru', 'Текст.', '', '')"
        )
        db.execute(
            "INSERT INTO stories (id, first_day, last_day, size, sources, centroid)"
            " VALUES (3, 10, 10, 1, 1, '{\"w:саммит\": 1.0}')"
        )
        db.execute(
            "INSERT INTO story_articles (article_id, story_id, day, vector)"
            " VALUES (7, 3, 10, '{\"w:саммит\": 1.0}')"
        )
        db.execute("INSERT INTO story_terms (term, day, article_id) VALUES ('w:саммит', 10, 7)")
    async with Store(path, clock) as store:
        rows = await store.db.execute_fetchall(
            "SELECT term, day, story_id, article_id FROM story_terms"
        )
        assert [tuple(r) for r in rows] == [("w:саммит", 10, 3, 7)]
        assert await store.schema_version() == len(MIGRATIONS)


async def test_warm_up_shapes_the_stories_a_first_summary_needs(
    store: Store, clock: ManualClock, models: LazyModels
) -> None:
    # At start the bot shapes the default briefing: a first /summary (any count) then reads
    # no story's articles, key sentences or figures; without the warm-up it reads them all.
    async def statements(stories: Stories) -> list[str]:
        seen: list[str] = []
        await store.db.set_trace_callback(seen.append)
        try:
            await stories.summary(SummaryRequest(limit=3))
        finally:
            await store.db.set_trace_callback(None)
        return [s for s in seen if "summary_sentences" in s or "row_number()" in s]

    assert await statements(stories_service(store, clock, models))  # cold: reads them
    store.read_cache.bump()
    warmed = stories_service(store, clock, models)
    await warmed.warm_up()
    assert await statements(warmed) == []
