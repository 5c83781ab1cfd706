"""/topic, /topics and their buttons: a theme's articles, the list of themes."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.services.briefing import Briefings
from bot.services.requests import clean_args
from bot.services.views import ThemeMenu
from bot.texts.keyboards import PageCallback, TopicCallback
from handlers.replies import answer_blocks, answer_menu, show_page


async def cmd_topic(message: Message, command: CommandObject, briefings: Briefings) -> None:
    result = await briefings.topic(clean_args(command.args))
    if isinstance(result, ThemeMenu):
        await answer_menu(message, result)
        return
    await answer_blocks(message, texts.render_topic(result), texts.topic_pager(result))


async def cmd_topics(message: Message, briefings: Briefings) -> None:
    await answer_menu(message, await briefings.menu())


async def on_topic(
    callback: CallbackQuery, callback_data: TopicCallback, briefings: Briefings
) -> None:
    theme = briefings.theme(callback_data.slug)
    page = await briefings.topic_page(theme, 0) if theme else None
    if page is None or not isinstance(callback.message, Message):
        await callback.answer(texts.STALE_BUTTON)
        return
    await callback.answer()
    # Message.answer replies into the forum topic the button's message is in.
    await callback.message.answer(
        texts.fit_one(texts.render_topic(page)), reply_markup=texts.topic_pager(page)
    )


async def on_topic_page(
    callback: CallbackQuery, callback_data: PageCallback, briefings: Briefings
) -> None:
    theme = briefings.theme(callback_data.key)
    page = await briefings.topic_page(theme, callback_data.page) if theme else None
    if page is None:
        await show_page(callback, None)
        return
    await show_page(callback, (texts.fit_one(texts.render_topic(page)), texts.topic_pager(page)))


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.register(cmd_topic, Command("topic", ignore_case=True), flags={"typing": True})
    router.message.register(cmd_topics, Command("topics", ignore_case=True))
    router.callback_query.register(on_topic, TopicCallback.filter())
    router.callback_query.register(on_topic_page, PageCallback.filter(F.view == "topic"))
    return router
