"""/start, /help, unknown commands and plain text, end to end through the fake Bot API."""

import asyncio

import pytest
from aiogram.exceptions import TelegramBadRequest

from bot import texts
from bot.store import Store
from bot.telegram.app import set_commands
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram


@pytest.mark.parametrize("command", ["/start", "/help", "/HELP", "/help@dipbrief_bot"])
async def test_help_names_every_command(app: TestApp, command: str) -> None:
    [reply] = await app.send_text(command)
    for info in texts.COMMANDS:
        assert f"/{info.name}" in reply
    assert "Дипбриф" in reply


async def test_help_in_group_with_bot_mention(app: TestApp) -> None:
    replies = await app.send_text("/help@DipBrief_Bot", chat_id=-100500, chat_type="supergroup")
    assert len(replies) == 1
    assert app.telegram.last()["chat_id"] == -100500


async def test_unknown_command_gets_hint(app: TestApp) -> None:
    assert await app.send_text("/nonsense") == [texts.UNKNOWN_COMMAND]


async def test_command_for_another_bot_is_ignored_in_group(app: TestApp) -> None:
    assert await app.send_text("/stats@other_bot", chat_id=-5, chat_type="group") == []


async def test_plain_text_gets_hint_in_private_only(app: TestApp) -> None:
    assert await app.send_text("привет") == [texts.PLAIN_TEXT_HINT]
    assert await app.send_text("привет всем", chat_id=-5, chat_type="group") == []


async def test_set_commands_publishes_russian_menu(app: TestApp, telegram: FakeTelegram) -> None:
    await set_commands(app.bot)
    commands = telegram.last("setMyCommands")["commands"]
    assert [c["command"] for c in commands] == [c.name for c in texts.COMMANDS]
    assert all(any("а" <= ch <= "я" for ch in c["description"].lower()) for c in commands)


async def test_set_commands_refused_is_not_fatal(app: TestApp, telegram: FakeTelegram) -> None:
    telegram.fail("setMyCommands", 400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
    await set_commands(app.bot)  # logs and goes on
    assert telegram.sent("setMyCommands") == []


async def test_fake_rejects_unescaped_markup_like_telegram(app: TestApp) -> None:
    # The failing case the escaping exists for: an article title with a raw "<".
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await app.bot.send_message(42, "Рост <30% в Китае")
    await app.bot.send_message(42, texts.esc("Рост <30% в Китае"))
    assert app.telegram.texts()[-1] == "Рост &lt;30% в Китае"


async def test_unknown_command_in_group_answered_only_when_addressed(app: TestApp) -> None:
    group = {"chat_id": -5, "chat_type": "group"}
    assert await app.send_text("/stats", **group) == []  # may be another bot's command
    assert await app.send_text("/stats@dipbrief_bot", **group) == [texts.UNKNOWN_COMMAND]


async def test_failure_inside_a_handler_gets_a_short_apology(app: TestApp, store: Store) -> None:
    await store.close()  # the database went away under a running bot
    assert await app.send_text("/sources") == [texts.INTERNAL_ERROR]


async def test_shutdown_waits_for_updates_being_handled(app: TestApp) -> None:
    # aiogram stops polling without waiting for handler tasks; `_serve` waits on InFlight.
    inflight = app.dp["inflight"]
    before = len(app.telegram.texts())
    handling = asyncio.create_task(app.feed(app.message("/summary")))
    async with asyncio.timeout(10):
        while not inflight.active:  # noqa: ASYNC110 - until the dispatcher task takes it
            await asyncio.sleep(0)
    assert await inflight.wait_idle(30)
    assert len(app.telegram.texts()) > before  # the reply went out before "idle"
    await handling
