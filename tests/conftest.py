"""Shared fixtures: the fake Bot API server, a seeded store, and the app under test."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.clock import ManualClock
from bot.config import Settings
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.store import Store
from bot.telegram.app import create_bot, create_dispatcher
from handlers import create_routers
from tests.fake_telegram import FakeTelegram, running_fake

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
START = dt.datetime(2025, 9, 2, 4, 0, tzinfo=dt.UTC)  # the morning after the newest seed

# Fixtures shared by several test modules, beside the ones defined here.
pytest_plugins = ["tests.rigs"]


@pytest.fixture(scope="session", autouse=True)
def no_live_sources(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Bots started by tests (subprocesses inherit this) poll an empty sources file, never
    the publishers of the packaged list: tests must not reach the internet."""
    path = tmp_path_factory.mktemp("sources") / "none.toml"
    path.write_text("# no live sources in tests\n", encoding="utf-8")
    os.environ.setdefault("SOURCES_FILE", str(path))


@pytest.fixture(scope="session")
def models() -> LazyModels:
    """NLP models loaded once for the whole test session."""
    return LazyModels()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory, models: LazyModels) -> Path:
    """A database file with the five seeds analysed, built once and copied by tests."""
    path = tmp_path_factory.mktemp("template") / "seeded.sqlite3"

    async def build() -> None:
        async with Store(path, ManualClock(START)) as store:
            await Ingestor(store, models).ingest([SEEDS])

    asyncio.run(build())
    return path


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db_path(tmp_path: Path, seeded_db: Path) -> Path:
    path = tmp_path / "briefing.sqlite3"
    shutil.copyfile(seeded_db, path)
    return path


@pytest.fixture
async def store(db_path: Path, clock: ManualClock) -> AsyncIterator[Store]:
    async with Store(db_path, clock) as opened:
        yield opened


@pytest.fixture
async def telegram(clock: ManualClock) -> AsyncIterator[FakeTelegram]:
    # On the test's clock, flood control (off unless a test sets limits) counts virtual
    # seconds as the app's limiter does; a test of a real process needs a fake of its own.
    async with running_fake(FakeTelegram(clock=clock)) as fake:
        yield fake


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def settings(telegram: FakeTelegram, db_path: Path, articles_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        BOT_TOKEN=telegram.token,
        TELEGRAM_API_URL=telegram.url,
        DB_PATH=db_path,
        ARTICLES_DIR=articles_dir,
    )


class TestApp:
    """The real dispatcher and Bot (over HTTP to the fake); builds updates like Telegram."""

    __test__ = False

    def __init__(self, bot: Bot, dp: Dispatcher, telegram: FakeTelegram, clock: ManualClock):
        self.bot, self.dp, self.telegram, self.clock = bot, dp, telegram, clock
        self._update_id = 0

    def _next_id(self) -> int:
        self._update_id += 1
        return self._update_id

    def message(
        self,
        text: str,
        *,
        chat_id: int = 42,
        user_id: int = 42,
        chat_type: str = "private",
        thread_id: int | None = None,
        sender_chat: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A message update payload in Telegram's wire format."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": "Айгуль"} if chat_type == "private" else {"title": "Группа"})
        message: dict[str, Any] = {
            "message_id": self._next_id(),
            "date": int(self.clock().timestamp()),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": "Айгуль"},
            "text": text,
        }
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
            chat["is_forum"] = True
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        return {"update_id": self._update_id, "message": message}

    async def feed(self, payload: dict[str, Any]) -> None:
        await self.dp.feed_update(
            self.bot, Update.model_validate(payload, context={"bot": self.bot})
        )

    async def send_text(self, text: str, **kwargs: Any) -> list[str]:
        """Send a message as a user; returns the texts the bot sent in reply."""
        before = len(self.telegram.texts())
        await self.feed(self.message(text, **kwargs))
        return self.telegram.texts()[before:]


@pytest.fixture
async def app(
    settings: Settings,
    store: Store,
    telegram: FakeTelegram,
    clock: ManualClock,
    models: LazyModels,
) -> AsyncIterator[TestApp]:
    dp = create_dispatcher(settings, store, clock, create_routers(), models)
    bot = create_bot(settings)
    yield TestApp(bot, dp, telegram, clock)
    await bot.session.close()


async def spawn_bot(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    """`python -m bot [args]` as a real process: no stdin, stdout and stderr piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
