"""/figures: key figures of the latest articles (of a theme), with every source."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot import texts
from bot.briefing import Briefings
from bot.requests import clean_args
from bot.views import ThemeMenu
from handlers.replies import answer_blocks, answer_menu

router = Router(name=__name__)


@router.message(Command("figures", ignore_case=True), flags={"typing": True})
async def cmd_figures(message: Message, command: CommandObject, briefings: Briefings) -> None:
    result = await briefings.figures(clean_args(command.args))
    if isinstance(result, ThemeMenu):
        await answer_menu(message, result)
        return
    await answer_blocks(message, texts.render_figures(result))
