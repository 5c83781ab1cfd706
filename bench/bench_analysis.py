"""Analysis speed: model load, one 8 KB article, and a synthetic corpus end to end.

    python bench/bench_analysis.py [--runs 30] [--corpus 500]
Goals: load <= 1.5 s, one 8 KB article <= 60 ms (one core) and <= 2x the NER alone on it,
10,000 articles < 10 min, < 400 MB; the worst shapes (a sentence of 28 KB or 1 MB of ranges,
1 MB of prose: the documented file limit) a few seconds and <= 150 MB over the loaded models.
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


def bench_ner_ratio(models: NlpModels, runs: int) -> float:
    """Analysis time over the NER alone on the same 8 KB article, timed in turns (one run of
    each per round), so load from other processes weighs on both alike."""
    body = article_8kb()
    analyse_article("Статья", body, models)
    models.ner(body)
    full, ner = [], []
    for _ in range(runs):
        start = time.perf_counter()
        analyse_article("Статья", body, models)
        full.append(time.perf_counter() - start)
        start = time.perf_counter()
        models.ner(body)
        ner.append(time.perf_counter() - start)
    return statistics.median(full) / statistics.median(ner)


WORST_SHAPES = ("ranges-28kb", "ranges-1mb", "prose-1mb")


def worst_body(shape: str) -> str:
    """Texts that were quadratic: one sentence of repeated ranges, 1 MB of ordinary prose."""
    if shape.startswith("ranges"):
        size = 28_000 if shape.endswith("28kb") else 1_000_000
        parts, total, i = ["Стороны обсудили поставки"], 0, 0
        while total < size:
            part = f"от {i} до {i + 1} тонн,"
            parts.append(part)
            total += len(part.encode()) + 1
            i += 1
        return " ".join(parts) + " сообщили стороны."
    lines, total, out = [line for pool in seed_pool() for line in pool], 0, []
    while total < 1_000_000:
        for line in lines:
            out.append(line)
            total += len(line.encode()) + 1
            if total >= 1_000_000:
                break
    return "\n".join(out)


def rss_mb(field: str) -> float:
    """VmRSS or VmHWM (peak since the last reset) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def worst_child(shape: str) -> None:
    models = load_models()
    analyse_article("Статья", "Казахстан и Китай подписали соглашение на $5 млрд.", models)
    body = worst_body(shape)
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak: measure the analysis only
    before = rss_mb("VmRSS")
    start = time.perf_counter()
    analyse_article("Статья", body, models)
    elapsed = time.perf_counter() - start
    print(elapsed, rss_mb("VmHWM") - before, len(body.encode()))


def worst_in_fresh_process(shape: str) -> tuple[float, float, int]:
    child = [sys.executable, __file__, "--worst-child", shape]
    out = subprocess.run(child, check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


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
    parser.add_argument("--worst-child", choices=WORST_SHAPES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    pin_one_core()
    if args.corpus_child:
        print(*bench_corpus(load_models(), args.corpus_child))
        return
    if args.worst_child:
        worst_child(args.worst_child)
        return
    worst = {shape: worst_in_fresh_process(shape) for shape in WORST_SHAPES}
    # The child first: Linux carries a process's peak RSS across fork/exec into its children.
    elapsed, peak = corpus_in_fresh_process(args.corpus)
    load, models = bench_load()
    median, size = bench_article(models, args.runs)
    ratio = bench_ner_ratio(models, args.runs)
    per_10k = elapsed * 10_000 / args.corpus
    print(f"{'measure':<40}{'value':>14}{'goal':>12}")
    print(f"{'model load (median of 3)':<40}{load:>12.2f} s{'<= 1.5 s':>12}")
    print(
        f"{f'one {size} B article (median of {args.runs})':<40}{median * 1000:>11.1f} ms"
        f"{'<= 60 ms':>12}"
    )
    print(f"{'  ratio to the NER alone':<40}{ratio:>13.2f}x{'<= 2x':>12}")
    print(f"{f'corpus of {args.corpus} articles':<40}{elapsed:>12.1f} s")
    print(f"{'  extrapolated to 10,000':<40}{per_10k / 60:>10.1f} min{'< 10 min':>12}")
    print(f"{'peak RSS':<40}{peak:>11.0f} MB{'< 400 MB':>12}")
    for shape, (seconds, extra, size) in worst.items():
        print(f"{f'worst: {shape} ({size} B)':<40}{seconds:>12.2f} s{'a few s':>12}")
        print(f"{'  memory over the loaded models':<40}{extra:>11.0f} MB{'<= 150 MB':>12}")


if __name__ == "__main__":
    main()
