"""Who may change a group's subscriptions: a per-update fact set by middleware."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.flags import get_flag
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.clock import Clock

log = logging.getLogger(__name__)

Rights = Literal["admin", "not_admin", "channel", "unknown"]
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

ADMIN_TTL = dt.timedelta(seconds=60)  # a demoted admin keeps rights at most this long
ADMIN_STATUSES = frozenset({ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR})
PRUNE_AT = 10_000


class AdminCache:
    """getChatMember answers, kept briefly: one command burst costs one request."""

    def __init__(self, clock: Clock, ttl: dt.timedelta = ADMIN_TTL) -> None:
        self.clock = clock
        self.ttl = ttl
        self._known: dict[tuple[int, int], tuple[bool, dt.datetime]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        """Whether the user administers the chat; raises TelegramAPIError if Telegram fails."""
        now = self.clock()
        known = self._known.get((chat_id, user_id))
        if known is not None and known[1] > now:
            return known[0]
        member = await bot.get_chat_member(chat_id, user_id)
        admin = member.status in ADMIN_STATUSES
        if len(self._known) >= PRUNE_AT:
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
        self._known[chat_id, user_id] = (admin, now + self.ttl)
        return admin


async def sender_rights(message: Message, bot: Bot, admins: AdminCache) -> Rights:
    """May the sender of this message change the chat's settings?"""
    if message.chat.type == ChatType.PRIVATE:
        return "admin"
    if message.sender_chat is not None:
        # Anonymous group admins post "on behalf of the chat"; a linked channel is not an admin.
        return "admin" if message.sender_chat.id == message.chat.id else "channel"
    if message.from_user is None:
        return "unknown"
    return await member_rights(bot, admins, message.chat.id, message.from_user.id)


async def member_rights(bot: Bot, admins: AdminCache, chat_id: int, user_id: int) -> Rights:
    """Whether a member of a group administers it; "unknown" when Telegram does not say."""
    try:
        admin = await admins.is_admin(bot, chat_id, user_id)
    except TelegramAPIError as exc:
        log.warning("getChatMember in chat %d failed: %s", chat_id, exc)
        return "unknown"
    return "admin" if admin else "not_admin"


async def presser_rights(callback: CallbackQuery, bot: Bot, admins: AdminCache) -> Rights:
    """May the user who pressed a button change the settings of the chat it is in?"""
    message = callback.message
    if message is None:
        return "unknown"  # a button of an inline message: no chat to check
    if message.chat.type == ChatType.PRIVATE:
        return "admin"
    return await member_rights(bot, admins, message.chat.id, callback.from_user.id)


class AdminRights(BaseMiddleware):
    """Inner middleware: handlers flagged `admin_only` receive `rights: Rights` (of a
    message's sender, or of whoever pressed a button)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Message) and get_flag(data, "admin_only"):
            data["rights"] = await sender_rights(event, data["bot"], data["admins"])
        elif isinstance(event, CallbackQuery) and get_flag(data, "admin_only"):
            data["rights"] = await presser_rights(event, data["bot"], data["admins"])
        return await handler(event, data)
