"""The bot's own membership: removed or blocked pauses a chat, re-added says how to resume."""

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import JOIN_TRANSITION, LEAVE_TRANSITION, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated, Message

from bot.services.subscriptions import Subscriptions
from bot.texts import subscriptions as texts


async def on_bot_removed(event: ChatMemberUpdated, subscriptions: Subscriptions) -> None:
    private = event.chat.type == ChatType.PRIVATE
    await subscriptions.pause(event.chat.id, "blocked" if private else "removed")


async def on_bot_added(event: ChatMemberUpdated, subscriptions: Subscriptions) -> None:
    themes = await subscriptions.paused_themes(event.chat.id)
    if themes:  # never resumed silently: the chat decides
        private = event.chat.type == ChatType.PRIVATE
        await event.answer(texts.render_comeback(themes, private=private))


async def on_migrated(message: Message, subscriptions: Subscriptions) -> None:
    # The old group's last service message: "upgraded to supergroup <id>".
    await subscriptions.migrate(message.chat.id, message.migrate_to_chat_id or 0)


async def on_migrated_here(message: Message, subscriptions: Subscriptions) -> None:
    await subscriptions.migrate(message.migrate_from_chat_id or 0, message.chat.id)


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.my_chat_member.register(on_bot_removed, ChatMemberUpdatedFilter(LEAVE_TRANSITION))
    router.my_chat_member.register(on_bot_added, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    router.message.register(on_migrated, F.migrate_to_chat_id)
    router.message.register(on_migrated_here, F.migrate_from_chat_id)
    return router
