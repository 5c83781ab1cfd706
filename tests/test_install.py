"""The Dockerfile's steps, mirrored in a fresh venv (no Docker engine here): install, then chat."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def dockerfile_copies() -> list[str]:
    """Sources of the Dockerfile's COPY lines: the build context the image really gets."""
    sources: list[str] = []
    for line in (ROOT / "Dockerfile").read_text("utf-8").splitlines():
        if match := re.match(r"COPY\s+(.+)\s+\S+$", line.strip()):
            sources += match.group(1).split()
    return sources


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: str = "") -> str:
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


@pytest.mark.slow
def test_dockerfile_steps_install_and_run_console(tmp_path: Path) -> None:
    context = tmp_path / "app"
    context.mkdir()
    for source in dockerfile_copies():
        origin = ROOT / source
        copy = shutil.copytree if origin.is_dir() else shutil.copyfile
        copy(origin, context / source)
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = str(venv / "bin" / "python")
    # RUN pip install --upgrade pip setuptools && pip install -r requirements.lock
    #     && pip install --no-deps .
    run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip", "setuptools"], context)
    run([python, "-m", "pip", "install", "--quiet", "-r", "requirements.lock"], context)
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", "."], context)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DB_PATH": str(tmp_path / "data" / "briefing.sqlite3"),
        "ARTICLES_DIR": str(context / "seeds"),
    }
    out = run([python, "-m", "bot", "console"], tmp_path, env, stdin="/start\n/help\n")
    assert "Дипбриф" in out and "/summary" in out and "/subscribe" in out
    # The models load offline from the installed wheels, without pymorphy2/pkg_resources.
    probe = (
        "import sys; from bot.analysis.nlp import load_models; load_models(); "
        "print(sorted(m for m in ('pymorphy2', 'pkg_resources', 'natasha') if m in sys.modules))"
    )
    assert run([python, "-c", probe], tmp_path, env).strip() == "[]"
