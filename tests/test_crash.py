"""The bot as a real process: kill -9 mid-delivery loses nothing; a second instance refuses."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import system_clock
from bot.ops.locking import AlreadyRunning, instance_lock
from bot.store import Store
from bot.telegram.sender import CONCURRENCY
from tests.conftest import ROOT
from tests.fake_telegram import FakeTelegram
from tests.rigs import CYBER_ARTICLE, CYBER_TITLE

CHATS = range(10_001, 10_201)  # 200 subscribed private chats
START_TIMEOUT = 120.0  # a cold process imports aiogram and loads the NLP models


def bot_env(
    telegram: FakeTelegram, db_path: Path, articles_dir: Path, tmp_path: Path
) -> dict[str, str]:
    return os.environ | {
        "BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.url,
        "DB_PATH": str(db_path),
        "ARTICLES_DIR": str(articles_dir),
        "ARTICLES_POLL_SECONDS": "0.2",
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
        # The token lock lives in the temp dir: keep it out of the machine's shared /tmp.
        "TMPDIR": str(tmp_path),
    }


async def start_bot(env: dict[str, str], cwd: Path, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as stderr:  # the child keeps its own descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


async def subscribe_chats(db_path: Path) -> None:
    async with Store(db_path, system_clock) as store:
        tomorrow = system_clock() + dt.timedelta(days=1)  # no digest during the test
        for chat_id in CHATS:
            await store.upsert_subscription(
                chat_id=chat_id,
                chat_type="private",
                title=None,
                theme=None,
                thread_id=None,
                digest_time=dt.time(9),
                next_digest_at=tomorrow,
            )


def outbox(db_path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT chat_id, state FROM outbox ORDER BY id").fetchall()
    db.close()
    return [(int(chat_id), str(state)) for chat_id, state in rows]


async def wait_until_sent(db_path: Path, timeout: float) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        # Another process writes the database: there is no event to wait on, so poll.
        while not (rows := outbox(db_path)) or any(state == "pending" for _, state in rows):  # noqa: ASYNC110
            await asyncio.sleep(0.1)


@pytest.mark.slow
async def test_kill_mid_delivery_loses_nothing_and_doubles_at_most_in_flight(
    telegram: FakeTelegram, db_path: Path, articles_dir: Path, tmp_path: Path
) -> None:
    await subscribe_chats(db_path)
    env, log = bot_env(telegram, db_path, articles_dir, tmp_path), tmp_path / "bot.log"
    bot = await start_bot(env, tmp_path, log)
    try:
        # setMyCommands runs at startup, after the first scan of ARTICLES_DIR.
        await telegram.wait_for("setMyCommands", timeout=START_TIMEOUT)
        # Dated today where the bot is (its default zone, Asia/Almaty): the process runs on
        # the real clock, and alerts are for news published no earlier than the day of the
        # subscription. The UTC date is the day before from 19:00 UTC on.
        today = system_clock().astimezone(ZoneInfo("Asia/Almaty")).date().isoformat()
        article = CYBER_ARTICLE.replace("2025-09-02", today)
        (articles_dir / "cyber.md").write_text(article, encoding="utf-8")
        await telegram.wait_for("sendMessage", len(CHATS) // 2, timeout=START_TIMEOUT)
    finally:
        bot.kill()  # SIGKILL: no cleanup, no marking of what is in flight
        await bot.wait()
    reached = {p["chat_id"] for p in telegram.sent()}
    # Accepted but not marked: 'sending' when the kill came mid-send ('pending' if never claimed).
    in_flight = {chat for chat, state in outbox(db_path) if state != "sent" and chat in reached}
    assert 0 < len(reached) < len(CHATS), log.read_text()

    bot = await start_bot(env, tmp_path, log)
    try:
        await wait_until_sent(db_path, timeout=START_TIMEOUT)
    finally:
        bot.terminate()
        assert await bot.wait() == 0, log.read_text()

    per_chat = Counter(p["chat_id"] for p in telegram.sent() if CYBER_TITLE in p["text"])
    assert set(per_chat) == set(CHATS)  # every chat got the article
    doubled = {chat for chat, n in per_chat.items() if n > 1}
    assert doubled <= in_flight  # only a send accepted just before the kill repeats
    assert len(in_flight) <= CONCURRENCY
    assert max(per_chat.values()) <= 2
    assert Counter(state for _, state in outbox(db_path)) == {"sent": len(CHATS)}


def test_second_process_on_same_database_refuses(
    db_path: Path, articles_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # our token lock, not in /tmp
    env = os.environ | {
        "BOT_TOKEN": "999:another-bot-0123456789abcdefghijklmnop",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",  # never reached: it refuses first
        "DB_PATH": str(db_path),
        "ARTICLES_DIR": str(articles_dir),
        "PYTHONPATH": str(ROOT),
        "TMPDIR": str(tmp_path),
    }
    with instance_lock(db_path, "123:first-bot"):
        done = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert "refusing to start: another bot process" in done.stderr
    assert f"database {db_path}" in done.stderr


def test_second_process_with_same_token_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locks = tmp_path / "tmp"
    locks.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(locks))  # never the machine's shared /tmp
    token = "4242:same-token"
    with instance_lock(tmp_path / "one.sqlite3", token):
        [token_lock] = locks.glob("dipbrief-*.lock")
        with pytest.raises(AlreadyRunning, match="bot token") as refused:
            instance_lock(tmp_path / "two.sqlite3", token).acquire()
        assert token not in str(refused.value)  # the message names a hash, never the token
        assert str(token_lock) in str(refused.value)
    instance_lock(tmp_path / "two.sqlite3", token).acquire().release()  # free once released
