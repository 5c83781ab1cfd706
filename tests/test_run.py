"""`python -m bot` with a token, as deployed: a subprocess long-polling the fake Bot API."""

import asyncio
import os
import signal
from pathlib import Path

from tests.conftest import ROOT, spawn_bot
from tests.fake_telegram import FakeTelegram, running_fake


async def start_bot(fake: FakeTelegram, tmp_path: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DB_PATH": str(tmp_path / "db.sqlite3"),
        "ARTICLES_DIR": str(ROOT / "seeds"),
        "LOG_LEVEL": "INFO",
        "TMPDIR": str(tmp_path),  # the token lock goes here, not into the shared /tmp
    }
    return await spawn_bot(env, tmp_path)


async def test_bot_polls_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with running_fake() as fake:
        process = await start_bot(fake, tmp_path)
        try:
            await fake.until(lambda: fake.pollers_waiting > 0, timeout=60)
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
            [reply] = await fake.wait_for("sendMessage", timeout=30)
            assert "/summary" in reply["text"] and reply["chat_id"] == 7
            assert fake.sent("setMyCommands"), "the command menu is published at start"
            assert list(tmp_path.glob("dipbrief-*.lock")), "the token lock honours TMPDIR"
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()[-3000:]
    log = stderr.decode()
    assert "added 5" in log  # the seeds were loaded before polling
    assert fake.token not in log and fake.token.split(":")[1] not in log
