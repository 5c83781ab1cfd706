"""Digest times: the next occurrence of a local time, digest windows, the scheduling loop."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from bot.models import Subscription

log = logging.getLogger(__name__)

DAY = dt.timedelta(days=1)


def next_occurrence(at: dt.time, tz: ZoneInfo, after: dt.datetime) -> dt.datetime:
    """The first moment strictly after `after` when local time in tz reads `at` (UTC)."""
    local = after.astimezone(tz)
    candidate = dt.datetime.combine(local.date(), at, tzinfo=tz)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + DAY, at, tzinfo=tz)
    return candidate.astimezone(dt.UTC)


def digest_end(sub: Subscription, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The end of the digest window due now: after downtime, only the latest missed one."""
    return max(sub.next_digest_at, next_occurrence(sub.digest_time, tz, now - DAY))


async def schedule_forever(
    tick_once: Callable[[], Awaitable[int]], wake: Callable[[], None], tick: float = 1.0
) -> None:
    """Run one scheduling tick (match new articles, enqueue due digests) every `tick` s, forever.

    `wake` is called when a tick wrote outbox rows, so the sender does not wait for its poll.
    """
    while True:
        try:
            written = await tick_once()
        except Exception:  # a broken tick must not stop deliveries; the next one retries
            log.exception("matching or digest scheduling failed")
        else:
            if written:
                wake()
        await asyncio.sleep(tick)
