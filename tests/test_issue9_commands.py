"""Issue 9, commands: forged buttons, search stop words, time and zone wording, /start, filters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.services.subscriptions import BadTime, parse_subscribe_args
from bot.texts.subscriptions import NOTHING_TO_RESUME_EMPTY, zone_label
from tests.briefing_updates import callback
from tests.conftest import TestApp

# --- item 15: numbers in callback data are bounded; out of range is a stale button ----------


@pytest.mark.parametrize(
    "data",
    [
        "page:people::99999999999999999999",
        "page:people::-1",
        "page:topic:trade:99999999999999999999",
        "page:topic:" + "x" * 45 + ":1",
        "topic:" + "x" * 50,
    ],
)
async def test_issue9_15_forged_callback_is_a_stale_button(app: TestApp, data: str) -> None:
    await app.feed(callback(app, data))
    [answer] = app.telegram.sent("answerCallbackQuery")
    assert answer["text"] == texts.STALE_BUTTON  # before: OverflowError, then the apology


# --- item 18: stop words are not required in every hit ----------------------------------------


async def test_issue9_18_search_ignores_stop_words(app: TestApp) -> None:
    # Before: every hit had to contain «с» and «и» as well.
    with_stop_words = await app.send_text("/search торговля с инвестициями")
    without = await app.send_text("/search торговля инвестициями")
    assert "ничего не нашлось" not in with_stop_words[0]
    assert with_stop_words[0].count("/article") == without[0].count("/article") > 0


# --- item 20: zones, time format, /resume with nothing to resume ------------------------------


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("Etc/GMT-5", "по времени UTC+5"),  # POSIX signs: this zone is five hours ahead
        ("Etc/GMT+3", "по времени UTC\u22123"),
        ("Asia/Kolkata", "по времени UTC+5:30"),
        ("Asia/Almaty", "по времени Алматы"),
    ],
)
def test_issue9_20_zone_without_city_shows_utc_offset(zone: str, label: str) -> None:
    at = dt.datetime(2025, 9, 2, 4, tzinfo=dt.UTC)
    assert zone_label(zone, at) == label
    assert ZoneInfo(zone)  # a real zone


@pytest.mark.parametrize("args", ["ЧЧ:ММ", "-1:00", "торговля ЧЧ:ММ", "+5:00"])
def test_issue9_20_time_like_words_are_times(args: str) -> None:
    with pytest.raises(BadTime):
        parse_subscribe_args(args)


async def test_issue9_20_subscribe_placeholder_time_explains_format(app: TestApp) -> None:
    [reply] = await app.send_text("/subscribe ЧЧ:ММ")
    assert reply.startswith("Не понял время «ЧЧ:ММ»")
    assert "08:30" in reply
    [reply] = await app.send_text("/subscribe -1:00")
    assert reply.startswith("Не понял время «-1:00»")


async def test_issue9_20_resume_without_subscriptions(app: TestApp) -> None:
    assert await app.send_text("/resume") == [NOTHING_TO_RESUME_EMPTY]
    await app.send_text("/subscribe")
    assert await app.send_text("/resume") == [texts.subscriptions.NOTHING_TO_RESUME]


# --- item 22: /start greets; /people and /sources filter by their argument ----------------------


async def test_issue9_22_start_greets_by_name(app: TestApp) -> None:
    [reply] = await app.send_text("/start")
    assert reply.startswith("Здравствуйте, Айгуль!\n")
    assert "Дипбриф" in reply and "/summary" in reply


async def test_issue9_22_start_escapes_the_name(app: TestApp) -> None:
    payload = app.message("/start")
    payload["message"]["from"]["first_name"] = "<b>Ай&гуль"
    before = len(app.telegram.texts())
    await app.feed(payload)
    [reply] = app.telegram.texts()[before:]
    assert reply.startswith("Здравствуйте, &lt;b&gt;Ай&amp;гуль!")


async def test_issue9_22_people_filters_by_word_form(app: TestApp) -> None:
    [everyone] = await app.send_text("/people")
    [reply] = await app.send_text("/people Токаева")
    assert "Токаев" in reply
    assert "Си Цзиньпин" not in reply
    assert reply != everyone
    assert "«Токаева»" in reply


async def test_issue9_22_people_no_match_is_explained(app: TestApp) -> None:
    [reply] = await app.send_text("/people Бисмарк")
    assert reply.startswith("Среди персон и организаций последних материалов нет «Бисмарк»")


async def test_issue9_22_sources_filter(app: TestApp) -> None:
    [reply] = await app.send_text("/sources синьхуа")
    assert "Синьхуа" in reply
    assert "Fintel" not in reply and "CentralAsia" not in reply
    [reply] = await app.send_text("/sources рейтер")
    assert reply == "Источника «рейтер» среди материалов нет. Все источники — /sources"
