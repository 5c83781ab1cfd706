"""Command line: run | console | ingest PATH... | status. Wiring only."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.clock import system_clock
from bot.config import Settings, describe_error
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.logs import setup_logging
from bot.ops.status import render_articles, render_status
from bot.store import Store, StoreError

log = logging.getLogger("bot")
EXIT_USAGE = 2


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


async def _status(settings: Settings, args: argparse.Namespace) -> int:
    async with Store(settings.db_path, system_clock) as store:
        total = await store.count_articles()
        print(render_articles(total, *await store.relevance_counts()))
        print(render_status(await store.delivery_stats()))
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    # aiogram is imported only by the commands that talk: it costs ~3 s and ~170 MB, which
    # `ingest` (10,000 articles: the analysis models already take ~230 MB) does without.
    from bot.telegram import runner  # noqa: PLC0415
    from handlers import create_routers  # noqa: PLC0415 - see above

    return await runner.run(settings, create_routers)


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.telegram import runner  # noqa: PLC0415 - see _run
    from handlers import create_routers  # noqa: PLC0415 - see _run

    return await runner.console(settings, create_routers)


_COMMANDS = {"run": _run, "console": _console, "ingest": _ingest, "status": _status}

if __name__ == "__main__":
    sys.exit(main())
