"""/topic and /topics end to end: relevance, snippets, the theme menu, buttons and pages."""

import re
from pathlib import Path

from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.store import Store
from tests.briefing_updates import callback
from tests.conftest import SEEDS, TestApp
from tests.fake_telegram import FakeTelegram
from tests.test_summary import FINTEL, LADA, NBSP

THEME_COUNT = 12


async def test_topic_cybersecurity_lists_fintel_and_lada_only(app: TestApp) -> None:
    [reply] = await app.send_text("/topic кибербезопасность")
    assert reply.startswith(f"<b>Тема «кибербезопасность»: 2{NBSP}материала</b>")
    links = re.findall(r'<a href="([^"]+)">', reply)
    assert set(links) == {FINTEL, LADA}


async def test_topic_ranks_by_relevance_with_bold_snippet(app: TestApp) -> None:
    [reply] = await app.send_text("/topic кибербезопасность")
    first, second = reply.split("\n\n")[1:3]
    assert FINTEL in first and LADA in second  # Fintel is all about cybercrime
    assert "<i>" in first and "<b>киберпреступностью</b>" in first
    assert f"26{NBSP}июня 2025" in first


async def test_topic_accepts_inflected_and_prefix_query(app: TestApp) -> None:
    [by_prefix] = await app.send_text("/topic кибер")
    assert by_prefix.startswith("<b>Тема «кибербезопасность»")
    [english] = await app.send_text("/topic cyber")
    assert english.startswith("<b>Тема «кибербезопасность»")


async def test_topic_without_argument_shows_theme_buttons(
    app: TestApp, telegram: FakeTelegram
) -> None:
    [reply] = await app.send_text("/topic")
    assert f"• кибербезопасность — 2{NBSP}материала" in reply
    assert f"• экология и вода — 1{NBSP}материал" in reply
    # Seed 004 (the SCO summit) names culture once in a list of areas: not its theme.
    assert f"• культура и туризм — 4{NBSP}материала" in reply
    rows = telegram.last()["reply_markup"]["inline_keyboard"]
    buttons = [b for row in rows for b in row]
    assert len(buttons) == THEME_COUNT
    assert buttons[0] == {"text": "кибербезопасность · 2", "callback_data": "topic:cybersecurity"}


async def test_topic_unknown_theme_suggests(app: TestApp) -> None:
    [reply] = await app.send_text("/topic торговлишка")
    assert reply.startswith("Тема «торговлишка» не найдена.")
    assert "Возможно, вы имели в виду: «торговля и инвестиции»?" in reply


async def test_topics_lists_every_theme_with_counts(app: TestApp, telegram: FakeTelegram) -> None:
    [reply] = await app.send_text("/topics")
    assert reply.count("\n• ") == THEME_COUNT
    assert "не найдена" not in reply
    assert len(telegram.last()["reply_markup"]["inline_keyboard"]) == THEME_COUNT // 2


async def test_topic_button_runs_topic_in_same_thread(
    app: TestApp, telegram: FakeTelegram
) -> None:
    await app.feed(callback(app, "topic:cybersecurity", chat_id=-100999, thread_id=31))
    sent = telegram.last()
    assert sent["text"].startswith("<b>Тема «кибербезопасность»")
    assert sent["message_thread_id"] == 31
    assert telegram.last("answerCallbackQuery").get("text") is None


async def test_forged_topic_button_answered_politely(app: TestApp, telegram: FakeTelegram) -> None:
    for data in ("topic:nosuchtheme", "page:topic:cybersecurity:notanumber", "garbage"):
        await app.feed(callback(app, data))
    answers = telegram.sent("answerCallbackQuery")
    assert [a["text"] for a in answers] == ["Эта кнопка устарела. Отправьте команду ещё раз."] * 3
    assert telegram.texts() == []


def write_cyber_copies(folder: Path, count: int) -> None:
    """Copies of the Fintel seed (made distinct) so the theme has several pages."""
    folder.mkdir()
    text = (SEEDS / "000_451b224480e1e7da.md").read_text(encoding="utf-8")
    for i in range(count):
        (folder / f"copy_{i}.md").write_text(text + f"\nДополнение номер {i}.\n", encoding="utf-8")


async def test_topic_pages_with_arrows(
    app: TestApp, telegram: FakeTelegram, store: Store, models: LazyModels, tmp_path: Path
) -> None:
    write_cyber_copies(tmp_path / "more", 6)  # 8 in the theme: 2 pages
    await Ingestor(store, models).ingest([tmp_path / "more"])
    [reply] = await app.send_text("/topic кибербезопасность")
    assert f"8{NBSP}материалов" in reply and "Страница 1 из 2" in reply
    [row] = telegram.last()["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in row] == ["1/2", "▶"]
    await app.feed(callback(app, row[1]["callback_data"]))
    edited = telegram.last("editMessageText")
    assert "Страница 2 из 2" in edited["text"]
    assert edited["text"].count("/article ") == 3
    [back] = edited["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in back] == ["◀", "2/2"]


async def test_topic_stale_page_answered_politely(app: TestApp, telegram: FakeTelegram) -> None:
    await app.feed(callback(app, "page:topic:cybersecurity:5"))  # only one page exists
    assert telegram.last("answerCallbackQuery")["text"].startswith("Эта кнопка устарела")
    assert telegram.sent("editMessageText") == []
