"""Per-update middlewares: flood control on incoming commands, «печатает…» on slow answers."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.chat_action import ChatActionSender

from bot import texts
from bot.clock import Clock

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

FLOOD_LIMIT = 20  # updates per user per window; more is a flood
FLOOD_WINDOW = dt.timedelta(minutes=1)
FLOOD_PAUSE = dt.timedelta(minutes=1)  # how long a flooding user is ignored after the notice
PRUNE_AT = 10_000  # users tracked before idle ones are forgotten
TYPING_DELAY = 0.5  # seconds an answer may take before «печатает…» is shown


class FloodControl(BaseMiddleware):
    """Outer middleware: over FLOOD_LIMIT commands a minute from one sender get one notice,
    then silence for FLOOD_PAUSE. Time comes from the dispatcher's injected clock."""

    def __init__(self, limit: int = FLOOD_LIMIT) -> None:
        self.limit = limit
        self._seen: dict[int, deque[dt.datetime]] = {}
        self._muted: dict[int, dt.datetime] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender = _sender(event)
        if sender is None:
            return await handler(event, data)
        clock: Clock = data["clock"]
        verdict = self.check(sender, clock())
        if verdict == "ok":
            return await handler(event, data)
        if verdict == "notice":
            await _notify(event)
        return None

    def check(self, user_id: int, now: dt.datetime) -> str:
        """ "ok", "notice" (first update over the limit) or "ignore"."""
        muted_until = self._muted.get(user_id)
        if muted_until is not None:
            if now < muted_until:
                return "ignore"
            del self._muted[user_id]
            self._seen.pop(user_id, None)
        seen = self._seen.setdefault(user_id, deque())
        while seen and now - seen[0] >= FLOOD_WINDOW:
            seen.popleft()
        if len(seen) >= self.limit:
            self._muted[user_id] = now + FLOOD_PAUSE
            return "notice"
        seen.append(now)
        if len(self._seen) > PRUNE_AT:
            self._prune(now)
        return "ok"

    def _prune(self, now: dt.datetime) -> None:
        idle = [u for u, s in self._seen.items() if not s or now - s[-1] >= FLOOD_WINDOW]
        for user_id in idle:
            del self._seen[user_id]


def _sender(event: TelegramObject) -> int | None:
    """Who a flood is counted for, or None for updates the bot does not answer.

    Group chatter is not counted (the bot sees it when it is an admin but stays quiet), and
    anonymous admins and channel posts count per sending chat: they all share one user id
    (GroupAnonymousBot, 1087968824), so keying by user would let one group mute another.
    """
    if isinstance(event, CallbackQuery):
        return event.from_user.id
    if not isinstance(event, Message):
        return None
    addressed = event.chat.type == "private" or (event.text or "").startswith("/")
    if not addressed:
        return None
    if event.sender_chat is not None:
        return event.sender_chat.id
    return event.from_user.id if event.from_user else None


async def _notify(event: TelegramObject) -> None:
    if isinstance(event, Message):
        await event.answer(texts.FLOOD_NOTICE)
    elif isinstance(event, CallbackQuery):
        await event.answer(texts.FLOOD_NOTICE, show_alert=True)


class Typing(BaseMiddleware):
    """Inner middleware: handlers flagged `typing` show «печатает…» if they take a while.
    The delay comes from workflow data "typing_delay" (tests set 0) or TYPING_DELAY."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Message) or not get_flag(data, "typing"):
            return await handler(event, data)
        thread = event.message_thread_id if event.is_topic_message else None
        async with ChatActionSender.typing(
            bot=data["bot"],
            chat_id=event.chat.id,
            message_thread_id=thread,
            initial_sleep=data.get("typing_delay", TYPING_DELAY),
        ):
            return await handler(event, data)


class InFlight(BaseMiddleware):
    """Outer update middleware counting updates being handled: aiogram's polling stops
    without waiting for them, so shutdown waits here before closing sessions and the store."""

    def __init__(self) -> None:
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self._active += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._active -= 1
            if not self._active:
                self._idle.set()

    @property
    def active(self) -> int:
        """Updates being handled right now."""
        return self._active

    async def wait_idle(self, timeout: float) -> bool:  # noqa: ASYNC109 - a shutdown deadline
        """True once no update is being handled; False if timeout seconds pass first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True
