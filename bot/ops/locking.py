"""One delivering process per database and per bot token, enforced with OS file locks.

Two bots draining one outbox would send every message twice; two processes polling with one
token fight over getUpdates. `flock` locks die with their process, so a crash (even kill -9)
never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, Self


class AlreadyRunning(RuntimeError):
    """Another process holds the lock; the message says which file and which pid."""


def instance_lock(db_path: Path, token: str | None) -> InstanceLock:
    """Locks `DB_PATH.lock`, and a temp-dir file named by a hash of the token (never the token)."""
    locks = [(db_path.with_name(db_path.name + ".lock"), f"database {db_path}")]
    if token:
        digest = hashlib.sha256(token.encode()).hexdigest()[:16]
        locks.append((Path(tempfile.gettempdir()) / f"dipbrief-{digest}.lock", "bot token"))
    return InstanceLock(locks)


class InstanceLock:
    """Holds exclusive locks on files for as long as the process keeps it."""

    def __init__(self, locks: list[tuple[Path, str]]) -> None:
        self.locks = locks  # (lock file, what it protects: for the message)
        self._files: list[IO[str]] = []

    def acquire(self) -> Self:
        """Take every lock or none; AlreadyRunning names the holder."""
        try:
            for path, what in self.locks:
                self._files.append(_lock(path, what))
        except AlreadyRunning:
            self.release()
            raise
        return self

    def release(self) -> None:
        for file in self._files:
            fcntl.flock(file, fcntl.LOCK_UN)
            file.close()
        self._files.clear()

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _lock(path: Path, what: str) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    file = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        file.seek(0)
        holder = file.read().strip() or "unknown"
        file.close()
        raise AlreadyRunning(
            f"another bot process (pid {holder}) is already running with this {what} "
            f"(lock file {path}). Only one process may deliver, or chats would get every "
            "message twice: stop the other one first."
        ) from None
    file.seek(0)
    file.truncate()
    file.write(str(os.getpid()))
    file.flush()
    return file
