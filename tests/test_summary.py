"""/summary end to end: default, a count, a theme, a period, bad input, chats and threads."""

import re
import sqlite3
from pathlib import Path

import pytest

from bot import texts
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram

FINTEL = "https://fintel.kz/2025/06/26/kazahstan-i-kitaj-sovmestnye-usiliya-v-borbe-s-kiberprestupnostyu"
LADA = "https://www.lada.kz/kazakhstan-news/142817-tokaev-vystupil-na-sammite-shos-v-kitae.html"
CENTRALASIA = "https://centralasia.media/news:2320317"
XINHUA = "https://russian.news.cn/20250617/30bc7798275049fda6dc8333838d907a/c.html"
DKNEWS = "https://dknews.kz/ru/shelkovyy-put/379046-v-pekine-proshel-klub-druzey-kazahstana-chto"
NBSP = "\u00a0"


def article_numbers(reply: str) -> list[int]:
    return [int(n) for n in re.findall(r"/article (\d+)", reply)]


async def test_summary_lists_five_latest_newest_first(app: TestApp) -> None:
    [reply] = await app.send_text("/summary")
    assert reply.startswith(f"<b>Брифинг</b> — 5{NBSP}материалов")
    assert article_numbers(reply) == [5, 3, 1, 2, 4]
    for url in (LADA, CENTRALASIA, FINTEL, XINHUA, DKNEWS):
        assert f'<a href="{url}">' in reply


async def test_summary_dates_in_russian_and_unknown_date(app: TestApp) -> None:
    [reply] = await app.send_text("/summary")
    assert f"1{NBSP}сентября 2025" in reply
    assert f"30{NBSP}августа 2025" in reply
    assert "дата не указана" in reply  # the DKNews seed has no date


async def test_summary_gives_two_or_three_key_sentences_each(app: TestApp) -> None:
    [reply] = await app.send_text("/summary")
    blocks = reply.split("\n\n")[1:6]
    for block in blocks:
        assert 2 <= sum(line.startswith("— ") for line in block.split("\n")) <= 3


async def test_summary_names_sources_reporting_the_same_thing(app: TestApp) -> None:
    [reply] = await app.send_text("/summary")
    [line] = [ln for ln in reply.split("\n\n") if ln.startswith("Об этом сообщают")]
    assert f"2{NBSP}источника" in line
    assert LADA in line and CENTRALASIA in line
    assert f"1{NBSP}сентября 2025" in line and f"30{NBSP}августа 2025" in line  # cited dates


async def test_summary_with_number_limits_articles(app: TestApp) -> None:
    [reply] = await app.send_text("/summary 3")
    assert f"3{NBSP}материала" in reply
    assert article_numbers(reply) == [5, 3, 1]


async def test_summary_with_theme_limits_to_it(app: TestApp) -> None:
    [reply] = await app.send_text("/summary кибербезопасность")
    assert reply.startswith("<b>Брифинг: кибербезопасность</b>")
    assert article_numbers(reply) == [5, 1]
    assert FINTEL in reply and LADA in reply and XINHUA not in reply


@pytest.mark.parametrize("period", ["неделя", "за неделю", "Неделя"])
async def test_summary_week_counts_back_from_today(app: TestApp, period: str) -> None:
    [reply] = await app.send_text(f"/summary {period}")
    assert reply.startswith("<b>Брифинг за неделю</b>")
    assert f"с 27{NBSP}августа 2025" in reply  # 2 September (the clock) minus six days
    assert article_numbers(reply) == [5, 3]


async def test_issue9_9_week_ignores_an_article_dated_in_the_future(
    app: TestApp, db_path: Path
) -> None:
    # Stored before dates were checked: it must not move "the last week" to 2098.
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE articles SET published = '2099-01-01' WHERE id = 2")
    db.close()
    [reply] = await app.send_text("/summary неделя")
    assert f"с 27{NBSP}августа 2025" in reply
    assert article_numbers(reply)[-2:] == [5, 3]


async def test_summary_month_includes_august(app: TestApp) -> None:
    [reply] = await app.send_text("/summary месяц")
    assert reply.startswith("<b>Брифинг за месяц</b>")
    assert article_numbers(reply) == [5, 3]


async def test_summary_typo_in_theme_still_resolves(app: TestApp) -> None:
    [reply] = await app.send_text("/summary кибирбезапасность")
    assert reply.startswith("<b>Брифинг: кибербезопасность</b>")


async def test_summary_unknown_theme_offers_menu_and_suggestion(app: TestApp) -> None:
    [reply] = await app.send_text("/summary кибирбизапаснасть")
    assert reply.startswith("Тема «кибирбизапаснасть» не найдена.")
    assert "Возможно, вы имели в виду: «кибербезопасность», «безопасность»?" in reply
    keyboard = app.telegram.last()["reply_markup"]["inline_keyboard"]
    assert any(b["callback_data"] == "topic:cybersecurity" for row in keyboard for b in row)


@pytest.mark.parametrize("count", ["0", "21", "-3", "99999999999999999999"])
async def test_summary_bad_count_explained(app: TestApp, count: str) -> None:
    [reply] = await app.send_text(f"/summary {count}")
    assert reply == texts.render_bad_input("count", "/summary 3")


async def test_summary_works_in_group_with_mention_and_case(app: TestApp) -> None:
    replies = await app.send_text(
        "/Summary@DipBrief_bot   2", chat_id=-100777, chat_type="supergroup"
    )
    assert len(replies) == 1
    assert article_numbers(replies[0]) == [5, 3]
    assert app.telegram.last()["chat_id"] == -100777


async def test_summary_replies_into_forum_topic(app: TestApp, telegram: FakeTelegram) -> None:
    await app.send_text("/summary 1", chat_id=-100999, chat_type="supergroup", thread_id=77)
    assert telegram.last()["message_thread_id"] == 77


async def test_summary_links_previews_off(app: TestApp, telegram: FakeTelegram) -> None:
    await app.send_text("/summary")
    options = telegram.last().get("link_preview_options") or {}
    assert options.get("is_disabled") is True


async def test_summary_shows_typing_when_slow(app: TestApp, telegram: FakeTelegram) -> None:
    app.dp["typing_delay"] = 0.0  # "slow" from the first moment
    await app.send_text("/summary", chat_id=-100999, chat_type="supergroup", thread_id=5)
    [action] = telegram.sent("sendChatAction")
    assert action["action"] == "typing"
    assert action["message_thread_id"] == 5


async def test_summary_fast_answer_shows_no_typing(app: TestApp, telegram: FakeTelegram) -> None:
    # "Fast" by construction: an answer always beats an hour, however loaded the machine is.
    app.dp["typing_delay"] = 3600.0
    [reply] = await app.send_text("/summary")
    assert reply.startswith("<b>Брифинг")
    assert telegram.sent("sendChatAction") == []


async def test_edited_command_is_not_answered_again(app: TestApp, telegram: FakeTelegram) -> None:
    await app.send_text("/summary 1")
    payload = app.message("/summary 2")
    payload["edited_message"] = {**payload.pop("message"), "edit_date": 1}
    await app.feed(payload)
    assert len(telegram.texts()) == 1
