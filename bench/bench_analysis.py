"""Analysis speed: model load, one 8 KB article, and a synthetic corpus end to end.

    python bench/bench_analysis.py [--runs 30] [--corpus 500]
Goals: load <= 1.5 s, one 8 KB article <= 60 ms (one core), 10,000 articles < 10 min, < 400 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.synth import generate, read_seed, seed_pool
from bot.analysis.nlp import NlpModels, load_models
from bot.analysis.pipeline import analyse_article

ARTICLE_BYTES = 8_000


def pin_one_core() -> None:
    """Run on one CPU so the figures match a one-core deployment."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})


def article_8kb() -> str:
    """About 8 KB of seed paragraphs."""
    lines, size, out = seed_pool()[0], 0, []
    for line in lines:
        if size + len(line.encode()) > ARTICLE_BYTES:
            break
        out.append(line)
        size += len(line.encode()) + 1
    return "\n".join(out)


def bench_load(runs: int = 3) -> tuple[float, NlpModels]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        models = load_models()
        times.append(time.perf_counter() - start)
    return statistics.median(times), models


def bench_article(models: NlpModels, runs: int) -> tuple[float, int]:
    body = article_8kb()
    analyse_article("Статья", body, models)  # warm the lemma cache as a running bot would
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        analyse_article("Статья", body, models)
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(body.encode())


def bench_corpus(models: NlpModels, count: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        paths = generate(Path(tmp), count)
        start = time.perf_counter()
        for path in paths:
            meta, body = read_seed(path)
            analyse_article(meta["title"], body, models)
        elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return elapsed, peak_mb


def corpus_in_fresh_process(count: int) -> tuple[float, float]:
    """Run the corpus part in a child, so its peak RSS excludes the repeated model loads here."""
    child = [sys.executable, __file__, "--corpus-child", str(count)]
    out = subprocess.run(child, check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--corpus", type=int, default=500, help="articles (10000 for the full run)"
    )
    parser.add_argument("--corpus-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    pin_one_core()
    if args.corpus_child:
        print(*bench_corpus(load_models(), args.corpus_child))
        return
    # The child first: Linux carries a process's peak RSS across fork/exec into its children.
    elapsed, peak = corpus_in_fresh_process(args.corpus)
    load, models = bench_load()
    median, size = bench_article(models, args.runs)
    per_10k = elapsed * 10_000 / args.corpus
    print(f"{'measure':<40}{'value':>14}{'goal':>12}")
    print(f"{'model load (median of 3)':<40}{load:>12.2f} s{'<= 1.5 s':>12}")
    print(
        f"{f'one {size} B article (median of {args.runs})':<40}{median * 1000:>11.1f} ms"
        f"{'<= 60 ms':>12}"
    )
    print(f"{f'corpus of {args.corpus} articles':<40}{elapsed:>12.1f} s")
    print(f"{'  extrapolated to 10,000':<40}{per_10k / 60:>10.1f} min{'< 10 min':>12}")
    print(f"{'peak RSS':<40}{peak:>11.0f} MB{'< 400 MB':>12}")


if __name__ == "__main__":
    main()
