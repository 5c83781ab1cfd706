"""Subscriptions: what chats asked for, matching new articles, scheduling daily digests."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping, Sequence
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
    DigestStory,
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
FollowUp = tuple[int, str, frozenset[tuple[int, int]]]  # story, its title, places alerted


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
    # No theme name starts with a digit: such a word is the time wherever it stands, and a
    # malformed one («9», «25:00») is a time written wrong, not part of the theme.
    written = [word for word in words if word[:1].isdigit()]
    times = {_digest_time(word) for word in written}
    if len(times) > 1:  # «/subscribe 8:30 9:00»: which one? Ask rather than guess.
        raise BadTime(" ".join(written))
    theme = " ".join(word for word in words if not word[:1].isdigit())
    at = times.pop() if times else None
    return SubscribeRequest(None if theme.lower() in ALL_WORDS | {""} else theme, at)


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
        texts: dict[tuple[str | None, bool], list[str]] = {}
        follow_up = await self._follow_up(head)
        deliveries = []
        for (chat_id, thread_id), sub in chosen.items():
            again = follow_up is not None and (chat_id, thread_id or 0) in follow_up[2]
            if (sub.theme, again) not in texts:
                texts[sub.theme, again] = (
                    self._render_follow_up(head, follow_up, sub.theme)
                    if again and follow_up is not None
                    else self._render_alert(head, sentences, sub.theme)
                )
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
                for part, text in enumerate(texts[sub.theme, again])
            ]
        return deliveries

    async def _follow_up(self, head: ArticleHead) -> FollowUp | None:
        """Issue 12: the article's story and the places alerted about it already, when the
        renderers can say «ещё один источник»; None for a fresh alert."""
        if self.texts.follow_up is None:
            return None
        return await self.store.story_follow_up(head.id)

    def _render_follow_up(self, head: ArticleHead, story: FollowUp, slug: str | None) -> list[str]:
        theme = self._theme(slug)
        assert self.texts.follow_up is not None  # checked by _follow_up
        return self.texts.follow_up(head, story[0], story[1], theme.name if theme else None)

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
        day = stop.astimezone(self.tz).date()
        if self.texts.story_digest is not None:
            stories = await self._digest_stories(ids, heads, summaries)
            return self.texts.story_digest(day, stories, theme.name if theme else None)
        items = [(heads[i], summaries[i]) for i in ids if i in heads]
        return self.texts.digest(day, items, theme.name if theme else None)

    async def _digest_stories(
        self,
        ids: Sequence[int],
        heads: Mapping[int, ArticleHead],
        summaries: Mapping[int, Sequence[KeySentence]],
    ) -> list[DigestStory]:
        """Issue 12: the day's articles grouped by story, in the order of each first one."""
        story_of = await self.store.stories_of(ids)
        groups: dict[object, list[int]] = {}
        for i in ids:
            if i in heads:
                groups.setdefault(story_of.get(i, f"article {i}"), []).append(i)
        return [
            DigestStory(
                story_of.get(first),
                heads[first],
                summaries.get(first, ()),
                tuple(heads[i] for i in rest),
            )
            for first, *rest in groups.values()
        ]

    def _theme(self, slug: str | None) -> Theme | None:
        if slug is None:
            return None
        try:
            return self.book.by_slug(slug)
        except KeyError:  # a theme since removed from themes.toml: delivered unnamed
            return None
