"""Chats, their subscriptions and the delivery outbox: every write is one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import aiosqlite

from bot.models import Delivery, NewDelivery, Subscription
from bot.store.base import BaseStore

SUBSCRIPTION_COLUMNS = (
    "s.id, s.chat_id, c.type AS chat_type, s.theme, s.thread_id, s.digest_time,"
    " s.next_digest_at, c.paused_at IS NOT NULL AS paused"
)
DELIVERY_COLUMNS = "id, kind, chat_id, thread_id, text, attempts"


@dataclass
class DeliveryStats:
    """What `python -m bot status` shows about subscriptions and the outbox."""

    subscriptions: dict[str, dict[str, int]] = field(default_factory=dict)  # type -> state -> n
    outbox: dict[str, int] = field(default_factory=dict)
    last_errors: list[tuple[str, int, str, str]] = field(default_factory=list)


def ts(moment: dt.datetime) -> str:
    """A UTC timestamp with a fixed width, so that text order is time order in SQL."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


class SubscriptionQueries(BaseStore):
    """Subscriptions per chat, pausing and migrating chats, the outbox the sender drains."""

    async def upsert_subscription(
        self,
        *,
        chat_id: int,
        chat_type: str,
        title: str | None,
        theme: str | None,
        thread_id: int | None,
        digest_time: dt.time,
        next_digest_at: dt.datetime,
    ) -> tuple[Subscription, bool]:
        """Create or update (same chat and theme) a subscription; True when it is new."""
        now = ts(self.clock())
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO chats (id, type, title, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET type = excluded.type, title = excluded.title",
                (chat_id, chat_type, title, now),
            )
            async with self.db.execute(
                "SELECT 1 FROM subscriptions WHERE chat_id = ? AND theme = ?",
                (chat_id, theme or ""),
            ) as cursor:
                created = await cursor.fetchone() is None
            # Upsert: a second /subscribe to the same theme moves its thread and digest time.
            await self.db.execute(
                "INSERT INTO subscriptions (chat_id, theme, thread_id, digest_time,"
                " next_digest_at, after_article_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, (SELECT coalesce(max(id), 0) FROM articles), ?, ?)"
                " ON CONFLICT(chat_id, theme) DO UPDATE SET thread_id = excluded.thread_id,"
                " digest_time = excluded.digest_time, next_digest_at = excluded.next_digest_at,"
                " updated_at = excluded.updated_at",
                (
                    chat_id,
                    theme or "",
                    thread_id,
                    digest_time.strftime("%H:%M"),
                    ts(next_digest_at),
                    now,
                    now,
                ),
            )
        subscriptions = await self.chat_subscriptions(chat_id)
        return next(s for s in subscriptions if s.theme == theme), created

    async def chat_subscriptions(self, chat_id: int) -> list[Subscription]:
        """The chat's subscriptions: every article first, then themes by name."""
        return await self._subscriptions(
            "WHERE s.chat_id = ? ORDER BY s.theme != '', s.theme", (chat_id,)
        )

    async def remove_subscriptions(self, chat_id: int, themes: Sequence[str | None] | None) -> int:
        """Delete these subscriptions (None: all of the chat's) and cancel what they had queued."""
        where = "chat_id = ?"
        params: list[object] = [chat_id]
        if themes is not None:
            where += f" AND theme IN ({','.join('?' * len(themes))})"
            params += [theme or "" for theme in themes]
        ids = f"SELECT id FROM subscriptions WHERE {where}"
        async with self.transaction():
            await self.db.execute(
                "UPDATE outbox SET state = 'cancelled', finished_at = ?,"
                " last_error = 'unsubscribed'"
                f" WHERE state = 'pending' AND subscription_id IN ({ids})",
                [ts(self.clock()), *params],
            )
            cursor = await self.db.execute(
                f"DELETE FROM subscriptions WHERE {where}",
                params,
            )
            return cursor.rowcount

    async def chat_pause(self, chat_id: int) -> tuple[dt.datetime, str] | None:
        """(since, reason) when deliveries to this chat are paused."""
        async with self.db.execute(
            "SELECT paused_at, paused_reason FROM chats WHERE id = ? AND paused_at IS NOT NULL",
            (chat_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return (dt.datetime.fromisoformat(row[0]), str(row[1])) if row else None

    async def pause_chat(self, chat_id: int, reason: str) -> bool:
        """Stop deliveries to a chat, keeping its subscriptions; True if it was active."""
        now = ts(self.clock())
        async with self.transaction():
            cursor = await self.db.execute(
                "UPDATE chats SET paused_at = ?, paused_reason = ?"
                " WHERE id = ? AND paused_at IS NULL",
                (now, reason, chat_id),
            )
            paused = cursor.rowcount > 0
            # What was queued is not sent later as a flood: resuming reports how much was missed.
            await self.db.execute(
                "UPDATE outbox SET state = 'skipped', finished_at = ?, last_error = ?"
                " WHERE chat_id = ? AND state = 'pending'",
                (now, f"chat paused: {reason}", chat_id),
            )
        return paused

    async def resume_chat(self, chat_id: int, next_digests: Mapping[int, dt.datetime]) -> int:
        """Resume a paused chat; returns how many articles it missed meanwhile."""
        async with self.transaction():
            async with self.db.execute(
                "SELECT count(DISTINCT o.article_id) FROM outbox o"
                " JOIN chats c ON c.id = o.chat_id"
                " WHERE o.chat_id = ? AND o.kind = 'alert' AND o.state = 'skipped'"
                " AND o.finished_at >= c.paused_at",
                (chat_id,),
            ) as cursor:
                row = await cursor.fetchone()
            missed = int(row[0]) if row else 0
            await self.db.execute(
                "UPDATE chats SET paused_at = NULL, paused_reason = NULL WHERE id = ?", (chat_id,)
            )
            await self.db.executemany(
                "UPDATE subscriptions SET next_digest_at = ? WHERE id = ?",
                [(ts(moment), sub_id) for sub_id, moment in next_digests.items()],
            )
        return missed

    async def migrate_chat(self, old_id: int, new_id: int) -> bool:
        """Move a group's subscriptions and pending deliveries to its supergroup id."""
        async with self.transaction():
            async with self.db.execute("SELECT 1 FROM chats WHERE id = ?", (new_id,)) as cursor:
                target_exists = await cursor.fetchone() is not None
            if target_exists:  # the supergroup subscribed on its own: its own rows win
                await self.db.execute(
                    "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE chat_id = ?",
                    (new_id, old_id),
                )
                cursor = await self.db.execute("DELETE FROM chats WHERE id = ?", (old_id,))
            else:  # ON UPDATE CASCADE carries the subscriptions along
                cursor = await self.db.execute(
                    "UPDATE chats SET id = ?, type = 'supergroup' WHERE id = ?", (new_id, old_id)
                )
            moved = cursor.rowcount > 0
            await self.db.execute(
                "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND state = 'pending'",
                (new_id, old_id),
            )
        return moved

    async def unmatched_articles(self) -> list[int]:
        """Articles not yet matched to subscriptions, oldest first (the partial index)."""
        async with self.db.execute(
            "SELECT id FROM articles WHERE matched_at IS NULL ORDER BY id"
        ) as cursor:
            return [int(row[0]) async for row in cursor]

    async def subscriptions_for_article(self, article_id: int) -> list[Subscription]:
        """Subscriptions an article reaches: newer than them, on their theme (or all)."""
        return await self._subscriptions(
            "WHERE s.after_article_id < ? AND (s.theme = '' OR s.theme IN"
            " (SELECT theme FROM article_themes WHERE article_id = ?)) ORDER BY s.id",
            (article_id, article_id),
        )

    async def due_digests(self, now: dt.datetime) -> list[Subscription]:
        """Subscriptions of active chats whose digest time has come."""
        return await self._subscriptions(
            "WHERE s.next_digest_at <= ? AND c.paused_at IS NULL ORDER BY s.next_digest_at, s.id",
            (ts(now),),
        )

    async def articles_added(
        self, start: dt.datetime, stop: dt.datetime, theme: str | None
    ) -> list[int]:
        """Ids of articles added in [start, stop), optionally on a theme, oldest first."""
        # julianday() compares instants, whatever the precision each timestamp was written with.
        sql = (
            "SELECT id FROM articles WHERE julianday(added_at) >= julianday(?)"
            " AND julianday(added_at) < julianday(?)"
        )
        params: list[object] = [ts(start), ts(stop)]
        if theme is not None:
            sql += " AND id IN (SELECT article_id FROM article_themes WHERE theme = ?)"
            params.append(theme)
        async with self.db.execute(sql + " ORDER BY id", params) as cursor:
            return [int(row[0]) async for row in cursor]

    async def enqueue_deliveries(
        self,
        deliveries: Sequence[NewDelivery],
        *,
        matched_article: int | None = None,
        next_digests: Mapping[int, dt.datetime] | None = None,
    ) -> int:
        """Write outbox rows (skipped for paused chats) and what produced them, atomically.

        Marking the article matched and moving digest times happen in the same transaction,
        so a crash either leaves both undone (and they are redone) or both done.
        """
        now = ts(self.clock())
        async with self.transaction():
            before = self.db.total_changes
            # ON CONFLICT(dedup_key) DO NOTHING: a redone step never duplicates a delivery.
            await self.db.executemany(
                "INSERT INTO outbox (dedup_key, kind, chat_id, thread_id, subscription_id,"
                " article_id, text, state, next_attempt_at, created_at, finished_at, last_error)"
                " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                " iif(c.paused_at IS NULL, 'pending', 'skipped'),"
                " ?8, ?8, iif(c.paused_at IS NULL, NULL, ?8),"
                " iif(c.paused_at IS NULL, NULL, 'chat paused: ' || c.paused_reason)"
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
                    )
                    for d in deliveries
                ],
            )
            written = self.db.total_changes - before
            if matched_article is not None:
                await self.db.execute(
                    "UPDATE articles SET matched_at = ? WHERE id = ? AND matched_at IS NULL",
                    (now, matched_article),
                )
            await self.db.executemany(
                "UPDATE subscriptions SET next_digest_at = ? WHERE id = ?",
                [(ts(moment), sub_id) for sub_id, moment in (next_digests or {}).items()],
            )
        return written

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

    async def mark_sent(self, delivery_id: int) -> None:
        """Telegram accepted it: never send it again."""
        await self.write(
            "UPDATE outbox SET state = 'sent', attempts = attempts + 1, finished_at = ?,"
            " last_error = NULL WHERE id = ?",
            (ts(self.clock()), delivery_id),
        )

    async def mark_retry(
        self, delivery_id: int, *, at: dt.datetime, error: str, attempt: bool = True
    ) -> None:
        """Try again at `at`; `attempt=False` for waits Telegram asked for (429, migration)."""
        await self.write(
            "UPDATE outbox SET attempts = attempts + ?, next_attempt_at = ?, last_error = ?"
            " WHERE id = ? AND state = 'pending'",
            (int(attempt), ts(at), error, delivery_id),
        )

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        """Give up on a delivery, keeping the reason for logs and `status`."""
        await self.write(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, finished_at = ?,"
            " last_error = ? WHERE id = ? AND state = 'pending'",
            (ts(self.clock()), error, delivery_id),
        )

    async def clear_delivery_thread(self, delivery_id: int) -> None:
        """The forum topic is gone: deliver to the chat's general thread instead."""
        await self.write("UPDATE outbox SET thread_id = NULL WHERE id = ?", (delivery_id,))

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

    async def _subscriptions(self, where: str, params: Sequence[object]) -> list[Subscription]:
        async with self.db.execute(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s"
            f" JOIN chats c ON c.id = s.chat_id {where}",
            params,
        ) as cursor:
            return [_subscription(row) async for row in cursor]


def _subscription(row: aiosqlite.Row) -> Subscription:
    return Subscription(
        id=row["id"],
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        theme=row["theme"] or None,
        thread_id=row["thread_id"],
        digest_time=dt.time.fromisoformat(row["digest_time"]),
        next_digest_at=dt.datetime.fromisoformat(row["next_digest_at"]),
        paused=bool(row["paused"]),
    )


def _delivery(row: aiosqlite.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        kind=row["kind"],
        chat_id=row["chat_id"],
        thread_id=row["thread_id"],
        text=row["text"],
        attempts=row["attempts"],
    )
