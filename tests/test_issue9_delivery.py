"""Issue 9, item 11: claimed rows, guarded state changes, ambiguous sends, concurrent senders."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.models import NewDelivery
from bot.store import Store
from bot.telegram.app import create_bot
from bot.telegram.ratelimit import Limits, RateLimiter
from bot.telegram.sender import Sender
from tests.conftest import TestApp
from tests.test_delivery import CYBER_TITLE, Rig, VirtualTime, outbox_states

FAST = Limits(per_second=1e9, chat_interval=0.0, group_per_minute=10**9, margin=0.0)


@pytest.fixture
async def rig(app: TestApp, settings: Settings, clock: ManualClock) -> AsyncIterator[Rig]:
    """As in test_delivery: one send at a time, on virtual time."""
    time = VirtualTime(clock)
    limiter = RateLimiter(now=time.now, sleep=time.sleep)
    bot = create_bot(settings, limiter=limiter)
    sender = Sender(
        bot, app.dp["store"], clock, sleep=time.sleep, concurrency=1, jitter=lambda: 0.5
    )
    yield Rig(app, sender, limiter, time)
    await bot.session.close()


async def wait_state(store: Store, state: str) -> None:
    async with asyncio.timeout(5):
        # The database has no event to wait on: poll it.
        while state not in await outbox_states(store):  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_issue9_11_row_cancelled_while_buffered_is_not_sent(
    rig: Rig, articles_dir: Path
) -> None:
    await rig.subscribe(101)
    await rig.subscribe(102)
    await rig.drop_article(articles_dir)
    await rig.subscriptions.match_new_articles()
    # One send at a time: chat 101's row is in flight (Telegram is slow), 102's is buffered.
    rig.telegram.delay("sendMessage", 0.5, chat_id=101)
    drain = asyncio.create_task(rig.sender.drain())
    await wait_state(rig.store, "sending")
    await rig.app.send_text("/unsubscribe", chat_id=102, user_id=102)
    await drain
    assert len(rig.delivered(101)) == 1
    # Before: sent anyway, as mark_sent checked no state.
    assert not any(CYBER_TITLE in text for text in rig.telegram.texts(102))
    assert await outbox_states(rig.store) == {"sent": 1, "cancelled": 1}


async def test_issue9_11_row_paused_while_buffered_is_not_sent(
    rig: Rig, articles_dir: Path
) -> None:
    await rig.subscribe(101)
    await rig.subscribe(102)
    await rig.drop_article(articles_dir)
    await rig.subscriptions.match_new_articles()
    rig.telegram.delay("sendMessage", 0.5, chat_id=101)
    drain = asyncio.create_task(rig.sender.drain())
    await wait_state(rig.store, "sending")
    await rig.subscriptions.pause(102, "blocked")  # what a my_chat_member update does
    await drain
    assert rig.delivered(102) == []
    assert await outbox_states(rig.store) == {"sent": 1, "skipped": 1}


async def test_issue9_11_ambiguous_timeout_is_resent_once_and_logged(
    rig: Rig, articles_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Telegram takes the message but answers after the client gave up: at-least-once means
    # one more send, and a log line saying it may be a duplicate; never a lost alert.
    await rig.subscribe(101)
    await rig.drop_article(articles_dir)
    rig.sender.send_timeout = 1
    rig.telegram.delay("sendMessage", 1.5, chat_id=101)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.sender"):
        await rig.deliver()
    await rig.telegram.until(lambda: len(rig.delivered(101)) == 2, 3)
    first, second = rig.delivered(101)
    assert first == second
    assert await outbox_states(rig.store) == {"sent": 1}
    assert any("may have accepted it" in r.getMessage() for r in caplog.records)


async def test_issue9_11_refused_connection_is_not_called_ambiguous(
    store: Store, clock: ManualClock, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    await store.upsert_subscription(
        chat_id=101,
        chat_type="private",
        title=None,
        theme=None,
        thread_id=None,
        digest_time=clock().time(),
        next_digest_at=clock(),
    )
    row = NewDelivery(
        key="k",
        kind="alert",
        chat_id=101,
        thread_id=None,
        subscription_id=1,
        article_id=None,
        text="x",
    )
    assert await store.enqueue_deliveries([row]) == 1
    # Nothing listens on port 9 of localhost: the connection is refused, nothing was sent.
    dead = settings.model_copy(update={"telegram_api_url": "http://127.0.0.1:9"})
    bot = create_bot(dead, limiter=RateLimiter(FAST))
    try:
        with caplog.at_level(logging.WARNING, logger="bot.telegram.sender"):
            await Sender(bot, store, clock, jitter=lambda: 0.5).run_once()
    finally:
        await bot.session.close()
    assert not any("may have accepted" in r.getMessage() for r in caplog.records)
    assert any("retry 2" in r.getMessage() for r in caplog.records)


async def test_issue9_11_failing_mark_sent_does_not_resend(
    rig: Rig, articles_dir: Path, settings: Settings
) -> None:
    await rig.subscribe(101)
    await rig.drop_article(articles_dir)
    # A real database fault, only on this connection: recording 'sent' fails.
    await rig.store.db.execute(
        "CREATE TEMP TRIGGER refuse_sent BEFORE UPDATE OF state ON outbox"
        " WHEN NEW.state = 'sent' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
    )
    async with asyncio.timeout(10):  # before: pending again, so drain resent it forever
        await rig.deliver()
        await rig.deliver()
    assert len(rig.delivered(101)) == 1
    assert await outbox_states(rig.store) == {"sending": 1}
    await rig.store.db.execute("DROP TRIGGER refuse_sent")
    # The next start releases it: the one duplicate the README allows, then it is recorded.
    bot = create_bot(settings, limiter=RateLimiter(FAST))
    try:
        restarted = Sender(bot, rig.store, rig.app.clock)
        assert await restarted.drain() == 0  # still 'sending': not picked up
        assert await restarted.release_claims() == 1
        assert await restarted.drain() == 1
    finally:
        await bot.session.close()
    assert len(rig.delivered(101)) == 2
    assert await outbox_states(rig.store) == {"sent": 1}


async def test_issue9_11_concurrent_senders_send_each_row_once(
    rig: Rig, articles_dir: Path, db_path: Path, clock: ManualClock, settings: Settings
) -> None:
    chats = range(30_001, 30_031)
    for chat_id in chats:
        await rig.store.upsert_subscription(
            chat_id=chat_id,
            chat_type="private",
            title=None,
            theme=None,
            thread_id=None,
            digest_time=clock().time(),
            next_digest_at=clock() + dt.timedelta(days=1),
        )
    await rig.drop_article(articles_dir)
    await rig.subscriptions.match_new_articles()
    bots = [create_bot(settings, limiter=RateLimiter(FAST)) for _ in range(2)]
    try:
        async with Store(db_path, clock) as other:
            senders = [Sender(bots[0], rig.store, clock), Sender(bots[1], other, clock)]
            tried = await asyncio.gather(*(s.drain() for s in senders))
    finally:
        for bot in bots:
            await bot.session.close()
    for chat_id in chats:
        assert len(rig.telegram.texts(chat_id)) == 1, chat_id  # before: most chats got two
    assert sum(tried) >= len(chats)
    assert await outbox_states(rig.store) == {"sent": len(chats)}
