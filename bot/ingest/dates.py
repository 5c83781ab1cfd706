"""Publication dates a reader can trust: not after tomorrow, not before 1990."""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.date(1990, 1, 1)  # older "news" is a typo (1900) or an archive, not a briefing
LEEWAY = dt.timedelta(days=1)  # tomorrow is fine: east of us it may already be


def published_problem(published: dt.date, today: dt.date) -> str | None:
    """Why this publication date is not believable today (one log line), or None.

    Files with such a date are refused; a live source replaces it by the fetch date.
    """
    if published > today + LEEWAY:
        return f"publication date {published.isoformat()} is in the future (today is {today})"
    if published < EARLIEST:
        return f"publication date {published.isoformat()} is before {EARLIEST.year}"
    return None
