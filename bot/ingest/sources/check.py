"""`python -m bot sources check`: probe each source once and say what answered."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.ingest.sources.config import Source
from bot.ingest.sources.feeds import FeedError, looks_like_html
from bot.ingest.sources.fetch import FEED_CAP, Fetcher, FetchError
from bot.ingest.sources.poller import FEED_ACCEPT, _parse_items


def _age(newest: dt.date, today: dt.date) -> str:
    days = (today - newest).days
    return "today" if days <= 0 else f"{days} d old"


async def probe(fetcher: Fetcher, source: Source, today: dt.date) -> str:  # noqa: PLR0911 - one return per verdict
    """One line: feed (items, newest item's age), HTML where a feed was expected, dead,
    blocked, timed out."""
    try:
        fetched = await fetcher.get(source.url, cap=FEED_CAP, accept=FEED_ACCEPT)
    except FetchError as exc:
        if exc.kind == "timeout":
            return f"timed out ({exc})"
        if exc.kind == "refused":
            return f"refused: {exc}"
        return f"dead: {exc}"
    moved = f" (moved to {fetched.moved_to})" if fetched.moved_to else ""
    if fetched.status in (401, 403, 429):
        return f"blocked: HTTP {fetched.status}{moved}"
    if fetched.status != 200:
        return f"dead: HTTP {fetched.status}{moved}"
    if source.is_feed and looks_like_html(fetched.body):
        return f"HTML where a feed was expected{moved}"
    try:
        items = await asyncio.to_thread(_parse_items, source, fetched)
    except FeedError as exc:
        return f"broken: {exc}{moved}"
    what = "feed" if source.is_feed else source.kind
    dates = [i.published for i in items if i.published]
    newest = f", newest {_age(max(dates), today)}" if dates else ", no dates"
    return f"{what}: {len(items)} items{newest}{moved}"
