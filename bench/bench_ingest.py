"""End to end: `python -m bot ingest` of a synthetic store (issue 3: 10,000 articles analysed
and stored in under 10 minutes, memory under 400 MB). Wall time and the child's peak RSS.

    python bench/bench_ingest.py [--count 10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    count = parser.parse_args().count
    with tempfile.TemporaryDirectory() as tmp:
        articles = Path(tmp) / "articles"
        subprocess.run(
            [sys.executable, str(HERE / "synth.py"), str(articles), "--count", str(count)],
            check=True,
            capture_output=True,
        )
        env = {**os.environ, "DB_PATH": str(Path(tmp) / "db.sqlite3"), "LOG_LEVEL": "WARNING"}
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "bot", "ingest", str(articles)],
            env=env,
            cwd=HERE.parent,
            check=True,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"ingest of {count} synthetic articles: {result.stdout.strip()}")
    print(f"wall time {elapsed / 60:.1f} min ({elapsed / count * 1000:.0f} ms per article)")
    print(f"peak RSS of the ingest process: {peak_mb:.0f} MB (goal < 400 MB)")


if __name__ == "__main__":
    main()
