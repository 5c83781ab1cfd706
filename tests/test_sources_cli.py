"""`python -m bot fetch`, `sources`, `sources check` and `status` as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import pytest

from tests.conftest import spawn_bot
from tests.fake_publisher import CORRIDOR, install_site, running_publisher, sources_toml

pytestmark = pytest.mark.slow


async def bot(tmp_path: Path, *args: str, private: bool = True) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "DB_PATH": str(tmp_path / "db.sqlite3"),
        "SOURCES_FILE": str(tmp_path / "sources.toml"),
        "SOURCES_HOST_DELAY_SECONDS": "0",
        "SOURCES_CONTACT_URL": "mailto:ops@example.kz",
        "SOURCES_ALLOW_PRIVATE_HOSTS": "1" if private else "0",
        "LOG_LEVEL": "INFO",
    }
    env.pop("BOT_TOKEN", None)
    process = await spawn_bot(env, tmp_path, *args)
    out, err = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_fetch_prints_the_table_and_sources_show_their_state(tmp_path: Path) -> None:
    async with running_publisher() as pub:
        paths = install_site(pub)
        only = ("rss", "cp1251", "html", "gone", "limited")
        (tmp_path / "sources.toml").write_text(sources_toml(pub, paths, only), "utf-8")
        code, out, err = await bot(tmp_path, "fetch")
        assert code == 0, err[-2000:]
        rows = {line.split()[0]: line for line in out.splitlines()[1:]}
        assert rows["rss"].split()[1:6] == ["2", "0", "0", "0", "0"]
        assert rows["cp1251"].split()[1] == "1"
        assert "HTML page where a feed was expected" in rows["html"]
        assert "410 Gone" in rows["gone"] and "blocked: HTTP 429" in rows["limited"]
        assert "Traceback" not in err

        code, out, _ = await bot(tmp_path, "sources")
        assert code == 0
        assert "rss «Фейк rss» rss" in out and "[unverified]" in out
        assert "2 articles; ok" in out and "disabled: 410 Gone" in out
        assert "failing since" in out  # the 429

        code, out, _ = await bot(tmp_path, "sources", "check")
        lines = dict(line.split(": ", 1) for line in out.splitlines())
        assert lines["rss"].startswith("feed: 2 items, newest")
        assert lines["html"] == "HTML where a feed was expected"
        assert lines["limited"] == "blocked: HTTP 429" and lines["gone"] == "dead: HTTP 410"

        code, out, _ = await bot(tmp_path, "status")
        assert "sources: 5 in the file, 5 enabled, 2 failing now, disabled: gone" in out
        assert "failing for a week or more: none" in out
        assert pub.hits[CORRIDOR.path] == 1
        agents = {headers.get("User-Agent") for _, headers in pub.requests}
        assert agents == {
            "Dipbrief/0.1 (RSS reader of a news briefing bot; +mailto:ops@example.kz)"
        }


async def test_fetch_offline_prints_one_line_per_source_and_exits_0(tmp_path: Path) -> None:
    port = closed_port()
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nid = "refused"\nname = "A"\nkind = "rss"\n'
        f'url = "http://127.0.0.1:{port}/rss"\n\n'
        '[[source]]\nid = "nowhere"\nname = "B"\nkind = "rss"\n'
        'url = "https://no-such-publisher.invalid/rss"\n',
        "utf-8",
    )
    code, out, err = await bot(tmp_path, "fetch")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("refused") and "cannot connect" in lines[1]
    assert lines[2].startswith("nowhere") and "failed:" in lines[2]
    source_logs = [line for line in err.splitlines() if "source " in line]
    assert len(source_logs) == 2 and "Traceback" not in err

    # Without SOURCES_ALLOW_PRIVATE_HOSTS the loopback address is refused before connecting.
    code, out, err = await bot(tmp_path, "fetch", "--source", "refused", private=False)
    assert code == 0 and "not a public address" in out
