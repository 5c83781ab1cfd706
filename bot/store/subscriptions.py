"""Chats and their subscriptions: every write is one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import aiosqlite

from bot.logs import redact
from bot.models import Subscription
from bot.store.base import BaseStore, ts
from bot.store.rows import BRIEFABLE

SUBSCRIPTION_COLUMNS = (
    "s.id, s.chat_id, c.type AS chat_type, s.theme, s.thread_id, s.digest_time,"
    " s.next_digest_at, c.paused_at IS NOT NULL AS paused, s.created_at, s.digest_from, s.quiet"
)


class SubscriptionQueries(BaseStore):
    """Subscriptions per chat, pausing and migrating chats, matching new articles."""

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
        keep_time: bool = False,
    ) -> tuple[Subscription, bool]:
        """Create or update (same chat and theme) a subscription; True when it is new.

        `keep_time`: no time was asked for, so an existing subscription keeps its own (the
        given one is for a new subscription). An unchanged time keeps its next digest, even
        one due right now.
        """
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
            # Upsert: a second /subscribe to the same theme moves its thread and, when one is
            # given, its digest time. In DO UPDATE a bare column is the row's old value.
            await self.db.execute(
                "INSERT INTO subscriptions (chat_id, theme, thread_id, digest_time,"
                " next_digest_at, after_article_id, created_at, updated_at)"
                " VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(id), 0) FROM articles), ?6, ?6)"
                " ON CONFLICT(chat_id, theme) DO UPDATE SET thread_id = excluded.thread_id,"
                " digest_time = iif(?7, digest_time, excluded.digest_time),"
                " next_digest_at = iif(?7 OR digest_time = excluded.digest_time,"
                "  next_digest_at, excluded.next_digest_at),"
                " updated_at = excluded.updated_at",
                (
                    chat_id,
                    theme or "",
                    thread_id,
                    digest_time.strftime("%H:%M"),
                    ts(next_digest_at),
                    now,
                    keep_time,
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
        reason = redact(reason)  # Telegram's description, stored and shown by `status`
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
            # 'sending': the row that met the migration error is resent to the new id.
            await self.db.execute(
                "UPDATE outbox SET chat_id = ? WHERE chat_id = ?"
                " AND state IN ('pending', 'sending')",
                (new_id, old_id),
            )
        return moved

    async def unmatched_span(self) -> tuple[dt.datetime, dt.datetime] | None:
        """When the oldest and the newest unmatched article were added; None if none is."""
        async with self.db.execute(
            "SELECT min(added_at), max(added_at) FROM articles WHERE matched_at IS NULL"
        ) as cursor:
            row = await cursor.fetchone()
        if row is None or row[0] is None:
            return None
        return dt.datetime.fromisoformat(row[0]), dt.datetime.fromisoformat(row[1])

    async def unmatched_articles(self) -> list[int]:
        """Articles not yet matched to subscriptions, oldest first (the partial index)."""
        async with self.db.execute(
            "SELECT id FROM articles WHERE matched_at IS NULL ORDER BY id"
        ) as cursor:
            return [int(row[0]) async for row in cursor]

    async def subscriptions_for_article(self, article_id: int) -> list[Subscription]:
        """Subscriptions an article reaches: newer than them, on their theme (or all); none
        for an off-topic or non-Russian article."""
        return await self._subscriptions(
            "WHERE s.after_article_id < ? AND (s.theme = '' OR s.theme IN"
            " (SELECT theme FROM article_themes WHERE article_id = ?))"
            f" AND EXISTS (SELECT 1 FROM articles WHERE id = ? AND {BRIEFABLE}) ORDER BY s.id",
            (article_id, article_id, article_id),
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
        """Ids of relevant Russian articles added in [start, stop), optionally on a theme,
        China-related first, then oldest first."""
        # julianday() compares instants, whatever the precision each timestamp was written with.
        sql = (
            "SELECT id FROM articles WHERE julianday(added_at) >= julianday(?)"
            f" AND julianday(added_at) < julianday(?) AND {BRIEFABLE}"
        )
        params: list[object] = [ts(start), ts(stop)]
        if theme is not None:
            sql += " AND id IN (SELECT article_id FROM article_themes WHERE theme = ?)"
            params.append(theme)
        async with self.db.execute(sql + " ORDER BY china DESC, id", params) as cursor:
            return [int(row[0]) async for row in cursor]

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
        created_at=dt.datetime.fromisoformat(row["created_at"]),
        digest_from=dt.datetime.fromisoformat(row["digest_from"]) if row["digest_from"] else None,
        quiet=bool(row["quiet"]),
    )
