"""Issue 12: the daily digest by story, through the real Bot against the fake Bot API."""

from __future__ import annotations

import re
from pathlib import Path

from tests.rigs import CYBER_TITLE, Rig
from tests.test_delivery import NBSP
from tests.test_story_alerts import OTHER_SOURCE


def digest_of(rig: Rig, chat_id: int) -> str:
    """The chat's last digest, all its parts (the alerts before it left out)."""
    sent = rig.delivered(chat_id)
    starts = [n for n, t in enumerate(sent) if t.startswith("<b>Дайджест за ")]
    assert starts, sent
    return "\n\n".join(sent[starts[-1] :])


def entries(digest: str) -> list[str]:
    return [b for b in digest.split("\n\n") if re.match(r"<b>\d+\. ", b)]


async def add_other_source(rig: Rig, articles_dir: Path) -> list[int]:
    (articles_dir / "cyber-other.md").write_text(OTHER_SOURCE + "\nЕщё абзац.\n", "utf-8")
    return list((await rig.app.dp["ingestor"].ingest([articles_dir])).added)


async def test_story_digest_tells_a_story_once_with_every_source(
    rig: Rig, articles_dir: Path
) -> None:
    await rig.subscribe(101, "кибербезопасность")
    [first] = await rig.drop_article(articles_dir)
    [second] = await add_other_source(rig, articles_dir)
    story = (await rig.store.stories_of([first, second]))[first]
    rig.time.clock.advance(days=1)
    await rig.deliver()
    digest = digest_of(rig, 101)
    assert digest.count(CYBER_TITLE) == 1  # two reports of one agreement: one entry
    [entry] = [e for e in entries(digest) if CYBER_TITLE in e]
    title, byline = entry.split("\n")[:2]
    assert title.startswith("<b>") and CYBER_TITLE in title  # the headline, verbatim
    assert f"2{NBSP}сентября 2025" in byline and f"/story {story}" in byline
    assert '<a href="https://example.org/' in byline  # the title's source, linked
    [sources] = [ln for ln in entry.split("\n") if ln.startswith("Об этом")]
    assert sources.startswith(f"Об этом сообщают 2{NBSP}источника: ")
    assert '<a href="https://example.org/cyber-2025">Test News</a>' in sources
    assert '<a href="https://example.org/other/cyber">Другое агентство</a>' in sources


async def test_story_digest_ranks_stories_as_summary_does(rig: Rig) -> None:
    await rig.subscribe(101, "10:00")  # the seeds were added today: the first digest has them
    rig.time.clock.advance(hours=3)
    await rig.deliver()
    digest = digest_of(rig, 101)
    [summary] = await rig.app.send_text("/summary", chat_id=101, user_id=101)
    order = re.compile(r"· /story (\d+) · /article \d+")
    assert order.findall(digest) == order.findall(summary)
    assert len(order.findall(digest)) == 4  # five seeds, four stories (Tianjin is one)
    assert digest.startswith(f"<b>Дайджест за 2{NBSP}сентября 2025</b> · все материалы: 4")


async def test_story_digest_of_a_later_day_counts_the_whole_story(
    rig: Rig, articles_dir: Path
) -> None:
    await rig.subscribe(101, "кибербезопасность")
    [first] = await rig.drop_article(articles_dir)
    rig.time.clock.advance(days=1)
    await rig.deliver()  # the first day's digest: the first report
    [second] = await add_other_source(rig, articles_dir)
    story = (await rig.store.stories_of([first, second]))[first]
    rig.time.clock.advance(days=1)
    await rig.deliver()
    later = [t for t in rig.delivered(101) if t.startswith("<b>Дайджест за ")][-1]
    [entry] = entries(later)
    [sources] = [ln for ln in entry.split("\n") if ln.startswith("Об этом")]
    # The day brought one new source; the story has two, the other one is on /story N.
    assert "Другое агентство" in sources and "Test News" not in sources
    assert sources.startswith(f"Об этом сообщают 2{NBSP}источника: ")
    assert sources.endswith(f" и ещё 1 — /story {story}")
