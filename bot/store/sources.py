"""Live sources: poll state per source, feed entries seen, where fetched articles came from."""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiosqlite

from bot.models import Origin, SeenItem, SourceState
from bot.store.base import BaseStore, ts

_STATE_COLUMNS = (
    "id, url, file_url, etag, last_modified, next_check_at, error_count, last_error,"
    " failing_since, last_ok_at, checked_at, disabled"
)


def _moment(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _state(row: aiosqlite.Row) -> SourceState:
    return SourceState(
        id=row["id"],
        url=row["url"],
        file_url=row["file_url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        next_check_at=_moment(row["next_check_at"]),
        error_count=row["error_count"],
        last_error=row["last_error"],
        failing_since=_moment(row["failing_since"]),
        last_ok_at=_moment(row["last_ok_at"]),
        checked_at=_moment(row["checked_at"]),
        disabled=row["disabled"],
    )


def _opt(moment: dt.datetime | None) -> str | None:
    return ts(moment) if moment else None


class SourceQueries(BaseStore):
    """One row per source, one per feed entry seen, one per fetched article."""

    async def source_states(self) -> dict[str, SourceState]:
        rows = await self.db.execute_fetchall(f"SELECT {_STATE_COLUMNS} FROM sources")
        return {row["id"]: _state(row) for row in rows}

    async def source_state(self, source_id: str, file_url: str) -> SourceState:
        """The state of a source, created on first use. When the sources file now gives
        another address than it did, the file wins over an earlier redirect."""
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO sources (id, url, file_url) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET url = excluded.url, file_url = excluded.file_url,"
                " etag = NULL, last_modified = NULL, disabled = NULL"
                " WHERE sources.file_url <> excluded.file_url",
                (source_id, file_url, file_url),
            )
            rows = list(
                await self.db.execute_fetchall(
                    f"SELECT {_STATE_COLUMNS} FROM sources WHERE id = ?", (source_id,)
                )
            )
        return _state(rows[0])

    async def save_source_state(self, state: SourceState) -> None:
        await self.write(
            "UPDATE sources SET url = ?, etag = ?, last_modified = ?, next_check_at = ?,"
            " error_count = ?, last_error = ?, failing_since = ?, last_ok_at = ?,"
            " checked_at = ?, disabled = ? WHERE id = ?",
            (
                state.url,
                state.etag,
                state.last_modified,
                _opt(state.next_check_at),
                state.error_count,
                state.last_error,
                _opt(state.failing_since),
                _opt(state.last_ok_at),
                _opt(state.checked_at),
                state.disabled,
                state.id,
            ),
        )

    async def seen_items(self, source_id: str) -> dict[str, SeenItem]:
        """Feed entries of a source met before, by link key."""
        rows = await self.db.execute_fetchall(
            "SELECT link, fingerprint, article_id, etag, last_modified, errors"
            " FROM source_items WHERE source_id = ?",
            (source_id,),
        )
        return {
            row["link"]: SeenItem(
                fingerprint=row["fingerprint"],
                article_id=row["article_id"],
                etag=row["etag"],
                last_modified=row["last_modified"],
                errors=row["errors"],
            )
            for row in rows
        }

    async def article_for_link(self, link: str) -> int | None:
        """The article any source already made of this link key, if one did."""
        rows = list(
            await self.db.execute_fetchall(
                "SELECT article_id FROM source_items WHERE link = ? AND article_id IS NOT NULL"
                " LIMIT 1",
                (link,),
            )
        )
        return int(rows[0][0]) if rows else None

    async def remember_item(
        self,
        source_id: str,
        link: str,
        fingerprint: str,
        *,
        article_id: int | None,
        etag: str | None = None,
        last_modified: str | None = None,
        failed: bool = False,
    ) -> None:
        """Record a feed entry as handled (or as failed once more, for a later retry)."""
        await self.write(
            "INSERT INTO source_items (source_id, link, fingerprint, article_id, etag,"
            " last_modified, errors, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(source_id, link) DO UPDATE SET"
            " errors = CASE WHEN excluded.errors = 0 THEN 0"
            "   WHEN source_items.fingerprint = excluded.fingerprint THEN source_items.errors + 1"
            "   ELSE 1 END,"
            " fingerprint = excluded.fingerprint,"
            " article_id = coalesce(excluded.article_id, source_items.article_id),"
            " etag = coalesce(excluded.etag, source_items.etag),"
            " last_modified = coalesce(excluded.last_modified, source_items.last_modified),"
            " seen_at = excluded.seen_at",
            (
                source_id,
                link,
                fingerprint,
                article_id,
                etag,
                last_modified,
                1 if failed else 0,
                ts(self.clock()),
            ),
        )

    async def record_origin(self, article_id: int, origin: Origin) -> None:
        """Where a fetched article came from; the latest fetch of it wins."""
        await self.write(
            "INSERT INTO article_origins (article_id, source_id, original_url, canonical_url,"
            " fetched_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE SET"
            " source_id = excluded.source_id, original_url = excluded.original_url,"
            " canonical_url = excluded.canonical_url, fetched_at = excluded.fetched_at",
            (
                article_id,
                origin.source_id,
                origin.original_url,
                origin.canonical_url,
                ts(origin.fetched_at),
            ),
        )

    async def article_origin(self, article_id: int) -> Origin | None:
        rows: Any = await self.db.execute_fetchall(
            "SELECT source_id, original_url, canonical_url, fetched_at FROM article_origins"
            " WHERE article_id = ?",
            (article_id,),
        )
        for row in rows:
            return Origin(
                source_id=row["source_id"],
                original_url=row["original_url"],
                canonical_url=row["canonical_url"],
                fetched_at=dt.datetime.fromisoformat(row["fetched_at"]),
            )
        return None

    async def fetched_counts(self) -> dict[str, int]:
        """Stored articles per source id (fetched ones only)."""
        rows = await self.db.execute_fetchall(
            "SELECT source_id, count(*) FROM article_origins GROUP BY source_id"
        )
        return {row[0]: int(row[1]) for row in rows}
