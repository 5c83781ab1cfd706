"""Issue 12: an alert for a new source on a story already alerted about is a follow-up."""

from __future__ import annotations

from pathlib import Path

from tests.rigs import CYBER_ARTICLE, Rig

OTHER_SOURCE = CYBER_ARTICLE.replace("source: Test News", "source: Другое агентство").replace(
    "https://example.org/cyber-2025", "https://example.org/other/cyber"
)


async def test_story_alert_follow_up_names_another_source(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(101)
    [first] = await rig.drop_article(articles_dir)
    await rig.deliver()
    await rig.subscribe(102)  # subscribed after the first alert: never told about the story
    (articles_dir / "cyber-other.md").write_text(OTHER_SOURCE + "\nЕщё абзац.\n", "utf-8")
    [second] = (await rig.app.dp["ingestor"].ingest([articles_dir])).added
    story = await rig.store.stories_of([first, second])
    assert story[first] == story[second]
    await rig.deliver()
    alert, follow_up = rig.delivered(101)
    assert alert.startswith("<b>Новый материал</b>")
    assert follow_up.startswith("<b>Ещё один источник</b>: ")
    assert '<a href="https://example.org/other/cyber">' in follow_up
    assert "Другое агентство" in follow_up and f"/story {story[first]}" in follow_up
    [fresh] = rig.delivered(102)
    assert fresh.startswith("<b>Новый материал</b>")
