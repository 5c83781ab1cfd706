"""/summary end to end: default, a count, a theme, a period, bad input, chats and threads."""

import re
import sqlite3
from pathlib import Path

import pytest

from bot import texts
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.store import Store
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram
from tests.test_relevance_filter import MATCH

FINTEL = "https://fintel.kz/2025/06/26/kazahstan-i-kitaj-sovmestnye-usiliya-v-borbe-s-kiberprestupnostyu"
LADA = "https://www.lada.kz/kazakhstan-news/142817-tokaev-vystupil-na-sammite-shos-v-kitae.html"
CENTRALASIA = "https://centralasia.media/news:2320317"
XINHUA = "https://russian.news.cn/20250617/30bc7798275049fda6dc8333838d907a/c.html"
DKNEWS = "https://dknews.kz/ru/shelkovyy-put/379046-v-pekine-proshel-klub-druzey-kazahstana-chto"
NBSP = "\u00a0"


def article_numbers(reply: str) -> list[int]:
    """The title article of each story, in the order the stories are listed."""
    return [int(n) for n in re.findall(r"· /story \d+ · /article (\d+)", reply)]


def story_blocks(reply: str) -> list[str]:
    return [b for b in reply.split("\n\n") if re.match(r"<b>\d+\. ", b)]


async def test_summary_lists_stories_newest_first_with_every_source(app: TestApp) -> None:
    [reply] = await app.send_text("/summary")
    # Five articles, four stories: the two on the SCO summit in Tianjin are one.
    assert reply.startswith(f"<b>Брифинг</b> — 4{NBSP}сюжета")
    assert article_numbers(reply) == [3, 1, 2, 4]  # the undated DKNews story last
    for url in (LADA, CENTRALASIA, FINTEL, XINHUA, DKNEWS):
        assert f'<a href="{url}">' in reply
    sco = story_blocks(reply)[0]
    assert LADA in sco and CENTRALASIA in sco


async def test_summary_dates_in_russian_and_unknown_date(app: TestApp) -> None:
    [reply] = await app.send_text("/summary")
    assert f"1{NBSP}сентября 2025" in reply
    assert f"30{NBSP}августа 2025" in reply
    assert "дата не указана" in reply  # the DKNews seed has no date


async def test_summary_gives_two_key_sentences_each_cited(app: TestApp) -> None:
    [reply] = await app.send_text("/summary")
    for block in story_blocks(reply):
        lines = [line for line in block.split("\n") if line.startswith("— ")]
        assert 1 <= len(lines) <= 3
        for line in lines:
            assert "<a href=" in line  # the source, linked
            assert " 2025" in line or "дата не указана" in line


async def test_summary_names_sources_reporting_the_same_story(app: TestApp) -> None:
    [reply] = await app.send_text("/summary")
    sco = story_blocks(reply)[0]
    [line] = [ln for ln in sco.split("\n") if ln.startswith("Об этом сообщают")]
    assert f"2{NBSP}источника" in line
    assert LADA in line and CENTRALASIA in line
    assert f"1{NBSP}сентября 2025" in line and f"30{NBSP}августа 2025" in line  # cited dates
    single = story_blocks(reply)[1]
    assert f"Об этом сообщает 1{NBSP}источник: " in single


async def test_summary_story_buttons_open_story(app: TestApp, telegram: FakeTelegram) -> None:
    [reply] = await app.send_text("/summary")
    numbers = re.findall(r"/story (\d+)", reply)
    keyboard = telegram.last()["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for row in keyboard for b in row] == [f"story:{n}" for n in numbers]


async def test_summary_with_number_limits_stories(app: TestApp) -> None:
    [reply] = await app.send_text("/summary 3")
    assert f"3{NBSP}сюжета" in reply
    assert article_numbers(reply) == [3, 1, 2]


async def test_summary_with_theme_limits_to_it(app: TestApp) -> None:
    [reply] = await app.send_text("/summary кибербезопасность")
    assert reply.startswith("<b>Брифинг: кибербезопасность</b>")
    # Lada's article is on the theme: its whole story is shown, CentralAsia's article too.
    assert article_numbers(reply) == [3, 1]
    assert FINTEL in reply and LADA in reply and XINHUA not in reply


@pytest.mark.parametrize("args", ["кибербезопасность за месяц", "месяц кибербезопасность"])
async def test_summary_theme_and_period_together(app: TestApp, args: str) -> None:
    [reply] = await app.send_text(f"/summary {args}")
    assert reply.startswith("<b>Брифинг: кибербезопасность за месяц</b>")
    # Of the two cybersecurity articles only Lada's (1 September) is in the month: its story.
    assert article_numbers(reply) == [3]
    assert LADA in reply and FINTEL not in reply


@pytest.mark.parametrize("period", ["неделя", "за неделю", "Неделя"])
async def test_summary_week_counts_back_from_today(app: TestApp, period: str) -> None:
    [reply] = await app.send_text(f"/summary {period}")
    assert reply.startswith("<b>Брифинг за неделю</b>")
    assert f"с 27{NBSP}августа 2025" in reply  # 2 September (the clock) minus six days
    # The Tianjin story: Lada's speech (5) and CentralAsia's talks (3), listed as one story.
    assert article_numbers(reply) == [3]
    assert LADA in reply and CENTRALASIA in reply


async def test_issue9_9_week_ignores_an_article_dated_in_the_future(
    app: TestApp, db_path: Path
) -> None:
    # Stored before dates were checked: it must not move "the last week" to 2098.
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE articles SET published = '2099-01-01' WHERE id = 2")
    db.close()
    [reply] = await app.send_text("/summary неделя")
    assert f"с 27{NBSP}августа 2025" in reply
    assert 3 in article_numbers(reply)  # the Tianjin story of that week is still there


async def test_summary_month_includes_august(app: TestApp) -> None:
    [reply] = await app.send_text("/summary месяц")
    assert reply.startswith("<b>Брифинг за месяц</b>")
    assert article_numbers(reply) == [3]


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
    assert article_numbers(replies[0]) == [3, 1]
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


OFF_TOPIC = "обыграла команду Китая"  # in the title of MATCH


async def test_summary_never_lists_an_off_topic_story(
    app: TestApp, store: Store, models: LazyModels, articles_dir: Path, db_path: Path
) -> None:
    # The off-topic match of the relevance tests (it names China), the newest article.
    (articles_dir / "match.md").write_text(MATCH, encoding="utf-8")
    [football] = (await Ingestor(store, models).ingest([articles_dir])).added
    [reply] = await app.send_text("/summary")
    assert OFF_TOPIC not in reply and ">Спорт<" not in reply
    # A database from before the fix gave it a story, even one shared with a relevant article.
    with sqlite3.connect(db_path) as db:
        story = db.execute("SELECT story_id FROM story_articles WHERE article_id = 3").fetchone()
        db.execute(
            "INSERT INTO story_articles (article_id, story_id, day, source, vector)"
            " VALUES (?, ?, 739130, 'Спорт', '{}')",
            (football, story[0]),
        )
    db.close()
    store.read_cache.bump()
    [reply] = await app.send_text("/summary")
    assert OFF_TOPIC not in reply and ">Спорт<" not in reply
    assert article_numbers(reply) == [3, 1, 2, 4]
    [full] = await app.send_text(f"/story {story[0]}")
    assert OFF_TOPIC not in full and ">Спорт<" not in full
