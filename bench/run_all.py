"""Run every benchmark in bench/ with quick defaults and print their figures.

python bench/run_all.py            # quick sizes
python bench/run_all.py --full     # the sizes the issues ask for (10,000 articles/chats)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = {
    "bench_startup.py": [],
    "bench_analysis.py": ["--corpus", "300"],
    "bench_summaries.py": [],
    "bench_ingest.py": ["--count", "500"],
    "bench_commands.py": ["--articles", "2000"],
    "bench_delivery.py": ["--chats", "2000", "--window", "10"],
    "bench_sources.py": ["--feeds", "10", "--runs", "1"],
}
FULL = {name: [] for name in QUICK}


def main() -> int:
    plan = FULL if "--full" in sys.argv else QUICK
    failed = 0
    for script, args in plan.items():
        path = HERE / script
        if not path.exists():
            continue
        print(f"\n== {script} {' '.join(args)}", flush=True)
        failed += subprocess.run([sys.executable, str(path), *args], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
