"""Console mode and the command line, as a user runs them: subprocesses with piped input."""

import os
import subprocess
import sys
from pathlib import Path

from bot import texts
from bot.telegram.console import html_to_text

ROOT = Path(__file__).resolve().parents[1]


def run_bot(
    args: list[str], stdin: str, tmp_path: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "TELEGRAM_API_URL"}
    }
    environment.update(
        DB_PATH=str(tmp_path / "db.sqlite3"),
        ARTICLES_DIR=str(ROOT / "seeds"),
        TMPDIR=str(tmp_path),  # whatever the bot puts in the temp dir stays in this test's
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_console_answers_piped_commands_in_russian(tmp_path: Path) -> None:
    result = run_bot(["console"], "/start\n/help\n/summary 1\n/nonsense\n", tmp_path)
    assert result.returncode == 0, result.stderr
    help_text = html_to_text(texts.render_help())
    assert result.stdout.count(help_text) == 2  # /start and /help both answer with the help
    for info in texts.COMMANDS:
        assert f"/{info.name}" in help_text
    # /summary reads the store the console seeded: the newest story, told by both seeds on
    # the SCO summit in Tianjin, with both sources.
    summary = result.stdout.split(help_text)[-1]
    assert "Об этом сообщают 2\xa0источника" in summary
    assert "Lada.kz (со ссылкой на Sputnik)" in summary and "CentralAsia (KZ)" in summary
    assert result.stdout.rstrip().endswith(texts.UNKNOWN_COMMAND)  # /nonsense answered last
    assert "<b>" not in result.stdout  # formatting stripped for the terminal


def test_console_story_shows_every_article_of_the_story(tmp_path: Path) -> None:
    # Stories are numbered as the seeds are loaded (file order): the SCO talks are the third.
    result = run_bot(["console"], "/story 3\n/story 999\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Сюжет №3:" in result.stdout
    assert "/article 3" in result.stdout and "/article 5" in result.stdout
    assert "2\xa0материала, 2\xa0источника" in result.stdout
    assert result.stdout.rstrip().endswith("Сюжета №999 нет. Свежие сюжеты — /summary")


def test_no_token_and_no_terminal_exits_2(tmp_path: Path) -> None:
    result = run_bot([], "", tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr


def test_invalid_setting_is_one_line_exit_2_without_token(tmp_path: Path) -> None:
    secret = "123456:SECRET-value-never-shown-0123456789ab"
    result = run_bot([], "", tmp_path, BOT_TOKEN=secret, ARTICLES_POLL_SECONDS="-1")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "ARTICLES_POLL_SECONDS" in result.stderr
    assert secret not in result.stderr + result.stdout


def test_ingest_adds_files_and_reports_bad_ones(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "good.md").write_text("Новость\nТокаев встретился с Си Цзиньпином.", "utf-8")
    (incoming / "bad.md").write_bytes(b"\xff\xfe broken")
    result = run_bot(["ingest", str(incoming)], "", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "added 1" in result.stdout and "skipped 1" in result.stdout
    assert "bad.md: skipped: not UTF-8" in result.stderr
