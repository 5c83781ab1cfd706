"""Issue 9, item 1: the bot token never reaches a log, the outbox, `status` or the database."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from subprocess import PIPE

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import ValidationError

from bot.clock import ManualClock
from bot.config import Settings, describe_error
from bot.logs import setup_logging
from bot.models import NewDelivery
from bot.ops.status import render_status
from bot.store import DeliveryStats, Store
from bot.telegram.app import create_bot
from bot.telegram.sender import Sender
from tests.conftest import ROOT, START

TOKEN = "987654321:AAE-secret_token-0123456789abcdefghij"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook, threading.excepthook)
    yield
    root.handlers[:], level, sys.excepthook, threading.excepthook = saved
    root.setLevel(level)


@pytest.fixture
async def redirect_loop() -> AsyncIterator[str]:
    """A server that redirects every request to itself: aiohttp gives up with TooManyRedirects,
    whose message quotes the request URL, `/bot<token>/<method>`."""

    async def again(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.rel_url))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", again)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


def loop_settings(url: str, db_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=url,
        DB_PATH=db_path,
    )


def database_bytes(db_path: Path) -> bytes:
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    return b"".join(path.read_bytes() for path in files if path.exists())


@pytest.mark.parametrize(
    "url", ["http://", "https://", "http:///bot", "ftp://example.org", "http://host:99999", "x"]
)
def test_issue9_1_api_url_without_host_is_refused(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, BOT_TOKEN=TOKEN, TELEGRAM_API_URL=url)  # type: ignore[call-arg]
    line = describe_error(refused.value)
    assert "TELEGRAM_API_URL" in line
    assert TOKEN not in line


def test_issue9_1_malformed_api_url_exits_2_without_token(tmp_path: Path) -> None:
    env = os.environ | {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": "http://",
        "DB_PATH": str(tmp_path / "db.sqlite3"),
        "ARTICLES_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "TMPDIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert TOKEN not in done.stderr + done.stdout
    assert TOKEN.split(":")[1] not in done.stderr + done.stdout


async def test_issue9_1_redirect_loop_is_redacted_in_log_traceback(
    redirect_loop: str,
    tmp_path: Path,
    restore_logging: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging("INFO", [TOKEN])
    bot = create_bot(loop_settings(redirect_loop, tmp_path / "db.sqlite3"))
    try:
        with pytest.raises(TelegramNetworkError) as failed:
            await bot.get_me()
        assert TOKEN in str(failed.value)  # the leak this guards against is real
        # What a handler's failure looks like in the log: a message, args and a traceback.
        logging.getLogger("aiogram.event").error(
            "failed for %s", failed.value, exc_info=failed.value
        )
        logging.getLogger("bot").warning("stack here", stack_info=True, extra={"t": TOKEN})
    finally:
        await bot.session.close()
    logged = capsys.readouterr().err
    assert "TooManyRedirects" in logged
    assert "Traceback" in logged
    assert TOKEN not in logged
    assert TOKEN.split(":")[1] not in logged
    assert "<BOT_TOKEN>" in logged


def test_issue9_1_uncaught_exception_is_redacted(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", [TOKEN])
    try:
        raise RuntimeError(f"GET http://host/bot{TOKEN}/getMe failed")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    logged = capsys.readouterr().err
    assert "RuntimeError" in logged
    assert TOKEN not in logged


async def test_issue9_1_delivery_error_is_redacted_in_outbox_and_status(
    redirect_loop: str, db_path: Path, tmp_path: Path
) -> None:
    clock = ManualClock(START)
    settings = loop_settings(redirect_loop, db_path)
    async with Store(db_path, clock) as store:
        sub, _ = await store.upsert_subscription(
            chat_id=5,
            chat_type="private",
            title=None,
            theme=None,
            thread_id=None,
            digest_time=dt.time(9),
            next_digest_at=START + dt.timedelta(days=1),
        )
        delivery = NewDelivery(
            key="alert:5:test",
            kind="alert",
            chat_id=5,
            thread_id=None,
            subscription_id=sub.id,
            article_id=None,
            text="Новость",
        )
        assert await store.enqueue_deliveries([delivery]) == 1
        bot = create_bot(settings)
        try:
            await Sender(bot, store, clock, jitter=lambda: 0.5).run_once()
        finally:
            await bot.session.close()
        stats = await store.delivery_stats()
        [(_, _, _, error)] = stats.last_errors
        assert "TooManyRedirects" in error
        shown = render_status(stats)
    assert TOKEN not in error + shown
    secret = TOKEN.split(":")[1].encode()
    assert secret not in database_bytes(db_path)
    env = os.environ | {"DB_PATH": str(db_path), "BOT_TOKEN": "", "TMPDIR": str(tmp_path)}
    status = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "status", env=env, cwd=tmp_path, stdout=PIPE, stderr=PIPE
    )
    out, err = await asyncio.wait_for(status.communicate(), timeout=60)
    assert status.returncode == 0
    assert "TooManyRedirects" in out.decode()
    assert TOKEN.encode() not in out + err


def test_issue9_1_old_rows_with_a_token_are_redacted_by_status() -> None:
    stats = DeliveryStats(last_errors=[("2025-09-02", 5, "pending", f"url /bot{TOKEN}/x")])
    assert TOKEN not in render_status(stats)


def test_issue9_1_formatter_redacts_args_and_exception(restore_logging: None) -> None:
    stream = io.StringIO()
    setup_logging("INFO", [TOKEN])
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        raise ValueError(TOKEN)
    except ValueError:
        logging.getLogger("x").exception("token %s", TOKEN)
    assert TOKEN not in stream.getvalue()
    assert stream.getvalue().count("<BOT_TOKEN>") == 2  # the message and the exception line
