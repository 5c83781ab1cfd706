"""Matching, digests and the outbox sender against the fake Bot API, with virtual time."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.ingest.pipeline import Ingestor
from bot.ops.status import render_status
from bot.services.schedule import next_occurrence
from bot.services.subscriptions import Subscriptions
from bot.store import Store
from bot.telegram.app import create_bot
from bot.telegram.ratelimit import DELIVERY, Limits, RateLimiter
from bot.telegram.sender import MAX_ATTEMPTS, Sender
from bot.texts.subscriptions import DELIVERY_TEXTS
from tests.fake_telegram import FakeTelegram, running_fake
from tests.rigs import CYBER_ARTICLE, CYBER_TITLE, Rig, VirtualTime, outbox_states

NBSP = "\u00a0"

# --- matching --------------------------------------------------------------------------------


async def test_new_article_reaches_exactly_the_matching_chats_once(
    rig: Rig, articles_dir: Path
) -> None:
    await rig.subscribe(101)  # every article
    await rig.subscribe(-100201, "кибербезопасность")
    await rig.subscribe(-100202)  # all + the theme: still one message
    await rig.subscribe(-100202, "кибербезопасность")
    await rig.subscribe(102, "энергетика")  # another theme
    [article_id] = await rig.drop_article(articles_dir)
    await rig.deliver()
    for chat_id in (101, -100201, -100202):
        [alert] = rig.delivered(chat_id)
        assert CYBER_TITLE in alert
        assert f"/article {article_id}" in alert
    assert "тема «кибербезопасность»" in rig.delivered(-100202)[0]
    assert rig.delivered(102) == []
    await rig.drop_article(articles_dir)  # the same file again: unchanged, nothing new
    assert await rig.deliver() == 0
    assert len(rig.telegram.sent()) == 5 + 3  # five replies, three alerts


async def test_alert_shows_link_source_date_and_key_sentences(
    rig: Rig, articles_dir: Path
) -> None:
    await rig.subscribe(101)
    await rig.drop_article(articles_dir)
    await rig.deliver()
    [alert] = rig.delivered(101)
    assert alert.startswith("<b>Новый материал</b>\n")
    assert f'<a href="https://example.org/cyber-2025">{CYBER_TITLE}</a>' in alert
    assert "Test News, 2\u00a0сентября 2025" in alert
    assert "<blockquote>" in alert


async def test_articles_older_than_the_subscription_are_not_alerted(rig: Rig) -> None:
    # The seeds in the test database were never matched; they predate the subscription.
    await rig.subscribe(101)
    assert await rig.subscriptions.match_new_articles() == 0
    assert await rig.store.unmatched_articles() == []


async def test_article_ingested_by_another_process_is_matched(
    rig: Rig, articles_dir: Path, db_path: Path, clock: ManualClock, models: Any
) -> None:
    from bot.ingest.pipeline import Ingestor

    await rig.subscribe(101)
    path = articles_dir / "cyber.md"
    path.write_text(CYBER_ARTICLE, encoding="utf-8")
    async with Store(db_path, clock) as other:  # `python -m bot ingest` on the same file
        await Ingestor(other, models).ingest([path])
    await rig.deliver()
    assert len(rig.delivered(101)) == 1


async def test_forum_thread_is_honoured(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(-100301, thread_id=77)
    await rig.drop_article(articles_dir)
    await rig.deliver()
    [sent] = [p for p in rig.telegram.sent(chat_id=-100301) if CYBER_TITLE in p["text"]]
    assert sent["message_thread_id"] == 77


# --- digests ---------------------------------------------------------------------------------


async def test_digest_is_sent_at_the_configured_time(
    rig: Rig, articles_dir: Path, clock: ManualClock, settings: Settings
) -> None:
    await rig.subscribe(101, "кибербезопасность 10:00")
    clock.advance(minutes=10)
    await rig.drop_article(articles_dir)
    await rig.deliver()  # the alert
    due = dt.datetime.combine(clock().astimezone(settings.tz).date(), dt.time(10), settings.tz)
    clock.now = due.astimezone(dt.UTC) - dt.timedelta(seconds=1)
    await rig.deliver()
    assert len(rig.delivered(101)) == 1  # not yet
    clock.advance(seconds=1)
    await rig.deliver()
    alert, digest = rig.delivered(101)
    assert alert.startswith("<b>Новый материал</b>")
    assert digest.startswith("<b>Дайджест за ")
    assert "тема «кибербезопасность»" in digest
    assert CYBER_TITLE in digest
    await rig.deliver()  # the same minute again: the digest is written once per day
    assert len(rig.delivered(101)) == 2


async def test_digest_skipped_when_a_day_had_no_articles(
    rig: Rig, articles_dir: Path, clock: ManualClock
) -> None:
    await rig.subscribe(101, "кибербезопасность")  # 09:00 local tomorrow
    clock.advance(days=2)
    await rig.deliver()
    assert rig.delivered(101) == []
    [sub] = await rig.store.chat_subscriptions(101)
    assert sub.next_digest_at > clock()  # moved on to the next day


async def test_long_digest_is_split_into_valid_messages(
    rig: Rig, articles_dir: Path, clock: ManualClock, models: Any, db_path: Path
) -> None:
    # Ingested before the subscription (no alerts) but inside its first window: with the
    # seeds, fourteen stories, too many for one message.
    await add_articles(rig.store, models, articles_dir, 10)
    await rig.subscribe(101, "10:00")
    clock.advance(hours=3)
    await rig.deliver()
    digest = rig.delivered(101)
    assert len(digest) >= 2 and digest[0].startswith("<b>Дайджест за ")
    assert f"14{NBSP}сюжетов" in digest[0].split("\n")[0]
    numbers = [int(n) for n in re.findall(r"^<b>(\d+)\. ", "\n".join(digest), re.M)]
    assert numbers == list(range(1, 15))  # every story once, numbered across the parts
    assert not rig.telegram.rejected  # each part valid HTML of at most 4096 characters
    [sub] = await rig.store.chat_subscriptions(101)
    assert sub.digest_from is not None
    with sqlite3.connect(db_path) as db:  # the parts are one unit: written all or none
        units = db.execute("SELECT DISTINCT unit FROM outbox WHERE kind = 'digest'").fetchall()
    db.close()
    assert [u for (u,) in units] == [f"digest:{sub.id}:{sub.digest_from.isoformat()}"]


# --- errors ----------------------------------------------------------------------------------


async def test_retry_after_is_obeyed_for_the_chat(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(101)
    rig.telegram.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    await rig.drop_article(articles_dir)
    await rig.deliver()
    assert len(rig.delivered(101)) == 1
    assert rig.time.slept >= 7
    assert rig.limiter.too_many_requests == 1
    assert (await outbox_states(rig.store)) == {"sent": 1}


async def test_forbidden_pauses_the_chat(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(101)
    await rig.subscribe(102)
    rig.telegram.blocked_chats.add(101)
    await rig.drop_article(articles_dir)
    await rig.deliver()
    assert await rig.store.chat_pause(101) is not None
    assert len(rig.delivered(102)) == 1
    assert (await outbox_states(rig.store)) == {"sent": 1, "skipped": 1}
    await rig.drop_article(articles_dir, "cyber2.md", "Стороны также обсудили учения.\n")
    await rig.deliver()  # matched while paused: not sent
    rig.telegram.blocked_chats.clear()
    [reply] = await rig.app.send_text("/resume", chat_id=101, user_id=101)
    assert "вышло 2\u00a0материала" in reply
    assert "/summary 2" in reply
    await rig.deliver()
    assert rig.delivered(101) == []  # the backlog is not flooded in
    assert len(rig.delivered(102)) == 2


async def test_chat_not_found_pauses_the_chat(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(-100401)
    rig.telegram.fail("sendMessage", 400, "Bad Request: chat not found", chat_id=-100401)
    await rig.drop_article(articles_dir)
    await rig.deliver()
    assert await rig.store.chat_pause(-100401) == (rig.app.clock(), "chat not found")


async def test_group_migration_moves_subscription_and_resends(
    rig: Rig, articles_dir: Path
) -> None:
    old, new = -5001, -1005001
    await rig.subscribe(old)
    rig.telegram.migrated_chats[old] = new
    await rig.drop_article(articles_dir)
    await rig.deliver()
    [alert] = rig.delivered(new)
    assert CYBER_TITLE in alert
    assert await rig.store.chat_subscriptions(old) == []
    assert len(await rig.store.chat_subscriptions(new)) == 1


async def test_server_errors_retry_with_backoff(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(101)
    rig.telegram.fail("sendMessage", 502, "Bad Gateway", times=2)
    await rig.drop_article(articles_dir)
    await rig.deliver()
    assert len(rig.delivered(101)) == 1
    assert rig.time.slept >= 2 + 4  # backoff 2 s then 4 s (jitter fixed at x1)


async def test_delivery_failed_after_five_attempts(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(101)
    rig.telegram.fail("sendMessage", 500, "Internal Server Error", times=MAX_ATTEMPTS)
    await rig.drop_article(articles_dir)
    await rig.deliver()
    assert rig.delivered(101) == []
    assert (await outbox_states(rig.store)) == {"failed": 1}
    status = render_status(await rig.store.delivery_stats())
    assert "outbox: failed 1" in status
    assert "chat 101 [failed]: Internal Server Error" in status


async def test_unsubscribe_cancels_queued_deliveries(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(101)
    await rig.drop_article(articles_dir)
    await rig.subscriptions.match_new_articles()
    await rig.app.send_text("/unsubscribe", chat_id=101, user_id=101)
    await rig.sender.drain()
    assert (await outbox_states(rig.store)) == {"cancelled": 1}


async def test_outbox_survives_a_restart(rig: Rig, articles_dir: Path, settings: Settings) -> None:
    await rig.subscribe(101)
    await rig.drop_article(articles_dir)
    await rig.subscriptions.match_new_articles()  # written, then the process "dies"
    bot = create_bot(settings)
    try:
        assert await Sender(bot, rig.store, rig.app.clock).drain() == 1
    finally:
        await bot.session.close()
    assert len(rig.delivered(101)) == 1


# --- Telegram's flood limits ----------------------------------------------------------------

PRIVATE_CHATS = range(20_001, 20_061)
GROUPS = {-1003001: "supergroup", -1003002: "supergroup", -1003003: "supergroup", -3004: "group"}


async def subscribe_everyone(store: Store, clock: ManualClock, settings: Settings) -> None:
    """Every chat takes all articles with a digest at 10:00; groups also a theme's digest.

    Groups so get more messages than private chats; once those are done, the groups' last
    ones go back to back, and the one-a-second limit per chat decides the pace.
    """
    subscriptions = [(chat_id, "private", None) for chat_id in PRIVATE_CHATS]
    subscriptions += [(c, kind, t) for c, kind in GROUPS.items() for t in (None, "cybersecurity")]
    for chat_id, kind, theme in subscriptions:
        await store.upsert_subscription(
            chat_id=chat_id,
            chat_type=kind,
            title=None,
            theme=theme,
            thread_id=None,
            digest_time=dt.time(10),
            next_digest_at=next_occurrence(dt.time(10), settings.tz, clock()),
        )


def received_once_each(telegram: FakeTelegram) -> tuple[list[str], list[str]]:
    """What private chats and groups received: alike within each kind, nothing twice."""
    private, group = telegram.texts(PRIVATE_CHATS[0]), telegram.texts(next(iter(GROUPS)))
    for chat_id in PRIVATE_CHATS:
        assert telegram.texts(chat_id) == private, chat_id
    for chat_id in GROUPS:
        assert telegram.texts(chat_id) == group, chat_id
    assert len(set(private)) == len(private) and len(set(group)) == len(group)
    return private, group


async def add_articles(store: Store, models: Any, articles_dir: Path, count: int) -> None:
    """New articles: an alert each, and together with the seeds a digest of several parts."""
    for n in range(count):
        # Headlines near the 500-character limit, so that a few articles fill a message.
        title = f"{CYBER_TITLE} — итоги встречи {n + 1} " + "рабочей группы экспертов, " * 14
        text = undated(CYBER_ARTICLE.replace(CYBER_TITLE, title.rstrip(", "), 1))
        (articles_dir / f"cyber{n}.md").write_text(text, encoding="utf-8")
    assert len((await Ingestor(store, models).ingest([articles_dir])).added) == count


def undated(article: str) -> str:
    """The article without a date: it joins no story (issue 12), so the digest by story lists
    each such article as a story of its own, however alike their texts are."""
    return article.replace("published: '2025-09-02'", "published: null", 1)


def kinds(messages: list[str]) -> tuple[int, int]:
    """(alerts, digest parts) among one chat's messages."""
    alerts = sum(m.startswith("<b>Новый материал</b>") for m in messages)
    return alerts, len(messages) - alerts


def expected_sends(private: list[str], group: list[str]) -> int:
    return len(PRIVATE_CHATS) * len(private) + len(GROUPS) * len(group)


async def test_delivery_stays_within_telegram_flood_limits(
    rig: Rig, articles_dir: Path, clock: ManualClock, settings: Settings, models: Any
) -> None:
    # Telegram's limits, on the virtual clock the limiter also reads: 30/s in all, 1/s a chat.
    await subscribe_everyone(rig.store, clock, settings)
    rig.telegram.limit_per_second, rig.telegram.limit_per_chat_per_second = 30, 1
    await add_articles(rig.store, models, articles_dir, 5)
    clock.advance(hours=3)  # past 10:00 local: the digests are due
    await rig.deliver()
    private, group = received_once_each(rig.telegram)
    assert kinds(private) == (5, 2)  # the digest of everything takes two messages
    assert kinds(group)[0] == 5 and kinds(group)[1] > 2  # plus the theme's digest
    assert rig.telegram.too_many_requests == 0
    assert rig.limiter.too_many_requests == 0
    sends = expected_sends(private, group)
    assert (await outbox_states(rig.store)) == {"sent": sends}
    assert rig.time.slept >= (sends - 1) / 25  # nothing went faster than 25/s


async def test_concurrent_delivery_in_real_time_stays_within_scaled_limits(
    store: Store, settings: Settings, clock: ManualClock, articles_dir: Path, models: Any
) -> None:
    # The deployed sender (CONCURRENCY sends in flight, real sleeps) against a fake counting
    # real seconds. Time is squeezed `scale` times: our limits and Telegram's grow alike.
    # (The fake's per-chat limit, `scale` per second, allows bursts Telegram would not: the
    # exact one-a-second check is the virtual-time test above.)
    scale = 8
    fake = FakeTelegram()  # timed by time.monotonic, as the limiter is
    fake.limit_per_second, fake.limit_per_chat_per_second = 30 * scale, scale
    await subscribe_everyone(store, clock, settings)
    await add_articles(store, models, articles_dir, 5)
    subscriptions = Subscriptions(store, clock, settings.tz, lambda _: (None, ()), DELIVERY_TEXTS)
    subscriptions.settle = dt.timedelta(0)
    await subscriptions.match_new_articles()
    clock.advance(hours=3)
    await subscriptions.enqueue_due_digests()
    # The margin stays in real seconds: it absorbs network jitter, which is not squeezed.
    limits = Limits(per_second=25 * scale, chat_interval=1 / scale)
    async with running_fake(fake):
        bot = create_bot(
            settings.model_copy(update={"telegram_api_url": fake.url}),
            limiter=RateLimiter(limits),
        )
        try:
            # A 429 would leave its row waiting on the manual clock: this times out instead.
            await asyncio.wait_for(Sender(bot, store, clock).drain(), timeout=30)
        finally:
            await bot.session.close()
    private, group = received_once_each(fake)
    assert kinds(private) == (5, 2)
    assert fake.too_many_requests == 0
    assert (await outbox_states(store)) == {"sent": expected_sends(private, group)}


# --- the rate limiter ------------------------------------------------------------------------


@pytest.fixture
def time() -> VirtualTime:
    return VirtualTime(ManualClock(dt.datetime(2025, 9, 2, tzinfo=dt.UTC)))


async def stamps(
    limiter: RateLimiter, time: VirtualTime, chats: list[int], burst: int = 1
) -> list[float]:
    start, result = time.now(), []
    for chat_id in chats:
        await limiter.acquire(chat_id, burst)
        result.append(round(time.now() - start, 3))
    return result


async def test_limiter_spaces_sends_at_25_per_second(time: VirtualTime) -> None:
    limiter = RateLimiter(now=time.now, sleep=time.sleep)
    sent = await stamps(limiter, time, list(range(1, 51)))
    assert sent[-1] == pytest.approx(49 / 25)


async def test_virtual_sleep_shorter_than_a_microsecond_moves_the_clock(
    time: VirtualTime,
) -> None:
    before = time.now()
    await time.sleep(4.76837158203125e-07)  # the wait that hung the flood-limit test
    assert time.now() > before


async def test_limiter_many_chats_back_to_back_finish(time: VirtualTime) -> None:
    # Twenty chats in turn: each waits on its own one-a-second spacing, counted from slots of
    # the total rate that fall between microseconds. Before the sleep was rounded up, some
    # wait was left below a microsecond and never slept off.
    limiter = RateLimiter(now=time.now, sleep=time.sleep)
    sent = await asyncio.wait_for(stamps(limiter, time, list(range(1, 21)) * 30), timeout=10)
    assert sent[-1] == pytest.approx(29 * 1.05 + 19 / 25, abs=0.05)


async def test_limiter_one_per_second_per_chat(time: VirtualTime) -> None:
    limiter = RateLimiter(now=time.now, sleep=time.sleep)
    sent = await stamps(limiter, time, [5, 5, 5])
    assert sent == [0.0, 1.05, 2.1]


async def test_limiter_lets_replies_burst_then_one_per_second(time: VirtualTime) -> None:
    limiter = RateLimiter(now=time.now, sleep=time.sleep)
    sent = await stamps(limiter, time, [5, 5, 5, 5], burst=3)
    assert sent[:3] == [0.0, 0.04, 0.08]
    assert sent[3] >= 1.0


async def test_limiter_twenty_per_minute_per_group(time: VirtualTime) -> None:
    limiter = RateLimiter(Limits(chat_interval=0.0), now=time.now, sleep=time.sleep)
    sent = await stamps(limiter, time, [-7] * 21)
    assert sent[19] < 1.0
    assert sent[20] >= 60.0


async def test_limiter_holds_chat_after_429_and_slows_everyone(time: VirtualTime) -> None:
    limiter = RateLimiter(now=time.now, sleep=time.sleep)
    limiter.penalize(5, retry_after=3)
    assert await stamps(limiter, time, [5]) == [3.0]
    other = await stamps(limiter, time, [6, 7])
    assert other[1] - other[0] >= 2 / 25  # half speed while slowed down


async def test_limiter_shared_by_replies_and_deliveries(
    settings: Settings, telegram: FakeTelegram, time: VirtualTime
) -> None:
    limiter = RateLimiter(now=time.now, sleep=time.sleep)
    bot = create_bot(settings, limiter=limiter)
    try:
        for text in ("ответ 1", "ответ 2", "ответ 3"):  # a burst of replies goes at once
            await bot.send_message(42, text)
        assert time.slept < 0.1
        token = DELIVERY.set(True)
        await bot.send_message(42, "доставка")  # then a delivery waits for the chat's turn
        DELIVERY.reset(token)
    finally:
        await bot.session.close()
    assert time.slept >= 3.0
    assert telegram.texts(42) == ["ответ 1", "ответ 2", "ответ 3", "доставка"]


def test_status_command_shows_subscriptions_and_outbox(db_path: Path, tmp_path: Path) -> None:
    async def prepare() -> None:
        async with Store(db_path, ManualClock(dt.datetime(2025, 9, 2, tzinfo=dt.UTC))) as store:
            for chat_id, kind in ((1, "private"), (-5, "group"), (-1007, "supergroup")):
                await store.upsert_subscription(
                    chat_id=chat_id,
                    chat_type=kind,
                    title=None,
                    theme=None,
                    thread_id=None,
                    digest_time=dt.time(9),
                    next_digest_at=dt.datetime.now(dt.UTC),
                )
            await store.pause_chat(-5, "removed")

    asyncio.run(prepare())
    env = os.environ | {"DB_PATH": str(db_path), "BOT_TOKEN": "", "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "status"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "articles: 5 (relevant 5, off-topic 0, non-Russian 0)" in done.stdout
    assert "  group: 1 paused" in done.stdout
    assert "  private: 1 active" in done.stdout
    assert "  supergroup: 1 active" in done.stdout
    assert "outbox: empty" in done.stdout
