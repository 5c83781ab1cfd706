"""Article reads kept in memory until the articles change (in this process or another)."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

CACHE_SIZE = 128  # distinct reads kept (an /article entry holds a full text: tens of KB)

P = ParamSpec("P")
T = TypeVar("T")
Generation = tuple[int, int]


class ReadCache:
    """Results keyed by (method, arguments), valid for one generation of the articles.

    A generation is (article writes through our connection, the `article_generation` row that
    triggers on `articles` bump for every connection, `python -m bot ingest` included). The
    counter also covers a write rolled back after our reads saw it. Outbox and subscription
    writes change neither, so a delivery burst keeps the cache. Cached values are shared:
    callers must not mutate them.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.writes = 0
        self.hits = 0  # for tests and benchmarks
        self._generation: Generation | None = None
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    def bump(self) -> None:
        """An article write through our connection ended (committed or rolled back)."""
        self.writes += 1

    def get(self, generation: Generation, key: Hashable) -> tuple[bool, Any]:
        """(True, value) on a hit; a new generation empties the cache first."""
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
            return False, None
        if key not in self._entries:
            return False, None
        self._entries.move_to_end(key)
        self.hits += 1
        return True, self._entries[key]

    def put(self, generation: Generation, key: Hashable, value: Any) -> None:
        """Keep a value read in `generation`; dropped if the articles changed meanwhile."""
        if generation != self._generation:
            return
        self._entries[key] = value
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)


class CachedReads(Protocol):
    async def read_generation(self) -> Generation: ...

    @property
    def read_cache(self) -> ReadCache: ...


S = TypeVar("S", bound=CachedReads)


def cached(
    method: Callable[Concatenate[S, P], Awaitable[T]],
) -> Callable[Concatenate[S, P], Awaitable[T]]:
    """Read-through: one trip for the generation on a hit instead of the query itself."""

    @functools.wraps(method)
    async def read_through(self: S, *args: P.args, **kwargs: P.kwargs) -> T:
        key = (method.__name__, args, tuple(sorted(kwargs.items())))
        generation = await self.read_generation()
        hit, value = self.read_cache.get(generation, key)
        if hit:
            return value
        value = await method(self, *args, **kwargs)
        self.read_cache.put(generation, key, value)
        return value

    return read_through
