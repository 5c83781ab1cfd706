"""/subscribe, /unsubscribe, /subscriptions and /resume."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.admins import AdminRights, Rights
from bot.config import Settings
from bot.subscriptions import (
    Ambiguous,
    BadTime,
    ChatRef,
    Subscriptions,
    UnknownTheme,
    parse_subscribe_args,
    parse_unsubscribe_args,
)
from bot.texts import subscriptions as texts

router = Router(name=__name__)
router.message.middleware(AdminRights())

ADMIN_ONLY = {"admin_only": True}
REFUSALS = {
    "not_admin": texts.NOT_ADMIN,
    "channel": texts.CHANNEL_SENDER,
    "unknown": texts.ADMIN_CHECK_FAILED,
}


def chat_of(message: Message) -> ChatRef:
    # Only a message inside a forum topic carries a thread to deliver back into.
    thread = message.message_thread_id if message.is_topic_message else None
    return ChatRef(message.chat.id, message.chat.type, message.chat.title, thread)


@router.message(Command("subscribe", ignore_case=True), flags=ADMIN_ONLY)
async def cmd_subscribe(
    message: Message, command: CommandObject, rights: Rights, subscriptions: Subscriptions,
    settings: Settings,
) -> None:  # fmt: skip
    if rights != "admin":
        await message.answer(REFUSALS[rights])
        return
    try:
        request = parse_subscribe_args(command.args)
    except BadTime as exc:
        await message.answer(texts.render_bad_time(exc.value))
        return
    result = await subscriptions.subscribe(chat_of(message), request)
    if isinstance(result, UnknownTheme):
        await message.answer(texts.render_unknown_theme(result.query, result.suggestions))
        return
    await message.answer(texts.render_subscribed(result, settings.bot_timezone))


@router.message(Command("unsubscribe", ignore_case=True), flags=ADMIN_ONLY)
async def cmd_unsubscribe(
    message: Message, command: CommandObject, rights: Rights, subscriptions: Subscriptions
) -> None:
    if rights != "admin":
        await message.answer(REFUSALS[rights])
        return
    result = await subscriptions.unsubscribe(message.chat.id, parse_unsubscribe_args(command.args))
    if isinstance(result, UnknownTheme):
        await message.answer(texts.render_unknown_theme(result.query, result.suggestions))
    elif isinstance(result, Ambiguous):
        await message.answer(texts.render_unsubscribe_which(result.example))
    else:
        await message.answer(texts.render_unsubscribed(result))


@router.message(Command("subscriptions", ignore_case=True))
async def cmd_subscriptions(
    message: Message, subscriptions: Subscriptions, settings: Settings
) -> None:
    overview = await subscriptions.overview(message.chat.id)
    await message.answer(texts.render_subscriptions(overview, settings.bot_timezone))


@router.message(Command("resume", ignore_case=True), flags=ADMIN_ONLY)
async def cmd_resume(message: Message, rights: Rights, subscriptions: Subscriptions) -> None:
    if rights != "admin":
        await message.answer(REFUSALS[rights])
        return
    resumed = await subscriptions.resume(message.chat.id)
    await message.answer(texts.render_resumed(resumed) if resumed else texts.NOTHING_TO_RESUME)
