"""Issue 9, delivery: alerts for news only and roundups (8), digests (10), the outbox (11)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import sqlite3
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.models import ArticleHead, NewDelivery
from bot.services.schedule import next_occurrence
from bot.services.subscriptions import ALERT_MAX_HOLD, ALERT_SETTLE, Subscriptions
from bot.store import Store
from bot.telegram.app import create_bot
from bot.telegram.ratelimit import Limits, RateLimiter
from bot.telegram.sender import Sender
from bot.texts.subscriptions import DELIVERY_TEXTS, ROUNDUP_ITEMS, render_roundup
from tests.rigs import CYBER_TITLE, Rig, outbox_states

FAST = Limits(per_second=1e9, chat_interval=0.0, group_per_minute=10**9, margin=0.0)


async def wait_state(store: Store, state: str) -> None:
    async with asyncio.timeout(5):
        # The database has no event to wait on: poll it.
        while state not in await outbox_states(store):  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def drain_with_second_row_buffered(rig: Rig, articles_dir: Path) -> asyncio.Task[int]:
    """Alerts for chats 101 and 102, drained one send at a time: chat 101's row is in flight
    (Telegram is slow), 102's is buffered. Returns the running drain."""
    await rig.subscribe(101)
    await rig.subscribe(102)
    await rig.drop_article(articles_dir)
    await rig.subscriptions.match_new_articles()
    rig.telegram.delay("sendMessage", 0.5, chat_id=101)
    drain = asyncio.create_task(rig.sender.drain())
    await wait_state(rig.store, "sending")
    return drain


async def test_issue9_11_row_cancelled_while_buffered_is_not_sent(
    rig: Rig, articles_dir: Path
) -> None:
    drain = await drain_with_second_row_buffered(rig, articles_dir)
    await rig.app.send_text("/unsubscribe", chat_id=102, user_id=102)
    await drain
    assert len(rig.delivered(101)) == 1
    # Before: sent anyway, as mark_sent checked no state.
    assert not any(CYBER_TITLE in text for text in rig.telegram.texts(102))
    assert await outbox_states(rig.store) == {"sent": 1, "cancelled": 1}


async def test_issue9_11_row_paused_while_buffered_is_not_sent(
    rig: Rig, articles_dir: Path
) -> None:
    drain = await drain_with_second_row_buffered(rig, articles_dir)
    await rig.subscriptions.pause(102, "blocked")  # what a my_chat_member update does
    await drain
    assert rig.delivered(102) == []
    assert await outbox_states(rig.store) == {"sent": 1, "skipped": 1}


async def test_issue9_11_ambiguous_timeout_is_resent_once_and_logged(
    rig: Rig, articles_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Telegram takes the message but answers after the client gave up: at-least-once means
    # one more send, and a log line saying it may be a duplicate; never a lost alert.
    await rig.subscribe(101)
    await rig.drop_article(articles_dir)
    rig.sender.send_timeout = 1
    rig.telegram.delay("sendMessage", 1.5, chat_id=101)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.sender"):
        await rig.deliver()
    await rig.telegram.until(lambda: len(rig.delivered(101)) == 2, 3)
    first, second = rig.delivered(101)
    assert first == second
    assert await outbox_states(rig.store) == {"sent": 1}
    assert any("may have accepted it" in r.getMessage() for r in caplog.records)


async def test_issue9_11_refused_connection_is_not_called_ambiguous(
    store: Store, clock: ManualClock, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    await store.upsert_subscription(
        chat_id=101,
        chat_type="private",
        title=None,
        theme=None,
        thread_id=None,
        digest_time=clock().time(),
        next_digest_at=clock(),
    )
    row = NewDelivery(
        key="k",
        kind="alert",
        chat_id=101,
        thread_id=None,
        subscription_id=1,
        article_id=None,
        text="x",
    )
    assert await store.enqueue_deliveries([row]) == 1
    # Nothing listens on port 9 of localhost: the connection is refused, nothing was sent.
    dead = settings.model_copy(update={"telegram_api_url": "http://127.0.0.1:9"})
    bot = create_bot(dead, limiter=RateLimiter(FAST))
    try:
        with caplog.at_level(logging.WARNING, logger="bot.telegram.sender"):
            await Sender(bot, store, clock, jitter=lambda: 0.5).run_once()
    finally:
        await bot.session.close()
    assert not any("may have accepted" in r.getMessage() for r in caplog.records)
    assert any("retry 2" in r.getMessage() for r in caplog.records)


async def test_issue9_11_failing_mark_sent_does_not_resend(
    rig: Rig, articles_dir: Path, settings: Settings
) -> None:
    await rig.subscribe(101)
    await rig.drop_article(articles_dir)
    # A real database fault, only on this connection: recording 'sent' fails.
    await rig.store.db.execute(
        "CREATE TEMP TRIGGER refuse_sent BEFORE UPDATE OF state ON outbox"
        " WHEN NEW.state = 'sent' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
    )
    async with asyncio.timeout(10):  # before: pending again, so drain resent it forever
        await rig.deliver()
        await rig.deliver()
    assert len(rig.delivered(101)) == 1
    assert await outbox_states(rig.store) == {"sending": 1}
    await rig.store.db.execute("DROP TRIGGER refuse_sent")
    # The next start releases it: the one duplicate the README allows, then it is recorded.
    bot = create_bot(settings, limiter=RateLimiter(FAST))
    try:
        restarted = Sender(bot, rig.store, rig.app.clock)
        assert await restarted.drain() == 0  # still 'sending': not picked up
        assert await restarted.release_claims() == 1
        assert await restarted.drain() == 1
    finally:
        await bot.session.close()
    assert len(rig.delivered(101)) == 2
    assert await outbox_states(rig.store) == {"sent": 1}


async def test_issue9_11_concurrent_senders_send_each_row_once(
    rig: Rig, articles_dir: Path, db_path: Path, clock: ManualClock, settings: Settings
) -> None:
    chats = range(30_001, 30_031)
    for chat_id in chats:
        await rig.store.upsert_subscription(
            chat_id=chat_id,
            chat_type="private",
            title=None,
            theme=None,
            thread_id=None,
            digest_time=clock().time(),
            next_digest_at=clock() + dt.timedelta(days=1),
        )
    await rig.drop_article(articles_dir)
    await rig.subscriptions.match_new_articles()
    bots = [create_bot(settings, limiter=RateLimiter(FAST)) for _ in range(2)]
    try:
        async with Store(db_path, clock) as other:
            senders = [Sender(bots[0], rig.store, clock), Sender(bots[1], other, clock)]
            # Any failed send would wait for the manual clock: fail, do not hang.
            async with asyncio.timeout(60):
                tried = await asyncio.gather(*(s.drain() for s in senders))
    finally:
        for bot in bots:
            await bot.session.close()
    for chat_id in chats:
        assert len(rig.telegram.texts(chat_id)) == 1, chat_id  # before: most chats got two
    assert sum(tried) >= len(chats)
    assert await outbox_states(rig.store) == {"sent": len(chats)}


# --- item 8: alerts are for news; a burst becomes one roundup ---------------------------------


def write_article(folder: Path, n: int, published: str, title: str | None = None) -> str:
    """A small article of our own words; `n` makes its text (and hash) unique."""
    title = title or f"Казахстан и Китай обсудили кибербезопасность, встреча {n}"
    (folder / f"news{n}.md").write_text(
        f"---\ntitle: {title}\nsource: Test News\nurl: https://example.org/news-{n}\n"
        f"published: '{published}'\nlang: ru\n---\n\n"
        f"Эксперты двух стран провели встречу номер {n} по защите от кибератак. Стороны "
        "договорились обмениваться данными о киберугрозах и хакерских атаках.\n",
        encoding="utf-8",
    )
    return title


async def ingest(rig: Rig, folder: Path) -> list[int]:
    return (await rig.app.dp["ingestor"].ingest([folder])).added


async def test_issue9_8_burst_of_new_articles_is_one_roundup(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(101)
    titles = [write_article(articles_dir, n, "2025-09-02") for n in range(12)]
    added = await ingest(rig, articles_dir)
    await rig.deliver()
    [roundup] = rig.delivered(101)  # before: twelve alerts
    assert roundup.startswith("<b>12\u00a0новых материалов</b>:")
    for title, article_id in zip(titles, sorted(added), strict=True):
        assert title in roundup
        assert f"/article {article_id}" in roundup
    assert roundup.count("Test News, 2\u00a0сентября 2025") == 12
    assert roundup.count('<a href="https://example.org/news-') == 12


async def test_issue9_8_a_few_new_articles_are_alerted_one_by_one(
    rig: Rig, articles_dir: Path
) -> None:
    await rig.subscribe(101)
    for n in range(3):
        write_article(articles_dir, n, "2025-09-02")
    await ingest(rig, articles_dir)
    await rig.deliver()
    alerts = rig.delivered(101)
    assert len(alerts) == 3
    assert alerts[0].startswith("<b>Новый материал</b>")
    # Issue 12: three near copies from one source are one story; the others follow it up.
    follow_ups = ("<b>Новый материал</b>", "<b>Ещё один источник</b>")
    assert all(a.startswith(follow_ups) for a in alerts)


async def test_issue9_8_old_articles_are_not_alerted(
    rig: Rig, articles_dir: Path, clock: ManualClock
) -> None:
    await rig.subscribe(101)  # on 2 September 2025
    clock.advance(days=3)  # now 5 September
    write_article(articles_dir, 1, "2025-08-01", "Архивная статья о торговле")
    write_article(articles_dir, 2, "2025-09-01", "Статья до подписки")
    write_article(articles_dir, 3, "2025-09-03", "Статья позавчерашняя")
    write_article(articles_dir, 4, "2025-09-04", "Статья вчерашняя")
    write_article(articles_dir, 5, "2025-09-05", "Статья сегодняшняя")
    await ingest(rig, articles_dir)
    await rig.deliver()
    alerted = " ".join(rig.delivered(101))
    assert "вчерашняя" in alerted and "сегодняшняя" in alerted
    assert "Архивная" not in alerted and "до подписки" not in alerted
    assert "позавчерашняя" not in alerted  # older than a day
    assert await rig.store.unmatched_articles() == []  # matched all the same, never again


async def test_issue9_8_matching_waits_for_an_import_to_settle(
    rig: Rig, articles_dir: Path, clock: ManualClock
) -> None:
    subscriptions = rig.subscriptions
    subscriptions.settle, subscriptions.max_hold = ALERT_SETTLE, ALERT_MAX_HOLD
    await rig.subscribe(101)
    for n in range(4):
        write_article(articles_dir, n, "2025-09-02")
    await ingest(rig, articles_dir)
    clock.advance(seconds=5)
    await rig.deliver()
    assert rig.delivered(101) == []  # the import may go on
    for n in range(4, 8):
        write_article(articles_dir, n, "2025-09-02")
    await ingest(rig, articles_dir)
    clock.advance(seconds=ALERT_SETTLE.total_seconds())
    await rig.deliver()
    [roundup] = rig.delivered(101)  # before: four alerts, then four more
    assert roundup.startswith("<b>8\u00a0новых материалов</b>:")


async def test_issue9_8_long_import_is_held_at_most_max_hold(
    rig: Rig, articles_dir: Path, clock: ManualClock
) -> None:
    subscriptions = rig.subscriptions
    subscriptions.settle, subscriptions.max_hold = ALERT_SETTLE, ALERT_MAX_HOLD
    await rig.subscribe(101)
    steps = int(ALERT_MAX_HOLD / dt.timedelta(seconds=5))
    for n in range(steps):  # a new article every 5 s: never settles
        write_article(articles_dir, n, "2025-09-02")
        await ingest(rig, articles_dir)
        clock.advance(seconds=5)
        await rig.deliver()
    [roundup] = rig.delivered(101)
    assert roundup.startswith(f"<b>{steps}\u00a0новых материалов</b>:")


@pytest.mark.parametrize(
    ("count", "header", "rest"),
    [
        (6, "6\u00a0новых материалов", None),
        (21, "21\u00a0новый материал", "…и ещё 1\u00a0материал."),
        (22, "22\u00a0новых материала", "…и ещё 2\u00a0материала."),
    ],
)
def test_issue9_8_roundup_agrees_in_number(count: int, header: str, rest: str | None) -> None:
    heads = [
        ArticleHead(
            id=n,
            key=f"k{n}",
            title=f"Заголовок {n}",
            source="Test News",
            url=f"https://example.org/{n}",
            published=dt.date(2025, 9, 2),
            lang="ru",
        )
        for n in range(1, count + 1)
    ]
    [message] = render_roundup(heads)
    assert message.startswith(f"<b>{header}</b>:")
    assert message.count("/article ") == min(count, ROUNDUP_ITEMS)
    assert (rest in message) if rest else "…и ещё" not in message


# --- item 10: digests ---------------------------------------------------------------------------


async def test_issue9_10_same_day_time_change_sends_a_whole_second_digest(
    rig: Rig, articles_dir: Path, clock: ManualClock, settings: Settings
) -> None:
    def local(hour: int) -> dt.datetime:
        day = dt.date(2025, 9, 2)
        return dt.datetime.combine(day, dt.time(hour), settings.tz).astimezone(dt.UTC)

    await rig.subscribe(101, "кибербезопасность 10:00")
    first = write_article(articles_dir, 1, "2025-09-02", "Утренняя статья о кибербезопасности")
    await ingest(rig, articles_dir)
    clock.now = local(10)
    await rig.deliver()
    morning = [t for t in rig.delivered(101) if t.startswith("<b>Дайджест")]
    assert len(morning) == 1 and first in morning[0]
    await rig.subscribe(101, "кибербезопасность 18:00")  # the same day
    clock.now = local(12)
    second = write_article(articles_dir, 2, "2025-09-02", "Дневная статья о кибербезопасности")
    await ingest(rig, articles_dir)
    clock.now = local(18)
    await rig.deliver()
    digests = [t for t in rig.delivered(101) if t.startswith("<b>Дайджест")]
    assert len(digests) == 2  # before: the second collided with the first's key and vanished
    evening = digests[1]
    assert second in evening
    assert first not in evening  # it was in the morning's digest
    assert "1\u00a0сюжет" in evening.split("\n")[0]  # issue 12: the digest counts stories


async def test_issue9_10_subscribe_without_time_keeps_the_chosen_time(rig: Rig) -> None:
    await rig.subscribe(101, "торговля 07:05")
    [before] = await rig.store.chat_subscriptions(101)
    [reply] = await rig.app.send_text("/subscribe торговля", chat_id=101, user_id=101)
    assert "ежедневно в 07:05" in reply  # before: reset to 09:00
    [after] = await rig.store.chat_subscriptions(101)
    assert after.digest_time == dt.time(7, 5)
    assert after.next_digest_at == before.next_digest_at


async def test_issue9_10_subscribe_racing_the_scheduler_keeps_its_new_time(
    store: Store, clock: ManualClock, settings: Settings, db_path: Path
) -> None:
    # The scheduler reads the due subscription, then builds the digest; meanwhile another
    # process (a console on the same database) moves the digest time to 18:00.
    tz = settings.tz
    await store.upsert_subscription(
        chat_id=101,
        chat_type="private",
        title=None,
        theme=None,
        thread_id=None,
        digest_time=dt.time(10),
        next_digest_at=next_occurrence(dt.time(10), tz, clock()),
    )
    evening = dt.datetime.combine(dt.date(2025, 9, 2), dt.time(18), tz).astimezone(dt.UTC)

    def digest_while_subscribing(*args: Any) -> list[str]:
        with sqlite3.connect(db_path, timeout=5) as other:
            other.execute(
                "UPDATE subscriptions SET digest_time = '18:00', next_digest_at = ?",
                (evening.isoformat(timespec="microseconds"),),
            )
        other.close()
        return DELIVERY_TEXTS.digest(*args)

    racing = dataclasses.replace(DELIVERY_TEXTS, digest=digest_while_subscribing)
    subscriptions = Subscriptions(store, clock, tz, lambda _: (None, ()), racing)
    clock.advance(hours=3)  # 10:00 has passed: the digest is due
    assert await subscriptions.enqueue_due_digests() == 0  # the new time won
    [sub] = await store.chat_subscriptions(101)
    assert sub.digest_time == dt.time(18)
    assert sub.next_digest_at == evening  # before: tomorrow 10:00, the new time lost
    clock.now = evening
    assert await subscriptions.enqueue_due_digests() > 0  # the digest comes at 18:00


async def test_issue9_10_digest_window_is_a_local_day_across_dst(
    rig: Rig, articles_dir: Path, clock: ManualClock
) -> None:
    # Europe/Berlin springs forward on 30 March 2025: Sunday 09:00 is 23 hours after Saturday's.
    berlin = ZoneInfo("Europe/Berlin")

    def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
        moment = dt.datetime(2025, 3, day, hour, minute, tzinfo=berlin)
        return moment.astimezone(dt.UTC)

    subscriptions = Subscriptions(rig.store, clock, berlin, lambda _: (None, ()), DELIVERY_TEXTS)
    clock.now = at(29, 8, 30)  # Saturday, before Saturday's 09:00: in Saturday's window
    early = write_article(articles_dir, 1, "2025-03-29", "Субботняя статья до девяти")
    await ingest(rig, articles_dir)
    clock.now = at(29, 9, 30)
    later = write_article(articles_dir, 2, "2025-03-29", "Субботняя статья после девяти")
    await ingest(rig, articles_dir)
    await rig.store.upsert_subscription(
        chat_id=101,
        chat_type="private",
        title=None,
        theme=None,
        thread_id=None,
        digest_time=dt.time(9),
        next_digest_at=next_occurrence(dt.time(9), berlin, clock()),
    )
    clock.now = at(30, 9)
    assert await subscriptions.enqueue_due_digests() > 0
    await rig.sender.drain()
    [digest] = [t for t in rig.delivered(101) if t.startswith("<b>Дайджест")]
    assert later in digest
    assert early not in digest  # before: "24 hours" reached back to Saturday 08:00


async def test_issue9_10_digest_parts_are_written_as_one_unit(store: Store) -> None:
    await store.upsert_subscription(
        chat_id=101,
        chat_type="private",
        title=None,
        theme=None,
        thread_id=None,
        digest_time=dt.time(10),
        next_digest_at=next_occurrence(dt.time(10), ZoneInfo("UTC"), store.clock()),
    )

    def parts(count: int) -> list[NewDelivery]:
        return [
            NewDelivery(
                key=f"digest:1:w:{part}",
                kind="digest",
                chat_id=101,
                thread_id=None,
                subscription_id=1,
                article_id=None,
                text=f"part {part}",
                unit="digest:1:w",
            )
            for part in range(count)
        ]

    assert await store.enqueue_deliveries(parts(2)) == 2
    # Redone with one more part (an article arrived meanwhile): the unit exists, so its
    # third part is not sent on its own, headless.
    assert await store.enqueue_deliveries(parts(3)) == 0
    assert await outbox_states(store) == {"pending": 2}
