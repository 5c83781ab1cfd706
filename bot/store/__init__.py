"""The only package with SQL: one SQLite file (WAL, foreign keys, versioned schema)."""

from bot.store.base import StoreError, StoreFull
from bot.store.noise import NoiseQueries
from bot.store.outbox import DeliveryStats, OutboxQueries
from bot.store.search import SearchQueries
from bot.store.sources import SourceQueries
from bot.store.stories import StoryQueries
from bot.store.subscriptions import SubscriptionQueries


class Store(
    StoryQueries,
    SearchQueries,
    SubscriptionQueries,
    OutboxQueries,
    SourceQueries,
    NoiseQueries,
):
    """All queries, by intent. Open with `await Store(path, clock).open()` or `async with`."""


__all__ = ["DeliveryStats", "Store", "StoreError", "StoreFull"]
