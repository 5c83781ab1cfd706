"""Delivery: 10,000 subscribed chats and one new article, against the fake Bot API.

    python bench/bench_delivery.py [--chats 10000] [--window 60]

The fake Bot API runs in a child process, so the CPU time measured here is the sender's own:
outbox reads and marks (SQLite), the rate limiter, aiogram and aiohttp.

1. Limits raised (no waiting): CPU time per delivery and throughput, all chats drained.
2. Default limits (25/s in total, 1/s per chat) over a `--window`-second window against a
   fake enforcing Telegram's limits (30/s in total, 1/s per chat): the achieved rate as a
   share of the 25/s ceiling (goal >= 95%) and the 429 answers the bot caused (goal: 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bot.clock import system_clock
from bot.config import Settings
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.services.subscriptions import Subscriptions
from bot.store import Store
from bot.telegram.app import create_bot
from bot.telegram.ratelimit import Limits, RateLimiter
from bot.telegram.sender import Sender
from bot.texts.subscriptions import DELIVERY_TEXTS
from tests.rigs import CYBER_ARTICLE

TOKEN = "123456:TEST-token"
RAISED = Limits(per_second=1e9, chat_interval=0.0, group_per_minute=10**9, margin=0.0)


def start_fake(limited: bool) -> tuple[subprocess.Popen[str], str]:
    """The fake Bot API in a child process; returns it and its URL."""
    code = (
        "import asyncio, sys\n"
        "from tests.fake_telegram import FakeTelegram, running_fake\n"
        "async def main():\n"
        "    fake = FakeTelegram()\n"
        f"    if {limited}:\n"
        "        fake.limit_per_second, fake.limit_per_chat_per_second = 30, 1\n"
        "    async with running_fake(fake) as served:\n"
        "        print(served.url, flush=True)\n"
        "        await asyncio.Event().wait()\n"
        "asyncio.run(main())\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    return child, child.stdout.readline().strip()


async def prepare(db_path: Path, chats: int, models: LazyModels) -> Store:
    """A database with `chats` subscribed chats and one new article matched to all of them."""
    store = await Store(db_path, system_clock).open()
    tomorrow = system_clock() + dt.timedelta(days=1)
    for chat_id in range(1_000_001, 1_000_001 + chats):
        await store.upsert_subscription(
            chat_id=chat_id,
            chat_type="private",
            title=None,
            theme=None,
            thread_id=None,
            digest_time=dt.time(9),
            next_digest_at=tomorrow,
        )
    article = db_path.parent / "cyber.md"
    # Dated today: alerts are for news (an article from 2025 would match no one now).
    today = system_clock().date().isoformat()
    article.write_text(CYBER_ARTICLE.replace("2025-09-02", today), encoding="utf-8")
    await Ingestor(store, models).ingest([article])
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    subscriptions = Subscriptions(
        store, system_clock, settings.tz, lambda _: (None, ()), DELIVERY_TEXTS
    )
    subscriptions.settle = dt.timedelta(0)  # match at once: the import above is finished
    start = time.perf_counter()
    written = await subscriptions.match_new_articles()
    print(f"matching: {written} outbox rows written in {time.perf_counter() - start:.2f} s")
    return store


def settings_for(url: str, db_path: Path) -> Settings:
    return Settings(_env_file=None, BOT_TOKEN=TOKEN, TELEGRAM_API_URL=url, DB_PATH=db_path)  # type: ignore[call-arg]


async def bench_overhead(chats: int, models: LazyModels, workdir: Path) -> None:
    child, url = start_fake(limited=False)
    try:
        store = await prepare(workdir / "raised.sqlite3", chats, models)
        bot = create_bot(settings_for(url, store.path), limiter=RateLimiter(RAISED))
        sender = Sender(bot, store, system_clock, concurrency=32, batch=500)
        cpu, wall = time.process_time(), time.perf_counter()
        tried = await sender.run_once()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        await bot.session.close()
        await store.close()
    finally:
        child.terminate()
    print(
        f"limits raised: {sender.sent}/{tried} delivered in {wall:.1f} s -> "
        f"{sender.sent / wall:.0f} deliveries/s; sender CPU {cpu / tried * 1e6:.0f} µs/delivery"
    )


async def bench_default_limits(
    chats: int, window: float, models: LazyModels, workdir: Path
) -> None:
    child, url = start_fake(limited=True)
    try:
        store = await prepare(workdir / "default.sqlite3", chats, models)
        limiter = RateLimiter()
        bot = create_bot(settings_for(url, store.path), limiter=limiter)
        sender = Sender(bot, store, system_clock)
        task = asyncio.create_task(sender.run_once())
        await asyncio.sleep(1.0)  # the first slot: measure a steady window
        sent, start = sender.sent, time.perf_counter()
        await asyncio.sleep(window)
        sent, elapsed = sender.sent - sent, time.perf_counter() - start
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bot.session.close()
        await store.close()
    finally:
        child.terminate()
    rate = sent / elapsed
    print(
        f"default limits, {window:.0f} s window: {sent} delivered, {rate:.2f}/s = "
        f"{rate / limiter.limits.per_second:.1%} of the {limiter.limits.per_second:.0f}/s "
        f"ceiling (goal >= 95%); 429 answers: {limiter.too_many_requests} (goal 0)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=60.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    models = LazyModels()
    with tempfile.TemporaryDirectory() as workdir:
        await bench_overhead(args.chats, models, Path(workdir))
        await bench_default_limits(args.chats, args.window, models, Path(workdir))


if __name__ == "__main__":
    asyncio.run(main())
