"""Issue 9, the running bot: Telegram unreachable at start (14), long 429s and shutdown (17)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot import texts
from bot.config import Settings
from bot.telegram.app import CONNECT_BACKOFF, create_bot, wait_for_telegram
from tests.conftest import TestApp, spawn_bot
from tests.fake_telegram import FakeTelegram, running_fake


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- item 14: Telegram unreachable at start ---------------------------------------------------


async def test_issue9_14_unreachable_telegram_at_start_is_retried(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listens yet: connection refused
    fake = FakeTelegram(token=settings.bot_token.get_secret_value())  # type: ignore[union-attr]
    server = TestServer(fake.app, host="127.0.0.1", port=port)
    bot = create_bot(settings.model_copy(update={"telegram_api_url": f"http://127.0.0.1:{port}"}))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 2:  # Telegram comes back during the second wait
            await server.start_server()

    try:
        with caplog.at_level(logging.WARNING, logger="bot.telegram.app"):
            me = await asyncio.wait_for(wait_for_telegram(bot, sleep), timeout=30)
    finally:
        await bot.session.close()
        await server.close()
    assert me.username == "dipbrief_bot"
    assert slept == [CONNECT_BACKOFF, 2 * CONNECT_BACKOFF]  # backoff doubles
    lines = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(lines) == 2
    assert all(settings.bot_token.get_secret_value() not in line for line in lines)  # type: ignore[union-attr]


def bot_env(fake_url: str, token: str, tmp_path: Path) -> dict[str, str]:
    articles = tmp_path / "articles"
    articles.mkdir(exist_ok=True)
    return {
        **os.environ,
        "BOT_TOKEN": token,
        "TELEGRAM_API_URL": fake_url,
        "DB_PATH": str(tmp_path / "db.sqlite3"),
        "ARTICLES_DIR": str(articles),  # empty: a quick start
        "LOG_LEVEL": "INFO",
        "TMPDIR": str(tmp_path),
    }


@pytest.mark.slow
async def test_issue9_14_bot_waits_for_unreachable_telegram_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    token = "123456:TEST-token-0123456789abcdefghijklmnop"  # the shape Settings accepts
    process = await spawn_bot(
        bot_env(f"http://127.0.0.1:{free_port()}", token, tmp_path), tmp_path
    )
    assert process.stderr is not None
    try:
        async with asyncio.timeout(60):
            seen = b""
            while b"unreachable" not in (line := await process.stderr.readline()):
                seen += line
                assert line, f"the bot exited before retrying: {seen.decode()[-2000:]}"
        assert process.returncode is None  # before: a traceback and exit 1
    finally:
        process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(process.communicate(), timeout=15)
    assert process.returncode == 0, rest.decode()[-2000:]
    assert "Traceback" not in rest.decode()


# --- item 17: a long 429 does not hold handlers; shutdown fits docker stop --------------------


async def test_issue9_17_long_retry_after_does_not_hold_the_handler(
    app: TestApp, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    telegram.fail("sendMessage", 429, "Too Many Requests: retry after 300", retry_after=300)
    with caplog.at_level(logging.WARNING):
        async with asyncio.timeout(5):  # before: the apology waited the 300 s out
            await app.send_text("/help")
            await app.send_text("/summary")  # the chat is still held: dropped at once
    attempted = [c.params.get("text") for c in telegram.calls if c.method == "sendMessage"]
    assert len(attempted) == 1  # the /help reply that got the 429; nothing after it
    assert texts.INTERNAL_ERROR not in attempted
    assert any("reply to chat 42 dropped" in r.getMessage() for r in caplog.records)


@pytest.mark.slow
async def test_issue9_17_sigterm_stops_within_docker_stop_grace(tmp_path: Path) -> None:
    async with running_fake() as fake:
        process = await spawn_bot(bot_env(fake.url, fake.token, tmp_path), tmp_path)
        try:
            await fake.until(lambda: fake.pollers_waiting > 0, timeout=60)
            fake.delay("sendMessage", 60)  # Telegram hangs: the reply to /help stays in flight
            fake.add_update(
                {
                    "message": {
                        "message_id": 1,
                        "date": 1756700000,
                        "text": "/help",
                        "chat": {"id": 7, "type": "private", "first_name": "Айгуль"},
                        "from": {"id": 7, "is_bot": False, "first_name": "Айгуль"},
                    },
                }
            )
            await fake.until(lambda: fake.delayed > 0, timeout=30)
        finally:
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
            took = time.monotonic() - started
    assert took < 10, f"took {took:.1f}s; docker stop kills at 10 s"  # before: 10 s and more
    assert process.returncode == 0, stderr.decode()[-3000:]
