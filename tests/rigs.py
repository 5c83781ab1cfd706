"""The delivery rig shared by the delivery tests: the app plus the sender on virtual time.

`rig` is a fixture (registered for every test by `pytest_plugins` in tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.services.subscriptions import Subscriptions
from bot.store import Store
from bot.telegram.app import create_bot
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.sender import Sender
from tests.conftest import TestApp

ADMIN = 7
CYBER_TITLE = "Казахстан и Китай договорились о сотрудничестве в сфере кибербезопасности"
CYBER_ARTICLE = f"""---
title: {CYBER_TITLE}
source: Test News
url: https://example.org/cyber-2025
published: '2025-09-02'
lang: ru
---

Казахстан и Китай подписали соглашение о сотрудничестве в сфере кибербезопасности. Стороны \
будут обмениваться данными о киберугрозах и хакерских атаках на критическую инфраструктуру.
Министерство цифрового развития сообщило, что совместная рабочая группа займётся борьбой с \
киберпреступностью и защитой персональных данных.
Эксперты отмечают, что число кибератак на банки и государственные системы за год выросло на \
40 процентов.
Следующая встреча рабочей группы по информационной безопасности пройдёт в Астане в ноябре.
"""


class VirtualTime:
    """A sleep that moves the manual clock instead of waiting: tests never sleep for real."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.slept = 0.0

    def now(self) -> float:
        return self.clock().timestamp()

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            # Rounded up to the clock's microsecond: a wait the limiter computed in float
            # seconds can be a fraction of one (epoch timestamps are 0.24 us apart), and
            # timedelta(seconds=4.8e-07) is zero. A sleep that does not move time would have the
            # limiter wait again forever, the loop busy but never done.
            self.clock.advance(microseconds=math.ceil(seconds * 1_000_000))
            self.slept += seconds
        await asyncio.sleep(0)


class Rig:
    """The app (handlers) plus the delivery side: subscriptions service, limiter, sender."""

    def __init__(self, app: TestApp, sender: Sender, limiter: RateLimiter, time: VirtualTime):
        self.app, self.sender, self.limiter, self.time = app, sender, limiter, time
        self.telegram = app.telegram
        self.store: Store = app.dp["store"]
        self.subscriptions: Subscriptions = app.dp["subscriptions"]
        # Matching here need not wait for an import to settle; that rule has its own tests.
        self.subscriptions.settle = self.subscriptions.max_hold = dt.timedelta(0)

    async def subscribe(self, chat_id: int, args: str = "", **kwargs: Any) -> None:
        chat_type = "private" if chat_id > 0 else "supergroup"
        if chat_id < 0:
            self.telegram.set_chat_member(chat_id, ADMIN, "administrator")
        [reply] = await self.app.send_text(
            f"/subscribe {args}".strip(),
            chat_id=chat_id,
            user_id=ADMIN,
            chat_type=chat_type,
            **kwargs,
        )
        assert reply.startswith(("Готово", "Подписка обновлена")), reply

    async def drop_article(
        self, articles_dir: Path, name: str = "cyber.md", extra: str = ""
    ) -> list[int]:
        """Write an article file (extra text makes it a different article) and ingest it."""
        (articles_dir / name).write_text(CYBER_ARTICLE + extra, encoding="utf-8")
        report = await self.app.dp["ingestor"].ingest([articles_dir])
        return report.added

    async def deliver(self) -> int:
        """What the bot's background tasks do: match, schedule digests, send everything."""
        await self.subscriptions.match_new_articles()
        await self.subscriptions.enqueue_due_digests()
        return await self.sender.drain()

    def delivered(self, chat_id: int) -> list[str]:
        """Texts sent to a chat by the sender (replies to commands excluded)."""
        replies = ("Готово", "Подписка", "Доставка")
        return [t for t in self.telegram.texts(chat_id) if not t.startswith(replies)]


@pytest.fixture
async def rig(app: TestApp, settings: Settings, clock: ManualClock) -> AsyncIterator[Rig]:
    time = VirtualTime(clock)
    limiter = RateLimiter(now=time.now, sleep=time.sleep)
    bot = create_bot(settings, limiter=limiter)
    # One send at a time: virtual sleeps from concurrent sends would add up, not overlap.
    sender = Sender(
        bot, app.dp["store"], clock, sleep=time.sleep, concurrency=1, jitter=lambda: 0.5
    )
    yield Rig(app, sender, limiter, time)
    await bot.session.close()


async def outbox_states(store: Store) -> dict[str, int]:
    return (await store.delivery_stats()).outbox
