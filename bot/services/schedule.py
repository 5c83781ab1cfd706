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


def occurrence_on(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The moment (UTC) when local time in tz reads `at` on `day`."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)


def previous_occurrence(at: dt.time, tz: ZoneInfo, until: dt.datetime) -> dt.datetime:
    """The last moment at or before `until` when local time in tz reads `at` (UTC).

    Days are counted on the local calendar, not as 24 hours: around a DST change the
    previous 09:00 is 23 or 25 hours back.
    """
    day = until.astimezone(tz).date()
    candidate = occurrence_on(day, at, tz)
    return candidate if candidate <= until else occurrence_on(day - DAY, at, tz)


def digest_end(sub: Subscription, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The end of the digest window due now: after downtime, only the latest missed one."""
    return max(sub.next_digest_at, previous_occurrence(sub.digest_time, tz, now))


def digest_start(sub: Subscription, tz: ZoneInfo, end: dt.datetime) -> dt.datetime:
    """The start of the window ending at `end`: the digest time one local day before, but
    never before the end of the last digest written (a time changed on the same day does not
    repeat the morning's articles)."""
    start = occurrence_on(end.astimezone(tz).date() - DAY, sub.digest_time, tz)
    return max(start, sub.digest_from) if sub.digest_from else start


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
