"""The connection: opening, pragmas, migrations. Nothing outside bot/store imports aiosqlite."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from bot.clock import Clock
from bot.store.schema import MIGRATIONS

WAL_ATTEMPTS = 20  # tries to switch a new file to WAL: about 5 s in all, like busy_timeout
WAL_RETRY_SECONDS = 0.025  # the wait after the first failed try; grows by this each time

log = logging.getLogger(__name__)


def ts(moment: dt.datetime) -> str:
    """A UTC timestamp with a fixed width, so that text order is time order in SQL."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


class StoreError(RuntimeError):
    """The database cannot be used (newer schema than this code, unreadable file)."""


class StoreFull(StoreError):
    """A write failed because the disk (or the database's size limit) is full; reads work."""


# SQLite's words for what went wrong, as an operator would put them ("file is not a database"
# is also what a truncated or overwritten file gives).
_CAUSES = {
    sqlite3.SQLITE_CANTOPEN: "cannot open the file (a folder, or a folder without access?)",
    sqlite3.SQLITE_READONLY: "read-only (file or folder not writable)",
    sqlite3.SQLITE_NOTADB: "not an SQLite database (or a truncated one)",
    sqlite3.SQLITE_CORRUPT: "the database file is damaged (truncated or overwritten)",
    sqlite3.SQLITE_FULL: "the disk is full",
    sqlite3.SQLITE_IOERR: "input/output error",
    sqlite3.SQLITE_PERM: "permission denied",
}


def describe_fault(path: Path, exc: BaseException) -> str:
    """One line naming the database file and the cause of an SQLite or OS error."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    cause = _CAUSES.get(primary, "") if primary is not None else ""
    if isinstance(exc, OSError):
        cause = exc.strerror or str(exc)
    detail = str(exc)
    return f"database {path}: {cause} ({detail})" if cause else f"database {path}: {detail}"


class BaseStore:
    """Owns one aiosqlite connection; query mixins use `self.db` and `self.clock`."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self._db: aiosqlite.Connection | None = None
        # Handlers, the rescan and the sender share this connection: without the lock a second
        # BEGIN fails, and one task's statement would join (and roll back with) another's.
        self._write_lock = asyncio.Lock()
        self._full = False  # the last write failed for lack of space (logged once)
        self._ready = False  # opened and migrated

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError("store is not open")
        return self._db

    async def open(self) -> Self:
        """Open (creating folders), set pragmas and bring the schema up to date.

        Any fault (not a database, truncated, a folder, read-only, disk full) is a StoreError
        with one line naming the file and the cause; the connection is closed first, or its
        thread would outlive the event loop ("Event loop is closed" at exit).
        """
        try:
            await self._open()
        except BaseException as exc:
            await self.close()
            if isinstance(exc, sqlite3.Error | OSError):
                raise StoreError(describe_fault(self.path, exc)) from exc
            raise
        return self

    async def _open(self) -> None:
        if str(self.path) != ":memory:":
            if self.path.is_dir():
                raise StoreError(f"database {self.path}: is a folder, not a database file")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a write is one transaction.
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        self._db.row_factory = aiosqlite.Row
        # Wait for a concurrent writer instead of failing at once with "database is locked";
        # first, so that two processes creating the file wait on each other from here on.
        await self._db.execute("PRAGMA busy_timeout=5000")
        # WAL lets a bot and `python -m bot ingest` use one file: readers never block the writer.
        await self._wal()
        await self._db.execute("PRAGMA foreign_keys=ON")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._migrate()
        self._ready = True

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            with contextlib.suppress(sqlite3.Error):  # closing a file that failed to open
                await db.close()

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
            with self._faults():
                await self.db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    await self.db.execute("COMMIT")
                except BaseException:
                    # SQLite may have rolled back already (SQLITE_FULL does): a second
                    # ROLLBACK would fail and hide the error that matters.
                    if self.db.in_transaction:
                        await self.db.execute("ROLLBACK")
                    raise

    async def write(self, sql: str, params: Sequence[object] = ()) -> None:
        """One statement committed on its own, never inside another task's transaction."""
        async with self._write_lock:
            with self._faults():
                await self.db.execute(sql, params)

    @contextlib.contextmanager
    def _faults(self) -> Iterator[None]:
        """A full disk stops writes with one logged line (once) and StoreFull; reads go on,
        and the first write that succeeds again logs that writes resumed."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) != sqlite3.SQLITE_FULL:
                raise
            if not self._full and self._ready:  # at open, the caller reports it (one line)
                self._full = True
                log.error("database %s is full: writes stop until space is freed", self.path)
            raise StoreFull(describe_fault(self.path, exc)) from exc
        if self._full:
            self._full = False
            log.warning("database %s: writes resumed", self.path)

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _wal(self) -> None:
        # Switching a new file to WAL takes an exclusive lock, and SQLite answers "database is
        # locked" at once when another connection holds it, busy_timeout or not: seen in 1 of
        # 12 first opens of one new file by four connections on a loaded machine. Retry.
        for attempt in range(WAL_ATTEMPTS):
            try:
                await self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                    raise
            await asyncio.sleep(WAL_RETRY_SECONDS * (attempt + 1))

    async def _migrate(self) -> None:
        while True:
            # The version is read inside the write transaction (BEGIN IMMEDIATE holds the write
            # lock): two processes creating one file never both run a step ("table articles
            # already exists"); the second sees the first's version and has nothing to do.
            async with self.transaction():
                current = await self.schema_version()
                if current > len(MIGRATIONS):
                    raise StoreError(
                        f"{self.path}: schema version {current} is newer than this code "
                        f"({len(MIGRATIONS)}); refusing to touch it"
                    )
                if current == len(MIGRATIONS):
                    return
                version = current + 1
                # executescript would COMMIT first: run statement by statement in this one.
                for statement in _split_sql(MIGRATIONS[current]):
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
