"""The outbox sender: sends pending rows through the Bot, marks each one as Telegram answers.

Every delivery is an outbox row before it is sent. A row is claimed (pending -> sending, one
guarded UPDATE) just before its send, so a row cancelled or paused while it waited in the
sender's buffer is never sent, and two senders never send one row. It is marked sent once
Telegram accepted it. The guarantee is at-least-once, duplicates bounded:

- a row whose send Telegram answered is never sent again: if marking it fails, it stays
  'sending', which no pass of this process picks up;
- ambiguous outcomes (a timeout after the request went out, a 5xx, a connection dropped
  mid-request) may hide an accepted message; they are retried like any failure (Telegram has
  no idempotency key, and not retrying would lose messages), logged as possible duplicates;
- rows left 'sending' by a process that stopped (killed, or marking failed) go back to
  pending when the next sender starts: at most CONCURRENCY such rows per stop.

Errors, by what they mean:
- 429: Telegram's retry_after is obeyed (the rate limiter holds the chat and slows down);
  the row waits, and the wait is not a failed attempt.
- group upgraded to a supergroup (migrate_to_chat_id): the chat moves, the row is resent there.
- 403 (blocked, removed) and 400 «chat not found»: the chat's subscriptions are paused.
- 400 «message thread not found»: the forum topic is gone; sent to the general thread.
- any other 400: our message is wrong and will stay wrong; failed at once with the reason.
- 5xx, network errors and the rest: retried with exponential backoff and jitter; after
  MAX_ATTEMPTS the row is marked failed with the reason (logs and `python -m bot status`).
  A connection that was never made (refused, DNS) is sure not to have delivered anything;
  any other of these is ambiguous (see above).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections import deque
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiohttp import ClientConnectorError, ConnectionTimeoutError

from bot.clock import Clock
from bot.models import Delivery
from bot.store import Store
from bot.telegram.ratelimit import DELIVERY, Sleep

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE = 2.0  # seconds before the second attempt; doubles after each failure
BACKOFF_CAP = 300.0
CONCURRENCY = 8  # sends in flight: enough for 25/s over a 300 ms round trip
BATCH = 200  # due rows read per query
SHUTDOWN_GRACE = 3.0  # seconds sends in flight get to finish when the sender stops
MARK_ATTEMPTS = 5  # tries to record an accepted send (the database may be busy)
MARK_BACKOFF = 0.5  # seconds, growing linearly between those tries
# Seconds a send may take before it counts as failed (ambiguous: it may have arrived). Well
# under aiogram's 60 s default, so a hung connection does not hold the chat for a minute.
SEND_TIMEOUT = 20


def backoff(failures: int, jitter: float) -> float:
    """Seconds before the next attempt after `failures` failed ones; jitter in [0, 1)."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1)) * (0.5 + jitter)


class Sender:
    """Drains the outbox: oldest first, one message per chat at a time, CONCURRENCY in flight."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        clock: Clock,
        *,
        sleep: Sleep = asyncio.sleep,
        concurrency: int = CONCURRENCY,
        batch: int = BATCH,
        jitter: Callable[[], float] = random.random,
        send_timeout: int = SEND_TIMEOUT,
    ) -> None:
        self.bot, self.store, self.clock = bot, store, clock
        self.send_timeout = send_timeout

        self._sleep = sleep
        self.concurrency = concurrency
        self.batch = batch
        self._jitter = jitter
        self._wake = asyncio.Event()
        self.sent = 0  # accepted by Telegram since start, for the benchmark and logs

    async def release_claims(self) -> int:
        """At start, before any send: rows the last process was sending go back to pending.

        Only the one delivering process may do this (the instance lock): another sender's
        rows in flight would be sent twice.
        """
        released = await self.store.release_claims()
        if released:
            log.warning("%d deliveries were in flight when the bot stopped: resending", released)
        return released

    def wake(self) -> None:
        """New rows were written: do not wait for the idle timeout."""
        self._wake.set()

    async def run_once(self) -> int:
        """Send every delivery due now; returns how many sends were tried."""
        tried = 0
        buffer: deque[Delivery] = deque()
        busy: set[int] = set()  # chats with a row buffered or in flight
        tasks: dict[asyncio.Task[None], int] = {}
        more = True
        try:
            while True:
                while len(tasks) < self.concurrency:
                    if not buffer and more:
                        limit = self.batch + len(busy)
                        rows = await self.store.due_deliveries(self.clock(), limit)
                        fresh = [row for row in rows if row.chat_id not in busy]
                        buffer.extend(fresh)
                        busy.update(row.chat_id for row in fresh)
                        more = bool(fresh)
                    if not buffer:
                        break
                    row = buffer.popleft()
                    tasks[asyncio.create_task(self._deliver(row))] = row.chat_id
                    tried += 1
                if not tasks:
                    return tried
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    busy.discard(tasks.pop(task))  # _deliver records every outcome itself
                more = True  # a chat just freed may have its next row due
        except asyncio.CancelledError:
            # Shutting down: let sends in flight finish and be marked, so a restart does not
            # repeat them; what is still waiting for the rate limiter stays pending.
            if tasks:
                await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
            raise
        finally:
            for task in tasks:
                task.cancel()

    async def drain(self) -> int:
        """Send until nothing is pending, sleeping through backoffs; returns sends tried."""
        tried = 0
        while True:
            tried += await self.run_once()
            next_at = await self.store.next_delivery_at()
            if next_at is None:
                return tried
            await self._sleep(max(0.0, (next_at - self.clock()).total_seconds()))

    async def run_forever(self, idle: float = 1.0) -> None:
        """The bot's sender task: send what is due, then wait for new rows or the next retry."""
        while True:
            self._wake.clear()
            try:
                await self.run_once()
                next_at = await self.store.next_delivery_at()
            except Exception:  # a broken pass must not stop deliveries; the next one retries
                log.exception("delivery pass failed")
                next_at = None
            wait = idle
            if next_at is not None:
                wait = min(idle, max(0.0, (next_at - self.clock()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def _deliver(self, queued: Delivery) -> None:
        """Claim one row, send it and record the outcome; never raises (but for cancellation)."""
        row: Delivery | None = queued
        try:
            row = await self.store.claim_delivery(queued.id)
            if row is None:  # cancelled, skipped or taken by another sender while buffered
                log.info("delivery %d to chat %d is no longer pending", queued.id, queued.chat_id)
                return
            await self._send(row)
        except Exception as exc:  # e.g. the database is busy: keep the row, try it later
            log.exception("delivery %d to chat %d: unexpected error", queued.id, queued.chat_id)
            if row is None:
                return
            try:
                await self._retry(row, f"{type(exc).__name__}: {exc}")
            except Exception:  # left 'sending': the next start releases it
                log.exception("delivery %d: could not record the failure", row.id)

    async def _send(self, row: Delivery) -> None:
        token = DELIVERY.set(True)
        try:
            await self.bot.send_message(
                row.chat_id,
                row.text,
                message_thread_id=row.thread_id,
                request_timeout=self.send_timeout,
            )
        except TelegramRetryAfter as exc:
            at = self.clock() + dt.timedelta(seconds=exc.retry_after)
            await self.store.mark_retry(row.id, at=at, error=exc.message, attempt=False)
        except TelegramMigrateToChat as exc:
            log.info("chat %d became supergroup %d", row.chat_id, exc.migrate_to_chat_id)
            await self.store.migrate_chat(row.chat_id, exc.migrate_to_chat_id)
            await self.store.mark_retry(row.id, at=self.clock(), error=exc.message, attempt=False)
        except TelegramForbiddenError as exc:
            await self._pause(row, "blocked" if row.chat_id > 0 else "removed", exc.message)
        except TelegramBadRequest as exc:
            await self._bad_request(row, exc.message)
        except TelegramAPIError as exc:  # 5xx, network errors, anything else Telegram says
            if _ambiguous(exc):
                log.warning(
                    "delivery %d to chat %d: %s; Telegram may have accepted it, a retry may "
                    "duplicate it",
                    row.id,
                    row.chat_id,
                    exc.message,
                )
            await self._retry(row, exc.message)
        else:
            self.sent += 1
            await self._mark_sent(row)
        finally:
            DELIVERY.reset(token)

    async def _mark_sent(self, row: Delivery) -> None:
        """Record an accepted send, retrying only the bookkeeping: never send it again."""
        for attempt in range(MARK_ATTEMPTS):
            try:
                await self.store.mark_sent(row.id)
            except Exception:
                log.exception("delivery %d sent but not marked (try %d)", row.id, attempt + 1)
                await self._sleep(MARK_BACKOFF * (attempt + 1))
            else:
                return
        # Left 'sending': this process never picks it up again; the next start resends it,
        # the bounded duplicate the README allows.
        log.error("delivery %d to chat %d sent but not marked", row.id, row.chat_id)

    async def _bad_request(self, row: Delivery, message: str) -> None:
        lowered = message.lower()
        if "chat not found" in lowered:
            await self._pause(row, "chat not found", message)
        elif "thread not found" in lowered and row.thread_id is not None:
            await self.store.clear_delivery_thread(row.id)
            await self.store.mark_retry(row.id, at=self.clock(), error=message, attempt=False)
        else:
            log.error("delivery %d to chat %d failed: %s", row.id, row.chat_id, message)
            await self.store.mark_failed(row.id, message)

    async def _pause(self, row: Delivery, reason: str, message: str) -> None:
        if await self.store.pause_chat(row.chat_id, reason):
            log.warning("chat %d paused (%s): %s", row.chat_id, reason, message)
        await self.store.mark_skipped(row.id, f"chat paused: {reason}")

    async def _retry(self, row: Delivery, error: str) -> None:
        failures = row.attempts + 1
        if failures >= MAX_ATTEMPTS:
            log.error(
                "delivery %d to chat %d failed after %d attempts: %s",
                row.id,
                row.chat_id,
                failures,
                error,
            )
            await self.store.mark_failed(row.id, error)
            return
        delay = backoff(failures, self._jitter())
        log.warning(
            "delivery %d to chat %d: %s; retry %d in %.1fs",
            row.id,
            row.chat_id,
            error,
            failures + 1,
            delay,
        )
        await self.store.mark_retry(
            row.id, at=self.clock() + dt.timedelta(seconds=delay), error=error
        )


def _ambiguous(exc: TelegramAPIError) -> bool:
    """May Telegram have accepted the message although the send failed?

    Only a connection never made (refused, DNS failure) proves nothing was delivered; a
    timeout, a 5xx or a connection lost mid-request leave it open.
    """
    if isinstance(exc, TelegramNetworkError):
        return not isinstance(exc.__cause__, ClientConnectorError | ConnectionTimeoutError)
    return isinstance(exc, TelegramServerError)
