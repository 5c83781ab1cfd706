"""Alerts: which new articles are news for a subscription, and the outbox rows they become.

A bulk import (a folder of archives, the first pass of a new live source) is not news: alerts
wait for an import to settle, skip what was published before the subscription's day or
before yesterday, and a chat that would get more than ALERT_BURST of them at once gets one
roundup message instead (see README, «Подписки: что и когда приходит»).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from bot.models import ArticleHead, NewDelivery, Subscription

ALERT_BURST = 5  # more new articles than this for one chat in one batch: one roundup message
ALERT_SETTLE = dt.timedelta(seconds=10)  # matching waits this long after the newest article...
ALERT_MAX_HOLD = dt.timedelta(minutes=1)  # ...but no longer than this after the oldest waiting
NEWS_AGE = dt.timedelta(days=1)  # published before yesterday (local date): not alerted

Place = tuple[int, int | None]  # chat and forum topic


def import_settled(
    span: tuple[dt.datetime, dt.datetime],
    now: dt.datetime,
    settle: dt.timedelta,
    max_hold: dt.timedelta,
) -> bool:
    """May the waiting articles (added between span's oldest and newest) be matched now?"""
    oldest, newest = span
    return now - newest >= settle or now - oldest >= max_hold


def is_news(head: ArticleHead, sub: Subscription, now: dt.datetime, tz: ZoneInfo) -> bool:
    """Published no earlier than the subscription's day and than yesterday (local dates).

    An undated article counts as news: it was added after the subscription.
    """
    if head.published is None:
        return True
    since = now.astimezone(tz).date() - NEWS_AGE
    if sub.created_at is not None:
        since = max(since, sub.created_at.astimezone(tz).date())
    return head.published >= since


def one_per_place(subscriptions: Iterable[Subscription]) -> dict[Place, Subscription]:
    """One alert per chat and forum topic, however many of its subscriptions match; a theme
    subscription names the theme, so it wins over "all"."""
    chosen: dict[Place, Subscription] = {}
    for sub in subscriptions:
        place = (sub.chat_id, sub.thread_id)
        if place not in chosen or (sub.theme and not chosen[place].theme):
            chosen[place] = sub
    return chosen


def alert_rows(
    place: Place, head: ArticleHead, sub: Subscription, texts: Sequence[str]
) -> list[NewDelivery]:
    """The rows of one alert (its parts are one unit)."""
    unit = f"alert:{place[0]}:{place[1] or 0}:{head.id}"
    return _unit_rows(unit, place, sub, head.id, texts)


def roundup_rows(
    place: Place, heads: Sequence[ArticleHead], sub: Subscription, texts: Sequence[str]
) -> list[NewDelivery]:
    """The rows of one roundup of many new articles (its parts are one unit)."""
    unit = f"roundup:{place[0]}:{place[1] or 0}:{heads[0].id}-{heads[-1].id}"
    return _unit_rows(unit, place, sub, None, texts)


def _unit_rows(
    unit: str, place: Place, sub: Subscription, article_id: int | None, texts: Sequence[str]
) -> list[NewDelivery]:
    """One outbox row per message part, all of one unit (written all or none)."""
    chat_id, thread_id = place
    return [
        NewDelivery(
            key=f"{unit}:{part}",
            kind="alert",
            chat_id=chat_id,
            thread_id=thread_id,
            subscription_id=sub.id,
            article_id=article_id,
            text=text,
            unit=unit,
        )
        for part, text in enumerate(texts)
    ]
