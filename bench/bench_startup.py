"""Cold start of `python -m bot console` (empty input) and load time of the seed articles.

python bench/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import system_clock
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.store import Store


def cold_start(db: Path) -> float:
    env = {**os.environ, "DB_PATH": str(db), "ARTICLES_DIR": str(ROOT / "seeds")}
    env.pop("BOT_TOKEN", None)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="",
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def aiogram_import() -> float:
    """The floor under any aiogram bot's start: importing aiogram builds its pydantic models."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from aiogram import Bot, Dispatcher"], check=True)
    return time.perf_counter() - started


async def load_seeds(db: Path, models: LazyModels) -> float:
    async with Store(db, system_clock) as store:
        started = time.perf_counter()
        report = await Ingestor(store, models).ingest([ROOT / "seeds"])
        elapsed = time.perf_counter() - started
    assert len(report.added) == 5, report.line()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        first = [cold_start(Path(tmp) / f"first{i}.sqlite3") for i in range(runs)]
        warm_db = Path(tmp) / "warm.sqlite3"
        cold_start(warm_db)
        warm = [cold_start(warm_db) for _ in range(runs)]
        floor = [aiogram_import() for _ in range(runs)]
        models = LazyModels()
        t = time.perf_counter()
        models()
        model_load = time.perf_counter() - t
        loads = [asyncio.run(load_seeds(Path(tmp) / f"l{i}.sqlite3", models)) for i in range(runs)]
    print(
        f"cold start, console, empty input, seeds already stored: "
        f"median {statistics.median(warm):.2f} s over {runs}"
    )
    print(
        f"  `from aiogram import Bot, Dispatcher` alone: median {statistics.median(floor):.2f} s;"
        f" ratio {statistics.median(warm) / statistics.median(floor):.2f}"
    )
    print(
        f"cold start, console, empty input, first run (loads + analyses seeds): "
        f"median {statistics.median(first):.2f} s over {runs}"
    )
    print(f"NLP model load (once per process): {model_load:.2f} s")
    print(
        f"seed load (5 articles: read, analyse, store), models warm: "
        f"median {statistics.median(loads) * 1000:.0f} ms over {runs}"
    )


if __name__ == "__main__":
    main()
