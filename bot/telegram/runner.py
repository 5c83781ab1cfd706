"""The bot processes that talk to Telegram (or the console): wiring of aiogram and services."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from aiogram import Dispatcher, Router

from bot import texts
from bot.clock import system_clock
from bot.config import Settings
from bot.ingest.pipeline import Ingestor
from bot.ingest.sources.config import Source, source_weights
from bot.ingest.sources.runtime import live_sources, poll_forever
from bot.ops.locking import AlreadyRunning, instance_lock
from bot.services.schedule import schedule_forever
from bot.services.stories import Stories
from bot.services.subscriptions import Subscriptions
from bot.store import Store, StoreError
from bot.telegram.app import create_bot, create_dispatcher, set_commands, wait_for_telegram
from bot.telegram.console import ConsoleSession, run_console
from bot.telegram.sender import Sender

log = logging.getLogger("bot")
RouterFactory = Callable[[], Sequence[Router]]  # handlers.create_routers
T = TypeVar("T")
# docker stop sends SIGTERM and kills 10 s later: in-flight updates get this much, the sender
# its own SHUTDOWN_GRACE, and closing the rest must fit in what is left.
SHUTDOWN_GRACE = 4.0


async def console(
    settings: Settings, routers: RouterFactory, source_weights: Mapping[str, float]
) -> int:
    """Chat in this terminal: stdin lines through the real dispatcher, replies printed."""
    async with Store(settings.db_path, system_clock) as store:
        dp = create_dispatcher(
            settings, store, system_clock, routers(), source_weights=source_weights
        )
        bot = create_bot(settings, session=ConsoleSession(sys.stdout, system_clock))
        await _load_articles(dp, settings)
        if sys.stdin.isatty():
            print(texts.CONSOLE_BANNER, flush=True)
        await run_console(bot, dp, sys.stdin, system_clock)
        await bot.session.close()
    return 0


async def run(settings: Settings, routers: RouterFactory, sources: Sequence[Source]) -> int:
    """Long-poll Telegram with deliveries and rescans, as the only process on this database."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    lock = instance_lock(settings.db_path, token)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        print(f"refusing to start: {exc}", file=sys.stderr)
        return 1
    try:
        return await _serve(settings, routers, sources)
    finally:
        lock.release()


async def _serve(settings: Settings, routers: RouterFactory, sources: Sequence[Source]) -> int:
    # Deliveries get their own connection: their transactions never meet a handler's or an
    # ingest's on one connection (SQLite in WAL mode serialises the writers).
    async with (
        Store(settings.db_path, system_clock) as store,
        Store(settings.db_path, system_clock) as outbox,
        contextlib.AsyncExitStack() as stack,
    ):
        dp = create_dispatcher(
            settings, store, system_clock, routers(), source_weights=source_weights(sources)
        )
        bot = create_bot(settings)
        await _load_articles(dp, settings)
        await _warm_up(dp)
        dp.startup.register(set_commands)
        try:  # before polling, whose first getMe would end the process
            await _until_signal(wait_for_telegram(bot))
        except asyncio.CancelledError:
            log.info("stopped before Telegram answered")
            await bot.session.close()
            return 0
        sender = Sender(bot, outbox, system_clock)
        await sender.release_claims()
        # The handlers' instance: its lock then orders /subscribe, matching and digests.
        subscriptions: Subscriptions = dp["subscriptions"]
        poller = await stack.enter_async_context(
            live_sources(settings, store, dp["ingestor"], system_clock, sources)
        )
        tasks = [
            asyncio.create_task(_rescan_forever(dp, settings)),
            asyncio.create_task(poll_forever(poller, settings.sources_poll_seconds)),
            asyncio.create_task(schedule_forever(subscriptions.tick, sender.wake)),
            asyncio.create_task(sender.run_forever()),
        ]
        try:
            # start_polling installs SIGINT/SIGTERM handlers and stops polling gracefully.
            await dp.start_polling(
                bot,
                handle_signals=True,
                close_bot_session=False,
                allowed_updates=dp.resolve_used_update_types(),  # my_chat_member too
            )
        finally:
            # Polling has stopped; let updates already taken finish their replies first.
            if not await dp["inflight"].wait_idle(SHUTDOWN_GRACE):
                log.warning("stopping with updates still being handled after %ss", SHUTDOWN_GRACE)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await bot.session.close()
    return 0


async def _until_signal(work: Awaitable[T]) -> T:
    """Await `work`, cancelled by SIGINT or SIGTERM (aiogram handles them once it polls)."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        return await task
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _load_articles(dp: Dispatcher, settings: Settings) -> None:
    ingestor: Ingestor = dp["ingestor"]
    try:
        report = await ingestor.ingest([settings.articles_dir])
    except StoreError as exc:  # a full disk: the bot answers from what it has; retried later
        log.error("articles from %s not loaded: %s", settings.articles_dir, exc)
        return
    log.info("articles from %s: %s", settings.articles_dir, report.line())


async def _warm_up(dp: Dispatcher) -> None:
    """The stories of the default briefing shaped before the first /summary asks for them."""
    stories: Stories = dp["stories"]
    try:
        await stories.warm_up()
    except StoreError as exc:  # the briefing is shaped when asked, as without the warm-up
        log.warning("briefing not prepared at start: %s", exc)


async def _rescan_forever(dp: Dispatcher, settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.articles_poll_seconds)
        try:
            await _load_articles(dp, settings)
        except Exception:  # a failed rescan must not stop the bot; the next one retries
            log.exception("rescan of %s failed", settings.articles_dir)
