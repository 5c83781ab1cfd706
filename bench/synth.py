"""Generate a synthetic store of articles made from the seeds' sentences.

python bench/synth.py OUT_DIR --count 10000
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
MIN_BYTES, MAX_BYTES = 2_000, 9_000


def read_seed(path: Path) -> tuple[dict[str, str], str]:
    """Front matter fields (flat `key: value`) and the body of a seed .md file."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = {}
    for line in front.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip().strip("'\"")
    return meta, body.strip()


def seed_pool(seeds_dir: Path = SEEDS) -> tuple[list[str], list[str], list[str]]:
    """Lines (paragraphs) of all seed bodies, their titles and their sources."""
    lines, titles, sources = [], [], []
    for path in sorted(seeds_dir.glob("*.md")):
        meta, body = read_seed(path)
        lines += [line for line in body.splitlines() if line.strip()]
        titles.append(meta.get("title", ""))
        sources.append(meta.get("source", ""))
    return lines, titles, sources


def make_article(n: int, rng: random.Random, pool: tuple[list[str], list[str], list[str]]) -> str:
    """One synthetic article as a .md file text with front matter."""
    lines, titles, sources = pool
    target = rng.randint(MIN_BYTES, MAX_BYTES)
    start = rng.randrange(len(lines))
    body: list[str] = []
    size = 0
    while size < target:
        line = lines[(start + len(body)) % len(lines)] if rng.random() < 0.6 else rng.choice(lines)
        body.append(line)
        size += len(line.encode("utf-8")) + 1
    title = f"{rng.choice(titles)} ({n})"
    month, day = rng.randint(1, 9), rng.randint(1, 28)
    return (
        f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
        f"source: {json.dumps(rng.choice(sources), ensure_ascii=False)}\n"
        f"url: https://example.org/synth/{n}\npublished: 2025-{month:02d}-{day:02d}\nlang: ru\n"
        f"---\n\n" + "\n".join(body) + "\n"
    )


def generate(out_dir: Path, count: int, seed: int = 1) -> list[Path]:
    """Write `count` synthetic articles to `out_dir` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool = seed_pool()
    paths = []
    for n in range(count):
        path = out_dir / f"synth_{n:05d}.md"
        path.write_text(make_article(n, rng, pool), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    paths = generate(args.out_dir, args.count, args.seed)
    print(f"wrote {len(paths)} articles to {args.out_dir}")


if __name__ == "__main__":
    main()
