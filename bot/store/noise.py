"""Issue 12: «меньше шума», a setting of each subscription (no follow-ups on known stories)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.store.base import BaseStore


class NoiseQueries(BaseStore):
    """Turning «меньше шума» on and off."""

    async def set_quiet(
        self, chat_id: int, subscription_ids: Sequence[int] | None, quiet: bool
    ) -> list[int]:
        """Set the chat's subscriptions (given ones, or all when None) quiet or not; the ids
        of those it now applies to (an id of another chat changes nothing)."""
        where, params = "chat_id = ?", [int(quiet), chat_id]
        if subscription_ids is not None:
            if not subscription_ids:
                return []
            where += f" AND id IN ({','.join('?' * len(subscription_ids))})"
            params += list(subscription_ids)
        async with self.transaction():
            rows = await self.db.execute_fetchall(
                f"UPDATE subscriptions SET quiet = ? WHERE {where} RETURNING id", params
            )
        return sorted(int(r[0]) for r in rows)
