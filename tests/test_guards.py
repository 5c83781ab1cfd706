"""Bad input, flood control and request parsing: short Russian answers, never a trace."""

import pytest

from bot import texts
from bot.services.requests import (
    MAX_ARG_LENGTH,
    BadArgument,
    SummaryRequest,
    clean_args,
    fts_query,
    parse_article_number,
    parse_summary_args,
)
from tests.briefing_updates import callback
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (None, SummaryRequest()),
        ("  3 ", SummaryRequest(limit=3)),
        ("кибербезопасность", SummaryRequest(theme="кибербезопасность")),
        ("торговля   и инвестиции", SummaryRequest(theme="торговля и инвестиции")),
        ("неделя", SummaryRequest(limit=20, period="week")),
        ("за месяц", SummaryRequest(limit=20, period="month")),
        ("торговля за месяц", SummaryRequest(limit=20, period="month", theme="торговля")),
        ("Неделя экология", SummaryRequest(limit=20, period="week", theme="экология")),
        ("за неделю торговля и инвестиции", SummaryRequest(20, "торговля и инвестиции", "week")),
        ("неделя неделя", SummaryRequest(limit=20, period="week", theme="неделя")),
    ],
)
def test_parse_summary_args(args: str | None, expected: SummaryRequest) -> None:
    assert parse_summary_args(args) == expected


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ("а" * (MAX_ARG_LENGTH + 1), "too_long"),
        ("\u200fкибер", "control"),  # a right-to-left mark
        ("кибер\x00", "control"),
        ("🙂🙂🙂", "no_words"),
        ("?!…", "no_words"),
        ("0", "count"),
    ],
)
def test_parse_summary_args_refuses(args: str, reason: str) -> None:
    with pytest.raises(BadArgument) as caught:
        parse_summary_args(args)
    assert caught.value.reason == reason


def test_parse_summary_args_unicode_digits_are_not_a_count() -> None:
    # isdigit() is true for "²", but int("²") raises: it must not crash the handler.
    assert parse_summary_args("²") == SummaryRequest(theme="²")


def test_parse_article_number() -> None:
    assert parse_article_number(" №12 ") == 12
    for bad in ("1.5", "٣", "12²"):  # Arabic-Indic digit and superscript: not a crash
        with pytest.raises(BadArgument):
            parse_article_number(bad)


def test_clean_args_keeps_words_and_collapses_spaces() -> None:
    assert clean_args("  Китай \n  Казахстан ") == "Китай Казахстан"


def test_fts_query_quotes_each_lemma_once() -> None:
    assert fts_query(["торгово-экономический", "китай", "китай"]) == (
        '"торгово-экономический" "китай"'
    )


@pytest.mark.parametrize(
    ("text", "reason", "example"),
    [
        ("/topic " + "я" * 201, "too_long", "/topic кибербезопасность"),
        ("/search 🙂🙂", "no_words", "/search инвестиции"),
        ("/figures \u202eторговля", "control", "/figures торговля"),
        ("/summary ...", "no_words", "/summary 3 или /summary кибербезопасность"),
    ],
)
async def test_bad_arguments_get_explanation_with_example(
    app: TestApp, text: str, reason: str, example: str
) -> None:
    assert await app.send_text(text) == [texts.render_bad_input(reason, example)]  # type: ignore[arg-type]


async def flood(app: TestApp, user_id: int, count: int, text: str = "/sources") -> list[str]:
    """One user sends `count` commands, each from another chat (so the outgoing rate
    limiter, which paces replies per chat, does not slow the test down)."""
    replies = []
    for i in range(count):
        replies += await app.send_text(text, user_id=user_id, chat_id=-(10_000 * user_id + i))
    return replies


async def test_flood_gets_one_notice_then_silence(app: TestApp) -> None:
    replies = await flood(app, user_id=7, count=30)
    assert len(replies) == 21
    assert replies[-1] == texts.FLOOD_NOTICE
    assert texts.FLOOD_NOTICE not in replies[:-1]
    assert await app.send_text("/topics", user_id=8, chat_id=8) != []  # others unaffected


async def test_flood_pause_ends_with_clock(app: TestApp) -> None:
    await flood(app, user_id=7, count=22)
    app.clock.advance(seconds=30)
    assert await app.send_text("/sources", user_id=7, chat_id=7) == []
    app.clock.advance(minutes=1)
    [reply] = await app.send_text("/sources", user_id=7, chat_id=7)
    assert reply.startswith("<b>Источники</b>")


async def test_flood_of_buttons_gets_alert(app: TestApp, telegram: FakeTelegram) -> None:
    for _ in range(21):
        await app.feed(callback(app, "noop", user_id=9))
    answers = telegram.sent("answerCallbackQuery")
    assert len(answers) == 21
    assert answers[-1] == {**answers[-1], "text": texts.FLOOD_NOTICE, "show_alert": True}


async def test_commands_spread_over_time_are_not_a_flood(app: TestApp) -> None:
    for i in range(40):
        app.clock.advance(seconds=4)  # 15 a minute
        replies = await app.send_text("/topics", user_id=10, chat_id=-(100 + i))
        assert len(replies) == 1
        assert replies != [texts.FLOOD_NOTICE]


async def test_group_chatter_is_not_counted_as_flood(app: TestApp) -> None:
    # The bot sees every message when it is a group admin; talk it ignores is not a flood.
    for i in range(30):
        await app.send_text(f"обсуждаем {i}", user_id=11, chat_id=-300, chat_type="supergroup")
    replies = await app.send_text("/sources", user_id=11, chat_id=-300, chat_type="supergroup")
    assert len(replies) == 1 and replies != [texts.FLOOD_NOTICE]


async def test_anonymous_admins_of_two_groups_are_counted_apart(app: TestApp) -> None:
    # All anonymous admins share one user id (GroupAnonymousBot); count per sending chat.
    anonymous = 1087968824
    for i in range(22):
        await app.send_text(
            "/sources",
            user_id=anonymous,
            chat_id=-(400 + i),
            chat_type="supergroup",
            sender_chat={"id": -1001, "type": "supergroup", "title": "Первая"},
        )
    replies = await app.send_text(
        "/sources",
        user_id=anonymous,
        chat_id=-1002,
        chat_type="supergroup",
        sender_chat={"id": -1002, "type": "supergroup", "title": "Вторая"},
    )
    assert len(replies) == 1 and replies != [texts.FLOOD_NOTICE]
