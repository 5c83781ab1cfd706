"""Live sources against the fake publisher (issue 11): 50 feeds x 20 items.

    python bench/bench_sources.py [--feeds 50] [--items 20] [--runs 3]

Per run, on a fresh database: a first full pass (fetch + extract + analyse + store of every
article) with wall time, CPU time and time per article; the same pages through extraction +
analysis alone (no HTTP, no store) for the ratio (goal <= 1.3x); a second pass where every
feed answers 304 (goal <= 1 s). The publisher runs in a child process, so its CPU is not ours.
Medians over the runs; peak RSS of this process (models included).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bench.synth import make_article, seed_pool
from tests.fake_publisher import FakePublisher, Story, page, rss

ASTANA = dt.timezone(dt.timedelta(hours=5))


def catalogue(feeds: int, items: int, seed: int = 11) -> list[tuple[str, list[Story]]]:
    """Deterministic feeds of synthetic stories made from the seeds' sentences."""
    rng = random.Random(seed)
    pool = seed_pool()
    result = []
    for f in range(feeds):
        stories = []
        for i in range(items):
            n = f * items + i
            text = make_article(n, rng, pool)
            _, front, body = text.split("---\n", 2)
            title = json.loads(front.split("\n", 1)[0].removeprefix("title: "))
            paragraphs = tuple(line for line in body.splitlines() if line.strip())
            when = dt.datetime(2025, 8, 1, 9, 0, tzinfo=ASTANA) + dt.timedelta(minutes=n)
            stories.append(Story(f"s{n:05d}", title, paragraphs, when))
        result.append((f"/feed{f:02d}/rss.xml", stories))
    return result


async def serve(feeds: int, items: int) -> None:
    """Child process: serve the catalogue, print the base URL, run until stdin closes."""
    from tests.fake_publisher import running_publisher

    async with running_publisher(FakePublisher()) as pub:
        for path, stories in catalogue(feeds, items):
            for story in stories:
                pub.put(story.path, page(story, pub.base))
            pub.put(path, rss([(s.title, pub.url(s.path), s.published, "") for s in stories]))
        print(pub.base, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def one_run(base: str, feeds: int, items: int, models: object) -> dict[str, float]:
    from bot.analysis.pipeline import analyse_article
    from bot.clock import system_clock
    from bot.ingest.pipeline import Ingestor
    from bot.ingest.sources.config import parse_sources
    from bot.ingest.sources.fetch import Fetcher
    from bot.ingest.sources.pages import extract_page
    from bot.ingest.sources.poller import Poller
    from bot.store import Store

    toml = "\n".join(
        f'[[source]]\nid = "f{f:02d}"\nname = "Лента {f}"\nkind = "rss"\n'
        f'url = "{base}/feed{f:02d}/rss.xml"\n'
        for f in range(feeds)
    )
    sources = parse_sources(toml)
    with tempfile.TemporaryDirectory() as tmp:
        async with (
            Store(Path(tmp) / "db.sqlite3", system_clock) as store,
            Fetcher(allow_private=True, host_delay=0.0) as fetcher,
        ):
            ingestor = Ingestor(store, lambda: models)  # type: ignore[arg-type, return-value]
            poller = Poller(store, ingestor, fetcher, sources, system_clock)
            wall, cpu = time.perf_counter(), time.process_time()
            first = await poller.poll_all()
            first_wall, first_cpu = time.perf_counter() - wall, time.process_time() - cpu
            stored = sum(r.new for r in first)
            assert stored == feeds * items, [r.why() for r in first if r.error or r.failed]
            wall = time.perf_counter()
            second = await poller.poll_all()
            second_wall = time.perf_counter() - wall
            assert all(r.notes == ["not modified"] for r in second), second[0].notes
            # The same pages, read once more, through extraction + analysis alone.
            bodies = []
            for f in range(feeds):
                for i in range(items):
                    url = f"{base}/news/s{f * items + i:05d}/"
                    bodies.append((url, (await fetcher.get(url, cap=3 << 20)).body))
    wall, cpu = time.perf_counter(), time.process_time()
    for url, body in bodies:
        extracted = extract_page(body, url)
        analyse_article(extracted.title, extracted.body, models)  # type: ignore[arg-type]
    alone_wall, alone_cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "first_wall": first_wall,
        "first_cpu": first_cpu,
        "per_article_ms": first_wall / stored * 1000,
        "alone_wall": alone_wall,
        "alone_cpu": alone_cpu,
        "ratio": first_wall / alone_wall,
        "cpu_ratio": first_cpu / alone_cpu,
        "second_wall": second_wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.feeds, args.items))
        return
    from bot.analysis.nlp import load_models
    from bot.analysis.pipeline import analyse_article

    child = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            "--feeds",
            str(args.feeds),
            "--items",
            str(args.items),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        base = child.stdout.readline().strip()
        models = load_models()
        analyse_article("Прогрев", "Казахстан и Китай подписали соглашение.", models)
        runs = [
            asyncio.run(one_run(base, args.feeds, args.items, models)) for _ in range(args.runs)
        ]
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)
    med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    n = args.feeds * args.items
    print(f"{args.feeds} feeds x {args.items} items = {n} articles, median of {args.runs} runs")
    print(
        f"first pass: {med['first_wall']:.1f} s wall, {med['first_cpu']:.1f} s CPU, "
        f"{med['per_article_ms']:.0f} ms per article (fetch + extract + analyse + store)"
    )
    print(
        f"extraction + analysis alone: {med['alone_wall']:.1f} s wall, "
        f"{med['alone_cpu']:.1f} s CPU; ratio {med['ratio']:.2f}x wall, "
        f"{med['cpu_ratio']:.2f}x CPU (goal <= 1.3x)"
    )
    print(f"second pass, all 304: {med['second_wall']:.2f} s (goal <= 1 s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (models included): {peak:.0f} MB")


if __name__ == "__main__":
    main()
