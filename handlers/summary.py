"""/summary: the briefing as stories (a count, a theme or a period), with story buttons."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.services.requests import parse_summary_args
from bot.services.stories import Stories
from bot.services.views import ThemeMenu
from bot.texts.stories import render_story_briefing, story_keyboard
from handlers.replies import answer_blocks, answer_menu


async def cmd_summary(message: Message, command: CommandObject, stories: Stories) -> None:
    result = await stories.summary(parse_summary_args(command.args))
    if isinstance(result, ThemeMenu):
        await answer_menu(message, result)
        return
    await answer_blocks(message, render_story_briefing(result), story_keyboard(result))


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.register(
        cmd_summary, Command("summary", ignore_case=True), flags={"typing": True}
    )
    return router
