"""/subscribe, /unsubscribe, /subscriptions and /resume."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.config import Settings
from bot.services.subscriptions import (
    BadTime,
    ChatRef,
    Subscriptions,
    parse_subscribe_args,
    parse_unsubscribe_args,
)
from bot.services.views import Ambiguous, UnknownTheme
from bot.telegram.admins import AdminRights, Rights
from bot.texts import noise
from bot.texts import subscriptions as texts

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


async def cmd_subscribe(
    message: Message,
    command: CommandObject,
    rights: Rights,
    subscriptions: Subscriptions,
    settings: Settings,
) -> None:
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


async def cmd_subscriptions(
    message: Message, subscriptions: Subscriptions, settings: Settings
) -> None:
    overview = await subscriptions.overview(message.chat.id)
    await message.answer(
        noise.render_overview(overview, settings.bot_timezone),
        reply_markup=noise.quiet_keyboard(overview),  # issue 12: «меньше шума» per subscription
    )


async def cmd_resume(message: Message, rights: Rights, subscriptions: Subscriptions) -> None:
    if rights != "admin":
        await message.answer(REFUSALS[rights])
        return
    result = await subscriptions.resume_command(message.chat.id)
    await message.answer(texts.render_resume_result(result))


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.middleware(AdminRights())
    router.message.register(
        cmd_subscribe, Command("subscribe", ignore_case=True), flags=ADMIN_ONLY
    )
    router.message.register(
        cmd_unsubscribe, Command("unsubscribe", ignore_case=True), flags=ADMIN_ONLY
    )
    router.message.register(cmd_subscriptions, Command("subscriptions", ignore_case=True))
    router.message.register(cmd_resume, Command("resume", ignore_case=True), flags=ADMIN_ONLY)
    return router
