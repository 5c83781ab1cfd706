"""The fake Bot API behaves like Telegram for a real aiogram Bot talking to it over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    ChatMemberAdministrator,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
)

from tests.fake_telegram import FakeTelegram, HtmlParseError, parse_html, running_fake

USER = 42
GROUP = -1001234567890


class ManualClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def telegram(clock: ManualClock) -> AsyncIterator[FakeTelegram]:
    async with running_fake(FakeTelegram(clock=clock)) as fake:
        yield fake


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.url))
    bot = Bot(telegram.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


def text_update(text: str, chat_id: int = USER) -> dict[str, Any]:
    user = {"id": USER, "is_bot": False, "first_name": "Анна"}
    chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
    return {"message": {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": text}}


# --- basics ---


async def test_get_me_returns_the_bot_user(bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.is_bot, me.first_name, me.username) == (
        123456,
        True,
        "Дипбриф",
        "dipbrief_bot",
    )
    assert me.supports_inline_queries and not me.can_read_all_group_messages


async def test_send_message_records_html_and_returns_visible_text(
    bot: Bot, telegram: FakeTelegram
) -> None:
    message = await bot.send_message(USER, "<b>Итоги</b> встречи &amp; <i>детали</i>")

    assert telegram.texts() == ["<b>Итоги</b> встречи &amp; <i>детали</i>"]
    assert telegram.last()["chat_id"] == USER
    assert message.text == "Итоги встречи & детали"
    assert message.html_text == "<b>Итоги</b> встречи &amp; <i>детали</i>"
    assert (message.chat.type, message.message_id) == ("private", 1)


async def test_send_message_numbers_messages_per_chat(bot: Bot) -> None:
    first = await bot.send_message(USER, "раз")
    second = await bot.send_message(USER, "два")
    in_group = await bot.send_message(GROUP, "три", message_thread_id=7)

    assert (first.message_id, second.message_id, in_group.message_id) == (1, 2, 1)
    assert (in_group.chat.type, in_group.message_thread_id) == ("supergroup", 7)


async def test_sent_filters_by_chat(bot: Bot, telegram: FakeTelegram) -> None:
    await bot.send_message(USER, "лично")
    await bot.send_message(GROUP, "в группу")

    assert telegram.texts(GROUP) == ["в группу"]
    assert [params["text"] for params in telegram.sent(chat_id=USER)] == ["лично"]


# --- HTML validation ---


@pytest.mark.parametrize(
    ("html", "description"),
    [
        # Article text with a comparison that was never escaped.
        ("Рост 3 < 5 процентов", 'Unsupported start tag "" at byte offset 11'),  # bytes, not chars
        ("курс <доллара", "Unclosed start tag at byte offset 9"),
        ("<p>Абзац</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>Жирный", 'Can\'t find end tag corresponding to start tag "b"'),
        (
            "<b><i>x</b></i>",
            'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("текст</b>", "Unexpected end tag at byte offset 10"),
        (
            '<span class="bold">x</span>',
            'Tag "span" must have class "tg-spoiler" at byte offset 0',
        ),
        ("AT&T", 'Unescaped "&" at byte offset 2'),
        ("&nbsp;цена", 'Unescaped "&" at byte offset 0'),
    ],
)
async def test_send_message_rejects_bad_html_like_telegram(
    bot: Bot, telegram: FakeTelegram, html: str, description: str
) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as raised:
        await bot.send_message(USER, html)

    assert description in raised.value.message
    assert telegram.sent() == []
    assert (telegram.rejected[-1].error or "").startswith(
        f"Bad Request: can't parse entities: {description}"
    )


async def test_send_message_raw_ampersand_passes_when_not_strict() -> None:
    async with running_fake(FakeTelegram(strict_html=False)) as telegram:
        session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.url))
        bot = Bot(telegram.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
        message = await bot.send_message(USER, "AT&T &lt; &nbsp;")
        await bot.session.close()

    assert message.text == "AT&T < &nbsp;"


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("<b>a<i>b</i></b>", "ab", [("bold", 0, 2), ("italic", 1, 1)]),
        ("😀<u>x</u>", "😀x", [("underline", 2, 1)]),  # offsets count UTF-16 units
        ("&#8212;&#x2014;&quot;&gt;", '——">', []),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", [("pre", 0, 5)]),
        (
            "<blockquote expandable>цитата</blockquote>",
            "цитата",
            [("expandable_blockquote", 0, 6)],
        ),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [("spoiler", 0, 1), ("spoiler", 1, 1)],
        ),
        ('<a href="https://mid.ru/?a=1&amp;b=2">МИД</a>', "МИД", [("text_link", 0, 3)]),
        (
            "<B>caps</B> and <b>short close</>",
            "caps and short close",
            [("bold", 0, 4), ("bold", 9, 11)],
        ),
        ("<b></b>пусто", "пусто", []),  # empty tags make no entity
    ],
)
def test_parse_html_builds_entities(
    html: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    parsed = parse_html(html)

    assert parsed.text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == entities


def test_parse_html_keeps_link_and_language_arguments() -> None:
    link = parse_html('<a href="https://mid.ru/?a=1&amp;b=2">МИД</a>').entities[0]
    pre = parse_html('<pre><code class="language-python">x</code></pre>').entities[0]

    assert link["url"] == "https://mid.ru/?a=1&b=2"
    assert pre["language"] == "python"


def test_parse_html_requires_href_when_strict() -> None:
    with pytest.raises(HtmlParseError, match='Tag "a" must have a non-empty "href"'):
        parse_html("<a>https://mid.ru</a>")

    assert parse_html("<a>mid.ru</a>", strict=False).entities[0]["url"] == "http://mid.ru"


async def test_send_message_plain_text_is_not_parsed(bot: Bot, telegram: FakeTelegram) -> None:
    message = await bot.send_message(USER, "3 < 5 & <b>", parse_mode=None)

    assert message.text == "3 < 5 & <b>"
    assert telegram.last()["text"] == "3 < 5 & <b>"


@pytest.mark.parametrize("text", ["", "<b> </b>\n"])
async def test_send_message_rejects_empty_text(bot: Bot, text: str) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, text)


# --- length limit: 4096 UTF-16 code units of visible text ---


async def test_send_message_counts_visible_text_not_markup(bot: Bot) -> None:
    # 4090 letters + "&amp;" (one visible "&") + 5 letters = 4096 visible characters.
    html = "<b>" + "я" * 4090 + "</b>&amp;<i>" + "я" * 5 + "</i>"

    message = await bot.send_message(USER, html)

    assert len(message.text or "") == 4096


@pytest.mark.parametrize(
    ("text", "parse_mode"),
    [
        ("<b>" + "я" * 4097 + "</b>", "HTML"),
        ("я" * 4096 + "&amp;", "HTML"),
        ("😀" * 2049, "HTML"),  # an emoji is two UTF-16 code units
        ("я" * 4097, None),
    ],
    ids=["bold-4097", "4096+amp", "emoji-2049", "plain-4097"],
)
async def test_send_message_rejects_over_4096_visible_characters(
    bot: Bot, text: str, parse_mode: str | None
) -> None:
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, text, parse_mode=parse_mode)


# --- errors mapped to aiogram exceptions ---


async def test_scripted_429_raises_retry_after(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)

    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(USER, "первая")
    await bot.send_message(USER, "вторая")  # only the next call failed

    assert raised.value.retry_after == 7
    assert telegram.texts() == ["вторая"]
    assert [call.params["text"] for call in telegram.rejected] == ["первая"]


async def test_scripted_failure_only_for_its_chat(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.fail("sendMessage", 500, "Internal Server Error", chat_id=GROUP, times=2)

    await bot.send_message(USER, "лично")
    with pytest.raises(TelegramServerError):
        await bot.send_message(GROUP, "в группу")

    assert telegram.texts() == ["лично"]


async def test_scripted_500_raises_server_error(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.fail("sendMessage", 500, "Internal Server Error")

    with pytest.raises(TelegramServerError, match="Internal Server Error"):
        await bot.send_message(USER, "текст")


async def test_blocked_user_raises_forbidden(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.blocked_chats.add(USER)

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "текст")


async def test_migrated_group_raises_migrate_to_chat(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.migrated_chats[-555] = GROUP

    with pytest.raises(TelegramMigrateToChat, match="upgraded to a supergroup") as raised:
        await bot.send_message(-555, "текст")

    assert raised.value.migrate_to_chat_id == GROUP


async def test_wrong_token_is_unauthorized(telegram: FakeTelegram) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.url))
    stranger = Bot("999:other-token", session=session)

    with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
        await stranger.get_me()
    await stranger.session.close()


async def test_unknown_method_is_404_and_recorded(bot: Bot, telegram: FakeTelegram) -> None:
    with pytest.raises(TelegramNotFound, match="Not Found"):
        await bot.send_dice(USER)

    assert telegram.unknown_methods == ["sendDice"]


# --- flood control simulation ---


async def test_rate_limit_answers_429_until_a_second_passes(
    bot: Bot, telegram: FakeTelegram, clock: ManualClock
) -> None:
    telegram.limit_per_chat_per_second = 1

    await bot.send_message(USER, "1")
    await bot.send_message(GROUP, "другой чат")
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(USER, "2")
    clock.now += 1.0
    await bot.send_message(USER, "2")

    assert raised.value.retry_after == 1
    assert telegram.too_many_requests == 1
    assert telegram.texts(USER) == ["1", "2"]


async def test_global_rate_limit_counts_all_chats(
    bot: Bot, telegram: FakeTelegram, clock: ManualClock
) -> None:
    telegram.limit_per_second = 2

    await bot.send_message(1, "a")
    await bot.send_message(2, "b")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(3, "c")

    assert telegram.too_many_requests == 1


# --- getUpdates long polling ---


async def test_get_updates_delivers_update_added_while_polling(
    bot: Bot, telegram: FakeTelegram
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await telegram.until(lambda: telegram.pollers_waiting == 1)

    telegram.add_update(text_update("/start"))
    updates = await poll

    assert [(u.update_id, u.message and u.message.text) for u in updates] == [(1, "/start")]


async def test_get_updates_does_not_serve_confirmed_updates(
    bot: Bot, telegram: FakeTelegram
) -> None:
    telegram.add_update(text_update("раз"))
    telegram.add_update(text_update("два"))

    first = await bot.get_updates(timeout=0)
    again = await bot.get_updates(timeout=0)
    after_confirm = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)

    assert [u.update_id for u in first] == [u.update_id for u in again] == [1, 2]
    assert after_confirm == []


async def test_get_updates_drops_types_not_allowed(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.add_update({"edited_message": text_update("x")["message"]})
    telegram.add_update(text_update("y"))

    updates = await bot.get_updates(allowed_updates=["message"], timeout=0)

    assert [u.update_id for u in updates] == [2]


async def test_second_poller_terminates_the_first(bot: Bot, telegram: FakeTelegram) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await telegram.until(lambda: telegram.pollers_waiting == 1)

    second = await bot.get_updates(timeout=0)

    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first
    assert second == []


async def test_dispatcher_polling_end_to_end(bot: Bot, telegram: FakeTelegram) -> None:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(f"<i>{message.text}</i>")

    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    telegram.add_update(text_update("привет"))
    sent = await telegram.wait_for("sendMessage")
    await dp.stop_polling()
    await polling

    assert sent[0]["text"] == "<i>привет</i>"
    assert telegram.unknown_methods == []


async def test_wait_for_reports_what_was_missing(telegram: FakeTelegram) -> None:
    with pytest.raises(AssertionError, match="expected 1 accepted sendMessage calls"):
        await telegram.wait_for("sendMessage", timeout=0.05)


# --- keyboards, edits, callbacks, inline mode ---


def keyboard(**button: Any) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Ещё", **button)]])


async def test_inline_keyboard_is_decoded_and_echoed(bot: Bot, telegram: FakeTelegram) -> None:
    message = await bot.send_message(USER, "текст", reply_markup=keyboard(callback_data="more:1"))

    assert telegram.last()["reply_markup"] == {
        "inline_keyboard": [[{"text": "Ещё", "callback_data": "more:1"}]]
    }
    assert message.reply_markup is not None
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "more:1"


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"callback_data": "я" * 33}, "BUTTON_DATA_INVALID"),  # 66 bytes
        ({}, "Text buttons are unallowed in the inline keyboard"),
        ({"callback_data": ""}, "Text buttons are unallowed in the inline keyboard"),
    ],
)
async def test_inline_keyboard_is_validated(
    bot: Bot, button: dict[str, Any], description: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=description):
        await bot.send_message(USER, "текст", reply_markup=keyboard(**button))


async def test_edit_message_text_rejects_unchanged_content(bot: Bot) -> None:
    message = await bot.send_message(USER, "<b>версия 1</b>")

    edited = await bot.edit_message_text("<b>версия 2</b>", chat_id=USER, message_id=1)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("<b>версия 2</b>", chat_id=USER, message_id=1)

    assert isinstance(edited, Message)
    assert (edited.message_id, edited.text) == (message.message_id, "версия 2")


async def test_answer_callback_query_and_chat_action(bot: Bot, telegram: FakeTelegram) -> None:
    assert await bot.answer_callback_query("cb-1", text="Готово")
    assert await bot.send_chat_action(USER, "typing")

    assert telegram.last("answerCallbackQuery")["text"] == "Готово"


def article(result_id: str, text: str) -> InlineQueryResultArticle:
    content = InputTextMessageContent(message_text=text)
    return InlineQueryResultArticle(id=result_id, title="Итог", input_message_content=content)


async def test_answer_inline_query_validates_message_texts(
    bot: Bot, telegram: FakeTelegram
) -> None:
    assert await bot.answer_inline_query("q1", [article("1", "<b>ok</b>")])

    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.answer_inline_query("q2", [article("1", "<b>ok")])
    with pytest.raises(TelegramBadRequest, match="RESULTS_TOO_MUCH"):
        await bot.answer_inline_query("q3", [article(str(n), "x") for n in range(51)])

    assert telegram.last("answerInlineQuery")["results"][0]["input_message_content"] == {
        "message_text": "<b>ok</b>",
        "parse_mode": "HTML",
    }


# --- commands and chats ---


async def test_set_my_commands_round_trip(bot: Bot, telegram: FakeTelegram) -> None:
    await bot.set_my_commands([BotCommand(command="summary", description="Краткая сводка")])

    commands = await bot.get_my_commands()
    await bot.delete_my_commands()

    assert [(c.command, c.description) for c in commands] == [("summary", "Краткая сводка")]
    assert await bot.get_my_commands() == []
    assert telegram.last("setMyCommands")["commands"][0]["command"] == "summary"


@pytest.mark.parametrize(
    ("command", "description", "error"),
    [
        ("Summary", "Сводка", "BOT_COMMAND_INVALID"),
        ("сводка", "Сводка", "BOT_COMMAND_INVALID"),
        ("a" * 33, "Сводка", "command length must not exceed 32"),
        ("summary", " ", "command description must be non-empty"),
        ("summary", "я" * 257, "command description length must not exceed 256"),
    ],
    ids=["upper-case", "cyrillic", "long-command", "blank-description", "long-description"],
)
async def test_set_my_commands_validates(
    bot: Bot, command: str, description: str, error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.set_my_commands([BotCommand(command=command, description=description)])


async def test_get_chat_member_defaults_to_member(bot: Bot, telegram: FakeTelegram) -> None:
    telegram.set_chat_member(GROUP, USER, "administrator")

    admin = await bot.get_chat_member(GROUP, USER)
    other = await bot.get_chat_member(GROUP, 7)

    assert isinstance(admin, ChatMemberAdministrator)
    assert isinstance(other, ChatMemberMember)
    assert other.user.id == 7


async def test_get_chat_infers_type_from_id(bot: Bot) -> None:
    chats = [await bot.get_chat(chat_id) for chat_id in (USER, -5, GROUP)]

    assert [chat.type for chat in chats] == ["private", "group", "supergroup"]


# --- wire formats ---


@pytest.mark.parametrize("encoding", ["json", "data"])
async def test_accepts_json_and_urlencoded_bodies(telegram: FakeTelegram, encoding: str) -> None:
    body = {"chat_id": USER, "text": "<b>x</b>", "parse_mode": "HTML"}
    payload: dict[str, Any] = {encoding: body if encoding == "json" else {**body, "chat_id": "42"}}

    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{telegram.url}/bot{telegram.token}/sendMessage", **payload) as response,
    ):
        answer = await response.json()

    assert answer["ok"] and answer["result"]["text"] == "x"
    assert telegram.last()["chat_id"] == USER


async def test_error_body_has_telegram_shape(telegram: FakeTelegram) -> None:
    telegram.fail("getMe", 429, "Too Many Requests: retry after 3", retry_after=3)

    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{telegram.url}/bot{telegram.token}/getMe") as response,
    ):
        answer = await response.json()

    assert response.status == 429
    assert answer == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
