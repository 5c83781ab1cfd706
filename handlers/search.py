"""/search: full-text search over lemmas, any word form."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot import texts
from bot.services.briefing import Briefings
from bot.services.requests import clean_args
from handlers.replies import answer_blocks


async def cmd_search(message: Message, command: CommandObject, briefings: Briefings) -> None:
    query = clean_args(command.args)
    if not query:
        await message.answer(texts.SEARCH_USAGE)
        return
    await answer_blocks(message, texts.render_search(await briefings.search(query)))


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.register(
        cmd_search, Command("search", ignore_case=True), flags={"typing": True}
    )
    return router
