"""/story N and the story buttons under /summary: one story with every source."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.services.requests import parse_article_number
from bot.services.stories import Stories
from bot.texts.stories import STORY_USAGE, StoryCallback, render_story, story_not_found
from handlers.replies import answer_blocks


async def cmd_story(message: Message, command: CommandObject, stories: Stories) -> None:
    if not (command.args or "").strip():
        await message.answer(STORY_USAGE)
        return
    number = parse_article_number(command.args)
    view = await stories.story(number)
    if view is None:
        await message.answer(story_not_found(number))
        return
    await answer_blocks(message, render_story(view))


async def on_story(
    callback: CallbackQuery, callback_data: StoryCallback, stories: Stories
) -> None:
    view = await stories.story(callback_data.id) if 0 < callback_data.id < 2**62 else None
    if view is None or not isinstance(callback.message, Message):
        await callback.answer(texts.STALE_BUTTON)
        return
    await callback.answer()
    await answer_blocks(callback.message, render_story(view))


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.register(cmd_story, Command("story", ignore_case=True), flags={"typing": True})
    router.callback_query.register(on_story, StoryCallback.filter())
    return router
