"""Command line: run | console | ingest PATH... | fetch | sources [check] | status. Wiring only."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.clock import system_clock
from bot.config import Settings, SettingsError, load_settings
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.ingest.sources.check import probe
from bot.ingest.sources.config import SourcesError, load_sources, source_weights
from bot.ingest.sources.report import render_fetch, render_sources, render_sources_status
from bot.ingest.sources.runtime import live_sources, make_fetcher
from bot.logs import setup_logging
from bot.ops.status import render_articles, render_status
from bot.store import Store, StoreError

log = logging.getLogger("bot")
EXIT_USAGE = 2  # bad settings or an unusable database: fix the configuration, then retry
EXIT_BROKEN_PIPE = 141  # what a shell reports for a writer whose reader went away (128 + 13)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Дипбриф Telegram bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="long-poll Telegram (default; console when no token on a tty)")
    sub.add_parser("console", help="chat with the bot in this terminal, no Telegram needed")
    ingest = sub.add_parser("ingest", help="add article files or folders to the database")
    ingest.add_argument("paths", nargs="+", type=Path)
    fetch = sub.add_parser("fetch", help="poll the live sources once and print a table")
    fetch.add_argument("--source", metavar="ID", help="only this source (even if disabled)")
    sources = sub.add_parser("sources", help="list the live sources with their state")
    sources.add_argument("action", nargs="?", choices=["check"], help="probe each source once")
    sub.add_parser("status", help="articles, subscriptions, delivery and sources state")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m bot` and the `dipbrief` script."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
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
    except (StoreError, SourcesError) as exc:
        log.error("%s", exc)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `python -m bot status | head -1`: the reader left. Point stdout at /dev/null so the
        # interpreter's final flush does not raise again (the recipe of the `signal` docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _log_level(settings: Settings, command: str) -> str:
    # In the console, INFO lines would interleave with the replies; unless LOG_LEVEL is set,
    # show warnings only (bad article files still get their log line).
    if command == "console" and "log_level" not in settings.model_fields_set:
        return "WARNING"
    return settings.log_level


async def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    async with Store(settings.db_path, system_clock) as store:
        report = await Ingestor(store, LazyModels(), settings.articles_dir).ingest(args.paths)
    print(report.line())
    return 1 if report.skipped and not (report.added or report.updated or report.unchanged) else 0


async def _status(settings: Settings, args: argparse.Namespace) -> int:
    async with Store(settings.db_path, system_clock) as store:
        total = await store.count_articles()
        print(render_articles(total, *await store.relevance_counts()))
        print(render_status(await store.delivery_stats()))
        sources = load_sources(settings.sources_file)
        print(render_sources_status(sources, await store.source_states(), system_clock()))
    return 0


async def _fetch(settings: Settings, args: argparse.Namespace) -> int:
    async with Store(settings.db_path, system_clock) as store:
        ingestor = Ingestor(store, LazyModels())
        async with live_sources(settings, store, ingestor, system_clock) as poller:
            if args.source and all(s.id != args.source for s in poller.sources):
                print(f"no source {args.source!r} in the sources file", file=sys.stderr)
                return EXIT_USAGE
            reports = await poller.poll_all(args.source)
    print(render_fetch(reports))
    return 0  # failing sources are in the table (and the log): not an error of the command


async def _sources(settings: Settings, args: argparse.Namespace) -> int:
    sources = load_sources(settings.sources_file)
    if args.action == "check":
        today = system_clock().date()
        async with make_fetcher(settings, system_clock) as fetcher:
            lines = await asyncio.gather(*(probe(fetcher, s, today) for s in sources))
        for source, line in zip(sources, lines, strict=True):
            print(f"{source.id}: {line}")
        return 0
    async with Store(settings.db_path, system_clock) as store:
        states = await store.source_states()
        counts = await store.fetched_counts()
    print(render_sources(sources, states, counts))
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    # aiogram is imported only by the commands that talk: it costs ~3 s and ~170 MB, which
    # `ingest` (10,000 articles: the analysis models already take ~230 MB) does without.
    from bot.telegram import runner  # noqa: PLC0415
    from handlers import create_routers  # noqa: PLC0415 - see above

    # Read once, for the poller and the story ranking; a bad file ends the run (main logs it).
    sources = load_sources(settings.sources_file)
    return await runner.run(settings, create_routers, sources)


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.telegram import runner  # noqa: PLC0415 - see _run
    from handlers import create_routers  # noqa: PLC0415 - see _run

    return await runner.console(settings, create_routers, _console_weights(settings))


def _console_weights(settings: Settings) -> dict[str, float]:
    """Source weights for the story ranking; the console polls nothing, so a bad sources file
    costs one log line and equal weights, not the session."""
    try:
        return source_weights(load_sources(settings.sources_file))
    except SourcesError as exc:
        log.error("%s; stories are ranked with every source at weight 1", exc)
        return {}


_COMMANDS = {
    "run": _run,
    "console": _console,
    "ingest": _ingest,
    "fetch": _fetch,
    "sources": _sources,
    "status": _status,
}

if __name__ == "__main__":
    sys.exit(main())
