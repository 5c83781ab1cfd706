"""Subscriptions: what chats asked for, matching new articles, scheduling daily digests."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.analysis.themes import Theme, ThemeBook, load_themes
from bot.clock import Clock
from bot.models import ArticleHead, KeySentence, NewDelivery, Subscription
from bot.services.requests import MAX_SUMMARY, clean_args
from bot.services.schedule import DAY, digest_end, next_occurrence
from bot.services.views import (
    Ambiguous,
    DeliveryTexts,
    NothingToResume,
    Overview,
    Resumed,
    Subscribed,
    UnknownTheme,
    Unsubscribed,
)
from bot.store import Store

log = logging.getLogger(__name__)

DEFAULT_DIGEST_TIME = dt.time(9, 0)
ALL_WORDS = frozenset({"все", "всё", "всем", "all"})  # "/unsubscribe все"
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")

Resolver = Callable[[str], tuple[Theme | None, tuple[Theme, ...]]]


class BadTime(ValueError):
    """A digest time that is not a valid ЧЧ:ММ."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


@dataclass(frozen=True)
class SubscribeRequest:
    """`/subscribe [тема] [ЧЧ:ММ]`: the theme as the user wrote it, and the digest time."""

    theme: str | None = None
    at: dt.time | None = None


def parse_subscribe_args(args: str | None) -> SubscribeRequest:
    """`/subscribe`, `/subscribe торговля`, `/subscribe 8:30`, `/subscribe 08:30 торговля`."""
    words = clean_args(args).split()
    written = [word for word in words if _looks_like_time(word)]
    times = {_digest_time(word) for word in written}
    if len(times) > 1:  # «/subscribe 8:30 9:00»: which one? Ask rather than guess.
        raise BadTime(" ".join(written))
    theme = " ".join(word for word in words if not _looks_like_time(word))
    at = times.pop() if times else None
    return SubscribeRequest(None if theme.lower() in ALL_WORDS | {""} else theme, at)


def _looks_like_time(word: str) -> bool:
    """No theme name starts with a digit or a sign or has a colon: such a word is the time
    wherever it stands, and a malformed one («9», «25:00», «-1:00», the «ЧЧ:ММ» of the help)
    is a time written wrong, to be explained, not a theme to look up."""
    return word[:1].isdigit() or word[:1] in "+-\u2212" or ":" in word


def _digest_time(word: str) -> dt.time:
    match = _TIME.fullmatch(word)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise BadTime(word)
    return dt.time(int(match[1]), int(match[2]))


def parse_unsubscribe_args(args: str | None) -> str | None:
    """The theme words, "" for everything (`все`), None when nothing was named."""
    text = clean_args(args)
    if not text:
        return None
    return "" if text.lower() in ALL_WORDS else text


@dataclass(frozen=True)
class ChatRef:
    """The chat a command came from, as Telegram described it."""

    id: int
    type: str
    title: str | None
    thread_id: int | None  # forum topic of the command, if any


class Subscriptions:
    """Chat subscriptions and the outbox rows they produce."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        tz: ZoneInfo,
        resolve: Resolver,
        texts: DeliveryTexts,
    ) -> None:
        self.store = store
        self.texts = texts
        self.clock = clock
        self.tz = tz
        self._resolve = resolve
        self.book: ThemeBook = load_themes()
        self._lock = asyncio.Lock()  # matching and digest scheduling never interleave

    async def subscribe(
        self, chat: ChatRef, request: SubscribeRequest
    ) -> Subscribed | UnknownTheme:
        """Create or update the chat's subscription to a theme (or to everything)."""
        theme = None
        if request.theme is not None:
            theme, suggestions = self._resolve(request.theme)
            if theme is None:
                return UnknownTheme(request.theme, suggestions)
        at = request.at or DEFAULT_DIGEST_TIME
        subscription, created = await self.store.upsert_subscription(
            chat_id=chat.id,
            chat_type=chat.type,
            title=chat.title,
            theme=theme.slug if theme else None,
            thread_id=chat.thread_id,
            digest_time=at,
            next_digest_at=next_occurrence(at, self.tz, self.clock()),
        )
        # An admin subscribing in a paused chat shows the bot can write here again.
        resumed = await self.resume(chat.id)
        return Subscribed(theme, subscription, created, resumed)

    async def unsubscribe(
        self, chat_id: int, query: str | None
    ) -> Unsubscribed | UnknownTheme | Ambiguous:
        """Remove one subscription (by theme words), all of them (""), or the only one (None)."""
        if query == "":
            return Unsubscribed((), await self.store.remove_subscriptions(chat_id, None))
        if query is None:
            current = await self.store.chat_subscriptions(chat_id)
            if len(current) > 1:
                named = next(self._theme(s.theme) for s in current if s.theme)
                return Ambiguous(named.name if named else None)
            return Unsubscribed((), await self.store.remove_subscriptions(chat_id, None))
        theme, suggestions = self._resolve(query)
        if theme is None:
            return UnknownTheme(query, suggestions)
        removed = await self.store.remove_subscriptions(chat_id, [theme.slug])
        return Unsubscribed((theme,), removed)

    async def overview(self, chat_id: int) -> Overview:
        subscriptions = await self.store.chat_subscriptions(chat_id)
        items = tuple((self._theme(s.theme), s) for s in subscriptions)
        return Overview(items, await self.store.chat_pause(chat_id))

    async def resume_command(self, chat_id: int) -> Resumed | NothingToResume:
        """`/resume`: resume a paused chat, or say why there is nothing to resume."""
        resumed = await self.resume(chat_id)
        if resumed is not None:
            return resumed
        return NothingToResume(subscribed=bool(await self.store.chat_subscriptions(chat_id)))

    async def resume(self, chat_id: int) -> Resumed | None:
        """Resume a paused chat without sending its backlog; None when it was not paused."""
        if await self.store.chat_pause(chat_id) is None:
            return None
        now = self.clock()
        subscriptions = await self.store.chat_subscriptions(chat_id)
        next_digests = {s.id: next_occurrence(s.digest_time, self.tz, now) for s in subscriptions}
        missed = await self.store.resume_chat(chat_id, next_digests)
        log.info("chat %d resumed; it missed %d articles", chat_id, missed)
        return Resumed(missed, min(missed, MAX_SUMMARY))

    async def pause(self, chat_id: int, reason: str) -> bool:
        """The bot was removed or blocked: keep the subscriptions, stop sending."""
        paused = await self.store.pause_chat(chat_id, reason)
        if paused:
            log.info("chat %d paused: %s", chat_id, reason)
        return paused

    async def paused_themes(self, chat_id: int) -> list[Theme | None] | None:
        """The chat's subscriptions when they are paused (the bot came back); else None."""
        if await self.store.chat_pause(chat_id) is None:
            return None
        return [self._theme(s.theme) for s in await self.store.chat_subscriptions(chat_id)]

    async def migrate(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its subscriptions and queued messages move along."""
        if await self.store.migrate_chat(old_id, new_id):
            log.info("chat %d migrated to %d with its subscriptions", old_id, new_id)

    async def match_new_articles(self) -> int:
        """Write alerts for articles not matched yet (each is matched once); rows written."""
        written = 0
        async with self._lock:
            for article_id in await self.store.unmatched_articles():
                subscriptions = await self.store.subscriptions_for_article(article_id)
                deliveries = await self._alerts(article_id, subscriptions)
                written += await self.store.enqueue_deliveries(
                    deliveries, matched_article=article_id
                )
                log.info("article %d matched %d subscriptions", article_id, len(subscriptions))
        return written

    async def tick(self) -> int:
        """One scheduling step: alerts for new articles, then due digests; rows written."""
        return await self.match_new_articles() + await self.enqueue_due_digests()

    async def enqueue_due_digests(self) -> int:
        """Write the digests whose time has come (none when a day had no articles)."""
        now = self.clock()
        async with self._lock:
            due = await self.store.due_digests(now)
            if not due:
                return 0
            rendered: dict[tuple[str | None, dt.datetime], list[str]] = {}
            deliveries: list[NewDelivery] = []
            for sub in due:
                stop = digest_end(sub, self.tz, now)
                key = (sub.theme, stop)
                if key not in rendered:
                    rendered[key] = await self._digest(sub.theme, stop)
                day = stop.astimezone(self.tz).date()
                deliveries += [
                    NewDelivery(
                        key=f"digest:{sub.id}:{day}:{part}",
                        kind="digest",
                        chat_id=sub.chat_id,
                        thread_id=sub.thread_id,
                        subscription_id=sub.id,
                        article_id=None,
                        text=text,
                    )
                    for part, text in enumerate(rendered[key])
                ]
            next_digests = {s.id: next_occurrence(s.digest_time, self.tz, now) for s in due}
            return await self.store.enqueue_deliveries(deliveries, next_digests=next_digests)

    async def _alerts(
        self, article_id: int, subscriptions: Sequence[Subscription]
    ) -> list[NewDelivery]:
        """One alert per chat and forum topic, however many of its subscriptions match."""
        if not subscriptions:
            return []
        head = (await self.store.get_heads([article_id]))[article_id]
        sentences = (await self.store.summaries([article_id]))[article_id]
        chosen: dict[tuple[int, int | None], Subscription] = {}
        for sub in subscriptions:  # a theme subscription names the theme: it wins over "all"
            place = (sub.chat_id, sub.thread_id)
            if place not in chosen or (sub.theme and not chosen[place].theme):
                chosen[place] = sub
        texts: dict[str | None, list[str]] = {}
        deliveries = []
        for (chat_id, thread_id), sub in chosen.items():
            if sub.theme not in texts:
                texts[sub.theme] = self._render_alert(head, sentences, sub.theme)
            deliveries += [
                NewDelivery(
                    key=f"alert:{chat_id}:{thread_id or 0}:{article_id}:{part}",
                    kind="alert",
                    chat_id=chat_id,
                    thread_id=thread_id,
                    subscription_id=sub.id,
                    article_id=article_id,
                    text=text,
                )
                for part, text in enumerate(texts[sub.theme])
            ]
        return deliveries

    def _render_alert(
        self, head: ArticleHead, sentences: Sequence[KeySentence], slug: str | None
    ) -> list[str]:
        theme = self._theme(slug)
        return self.texts.alert(head, sentences, theme.name if theme else None)

    async def _digest(self, slug: str | None, stop: dt.datetime) -> list[str]:
        ids = await self.store.articles_added(stop - DAY, stop, slug)
        if not ids:
            return []
        heads = await self.store.get_heads(ids)
        summaries = await self.store.summaries(ids)
        theme = self._theme(slug)
        items = [(heads[i], summaries[i]) for i in ids if i in heads]
        day = stop.astimezone(self.tz).date()
        return self.texts.digest(day, items, theme.name if theme else None)

    def _theme(self, slug: str | None) -> Theme | None:
        if slug is None:
            return None
        try:
            return self.book.by_slug(slug)
        except KeyError:  # a theme since removed from themes.toml: delivered unnamed
            return None
