"""/subscribe, /unsubscribe, /subscriptions, /resume and the bot's own membership, end to end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.services.subscriptions import BadTime, parse_subscribe_args, parse_unsubscribe_args
from bot.texts import subscriptions as texts
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram

GROUP = -1001234  # a supergroup
ADMIN, MEMBER = 7, 8
NBSP = "\u00a0"


def group(
    text: str, *, user_id: int = ADMIN, chat_id: int = GROUP, **kwargs: Any
) -> dict[str, Any]:
    chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"chat_id": chat_id, "user_id": user_id, "chat_type": chat_type, **kwargs} | {
        "text": text
    }


async def say(app: TestApp, text: str, **kwargs: Any) -> list[str]:
    """Send as a group member; the reply texts."""
    params = group(text, **kwargs)
    return await app.send_text(params.pop("text"), **params)


def member_update(
    app: TestApp, chat_id: int, old: str, new: str, chat_type: str = "supergroup"
) -> dict[str, Any]:
    """A my_chat_member update: the bot's own status in a chat changed."""
    bot_user = {"id": 123456, "is_bot": True, "first_name": "Дипбриф", "username": "dipbrief_bot"}
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    chat |= {"first_name": "Айгуль"} if chat_type == "private" else {"title": "Группа"}
    status = {"kicked": {"until_date": 0}}
    return {
        "update_id": 9000 + abs(chat_id) % 1000,
        "my_chat_member": {
            "chat": chat,
            "from": {"id": ADMIN, "is_bot": False, "first_name": "Айгуль"},
            "date": int(app.clock().timestamp()),
            "old_chat_member": {"status": old, "user": bot_user, **status.get(old, {})},
            "new_chat_member": {"status": new, "user": bot_user, **status.get(new, {})},
        },
    }


@pytest.fixture(autouse=True)
def admins(telegram: FakeTelegram) -> None:
    telegram.set_chat_member(GROUP, ADMIN, "administrator")
    telegram.set_chat_member(GROUP, MEMBER, "member")


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "theme", "at"),
    [
        (None, None, None),
        ("все", None, None),
        ("кибербезопасность", "кибербезопасность", None),
        ("08:30", None, dt.time(8, 30)),
        ("торговля и инвестиции 7.05", "торговля и инвестиции", dt.time(7, 5)),
        # The time may stand anywhere: first, or inside the theme words.
        ("08:30 торговля", "торговля", dt.time(8, 30)),
        ("торговля 08:30 и инвестиции", "торговля и инвестиции", dt.time(8, 30)),
        ("08:30 все", None, dt.time(8, 30)),
        ("0:00", None, dt.time(0, 0)),
        ("23:59 кибер", "кибер", dt.time(23, 59)),
        # The same time written twice is still one time, never a theme named «9:00».
        ("9:00 9:00", None, dt.time(9, 0)),
        ("9:00 торговля 09.00", "торговля", dt.time(9, 0)),
    ],
)
def test_parse_subscribe_args(args: str | None, theme: str | None, at: dt.time | None) -> None:
    request = parse_subscribe_args(args)
    assert (request.theme, request.at) == (theme, at)


@pytest.mark.parametrize(
    ("args", "value"),
    [
        ("25:00", "25:00"),
        ("кибер 12:61", "12:61"),
        ("торговля 9", "9"),
        ("9 торговля", "9"),  # a bare hour, even first
        ("24:00 торговля", "24:00"),
        ("8ч30", "8ч30"),
        ("08:30 9:00", "08:30 9:00"),  # two different times: ask, do not guess
        ("торговля 08:30 кибер 10:15", "08:30 10:15"),
    ],
)
def test_parse_subscribe_args_bad_time(args: str, value: str) -> None:
    with pytest.raises(BadTime) as refused:
        parse_subscribe_args(args)
    assert refused.value.value == value


async def test_subscribe_time_before_theme(app: TestApp) -> None:
    [reply] = await app.send_text("/subscribe 08:30 торговля")
    [subscription] = await app.dp["store"].chat_subscriptions(42)
    assert (subscription.theme, subscription.digest_time) == ("trade", dt.time(8, 30))
    assert "08:30" in reply


async def test_subscribe_two_times_refused_politely(app: TestApp) -> None:
    assert await app.send_text("/subscribe 8:30 9:00") == [texts.render_bad_time("8:30 9:00")]
    assert await app.dp["store"].chat_subscriptions(42) == []


def test_parse_unsubscribe_args() -> None:
    assert parse_unsubscribe_args(None) is None
    assert parse_unsubscribe_args("Все") == ""
    assert parse_unsubscribe_args(" торговля ") == "торговля"


# --- who may subscribe -----------------------------------------------------------------------


async def test_subscribe_in_private_chat_takes_all_articles(app: TestApp) -> None:
    [reply] = await app.send_text("/subscribe")
    assert reply.startswith("Готово: подписка на все новые материалы.")
    assert "ежедневно в 09:00 по времени Алматы" in reply
    [listing] = await app.send_text("/subscriptions")
    assert "• все материалы: сразу и дайджестом в 09:00" in listing


async def test_subscribe_by_group_admin(app: TestApp, telegram: FakeTelegram) -> None:
    [reply] = await say(app, "/subscribe кибербезопасность 08:30")
    assert reply.startswith("Готово: подписка на тему «кибербезопасность».")
    assert "в 08:30" in reply
    assert telegram.sent("getChatMember") == [{"chat_id": GROUP, "user_id": ADMIN}]
    [sub] = await app.dp["store"].chat_subscriptions(GROUP)
    assert (sub.theme, sub.digest_time, sub.chat_type) == (
        "cybersecurity",
        dt.time(8, 30),
        "supergroup",
    )


async def test_subscribe_by_group_member_is_refused(app: TestApp) -> None:
    assert await say(app, "/subscribe", user_id=MEMBER) == [texts.NOT_ADMIN]
    assert await say(app, "/unsubscribe все", user_id=MEMBER) == [texts.NOT_ADMIN]
    assert await app.dp["store"].chat_subscriptions(GROUP) == []


async def test_subscribe_by_anonymous_admin_is_accepted(
    app: TestApp, telegram: FakeTelegram
) -> None:
    anonymous = {"id": GROUP, "type": "supergroup", "title": "Группа"}
    [reply] = await say(app, "/subscribe торговля", user_id=1087968824, sender_chat=anonymous)
    assert reply.startswith("Готово: подписка на тему «торговля и инвестиции».")
    assert telegram.sent("getChatMember") == []  # the sender is the chat itself


async def test_subscribe_on_behalf_of_linked_channel_is_refused(app: TestApp) -> None:
    channel = {"id": -1009999, "type": "channel", "title": "Канал"}
    assert await say(app, "/subscribe", sender_chat=channel) == [texts.CHANNEL_SENDER]


async def test_admin_check_is_cached_briefly(app: TestApp, telegram: FakeTelegram) -> None:
    await say(app, "/subscribe")
    await say(app, "/subscribe торговля")
    assert len(telegram.sent("getChatMember")) == 1
    app.clock.advance(minutes=2)
    await say(app, "/unsubscribe торговля")
    assert len(telegram.sent("getChatMember")) == 2


async def test_admin_check_failure_explained(app: TestApp, telegram: FakeTelegram) -> None:
    telegram.fail("getChatMember", 500, "Internal Server Error")
    assert await say(app, "/subscribe") == [texts.ADMIN_CHECK_FAILED]


async def test_anyone_may_list_group_subscriptions(app: TestApp, telegram: FakeTelegram) -> None:
    await say(app, "/subscribe энергетика 07:15")
    [listing] = await say(app, "/subscriptions", user_id=MEMBER)
    assert "• тема «энергетика»: сразу и дайджестом в 07:15" in listing
    assert len(telegram.sent("getChatMember")) == 1  # only the admin's /subscribe asked


# --- what is set up ----------------------------------------------------------------------------


async def test_subscribe_twice_updates_never_duplicates(app: TestApp) -> None:
    await say(app, "/subscribe кибербезопасность 08:00")
    [reply] = await say(app, "/subscribe кибер 10:45")
    assert reply.startswith("Подписка обновлена: на тему «кибербезопасность».")
    [sub] = await app.dp["store"].chat_subscriptions(GROUP)
    assert sub.digest_time == dt.time(10, 45)


async def test_subscribe_unknown_theme_suggests(app: TestApp) -> None:
    [reply] = await app.send_text("/subscribe погода")
    assert reply.startswith("Не знаю темы «погода».")
    assert "/topics" in reply
    assert await app.dp["store"].chat_subscriptions(42) == []


async def test_subscribe_bad_time_explained(app: TestApp) -> None:
    assert await app.send_text("/subscribe 25:00") == [texts.render_bad_time("25:00")]


async def test_subscribe_in_forum_topic_remembers_thread(
    app: TestApp, telegram: FakeTelegram
) -> None:
    [reply] = await say(app, "/subscribe", thread_id=77)
    assert "придёт в эту тему форума" in reply
    assert telegram.last()["message_thread_id"] == 77
    [sub] = await app.dp["store"].chat_subscriptions(GROUP)
    assert sub.thread_id == 77


async def test_unsubscribe_one_theme(app: TestApp) -> None:
    await app.send_text("/subscribe")
    await app.send_text("/subscribe торговля")
    assert await app.send_text("/unsubscribe торговля") == [
        "Подписка отменена: тема «торговля и инвестиции»."
    ]
    [left] = await app.dp["store"].chat_subscriptions(42)
    assert left.theme is None


async def test_unsubscribe_without_theme_asks_which(app: TestApp) -> None:
    await app.send_text("/subscribe")
    await app.send_text("/subscribe торговля")
    [reply] = await app.send_text("/unsubscribe")
    assert "/unsubscribe торговля и инвестиции" in reply
    assert len(await app.dp["store"].chat_subscriptions(42)) == 2


async def test_unsubscribe_all(app: TestApp) -> None:
    await app.send_text("/subscribe")
    await app.send_text("/subscribe торговля")
    assert await app.send_text("/unsubscribe все") == [
        f"Отменено: 2{NBSP}подписки. Больше этот чат ничего не получает."
    ]
    assert await app.send_text("/subscriptions") == [texts.NO_SUBSCRIPTIONS]


async def test_unsubscribe_theme_not_subscribed(app: TestApp) -> None:
    [reply] = await app.send_text("/unsubscribe энергетика")
    assert reply.startswith("Этот чат не подписан на тему «энергетика».")


# --- the bot's membership -----------------------------------------------------------------------


async def test_bot_removed_pauses_and_keeps_subscriptions(app: TestApp) -> None:
    await say(app, "/subscribe")
    await app.feed(member_update(app, GROUP, "member", "kicked"))
    store = app.dp["store"]
    assert await store.chat_pause(GROUP) is not None
    assert len(await store.chat_subscriptions(GROUP)) == 1
    [listing] = await say(app, "/subscriptions")
    assert "доставка приостановлена: бота удалили из чата" in listing


async def test_bot_readded_says_how_to_resume(app: TestApp, telegram: FakeTelegram) -> None:
    await say(app, "/subscribe кибербезопасность")
    await app.feed(member_update(app, GROUP, "member", "left"))
    before = len(telegram.texts())
    await app.feed(member_update(app, GROUP, "left", "member"))
    [notice] = telegram.texts()[before:]
    assert "приостановлены: тема «кибербезопасность»" in notice
    assert notice.endswith("отправьте (администратор группы) /resume")
    assert await app.dp["store"].chat_pause(GROUP) is not None  # not resumed silently
    [resumed] = await say(app, "/resume")
    assert resumed == "Доставка возобновлена. Пока она стояла, новых материалов не было."
    assert await app.dp["store"].chat_pause(GROUP) is None


async def test_user_unblocking_bot_is_told_about_resume(
    app: TestApp, telegram: FakeTelegram
) -> None:
    await app.send_text("/subscribe")
    await app.feed(member_update(app, 42, "member", "kicked", "private"))
    before = len(telegram.texts(42))
    await app.feed(member_update(app, 42, "kicked", "member", "private"))
    [notice] = telegram.texts(42)[before:]
    assert notice.startswith("Снова на связи.")
    assert notice.endswith("отправьте /resume")


async def test_bot_added_to_new_group_stays_quiet(app: TestApp, telegram: FakeTelegram) -> None:
    await app.feed(member_update(app, GROUP, "left", "member"))
    assert telegram.texts() == []


async def test_resume_when_not_paused(app: TestApp) -> None:
    await app.send_text("/subscribe")
    assert await app.send_text("/resume") == [texts.NOTHING_TO_RESUME]


async def test_group_upgrade_message_moves_subscriptions(app: TestApp) -> None:
    old, new = -5001, -1005001
    app.telegram.set_chat_member(old, ADMIN, "creator")
    await say(app, "/subscribe торговля", chat_id=old)
    payload = app.message("", chat_id=old, user_id=ADMIN, chat_type="group")
    del payload["message"]["text"]
    payload["message"]["migrate_to_chat_id"] = new
    await app.feed(payload)
    store = app.dp["store"]
    assert await store.chat_subscriptions(old) == []
    [moved] = await store.chat_subscriptions(new)
    assert (moved.theme, moved.chat_type) == ("trade", "supergroup")


async def test_subscribe_in_paused_chat_resumes_it(app: TestApp) -> None:
    await say(app, "/subscribe")
    await app.feed(member_update(app, GROUP, "member", "kicked"))
    await app.feed(member_update(app, GROUP, "kicked", "member"))
    [reply] = await say(app, "/subscribe кибербезопасность")
    assert "Доставка возобновлена." in reply
    assert await app.dp["store"].chat_pause(GROUP) is None
