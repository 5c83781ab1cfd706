"""Factories shared by production, console mode and tests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import BotCommand

from bot import texts
from bot.analysis.nlp import NlpModels, load_models
from bot.clock import Clock
from bot.config import Settings
from bot.ingest import Ingestor
from bot.store import Store
from handlers import get_routers

log = logging.getLogger(__name__)


class LazyModels:
    """Loads the NLP models on first use, once per process, from any thread."""

    def __init__(self, loader: Callable[[], NlpModels] = load_models) -> None:
        self._loader = loader
        self._models: NlpModels | None = None
        self._lock = threading.Lock()

    def __call__(self) -> NlpModels:
        with self._lock:
            if self._models is None:
                self._models = self._loader()
            return self._models


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    """A Bot talking to TELEGRAM_API_URL (or through the given session, e.g. console)."""
    if session is None:
        api = TelegramAPIServer.from_base(settings.telegram_api_url)
        session = AiohttpSession(api=api)
    token = settings.bot_token.get_secret_value() if settings.bot_token else "1:console"
    defaults = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)
    return Bot(token=token, session=session, default=defaults)


def create_dispatcher(
    settings: Settings, store: Store, clock: Clock, models: LazyModels | None = None
) -> Dispatcher:
    """The dispatcher with every router and the services handlers receive by name."""
    models = models or LazyModels()
    dp = Dispatcher(
        settings=settings,
        store=store,
        clock=clock,
        models=models,
        ingestor=Ingestor(store, models),
    )
    dp.include_routers(*get_routers())
    return dp


async def set_commands(bot: Bot) -> None:
    """Publish the command menu with Russian descriptions; a refusal is logged, not fatal."""
    commands = [BotCommand(command=c.name, description=c.description) for c in texts.COMMANDS]
    try:
        await bot.set_my_commands(commands)
    except (TelegramAPIError, TelegramNetworkError) as exc:
        log.warning("setMyCommands refused, going on without a command menu: %s", exc)
