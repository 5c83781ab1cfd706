"""/people (persons and organisations, paged) and /sources."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.services.briefing import Briefings
from bot.services.requests import clean_args
from bot.texts.keyboards import PageCallback
from handlers.replies import answer_blocks, show_page


async def cmd_people(message: Message, command: CommandObject, briefings: Briefings) -> None:
    page = await briefings.people(0, clean_args(command.args))
    await message.answer(
        texts.fit_one(texts.render_people(page)), reply_markup=texts.people_pager(page)
    )


async def on_people_page(
    callback: CallbackQuery, callback_data: PageCallback, briefings: Briefings
) -> None:
    page = await briefings.people(callback_data.page, callback_data.key)
    if page is None:
        await show_page(callback, None)
        return
    await show_page(callback, (texts.fit_one(texts.render_people(page)), texts.people_pager(page)))


async def cmd_sources(message: Message, command: CommandObject, briefings: Briefings) -> None:
    query = clean_args(command.args)
    await answer_blocks(message, texts.render_sources(await briefings.sources(query), query))


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.register(
        cmd_people, Command("people", ignore_case=True), flags={"typing": True}
    )
    router.callback_query.register(on_people_page, PageCallback.filter(F.view == "people"))
    router.message.register(
        cmd_sources, Command("sources", ignore_case=True), flags={"typing": True}
    )
    return router
