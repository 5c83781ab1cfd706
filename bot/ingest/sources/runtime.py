"""Wiring of the live sources for the CLI and run mode: settings -> fetcher -> poller."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from bot.clock import Clock
from bot.config import Settings
from bot.ingest.pipeline import Ingestor
from bot.ingest.sources.config import Source, load_sources
from bot.ingest.sources.fetch import Fetcher, user_agent
from bot.ingest.sources.poller import Poller
from bot.store import Store

log = logging.getLogger(__name__)
MAX_TICK = 60.0  # seconds between two looks at the schedule


def make_fetcher(settings: Settings, clock: Clock) -> Fetcher:
    return Fetcher(
        allow_private=settings.sources_allow_private_hosts,
        host_delay=settings.sources_host_delay,
        user_agent=user_agent(settings.sources_contact_url),
        clock=clock,
    )


@asynccontextmanager
async def live_sources(
    settings: Settings,
    store: Store,
    ingestor: Ingestor,
    clock: Clock,
    sources: Sequence[Source] | None = None,
) -> AsyncIterator[Poller]:
    """A poller over `sources` (default: read from SOURCES_FILE or the packaged list) with
    its own HTTP session."""
    sources = tuple(sources) if sources is not None else load_sources(settings.sources_file)
    async with make_fetcher(settings, clock) as fetcher:
        yield Poller(
            store, ingestor, fetcher, sources, clock, poll_seconds=settings.sources_poll_seconds
        )


async def poll_forever(poller: Poller, tick: float) -> None:
    """Run mode: poll the sources that are due, forever; failures are logged per source."""
    while True:
        try:
            await poller.poll_due()
        except Exception:  # a bug in one pass must not stop the bot; the next pass retries
            log.exception("polling the live sources failed")
        await asyncio.sleep(min(tick, MAX_TICK))
