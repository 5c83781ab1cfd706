"""The delivery outbox: rows written before a send, marked once Telegram accepted them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import aiosqlite

from bot.logs import redact
from bot.models import Delivery, NewDelivery, Subscription
from bot.store.base import BaseStore, ts

DELIVERY_COLUMNS = "id, kind, chat_id, thread_id, text, attempts"


@dataclass
class DeliveryStats:
    """What `python -m bot status` shows about subscriptions and the outbox."""

    subscriptions: dict[str, dict[str, int]] = field(default_factory=dict)  # type -> state -> n
    outbox: dict[str, int] = field(default_factory=dict)
    last_errors: list[tuple[str, int, str, str]] = field(default_factory=list)


class OutboxQueries(BaseStore):
    """Enqueueing deliveries atomically with what produced them; the sender's bookkeeping."""

    async def enqueue_deliveries(
        self,
        deliveries: Sequence[NewDelivery],
        *,
        matched_article: int | None = None,
        matched_articles: Sequence[int] = (),
        next_digests: Mapping[int, dt.datetime] | None = None,
    ) -> int:
        """Write outbox rows (skipped for paused chats) and what produced them, atomically.

        Marking articles matched and moving digest times happen in the same transaction,
        so a crash either leaves both undone (and they are redone) or both done.
        """
        matched = [*matched_articles, *([matched_article] if matched_article is not None else [])]
        async with self.transaction():
            written = await self._insert_deliveries(deliveries)
            now = ts(self.clock())
            await self.db.executemany(
                "UPDATE articles SET matched_at = ? WHERE id = ? AND matched_at IS NULL",
                [(now, article_id) for article_id in matched],
            )
            await self.db.executemany(
                "UPDATE subscriptions SET next_digest_at = ? WHERE id = ?",
                [(ts(moment), sub_id) for sub_id, moment in (next_digests or {}).items()],
            )
        return written

    async def enqueue_digest(
        self,
        subscription: Subscription,
        deliveries: Sequence[NewDelivery],
        *,
        window_end: dt.datetime,
        next_at: dt.datetime,
    ) -> int | None:
        """Write one digest and move its subscription on, if nobody changed it meanwhile.

        Compare-and-set on the digest time and next_digest_at read before rendering: a
        /subscribe (this process or another) that moved the time wins, and this digest is not
        written (None); the next tick schedules by the new time.
        """
        async with self.transaction():
            cursor = await self.db.execute(
                "UPDATE subscriptions SET next_digest_at = ?, digest_from = ?"
                " WHERE id = ? AND next_digest_at = ? AND digest_time = ?",
                (
                    ts(next_at),
                    ts(window_end),
                    subscription.id,
                    ts(subscription.next_digest_at),
                    subscription.digest_time.strftime("%H:%M"),
                ),
            )
            if cursor.rowcount == 0:
                return None
            return await self._insert_deliveries(deliveries)

    async def _insert_deliveries(self, deliveries: Sequence[NewDelivery]) -> int:
        """Insert rows inside the caller's transaction; a unit already written is left out
        whole, so a redone step never sends a digest's later parts without its header."""
        units = sorted({d.unit for d in deliveries if d.unit is not None})
        existing: set[str] = set()
        if units:
            async with self.db.execute(
                f"SELECT DISTINCT unit FROM outbox WHERE unit IN ({','.join('?' * len(units))})",
                units,
            ) as cursor:
                existing = {str(row[0]) async for row in cursor}
        fresh = [d for d in deliveries if d.unit is None or d.unit not in existing]
        now = ts(self.clock())
        before = self.db.total_changes
        # ON CONFLICT(dedup_key) DO NOTHING: a redone step never duplicates a delivery.
        await self.db.executemany(
            "INSERT INTO outbox (dedup_key, kind, chat_id, thread_id, subscription_id,"
            " article_id, text, state, next_attempt_at, created_at, finished_at, last_error,"
            " unit)"
            " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7,"
            " iif(c.paused_at IS NULL, 'pending', 'skipped'),"
            " ?8, ?8, iif(c.paused_at IS NULL, NULL, ?8),"
            " iif(c.paused_at IS NULL, NULL, 'chat paused: ' || c.paused_reason), ?9"
            " FROM chats c WHERE c.id = ?3"
            " ON CONFLICT(dedup_key) DO NOTHING",
            [
                (
                    d.key,
                    d.kind,
                    d.chat_id,
                    d.thread_id,
                    d.subscription_id,
                    d.article_id,
                    d.text,
                    now,
                    d.unit,
                )
                for d in fresh
            ],
        )
        return self.db.total_changes - before

    async def due_deliveries(self, now: dt.datetime, limit: int) -> list[Delivery]:
        """Pending rows due now, at most one per chat: the oldest, so a chat's order holds."""
        async with self.db.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM outbox o"
            " WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND NOT EXISTS ("
            "  SELECT 1 FROM outbox p WHERE p.chat_id = o.chat_id AND p.state = 'pending'"
            "  AND p.id < o.id) ORDER BY o.id LIMIT ?",
            (ts(now), limit),
        ) as cursor:
            return [_delivery(row) async for row in cursor]

    async def next_delivery_at(self) -> dt.datetime | None:
        """When the earliest pending delivery becomes due."""
        async with self.db.execute(
            "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'"
        ) as cursor:
            row = await cursor.fetchone()
        return dt.datetime.fromisoformat(row[0]) if row and row[0] else None

    # Every state change names the state it expects, so a row changed meanwhile by someone
    # else (cancelled by /unsubscribe, skipped by a pause, claimed by another sender) is left
    # alone: pending -> sending (claim) -> sent | failed | skipped | pending (retry).

    async def claim_delivery(self, delivery_id: int) -> Delivery | None:
        """Take a pending row for sending; None when it is no longer pending."""
        # One UPDATE ... RETURNING: the check and the change are one statement, so two senders
        # (or a sender and /unsubscribe) cannot both win.
        rows = await self._write_returning(
            f"UPDATE outbox SET state = 'sending' WHERE id = ? AND state = 'pending'"
            f" RETURNING {DELIVERY_COLUMNS}",
            (delivery_id,),
        )
        return _delivery(rows[0]) if rows else None

    async def release_claims(self) -> int:
        """Rows a previous process was sending when it stopped go back to pending.

        Telegram may have accepted them: resending is the at-least-once duplicate the README
        allows. Only the one delivering process (the instance lock) may call this.
        """
        rows = await self._write_returning(
            "UPDATE outbox SET state = 'pending' WHERE state = 'sending' RETURNING id"
        )
        return len(rows)

    async def mark_sent(self, delivery_id: int) -> bool:
        """Telegram accepted it: never send it again. False if the row was not being sent."""
        rows = await self._write_returning(
            "UPDATE outbox SET state = 'sent', attempts = attempts + 1, finished_at = ?,"
            " last_error = NULL WHERE id = ? AND state = 'sending' RETURNING id",
            (ts(self.clock()), delivery_id),
        )
        return bool(rows)

    async def mark_retry(
        self, delivery_id: int, *, at: dt.datetime, error: str, attempt: bool = True
    ) -> None:
        """Try again at `at`; `attempt=False` for waits Telegram asked for (429, migration)."""
        await self._write_returning(
            "UPDATE outbox SET state = 'pending', attempts = attempts + ?, next_attempt_at = ?,"
            " last_error = ? WHERE id = ? AND state = 'sending'",
            # Errors can quote the request URL, token included: redacted before it is stored.
            (int(attempt), ts(at), redact(error), delivery_id),
        )

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        """Give up on a delivery, keeping the reason for logs and `status`."""
        await self._write_returning(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, finished_at = ?,"
            " last_error = ? WHERE id = ? AND state = 'sending'",
            (ts(self.clock()), redact(error), delivery_id),
        )

    async def mark_skipped(self, delivery_id: int, error: str) -> None:
        """The chat refused the row being sent (blocked, removed): kept as skipped."""
        await self._write_returning(
            "UPDATE outbox SET state = 'skipped', attempts = attempts + 1, finished_at = ?,"
            " last_error = ? WHERE id = ? AND state = 'sending'",
            (ts(self.clock()), redact(error), delivery_id),
        )

    async def clear_delivery_thread(self, delivery_id: int) -> None:
        """The forum topic is gone: deliver to the chat's general thread instead."""
        await self._write_returning(
            "UPDATE outbox SET thread_id = NULL WHERE id = ?", (delivery_id,)
        )

    async def _write_returning(
        self, sql: str, params: Sequence[object] = ()
    ) -> list[aiosqlite.Row]:
        """One UPDATE (... RETURNING) in its own write transaction; the rows it returned.

        BEGIN IMMEDIATE takes the write lock first, waiting busy_timeout for another
        connection (a second sender, an ingest). As a bare autocommit statement, an UPDATE
        that read a snapshot another connection then committed over fails at once with
        "database is locked" (SQLITE_BUSY_SNAPSHOT): the busy timeout does not apply.
        """
        async with self.transaction():
            return list(await self.db.execute_fetchall(sql, params))

    async def delivery_stats(self, errors: int = 5) -> DeliveryStats:
        """Subscriptions by chat type and state, outbox rows by state, the latest errors."""
        stats = DeliveryStats()
        async with self.db.execute(
            "SELECT c.type, iif(c.paused_at IS NULL, 'active', 'paused') AS state, count(*)"
            " FROM subscriptions s JOIN chats c ON c.id = s.chat_id GROUP BY 1, 2"
        ) as cursor:
            async for row in cursor:
                stats.subscriptions.setdefault(str(row[0]), {})[str(row[1])] = int(row[2])
        async with self.db.execute("SELECT state, count(*) FROM outbox GROUP BY state") as cursor:
            stats.outbox = {str(row[0]): int(row[1]) async for row in cursor}
        async with self.db.execute(
            "SELECT coalesce(finished_at, created_at), chat_id, state, last_error FROM outbox"
            " WHERE last_error IS NOT NULL AND state IN ('failed', 'pending')"
            " ORDER BY id DESC LIMIT ?",
            (errors,),
        ) as cursor:
            stats.last_errors = [
                (str(row[0]), int(row[1]), str(row[2]), str(row[3])) async for row in cursor
            ]
        return stats


def _delivery(row: aiosqlite.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        kind=row["kind"],
        chat_id=row["chat_id"],
        thread_id=row["thread_id"],
        text=row["text"],
        attempts=row["attempts"],
    )
