"""The only package with SQL: one SQLite file (WAL, foreign keys, versioned schema)."""

from bot.store.articles import ArticleQueries
from bot.store.base import StoreError


class Store(ArticleQueries):
    """All queries, by intent. Open with `await Store(path, clock).open()` or `async with`."""


__all__ = ["Store", "StoreError"]
