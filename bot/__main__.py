"""Command line: run | console | ingest PATH... | status. Wiring only."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from pathlib import Path

from aiogram import Dispatcher
from pydantic import ValidationError

from bot import texts
from bot.app import LazyModels, create_bot, create_dispatcher, set_commands
from bot.clock import system_clock
from bot.config import Settings, describe_error
from bot.console import ConsoleSession, run_console
from bot.delivery import Sender, render_status, schedule_forever
from bot.ingest import Ingestor
from bot.locking import AlreadyRunning, instance_lock
from bot.logs import setup_logging
from bot.store import Store, StoreError
from bot.subscriptions import Subscriptions

log = logging.getLogger("bot")
EXIT_USAGE = 2
SHUTDOWN_GRACE = 10.0  # seconds in-flight updates get to finish on SIGTERM


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Дипбриф Telegram bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="long-poll Telegram (default; console when no token on a tty)")
    sub.add_parser("console", help="chat with the bot in this terminal, no Telegram needed")
    ingest = sub.add_parser("ingest", help="add article files or folders to the database")
    ingest.add_argument("paths", nargs="+", type=Path)
    sub.add_parser("status", help="articles, subscriptions and delivery state")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m bot` and the `dipbrief` script."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(describe_error(exc), file=sys.stderr)
        return EXIT_USAGE
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    command = args.command or "run"
    if command == "run" and settings.bot_token is None:
        if not sys.stdin.isatty():
            print(
                "BOT_TOKEN is not set: set it to run the bot, or use "
                "`python -m bot console` to talk to it here.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        command = "console"
    setup_logging(_log_level(settings, command), [token])
    try:
        return asyncio.run(_COMMANDS[command](settings, args))
    except StoreError as exc:
        log.error("%s", exc)
        return 1
    except KeyboardInterrupt:
        return 130


def _log_level(settings: Settings, command: str) -> str:
    # In the console, INFO lines would interleave with the replies; unless LOG_LEVEL is set,
    # show warnings only (bad article files still get their log line).
    if command == "console" and "log_level" not in settings.model_fields_set:
        return "WARNING"
    return settings.log_level


async def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    async with Store(settings.db_path, system_clock) as store:
        report = await Ingestor(store, LazyModels()).ingest(args.paths)
    print(report.line())
    return 1 if report.skipped and not (report.added or report.updated or report.unchanged) else 0


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    async with Store(settings.db_path, system_clock) as store:
        dp = create_dispatcher(settings, store, system_clock)
        bot = create_bot(settings, session=ConsoleSession(sys.stdout, system_clock))
        await _load_articles(dp, settings)
        if sys.stdin.isatty():
            print(texts.CONSOLE_BANNER, flush=True)
        await run_console(bot, dp, sys.stdin, system_clock)
        await bot.session.close()
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    lock = instance_lock(settings.db_path, token)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        print(f"refusing to start: {exc}", file=sys.stderr)
        return 1
    try:
        return await _serve(settings)
    finally:
        lock.release()


async def _serve(settings: Settings) -> int:
    # Deliveries get their own connection: their transactions never meet a handler's or an
    # ingest's on one connection (SQLite in WAL mode serialises the writers).
    async with (
        Store(settings.db_path, system_clock) as store,
        Store(settings.db_path, system_clock) as outbox,
    ):
        dp = create_dispatcher(settings, store, system_clock)
        bot = create_bot(settings)
        await _load_articles(dp, settings)
        dp.startup.register(set_commands)
        resolve = dp["briefings"].resolve
        sender = Sender(bot, outbox, system_clock)
        subscriptions = Subscriptions(outbox, system_clock, settings.tz, resolve)
        tasks = [
            asyncio.create_task(_rescan_forever(dp, settings)),
            asyncio.create_task(schedule_forever(subscriptions, sender)),
            asyncio.create_task(sender.run_forever()),
        ]
        try:
            # start_polling installs SIGINT/SIGTERM handlers and stops polling gracefully.
            await dp.start_polling(
                bot, handle_signals=True, close_bot_session=False,
                allowed_updates=dp.resolve_used_update_types(),  # my_chat_member too
            )  # fmt: skip
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


async def _status(settings: Settings, args: argparse.Namespace) -> int:
    async with Store(settings.db_path, system_clock) as store:
        print(f"articles: {await store.count_articles()}")
        print(render_status(await store.delivery_stats()))
    return 0


async def _load_articles(dp: Dispatcher, settings: Settings) -> None:
    ingestor: Ingestor = dp["ingestor"]
    report = await ingestor.ingest([settings.articles_dir])
    log.info("articles from %s: %s", settings.articles_dir, report.line())


async def _rescan_forever(dp: Dispatcher, settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.articles_poll_seconds)
        try:
            await _load_articles(dp, settings)
        except Exception:  # a failed rescan must not stop the bot; the next one retries
            log.exception("rescan of %s failed", settings.articles_dir)


_COMMANDS = {"run": _run, "console": _console, "ingest": _ingest, "status": _status}

if __name__ == "__main__":
    sys.exit(main())
