"""Last of all: any button no other router took is stale or forged; say so politely."""

from aiogram import Router
from aiogram.types import CallbackQuery

from bot import texts
from bot.texts.keyboards import NoopCallback


async def on_counter(callback: CallbackQuery) -> None:
    await callback.answer()


async def on_stale_button(callback: CallbackQuery) -> None:
    await callback.answer(texts.STALE_BUTTON)


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.callback_query.register(on_counter, NoopCallback.filter())
    router.callback_query.register(on_stale_button)
    return router
