"""Factories shared by production, console mode and tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramServerError
from aiogram.methods import Response
from aiogram.types import BotCommand, Message, User

from bot import texts
from bot.clock import Clock
from bot.config import Settings
from bot.ingest.models_loader import LazyModels, LazyMorph
from bot.ingest.pipeline import Ingestor
from bot.services.briefing import Briefings
from bot.services.stories import Stories
from bot.services.subscriptions import Subscriptions
from bot.store import Store
from bot.telegram.admins import AdminCache
from bot.telegram.middlewares import FloodControl, InFlight, Typing
from bot.telegram.ratelimit import RateLimiter, Sleep
from bot.texts.subscriptions import DELIVERY_TEXTS

log = logging.getLogger(__name__)


# aiogram validates every answer as Response[T]; pydantic keeps parametrised generics only
# weakly, so after a garbage collection Response[Message] is rebuilt (~10 ms, a p95 spike).
# Holding the common ones keeps them built for the life of the process.
KEEP_RESPONSE_TYPES = (Response[Message], Response[bool], Response[User])


def create_bot(
    settings: Settings, session: BaseSession | None = None, limiter: RateLimiter | None = None
) -> Bot:
    """A Bot talking to TELEGRAM_API_URL (or through the given session, e.g. console).

    Requests to Telegram pass the one rate limiter shared by replies and deliveries.
    """
    if session is None:
        api = TelegramAPIServer.from_base(settings.telegram_api_url)
        session = AiohttpSession(api=api)
        limiter = limiter or RateLimiter()
    if limiter is not None:
        session.middleware(limiter)
    token = settings.bot_token.get_secret_value() if settings.bot_token else "1:console"
    defaults = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)
    return Bot(token=token, session=session, default=defaults)


def create_dispatcher(
    settings: Settings,
    store: Store,
    clock: Clock,
    routers: Sequence[Router],
    models: LazyModels | None = None,
    *,
    source_weights: Mapping[str, float] | None = None,
) -> Dispatcher:
    """The dispatcher with the given fresh routers and the services handlers receive by name.

    The routers come from `handlers.create_routers()`, called by the composition root
    (`bot.__main__`, tests): handlers depend on this package, never the other way round.
    `source_weights` (by source name, from the live sources file) rank the stories.
    """
    models = models or LazyModels()
    briefings = Briefings(store, clock, settings.tz, LazyMorph(models))
    dp = Dispatcher(
        settings=settings,
        store=store,
        clock=clock,
        models=models,
        ingestor=Ingestor(store, models, settings.articles_dir),
        briefings=briefings,
        stories=Stories(store, clock, settings.tz, briefings, source_weights),
        subscriptions=Subscriptions(
            store,
            clock,
            settings.tz,
            briefings.resolve,
            DELIVERY_TEXTS,
            source_weights=source_weights,
        ),
        admins=AdminCache(clock),
        inflight=InFlight(),
    )
    dp.update.outer_middleware(dp["inflight"])
    flood = FloodControl()
    dp.message.outer_middleware(flood)
    dp.callback_query.outer_middleware(flood)
    dp.message.middleware(Typing())
    dp.include_routers(*routers)
    return dp


async def set_commands(bot: Bot) -> None:
    """Publish the command menu with Russian descriptions; a refusal is logged, not fatal."""
    commands = [BotCommand(command=c.name, description=c.description) for c in texts.COMMANDS]
    try:
        await bot.set_my_commands(commands)
    except (TelegramAPIError, TelegramNetworkError) as exc:
        log.warning("setMyCommands refused, going on without a command menu: %s", exc)


CONNECT_BACKOFF = 1.0  # seconds before the second getMe; doubles up to CONNECT_BACKOFF_CAP
CONNECT_BACKOFF_CAP = 60.0


async def wait_for_telegram(bot: Bot, sleep: Sleep = asyncio.sleep) -> User:
    """getMe until Telegram answers: unreachable at start (refused, DNS, 5xx) is not fatal.

    Polling retries such errors itself once it runs; before it does, the first getMe would
    end the process. A wrong token (401) is not retried: it will not get better.
    """
    delay = CONNECT_BACKOFF
    while True:
        try:
            return await bot.me()
        except (TelegramNetworkError, TelegramServerError) as exc:
            log.warning("Telegram is unreachable (%s); retrying in %.0fs", exc.message, delay)
        await sleep(delay)
        delay = min(delay * 2, CONNECT_BACKOFF_CAP)
