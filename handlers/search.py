"""/search: full-text search over lemmas, any word form."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot import texts
from bot.briefing import Briefings
from bot.requests import clean_args
from handlers.replies import answer_blocks

router = Router(name=__name__)


@router.message(Command("search", ignore_case=True), flags={"typing": True})
async def cmd_search(message: Message, command: CommandObject, briefings: Briefings) -> None:
    query = clean_args(command.args)
    if not query:
        await message.answer(texts.SEARCH_USAGE)
        return
    await answer_blocks(message, texts.render_search(await briefings.search(query)))
