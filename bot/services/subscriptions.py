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
from bot.services.alerts import (
    ALERT_BURST,
    ALERT_MAX_HOLD,
    ALERT_SETTLE,
    Place,
    alert_rows,
    import_settled,
    is_news,
    one_per_place,
    roundup_rows,
)
from bot.services.digests import digest_stories
from bot.services.requests import MAX_SUMMARY, clean_args
from bot.services.schedule import digest_end, digest_start, next_occurrence
from bot.services.views import (
    Ambiguous,
    DeliveryTexts,
    NothingToResume,
    Overview,
    QuietSet,
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
class QuietRequest:
    """`/quiet [тема] [вкл|выкл]`: «меньше шума» on or off, for a theme or every subscription."""

    theme: str | None = None
    quiet: bool = True


QUIET_OFF = frozenset({"выкл", "выключить", "нет", "off"})
QUIET_ON = frozenset({"вкл", "включить", "да", "on"})


def parse_quiet_args(args: str | None) -> QuietRequest:
    """`/quiet`, `/quiet торговля`, `/quiet выкл`, `/quiet выкл торговля` (issue 12)."""
    words = clean_args(args).split()
    switches = [w.lower() for w in words if w.lower() in QUIET_OFF | QUIET_ON]
    theme = " ".join(w for w in words if w.lower() not in QUIET_OFF | QUIET_ON)
    quiet = not switches or switches[-1] in QUIET_ON
    return QuietRequest(None if theme.lower() in ALL_WORDS | {""} else theme, quiet)


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
        *,
        source_weights: Mapping[str, float] | None = None,
    ) -> None:
        self.store = store
        # Digests rank stories as /summary does, with the live sources' weights.
        self.source_weights: Mapping[str, float] = dict(source_weights or {})
        self.texts = texts
        self.clock = clock
        self.tz = tz
        self._resolve = resolve
        self.book: ThemeBook = load_themes()
        # Matching, digest scheduling and /subscribe never interleave in this process; the
        # runner and the dispatcher share this one instance. Other processes (console,
        # ingest) are met by compare-and-set in the store.
        self._lock = asyncio.Lock()
        self.settle = ALERT_SETTLE  # tests of matching set zero; the rule has its own test
        self.max_hold = ALERT_MAX_HOLD

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
        async with self._lock:
            # No time given: an existing subscription keeps its own («/subscribe торговля»
            # after «/subscribe торговля 07:05» keeps 07:05); the default is for a new one.
            subscription, created = await self.store.upsert_subscription(
                chat_id=chat.id,
                chat_type=chat.type,
                title=chat.title,
                theme=theme.slug if theme else None,
                thread_id=chat.thread_id,
                digest_time=at,
                next_digest_at=next_occurrence(at, self.tz, self.clock()),
                keep_time=request.at is None,
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

    async def set_quiet(self, chat_id: int, request: QuietRequest) -> QuietSet | UnknownTheme:
        """`/quiet`: «меньше шума» on or off for one theme's subscription or all of them."""
        ids = None
        theme = None
        if request.theme is not None:
            theme, suggestions = self._resolve(request.theme)
            if theme is None:
                return UnknownTheme(request.theme, suggestions)
            current = await self.store.chat_subscriptions(chat_id)
            ids = [s.id for s in current if s.theme == theme.slug]
        changed = await self.store.set_quiet(chat_id, ids, request.quiet)
        return QuietSet(theme, request.quiet, len(changed))

    async def toggle_quiet(
        self, chat_id: int, subscription_id: int, quiet: bool
    ) -> Overview | None:
        """A button of /subscriptions: set one subscription; the new list, None if it is gone."""
        if not await self.store.set_quiet(chat_id, [subscription_id], quiet):
            return None
        return await self.overview(chat_id)

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
        """Write alerts for articles not matched yet (each is matched once); rows written.

        Articles wait until an import settles (`settle` after the newest, at most `max_hold`
        after the oldest), then are matched as one batch: a chat that would get more than
        ALERT_BURST alerts from it gets one roundup message instead. Only news is alerted:
        not what was published before the subscription or before yesterday.
        """
        async with self._lock:
            span = await self.store.unmatched_span()
            now = self.clock()
            if span is None or not import_settled(span, now, self.settle, self.max_hold):
                return 0  # nothing new, or an import still running: its articles go together
            article_ids = await self.store.unmatched_articles()
            heads = await self.store.get_heads(article_ids)
            places: dict[Place, list[tuple[ArticleHead, Subscription]]] = {}
            for article_id in article_ids:
                head = heads.get(article_id)
                if head is None:
                    continue
                subscriptions = await self.store.subscriptions_for_article(article_id)
                news = (s for s in subscriptions if is_news(head, s, now, self.tz))
                chosen = one_per_place(news)
                for place, sub in chosen.items():
                    places.setdefault(place, []).append((head, sub))
                log.info("article %d matched %d subscriptions", article_id, len(chosen))
            deliveries: list[NewDelivery] = []
            for place, items in places.items():
                deliveries += await self._alerts_for(place, items)
            return await self.store.enqueue_deliveries(deliveries, matched_articles=article_ids)

    async def _alerts_for(
        self, place: Place, items: Sequence[tuple[ArticleHead, Subscription]]
    ) -> list[NewDelivery]:
        """A chat's alerts from one batch: one each, or one roundup when there are many."""
        known = await self._known_stories(place, items)
        # issue 12: «меньше шума»: what only adds a source to a known story is not sent.
        items = [(head, sub) for head, sub in items if not (sub.quiet and head.id in known)]
        if len(items) > ALERT_BURST:
            heads = [head for head, _ in items]
            log.info("chat %d: %d new articles in one roundup", place[0], len(heads))
            return roundup_rows(place, heads, items[0][1], self.texts.roundup(heads))
        rows: list[NewDelivery] = []
        for head, sub in items:
            if head.id in known:
                # issue 12: the chat already heard of this story: «ещё один источник».
                texts = self._render_follow_up(head, known[head.id], sub.theme)
            else:
                sentences = (await self.store.summaries([head.id])).get(head.id, [])
                texts = self._render_alert(head, sentences, sub.theme)
            rows += alert_rows(place, head, sub, texts)
        return rows

    async def _known_stories(
        self, place: Place, items: Sequence[tuple[ArticleHead, Subscription]]
    ) -> dict[int, FollowUp]:
        """Issue 12: the batch's articles whose story this place has heard of (an alert sent
        or queued, or an earlier article of this batch), with that story."""
        known: dict[int, FollowUp] = {}
        told: set[int] = set()
        for head, _ in items:
            story = await self.store.story_follow_up(head.id)
            if story is None:
                continue
            if story[0] in told or (place[0], place[1] or 0) in story[2]:
                known[head.id] = story
            told.add(story[0])
        return known

    async def tick(self) -> int:
        """One scheduling step: alerts for new articles, then due digests; rows written."""
        return await self.match_new_articles() + await self.enqueue_due_digests()

    async def enqueue_due_digests(self) -> int:
        """Write the digests whose time has come (none when a window had no articles).

        A digest is identified by its subscription and window end, and all its parts are one
        unit; each is written with a compare-and-set on the subscription's schedule.
        """
        now = self.clock()
        written = 0
        async with self._lock:
            rendered: dict[tuple[str | None, dt.datetime, dt.datetime], list[str]] = {}
            for sub in await self.store.due_digests(now):
                stop = digest_end(sub, self.tz, now)
                start = digest_start(sub, self.tz, stop)
                key = (sub.theme, start, stop)
                if key not in rendered:
                    rendered[key] = await self._digest(sub.theme, start, stop)
                unit = f"digest:{sub.id}:{stop.isoformat()}"
                deliveries = [
                    NewDelivery(
                        key=f"{unit}:{part}",
                        kind="digest",
                        chat_id=sub.chat_id,
                        thread_id=sub.thread_id,
                        subscription_id=sub.id,
                        article_id=None,
                        text=text,
                        unit=unit,
                    )
                    for part, text in enumerate(rendered[key])
                ]
                rows = await self.store.enqueue_digest(
                    sub,
                    deliveries,
                    window_end=stop,
                    next_at=next_occurrence(sub.digest_time, self.tz, now),
                )
                if rows is None:
                    log.info("subscription %d changed while its digest was built", sub.id)
                written += rows or 0
        return written

    def _render_follow_up(self, head: ArticleHead, story: FollowUp, slug: str | None) -> list[str]:
        theme = self._theme(slug)
        return self.texts.follow_up(head, story[0], story[1], theme.name if theme else None)

    def _render_alert(
        self, head: ArticleHead, sentences: Sequence[KeySentence], slug: str | None
    ) -> list[str]:
        theme = self._theme(slug)
        return self.texts.alert(head, sentences, theme.name if theme else None)

    async def _digest(self, slug: str | None, start: dt.datetime, stop: dt.datetime) -> list[str]:
        if start >= stop:
            return []
        ids = await self.store.articles_added(start, stop, slug)
        if not ids:
            return []
        theme = self._theme(slug)
        day = stop.astimezone(self.tz).date()
        # Issue 12: each story once, ranked as /summary ranks them.
        stories = await digest_stories(self.store, ids, day, self.source_weights)
        return self.texts.digest(day, stories, theme.name if theme else None)

    def _theme(self, slug: str | None) -> Theme | None:
        if slug is None:
            return None
        try:
            return self.book.by_slug(slug)
        except KeyError:  # a theme since removed from themes.toml: delivered unnamed
            return None
