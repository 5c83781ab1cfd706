"""Last of all: any button no other router took is stale or forged; say so politely."""

from aiogram import Router
from aiogram.types import CallbackQuery

from bot import texts
from bot.texts.keyboards import NoopCallback

router = Router(name=__name__)


@router.callback_query(NoopCallback.filter())
async def on_counter(callback: CallbackQuery) -> None:
    await callback.answer()


@router.callback_query()
async def on_stale_button(callback: CallbackQuery) -> None:
    await callback.answer(texts.STALE_BUTTON)
