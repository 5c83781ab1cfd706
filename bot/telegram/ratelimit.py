"""The one rate limiter: a session request middleware, so replies and deliveries share it.

Telegram's documented limits (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-
avoid-this): about 30 messages per second in total, one per second in a chat ("short bursts
are allowed"), 20 per minute in a group. We stay under them:

- in total: 25 per second, spaced evenly (a generic cell rate algorithm, GCRA, with no burst),
  so a sliding one-second window never sees more than 26;
- per chat: one per second plus a small safety margin. Deliveries get no burst. Interactive
  replies may burst up to REPLY_BURST messages (a /summary split into three parts goes out at
  once) and then fall back to one per second, as Telegram tolerates;
- per group (negative chat id): at most 20 in any 60-second window, kept as a sliding log.

A 429 answer's `retry_after` holds that chat for that long and halves the total rate for a
while (SLOWDOWN_SECONDS at least), so the whole sender slows down. The limiter only decides
*when* a request may go; deliveries decide what to do with errors, replies retry a 429 once.
A reply that would wait longer than REPLY_RETRY_LIMIT (a chat held by a long 429) is dropped
at once with TelegramRetryAfter and a log line: no handler waits minutes for its chat.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiogram import methods
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response, TelegramMethod

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
REPLY_BURST = 3
SLOWDOWN_SECONDS = 10.0
SLOWDOWN_FACTOR = 2.0
REPLY_RETRY_LIMIT = 30  # seconds: a reply that would wait longer is dropped, not held
PRUNE_AT = 20_000  # chats remembered before idle ones are forgotten

# Set by the outbox sender around its sends: deliveries get no per-chat burst and are not
# retried here (the outbox reschedules them).
DELIVERY: contextvars.ContextVar[bool] = contextvars.ContextVar("delivery", default=False)

# Methods that post a message into a chat; edits, chat actions and reads are not counted.
POSTING_METHODS = (
    methods.SendMessage,
    methods.SendPhoto,
    methods.SendDocument,
    methods.SendMediaGroup,
    methods.SendVideo,
    methods.SendAudio,
    methods.SendVoice,
    methods.SendAnimation,
    methods.SendSticker,
    methods.SendPoll,
    methods.SendLocation,
    methods.SendContact,
    methods.CopyMessage,
    methods.ForwardMessage,
)


@dataclass(frozen=True)
class Limits:
    """Ceilings the limiter keeps to; the benchmark raises them to measure overhead."""

    per_second: float = 25.0
    chat_interval: float = 1.0
    group_per_minute: int = 20
    # Our clock starts a send; Telegram's counts its arrival. A margin keeps network jitter
    # from squeezing two sends into one of Telegram's windows.
    margin: float = 0.05


@dataclass
class _Chat:
    tat: float = 0.0  # theoretical arrival time of the next send (GCRA)
    hold_until: float = 0.0  # retry_after from a 429
    window: deque[float] = field(default_factory=deque)  # group sends of the last minute


class RateLimiter(BaseRequestMiddleware):
    """Waits before each posting request until every limit allows it."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or Limits()
        self._now = now
        self._sleep = sleep
        self._chats: dict[int, _Chat] = {}
        self._next_slot = 0.0
        self._slow_until = 0.0
        self.too_many_requests = 0  # 429 answers seen, for logs and the benchmark

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id = _posting_chat(method)
        if chat_id is None:
            return await make_request(bot, method)
        delivery = DELIVERY.get()
        if not delivery:
            self._refuse_long_wait(method, chat_id, REPLY_BURST)
        await self.acquire(chat_id, burst=1 if delivery else REPLY_BURST)
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as exc:
            self.penalize(chat_id, exc.retry_after)
            if delivery or exc.retry_after > REPLY_RETRY_LIMIT:
                raise
        self._refuse_long_wait(method, chat_id, 1)
        await self.acquire(chat_id, burst=1)  # a reply is retried once, after the hold
        return await make_request(bot, method)

    def _refuse_long_wait(
        self, method: TelegramMethod[TelegramType], chat_id: int, burst: int
    ) -> None:
        """A reply that would wait over REPLY_RETRY_LIMIT (a chat held by a long 429) is
        dropped at once with TelegramRetryAfter: no handler is held for minutes, and an
        apology after the 429 does not queue into the same wait."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return
        wait = self._chat_ready(chat, chat_id, burst) - self._now()
        if wait > REPLY_RETRY_LIMIT:
            log.warning("reply to chat %s dropped: the chat is held for %.0fs more", chat_id, wait)
            raise TelegramRetryAfter(
                method=method,
                message=f"Too Many Requests: chat held for {wait:.0f} s",
                retry_after=math.ceil(wait),
            )

    async def acquire(self, chat_id: int, burst: int = 1) -> None:
        """Wait until a message to this chat fits every limit, and count it."""
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) >= PRUNE_AT:
                self._prune()
            chat = self._chats[chat_id] = _Chat()
        while (wait := self._chat_ready(chat, chat_id, burst) - self._now()) > 0:
            await self._sleep(wait)
        # The chat may send now: take the next slot of the total rate (first come, first
        # served) and count the chat's send at that slot, so its spacing holds on the wire.
        now = self._now()
        slot = max(now, self._next_slot)
        interval = 1.0 / self.limits.per_second
        if now < self._slow_until:
            interval *= SLOWDOWN_FACTOR
        self._next_slot = slot + interval
        chat.tat = max(chat.tat, slot) + self.limits.chat_interval + self.limits.margin
        if chat_id < 0:
            chat.window.append(slot)
            while len(chat.window) > self.limits.group_per_minute:
                chat.window.popleft()
        if slot > now:
            await self._sleep(slot - now)

    def penalize(self, chat_id: int, retry_after: float) -> None:
        """Obey a 429: hold this chat for retry_after and slow every send for a while."""
        now = self._now()
        self.too_many_requests += 1
        chat = self._chats.setdefault(chat_id, _Chat())
        chat.hold_until = max(chat.hold_until, now + retry_after)
        self._slow_until = max(self._slow_until, now + max(retry_after, SLOWDOWN_SECONDS))
        log.warning("429 for chat %s: holding it %ss, slowing all sends", chat_id, retry_after)

    def _chat_ready(self, chat: _Chat, chat_id: int, burst: int) -> float:
        """When this chat may get its next message (GCRA with the given burst)."""
        tolerance = (burst - 1) * (self.limits.chat_interval + self.limits.margin)
        ready = max(chat.tat - tolerance, chat.hold_until)
        if chat_id < 0 and len(chat.window) >= self.limits.group_per_minute:
            ready = max(ready, chat.window[0] + 60.0 + self.limits.margin)
        return ready

    def _prune(self) -> None:
        horizon = self._now() - 60.0 - self.limits.margin
        self._chats = {
            chat_id: chat
            for chat_id, chat in self._chats.items()
            if max(chat.tat, chat.hold_until, chat.window[-1] if chat.window else 0) > horizon
        }


def _posting_chat(method: object) -> int | None:
    """The chat a posting method writes to (None for reads, edits, @channel usernames)."""
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(method, POSTING_METHODS) and isinstance(chat_id, int) else None
