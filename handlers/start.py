"""/start and /help."""

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot import texts


async def cmd_start(message: Message) -> None:
    user = message.from_user
    await message.answer(texts.render_start(user.first_name if user else None))


async def cmd_help(message: Message) -> None:
    await message.answer(texts.render_help())


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.register(cmd_start, CommandStart(ignore_case=True))
    router.message.register(cmd_help, Command("help", ignore_case=True))
    return router
