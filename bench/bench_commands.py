"""Command latency on a synthetic store: update fed -> sendMessage received by the fake Bot API.

python bench/bench_commands.py [--articles 10000] [--runs 200] [--cache /tmp/dipbrief-bench]

The store holds `--articles` articles. Analysing 10,000 files takes most of an hour, so a few
hundred synthetic articles (bench/synth.py) are analysed for real and their analysis is reused
under distinct keys, titles and dates; the built database is cached. Each command runs `--runs`
times beside a bare aiogram echo handler, in the same process and against the same in-process
fake Bot API server, with a fresh chat and user per run (no rate limiting or flood control
kicks in). Reported: median and p95 in milliseconds and their ratio to the echo's median.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import logging
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message, Update
from aiohttp import web

from bench.synth import generate
from bot.analysis.nlp import load_models, load_morph
from bot.analysis.pipeline import ANALYSIS_VERSION, analyse_article
from bot.clock import ManualClock
from bot.config import Settings
from bot.ingest.files import read_article
from bot.ingest.models_loader import LazyModels
from bot.models import Analysis, ArticleFile
from bot.store import Store
from bot.telegram.app import create_bot, create_dispatcher
from bot.telegram.ratelimit import Limits, RateLimiter
from handlers import create_routers
from tests.fake_telegram import FakeTelegram, running_fake

UNIQUE_ANALYSES = 300  # real analyses, reused across the synthetic store
NOW = dt.datetime(2025, 10, 1, 4, 0, tzinfo=dt.UTC)
COMMANDS = (
    "/summary",
    "/summary 3",
    "/summary кибербезопасность",
    "/summary неделя",
    "/topic кибербезопасность",
    "/topic",
    "/topics",
    "/figures",
    "/figures торговля",
    "/people",
    "/sources",
    "/search инвестиции",
    "/search Китай Казахстан",
    "/search торговля с Китаем",  # words in different sentences of an article
    "/article 4242",
)
GOAL_P95_MS = 20.0
GOAL_RATIO = 3.0


async def build_store(path: Path, articles: int) -> None:
    """Analyse UNIQUE_ANALYSES synthetic articles and store `articles` rows reusing them."""
    work = path.parent / f"synth_{UNIQUE_ANALYSES}"
    files = generate(work, min(articles, UNIQUE_ANALYSES))
    models = load_models()
    print(f"analysing {len(files)} synthetic articles...", file=sys.stderr)
    analysed: list[tuple[ArticleFile, Analysis]] = []
    for file in files:
        article = read_article(file)
        analysed.append((article, analyse_article(article.title, article.body, models)))
    rng = random.Random(7)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    async with Store(tmp, ManualClock(NOW)) as store:
        for n in range(articles):
            base, analysis = analysed[n % len(analysed)]
            day = dt.date(2025, 9, 30) - dt.timedelta(days=rng.randrange(730))
            article = base.model_copy(
                update={
                    "key": f"synth_{n:05d}.md",
                    "content_hash": hashlib.sha256(f"synth {n}".encode()).hexdigest(),
                    "title": f"{base.title} [{n}]",
                    "url": f"https://example.org/synth/{n}",
                    "published": None if n % 97 == 0 else day,
                }
            )
            await store.upsert_article(article, analysis, ANALYSIS_VERSION)
            if n % 1000 == 999:
                print(f"stored {n + 1}", file=sys.stderr)
    tmp.rename(path)


class Arrivals:
    """aiohttp middleware on the fake: when the first answer of a run reached the server."""

    def __init__(self) -> None:
        self.first: float | None = None

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if self.first is None and request.path.endswith(("/sendMessage", "/answerInlineQuery")):
            self.first = time.perf_counter()
        return await handler(request)


def message_update(update_id: int, text: str) -> Update:
    chat_id = 1_000_000 + update_id  # a fresh chat and user per run
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(NOW.timestamp()),
                "text": text,
                "chat": {"id": chat_id, "type": "private", "first_name": "Б"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "Б"},
            },
        }
    )


def echo_dispatcher() -> Dispatcher:
    router = Router(name="echo")

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def measure(bot: Bot, dp: Dispatcher, text: str, arrivals: Arrivals, ids: Any) -> float:
    """Milliseconds from feeding the update to the first answer reaching the fake."""
    update = message_update(next(ids), text)
    arrivals.first = None
    start = time.perf_counter()
    await dp.feed_update(bot, update)
    if arrivals.first is None:
        raise RuntimeError(f"{text!r} sent no message")
    return (arrivals.first - start) * 1000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def run(args: argparse.Namespace) -> None:
    db = args.cache / f"commands_{args.articles}.sqlite3"
    if not db.exists():
        args.cache.mkdir(parents=True, exist_ok=True)
        await build_store(db, args.articles)
    arrivals = Arrivals()
    fake = FakeTelegram()
    fake.app.middlewares.append(arrivals.middleware)
    async with running_fake(fake), Store(db, ManualClock(NOW)) as store:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            BOT_TOKEN=fake.token,
            TELEGRAM_API_URL=fake.url,
            DB_PATH=db,
        )
        limits = Limits(per_second=1e9, chat_interval=0.0, group_per_minute=10**9, margin=0.0)
        bot = create_bot(settings, limiter=RateLimiter(limits))
        dp = create_dispatcher(
            settings, store, ManualClock(NOW), create_routers(), LazyModels(load_morph)
        )
        echo = echo_dispatcher()
        ids = iter(range(1, 10**9))
        for text in COMMANDS:  # warm up: morphology, caches, connections
            await measure(bot, dp, text, arrivals, ids)
            await measure(bot, echo, text, arrivals, ids)
        rows = []
        for text in COMMANDS:
            ours, base = [], []
            for _ in range(args.runs):
                ours.append(await measure(bot, dp, text, arrivals, ids))
                base.append(await measure(bot, echo, text, arrivals, ids))
            rows.append((text, ours, base))
        await bot.session.close()
    report(rows, args)


def report(rows: list[tuple[str, list[float], list[float]]], args: argparse.Namespace) -> None:
    print(f"\n{args.articles} articles, {args.runs} runs per command; times in ms\n")
    header = f"{'command':<28}{'median':>8}{'p95':>8}{'echo med':>10}{'echo p95':>10}"
    print(header + f"{'med/echo':>10}{'p95/echo':>10}  goal")
    for text, ours, base in rows:
        med, high, echo_med = statistics.median(ours), p95(ours), statistics.median(base)
        ok = high <= GOAL_P95_MS and med <= GOAL_RATIO * echo_med
        print(
            f"{text:<28}{med:>8.2f}{high:>8.2f}{echo_med:>10.2f}{p95(base):>10.2f}"
            f"{med / echo_med:>10.2f}{high / echo_med:>10.2f}  {'ok' if ok else 'MISSED'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/dipbrief-bench"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
