"""Time comes from a clock passed in, so tests can drive it (no datetime.now() in the core)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The real time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that moves only when told to (tests, benchmarks, console replays)."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta given as keywords: advance(minutes=5)."""
        self.now += dt.timedelta(**delta)
