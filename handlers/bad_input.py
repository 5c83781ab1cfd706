"""Errors: unusable arguments get an explanation with an example; bugs get a short apology."""

import logging
from contextlib import suppress

from aiogram import Router
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramRetryAfter
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot import texts
from bot.services.requests import BadArgument

log = logging.getLogger(__name__)


async def on_bad_argument(event: ErrorEvent) -> None:
    message = event.update.message
    if message is None or not isinstance(event.exception, BadArgument):
        return
    example = texts.example_for(message.text or "", event.exception.reason)
    await message.answer(texts.render_bad_input(event.exception.reason, example))


async def on_flood_wait(event: ErrorEvent) -> None:
    # Telegram asked us to wait longer than a reply may take: the reply is dropped (the limiter
    # logged it), and an apology would only meet the same wait.
    log.warning("update %s: reply dropped: %s", event.update.update_id, event.exception)


async def on_unexpected_error(event: ErrorEvent) -> None:
    # A bug must not turn into silence: log the trace, tell the user briefly, go on.
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    message = event.update.message
    callback = event.update.callback_query
    with suppress(TelegramAPIError, TelegramNetworkError):  # Telegram may be the failure
        if message is not None:
            await message.answer(texts.INTERNAL_ERROR)
        elif callback is not None:
            await callback.answer(texts.INTERNAL_ERROR, show_alert=True)


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.errors.register(on_bad_argument, ExceptionTypeFilter(BadArgument))
    router.errors.register(on_flood_wait, ExceptionTypeFilter(TelegramRetryAfter))
    router.errors.register(on_unexpected_error)
    return router
