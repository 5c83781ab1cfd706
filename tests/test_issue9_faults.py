"""Issue 9, items 12, 13, 16, 17: database and settings faults are one line and exit 2."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.clock import ManualClock
from bot.config import Settings
from bot.store import Store, StoreError, StoreFull
from bot.store.schema import MIGRATIONS
from tests.conftest import ROOT, START

VALID_TOKEN = "123456789:AAE-valid_token-0123456789abcdefghij"


def run_bot(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "TELEGRAM_API_URL"}
    }
    environment.update(PYTHONPATH=str(ROOT), TMPDIR=str(cwd), **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def assert_one_line_exit_2(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Event loop is closed" not in done.stderr
    for needle in needles:
        assert needle in done.stderr


# --- 12: a database that cannot be used -----------------------------------------------------


def broken_files(tmp_path: Path, seeded_db: Path) -> dict[str, Path]:
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"these are not the pages you are looking for\n" * 200)
    header_only = tmp_path / "header.sqlite3"
    header_only.write_bytes(seeded_db.read_bytes()[:60])
    return {"garbage": garbage, "header": header_only, "folder": tmp_path / "folder"}


@pytest.mark.parametrize("kind", ["garbage", "header", "folder"])
async def test_issue9_12_unusable_database_is_one_store_error(
    kind: str, tmp_path: Path, seeded_db: Path
) -> None:
    path = broken_files(tmp_path, seeded_db)[kind]
    (tmp_path / "folder").mkdir()
    with pytest.raises(StoreError) as failed:
        await Store(path, ManualClock(START)).open()
    assert str(path) in str(failed.value)
    assert "\n" not in str(failed.value)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["garbage", "header", "folder"])
def test_issue9_12_unusable_database_exits_2_with_one_line(
    kind: str, tmp_path: Path, seeded_db: Path
) -> None:
    path = broken_files(tmp_path, seeded_db)[kind]
    (tmp_path / "folder").mkdir()
    for command in ("status", "ingest"):
        args = [command] + ([str(tmp_path / "none.md")] if command == "ingest" else [])
        done = run_bot(args, tmp_path, DB_PATH=str(path))
        assert_one_line_exit_2(done, str(path))


def test_issue9_12_empty_db_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="DB_PATH is empty"):
        Settings(_env_file=None, DB_PATH="")  # type: ignore[call-arg]
    assert_one_line_exit_2(run_bot(["status"], tmp_path, DB_PATH=""), "DB_PATH")


async def subscribe(store: Store, chat_id: int) -> None:
    await store.upsert_subscription(
        chat_id=chat_id,
        chat_type="private",
        title=None,
        theme=None,
        thread_id=None,
        digest_time=dt.time(9),
        next_digest_at=START + dt.timedelta(days=1),
    )


async def test_issue9_12_full_disk_stops_writes_keeps_reads_and_resumes(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    pages = next(iter(await store.db.execute_fetchall("PRAGMA page_count")))[0]
    # A real SQLITE_FULL: SQLite refuses to grow the file past max_page_count.
    await store.db.execute(f"PRAGMA max_page_count = {pages}")
    caplog.set_level(logging.INFO, logger="bot.store")
    for chat_id in range(1, 200):  # enough rows to need a new page
        try:
            await subscribe(store, chat_id)
        except StoreFull:
            break
    else:
        pytest.fail("the database never filled up")
    with pytest.raises(StoreFull, match="disk is full"):
        await subscribe(store, 1000)
    full_lines = [r for r in caplog.records if "is full" in r.getMessage()]
    assert len(full_lines) == 1  # logged once, not for every refused write
    assert full_lines[0].levelno == logging.ERROR
    # Reads go on.
    assert await store.count_articles() == 5
    assert len(await store.latest_articles(3)) == 3
    # Space is back: writes resume, and the log says so.
    await store.db.execute(f"PRAGMA max_page_count = {pages * 100}")
    await subscribe(store, 1000)
    assert len(await store.chat_subscriptions(1000)) == 1
    assert any("writes resumed" in r.getMessage() for r in caplog.records)


# --- 13: two processes creating a fresh database at once ------------------------------------


async def test_issue9_13_concurrent_first_opens_migrate_once(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    stores = [Store(path, ManualClock(START)) for _ in range(4)]
    # Four connections, each with its own thread: a real race on one new file.
    await asyncio.gather(*(s.open() for s in stores))
    try:
        assert {await s.schema_version() for s in stores} == {len(MIGRATIONS)}
        assert await stores[0].count_articles() == 0
    finally:
        for opened in stores:
            await opened.close()


@pytest.mark.slow
def test_issue9_13_two_processes_create_one_database(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    env = os.environ | {"DB_PATH": str(path), "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    env.pop("BOT_TOKEN", None)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "status"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        assert "articles: 0" in out


# --- 16: settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token", ["abc:x", "123:", "123:short", ":AAE-0123456789abcdefghij0123456789", "12 3:a"]
)
def test_issue9_16_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(ValidationError, match="BOT_TOKEN"):
        Settings(_env_file=None, BOT_TOKEN=token)  # type: ignore[call-arg]


def test_issue9_16_real_token_shape_is_accepted() -> None:
    settings = Settings(_env_file=None, BOT_TOKEN=VALID_TOKEN)  # type: ignore[call-arg]
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == VALID_TOKEN


@pytest.mark.parametrize("seconds", ["1e-9", "0", "-1", "inf", "nan", "1e12"])
def test_issue9_16_poll_seconds_out_of_bounds_is_refused(seconds: str) -> None:
    with pytest.raises(ValidationError, match=r"ARTICLES_POLL_SECONDS|articles_poll"):
        Settings(_env_file=None, ARTICLES_POLL_SECONDS=seconds)  # type: ignore[call-arg]


def test_issue9_16_env_file_in_cp1251_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes("# настройки бота\nLOG_LEVEL=INFO\n".encode("cp1251"))
    done = run_bot(["status"], tmp_path, DB_PATH=str(tmp_path / "db.sqlite3"))
    assert_one_line_exit_2(done, ".env", "UTF-8")


# --- 17: a closed pipe ----------------------------------------------------------------------


def test_issue9_17_status_into_a_closed_pipe_is_quiet(tmp_path: Path, seeded_db: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    shutil.copyfile(seeded_db, db_path)
    env = os.environ | {"DB_PATH": str(db_path), "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    env.pop("BOT_TOKEN", None)
    read, write = os.pipe()
    os.close(read)  # `| head -1` that already left: every write gets EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "status"],
            env=env,
            cwd=tmp_path,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert "BrokenPipeError" not in done.stderr
    assert "Traceback" not in done.stderr
    assert done.returncode == 141


def run_on_prose(n_bytes: int) -> str:
    """Ordinary sentences (written here, not copied), enough to keep the analysis busy."""
    subjects = ["Казахстан", "Китай", "Астана", "Пекин", "Делегация", "Министерство"]
    verbs = ["обсудили", "подписали", "рассмотрели", "одобрили", "предложили", "отметили"]
    objects = ["соглашение о торговле", "проект дороги", "план поставок зерна", "обмен студентами"]
    sentences, size, n = [], 0, 0
    while size < n_bytes:
        sentence = (
            f"{subjects[n % 6]} и {subjects[(n // 6) % 6]} {verbs[(n // 3) % 6]} "
            f"{objects[n % 4]} в {n % 28 + 1} раз."
        )
        sentences.append(sentence)
        size += len(sentence.encode())
        n += 1
    return " ".join(sentences)


@pytest.mark.slow
def test_issue9_17_ctrl_c_during_a_long_analysis_stops_promptly(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "a.md").write_text("Короткая новость\nКазахстан и Китай.\n", "utf-8")
    # Bounded analysis (item 3) takes ~1 s for one such file: several keep the load busy
    # when Ctrl-C comes, whatever the machine's speed.
    for n in range(8):
        (incoming / f"b{n}.md").write_text(
            f"Длинная новость {n}\n" + run_on_prose(150_000 + n), "utf-8"
        )
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env |= {"DB_PATH": str(tmp_path / "db.sqlite3"), "PYTHONPATH": str(ROOT), "LOG_LEVEL": "INFO"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(incoming)],
        env=env | {"TMPDIR": str(tmp_path)},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:  # the first file is in: the second one's analysis runs now
        if "a.md: added" in line:
            break
    else:
        pytest.fail("the first file was never added")
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    started = time.perf_counter()
    try:
        _, rest = process.communicate(timeout=60)
    finally:
        process.kill()
    took = time.perf_counter() - started
    assert process.returncode == 130, rest
    assert took < 5, f"exit took {took:.1f}s after Ctrl-C"
    assert "Traceback" not in rest
