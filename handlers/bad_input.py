"""Unusable command arguments: one short explanation with an example, never a trace."""

from aiogram import Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot import texts
from bot.requests import BadArgument

router = Router(name=__name__)


@router.errors(ExceptionTypeFilter(BadArgument))
async def on_bad_argument(event: ErrorEvent) -> None:
    message = event.update.message
    if message is None or not isinstance(event.exception, BadArgument):
        return
    example = texts.example_for(message.text or "", event.exception.reason)
    await message.answer(texts.render_bad_input(event.exception.reason, example))
