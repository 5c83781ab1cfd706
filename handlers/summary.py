"""/summary: the briefing of the latest articles (a count, a theme or a period)."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot import texts
from bot.services.briefing import Briefings
from bot.services.requests import parse_summary_args
from bot.services.views import ThemeMenu
from handlers.replies import answer_blocks, answer_menu


async def cmd_summary(message: Message, command: CommandObject, briefings: Briefings) -> None:
    result = await briefings.summary(parse_summary_args(command.args))
    if isinstance(result, ThemeMenu):
        await answer_menu(message, result)
        return
    await answer_blocks(message, texts.render_briefing(result))


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.register(
        cmd_summary, Command("summary", ignore_case=True), flags={"typing": True}
    )
    return router
