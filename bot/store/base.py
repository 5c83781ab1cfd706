"""The connection: opening, pragmas, migrations. Nothing outside bot/store imports aiosqlite."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from bot.clock import Clock
from bot.store.schema import MIGRATIONS

log = logging.getLogger(__name__)


def ts(moment: dt.datetime) -> str:
    """A UTC timestamp with a fixed width, so that text order is time order in SQL."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


class StoreError(RuntimeError):
    """The database cannot be used (newer schema than this code, unreadable file)."""


class BaseStore:
    """Owns one aiosqlite connection; query mixins use `self.db` and `self.clock`."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self._db: aiosqlite.Connection | None = None
        # Handlers, the rescan and the sender share this connection: without the lock a second
        # BEGIN fails, and one task's statement would join (and roll back with) another's.
        self._write_lock = asyncio.Lock()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError("store is not open")
        return self._db

    async def open(self) -> Self:
        """Open (creating folders), set pragmas and bring the schema up to date."""
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a write is one transaction.
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        self._db.row_factory = aiosqlite.Row
        # WAL lets a bot and `python -m bot ingest` use one file: readers never block the writer.
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        # Wait for a concurrent writer instead of failing at once with "database is locked".
        await self._db.execute("PRAGMA busy_timeout=5000")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        try:
            await self._migrate()
        except BaseException:
            await self.close()
            raise
        return self

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One write transaction at a time on this connection; rolled back on any error."""
        async with self._write_lock:
            # IMMEDIATE takes the write lock up front: another process (an ingest) makes us
            # wait busy_timeout instead of failing half-way through.
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    async def write(self, sql: str, params: Sequence[object] = ()) -> None:
        """One statement committed on its own, never inside another task's transaction."""
        async with self._write_lock:
            await self.db.execute(sql, params)

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: schema version {current} is newer than this code "
                f"({len(MIGRATIONS)}); refusing to touch it"
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            # executescript would COMMIT first; run statement by statement inside one transaction.
            async with self.transaction():
                for statement in _split_sql(script):
                    await self.db.execute(statement)
                await self.db.execute(f"PRAGMA user_version={version}")
            log.info("database %s migrated to schema version %d", self.path, version)


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
