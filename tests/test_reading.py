"""/figures, /people, /sources, /search and /article end to end, escaping and long answers."""

import re
from pathlib import Path

import pytest

from bot import texts
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.store import Store
from bot.texts import reading
from tests.briefing_updates import callback
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram, parse_html
from tests.test_summary import CENTRALASIA, FINTEL, LADA, NBSP

HOSTILE = """---
title: "Рост <b>торговли</b> & <script>alert(1)</script>"
source: "Tom & Jerry <i>News</i>"
url: https://example.org/a?x=1&y=<2>
published: '2025-09-02'
lang: ru
---

Товарооборот Казахстана и Китая вырос до $50 млрд, сообщает <b>источник</b> & партнёры.
Эксперты считают <script>alert("x")</script> угрозой кибербезопасности региона.
"""


async def test_figures_grouped_with_value_bold_and_sources(app: TestApp) -> None:
    replies = await app.send_text("/figures")
    reply = "\n\n".join(replies)
    assert reply.startswith("<b>Ключевые цифры</b>")
    titles = re.findall(r"^<b>([^<]+)</b>$", reply, flags=re.MULTILINE)
    assert titles == ["Деньги и торговля", "Доли и рост", "Количества", "Даты и юбилеи"]
    assert f"• <b>$44{NBSP}млрд</b> — " in reply
    [line] = [ln for ln in reply.split("\n") if f"<b>$44{NBSP}млрд</b>" in ln]
    assert f'<a href="{CENTRALASIA}">CentralAsia (KZ)</a>, 30{NBSP}августа 2025' in line


async def test_figures_same_figure_once_with_every_source(app: TestApp) -> None:
    reply = "\n\n".join(await app.send_text("/figures"))
    lines = [ln for ln in reply.split("\n") if "втором саммите" in ln.lower()]
    assert len(lines) == 1  # Fintel, Xinhua and CentralAsia all mention the second summit
    assert lines[0].count("<a href=") >= 2


async def test_figures_for_theme(app: TestApp) -> None:
    [reply] = await app.send_text("/figures кибербезопасность")
    assert reply.startswith("<b>Ключевые цифры: кибербезопасность</b>")
    assert CENTRALASIA not in reply  # not in the theme
    assert LADA in reply


async def test_people_counts_mentions_and_articles(app: TestApp, telegram: FakeTelegram) -> None:
    [reply] = await app.send_text("/people")
    [tokayev] = [ln for ln in reply.split("\n") if "<b>Касым-Жомарт Токаев</b>" in ln]
    assert re.search(rf"\d+{NBSP}упоминани[йея] в 5{NBSP}материалах", tokayev)
    assert "(/article 1)" in tokayev and "и ещё 2" in tokayev
    assert "(организация)" in reply
    [row] = telegram.last()["reply_markup"]["inline_keyboard"]
    assert row[-1]["text"] == "▶"


async def test_people_next_page_edits_message(app: TestApp, telegram: FakeTelegram) -> None:
    await app.send_text("/people")
    [row] = telegram.last()["reply_markup"]["inline_keyboard"]
    await app.feed(callback(app, row[-1]["callback_data"]))
    assert "Страница 2 из" in telegram.last("editMessageText")["text"]


async def test_sources_with_counts_and_latest_dates(app: TestApp) -> None:
    [reply] = await app.send_text("/sources")
    assert reply.startswith(f"<b>Источники</b> — 5{NBSP}источников, 5{NBSP}материалов")
    assert f"• Fintel.kz — 1{NBSP}материал, последний: 26{NBSP}июня 2025" in reply
    assert "• DKNews.kz — 1\u00a0материал, последний: дата не указана" in reply


async def test_search_finds_any_word_form_with_bold_match(app: TestApp) -> None:
    [reply] = await app.send_text("/search инвестициям")
    assert reply.startswith(f"<b>Поиск «инвестициям»</b>: 2{NBSP}материала")
    assert "<b>инвестиции</b>" in reply


async def test_search_nothing_found(app: TestApp) -> None:
    [reply] = await app.send_text("/search балалайка")
    assert reply.startswith("По запросу «балалайка» ничего не нашлось.")


async def test_search_without_words_explains(app: TestApp) -> None:
    assert await app.send_text("/search") == [texts.SEARCH_USAGE]


async def test_article_shows_everything_with_preview(app: TestApp, telegram: FakeTelegram) -> None:
    replies = await app.send_text("/article 3")
    first = replies[0]
    assert first.startswith("<b>Токаев и Си Цзиньпин обсудили")
    assert f'<a href="{CENTRALASIA}">CentralAsia (KZ)</a>, 30{NBSP}августа 2025' in first
    assert "<b>Главное</b>" in first and "<b>Цифры</b>" in first and "<b>Темы</b>" in first
    assert any(r.startswith("<blockquote expandable>Президент Казахстана") for r in replies)
    assert replies[-1].endswith(f'<a href="{CENTRALASIA}">Оригинал на сайте источника</a>')
    preview = telegram.sent("sendMessage")[0]["link_preview_options"]
    assert preview == {"is_disabled": False, "url": CENTRALASIA}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("99", "Материала №99 нет."),
        ("abc", texts.render_bad_input("number", "/article 2")),
        ("", "Какой материал открыть?"),
    ],
)
async def test_article_missing_or_bad_number(app: TestApp, args: str, expected: str) -> None:
    [reply] = await app.send_text(f"/article {args}")
    assert reply.startswith(expected)


async def test_article_derived_markup_shows_as_text(
    app: TestApp, telegram: FakeTelegram, store: Store, models: LazyModels, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    report = await Ingestor(store, models).ingest([tmp_path / "in"])
    [number] = report.added
    replies = [
        *await app.send_text("/summary 1"),
        *await app.send_text(f"/article {number}"),
        *await app.send_text("/search товарооборот"),
        *await app.send_text("/sources"),
    ]
    assert telegram.rejected == []
    visible = "\n".join(parse_html(r).text for r in replies)
    assert "Рост <b>торговли</b> & <script>alert(1)</script>" in visible
    assert "Tom & Jerry <i>News</i>" in visible
    assert "<script>" not in "".join(replies)


async def test_long_article_split_into_valid_messages(
    app: TestApp, telegram: FakeTelegram, store: Store, models: LazyModels, tmp_path: Path
) -> None:
    paragraph = "Казахстан и Китай развивают торговлю и транзит через Хоргос. " * 12
    body = "\n".join(f"{i}. {paragraph}" for i in range(40))  # ~30,000 characters
    text = f"---\ntitle: Длинный материал\nsource: Тест\npublished: '2025-09-03'\n---\n\n{body}\n"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "long.md").write_text(text, encoding="utf-8")
    [number] = (await Ingestor(store, models).ingest([tmp_path / "in"])).added
    replies = await app.send_text(f"/article {number}")
    assert all(texts.visible_length(r) <= texts.MESSAGE_LIMIT for r in replies)
    assert telegram.rejected == []
    shown = "".join(parse_html(r).text for r in replies)
    assert "0. Казахстан" in shown and "8. Казахстан" in shown
    # A long text is quoted in a few parts, not dozens: the rest is at the source.
    assert len(replies) <= reading.QUOTE_PARTS + 1
    assert "39. Казахстан" not in shown and reading.TEXT_CUT in shown
    assert FINTEL not in shown


async def test_page_button_double_tap_is_answered_quietly(
    app: TestApp, telegram: FakeTelegram
) -> None:
    await app.send_text("/people")
    sent = [c for c in telegram.calls if c.method == "sendMessage" and c.ok][-1]
    [row] = sent.params["reply_markup"]["inline_keyboard"]
    for _ in range(2):  # the second edit changes nothing: Telegram says "not modified"
        press = callback(app, row[-1]["callback_data"])
        press["callback_query"]["message"]["message_id"] = sent.result["message_id"]
        await app.feed(press)
    answers = telegram.sent("answerCallbackQuery")
    assert len(answers) == 2 and not any(a.get("text") for a in answers)  # no error alert
    assert any("not modified" in (c.error or "") for c in telegram.rejected)
