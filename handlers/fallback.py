"""Last router: unknown commands and plain text get a short hint, never silence."""

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import Message

from bot import texts


async def cmd_unknown(message: Message, bot: Bot) -> None:
    command = (message.text or "").split(maxsplit=1)[0]
    _, _, mention = command.partition("@")
    ours = mention.lower() == ((await bot.me()).username or "").lower()
    # In a group, "/foo" or "/foo@other_bot" may be for another bot: answer only our mention.
    if message.chat.type == ChatType.PRIVATE or ours:
        await message.answer(texts.UNKNOWN_COMMAND)


async def on_plain_text(message: Message) -> None:
    # Only in private chats: in groups the bot would answer every conversation.
    await message.answer(texts.PLAIN_TEXT_HINT)


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.register(cmd_unknown, F.text.startswith("/"))
    router.message.register(on_plain_text, F.chat.type == ChatType.PRIVATE)
    return router
