"""Stories (issue 12): pair quality on labelled real articles, and join/summary speed.

python bench/bench_stories.py [TEXTS_DIR] [--labels bench/data/labels_stories.toml]
                              [--articles 100000] [--skip-speed] [--cache /tmp/dipbrief-stories]

Quality: the texts (real articles, outside the repository: TEXTS_DIR or $DEVDATA_DIR/stories)
are analysed, fingerprinted with document frequencies over the whole folder (as a store full
of news would have them), and every labelled pair is judged twice: on its own (`pair_same`:
window, same-source rule, threshold) and by the clustering itself (all articles joined one by
one in date order, as at ingest; "same" = ended in one story). Reported: accuracy, and
precision and recall of "same event" (merging two events is the worse error).

Speed: a store of `--articles` articles (a few hundred real analyses of bench/synth.py
articles reused under new keys, dates and sources, 100 a day) is built once and cached; then
new articles come in one by one as from live sources: each join is timed (store.join_story:
index lookup, linkage, writes) against analysis alone, then /summary's service call (stories
ranked, key sentences) right after it (cold) and again (memoised); last, /summary in a process
that has nothing in memory yet. Medians and p95, with the load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import pickle
import random
import statistics
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.analysis.nlp import NlpModels, load_models
from bot.analysis.pipeline import analyse_article
from bot.analysis.stories import (
    Candidate,
    Features,
    StoryRules,
    article_features,
    choose_story,
    dot,
    fingerprint,
    pair_same,
    with_background,
)
from bot.clock import ManualClock
from bot.ingest.files import read_article
from bot.models import Analysis, ArticleFile
from bot.store import Store

LABELS = ROOT / "bench" / "data" / "labels_stories.toml"
GOAL_ACCURACY = 0.93
GOAL_JOIN_MS = 10.0
GOAL_SUMMARY_P95_MS = 20.0


# --- quality ----------------------------------------------------------------------------------


def analysed(
    texts: Path, cache: Path, models: NlpModels | None
) -> dict[str, tuple[ArticleFile, Analysis, Features]]:
    """Every article of the folder with its analysis and features (cached by file content)."""
    cache.mkdir(parents=True, exist_ok=True)
    store = cache / "quality.pickle"
    known: dict[str, tuple[ArticleFile, Analysis, Features]] = {}
    if store.exists():
        known = pickle.loads(store.read_bytes())
    out = {}
    for path in sorted(texts.glob("*.md")):
        article = read_article(path, path.stem)
        hit = known.get(path.stem)
        if hit is None or hit[0].content_hash != article.content_hash:
            models = models or load_models()
            analysis = analyse_article(article.title, article.body, models)
            hit = (article, analysis, article_features(article.title, analysis, models))
        out[path.stem] = hit
    store.write_bytes(pickle.dumps(out))
    return out


def cluster(
    items: dict[str, tuple[ArticleFile, Analysis, Features]],
    vectors: dict[str, dict[str, float]],
    rules: StoryRules,
) -> dict[str, int]:
    """The clustering of ingest, in memory: articles in date order join stories one by one."""
    order = sorted(items, key=lambda k: (items[k][0].published or dt.date.max, k))
    stories: dict[int, list[str]] = {}
    story_of: dict[str, int] = {}
    for key in order:
        article = items[key][0]
        chosen = None
        if article.published is not None:
            day = article.published.toordinal()
            candidates = []
            for sid, members in stories.items():
                days = [items[m][0].published.toordinal() for m in members]  # type: ignore[union-attr]
                centroid: dict[str, float] = {}
                for m in members:
                    for f, w in vectors[m].items():
                        centroid[f] = centroid.get(f, 0.0) + w
                same = tuple(vectors[m] for m in members if items[m][0].source == article.source)
                candidates.append(
                    Candidate(sid, len(members), centroid, min(days), max(days), same)
                )
            chosen = choose_story(vectors[key], day, candidates, rules)
        if chosen is None or article.published is None:
            chosen = len(stories) + 1
            stories[chosen] = []
        stories[chosen].append(key)
        story_of[key] = chosen
    return story_of


def score(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float, Counter[str]]:
    counts = Counter(
        ("t" if truth == guess else "f") + ("p" if guess else "n") for truth, guess in pairs
    )
    accuracy = (counts["tp"] + counts["tn"]) / max(1, len(pairs))
    precision = counts["tp"] / max(1, counts["tp"] + counts["fp"])
    recall = counts["tp"] / max(1, counts["tp"] + counts["fn"])
    return accuracy, precision, recall, counts


def quality(texts: Path, labels: Path, cache: Path, rules: StoryRules, verbose: bool) -> float:
    data = tomllib.loads(labels.read_text(encoding="utf-8"))
    items = analysed(texts, cache, None)
    df: Counter[str] = Counter()
    for _, _, feats in items.values():
        df.update(feats.terms())
    merged, total = with_background(df, len(items))
    vectors = {k: fingerprint(merged, total, feats=f) for k, (_, _, f) in items.items()}
    story_of = cluster(items, vectors, rules)
    alone, together = [], []
    for pair in data["pair"]:
        a, b = items[pair["a"]][0], items[pair["b"]][0]
        apart = (a.published - b.published).days if a.published and b.published else None
        guess = pair_same(
            vectors[pair["a"]], vectors[pair["b"]], apart, a.source == b.source, rules
        )
        alone.append((bool(pair["same"]), guess))
        together.append((bool(pair["same"]), story_of[pair["a"]] == story_of[pair["b"]]))
        if verbose and guess != pair["same"]:
            cos = dot(vectors[pair["a"]], vectors[pair["b"]])
            print(
                f"  {'FP' if guess else 'FN'} {pair['a']}-{pair['b']} cos={cos:.3f}"
                f" days={apart} {pair.get('difficulty', '')} {pair['why'][:70]}"
            )
    print(f"labelled pairs: {len(alone)} ({sum(t for t, _ in alone)} same), {len(items)} articles")
    for name, judged in (("pairs on their own", alone), ("clustering (ingest order)", together)):
        accuracy, precision, recall, counts = score(judged)
        print(
            f"  {name:26}: accuracy {accuracy:.3f}, precision {precision:.3f}, recall {recall:.3f}"
            f"  (tp {counts['tp']}, fp {counts['fp']}, fn {counts['fn']}, tn {counts['tn']})"
        )
    return score(together)[0]


# --- speed ------------------------------------------------------------------------------------


UNIQUE_ANALYSES = 300
PER_DAY = 100  # synthetic articles a day: 100,000 cover about three years


@dataclass
class Synthetic:
    """Real analyses of synthetic articles, reused under new keys, dates and sources."""

    base: list[tuple[ArticleFile, Analysis, Features]]
    analysis_ms: float
    sources: list[str]
    rng: random.Random

    def variant(self, n: int) -> tuple[ArticleFile, Analysis, Features]:
        article, analysis, feats = self.base[n % len(self.base)]
        copy = article.model_copy(
            update={
                "key": f"synth/{n}",
                "content_hash": f"{n:064d}",
                "title": f"{article.title} {n}",
                "source": self.rng.choice(self.sources),
                "published": dt.date(2023, 1, 1) + dt.timedelta(days=n // PER_DAY),
            }
        )
        return copy, analysis, feats


def synthetic(cache: Path) -> Synthetic:
    from bench.synth import generate

    files = generate(cache / "synth", UNIQUE_ANALYSES)
    models = load_models()
    base = []
    started = time.perf_counter()
    for f in files:
        article = read_article(f, f.name)
        analysis = analyse_article(article.title, article.body, models)
        base.append((article, analysis, article_features(article.title, analysis, models)))
    analysis_ms = (time.perf_counter() - started) * 1000 / len(files)
    sources = [f"Источник {i}" for i in range(40)]
    return Synthetic(base, analysis_ms, sources, random.Random(7))


async def build(path: Path, articles: int, synth: Synthetic, clock: ManualClock) -> None:
    """A store of `articles` articles, each joined to a story as at ingest (cached)."""
    print(f"building a store of {articles} articles (cached at {path})...", file=sys.stderr)
    async with Store(path, clock) as store:
        for n in range(articles):
            article, analysis, feats = synth.variant(n)
            article_id = await store.upsert_article(article, analysis, 0)
            await store.join_story(
                article_id, article.published, article.source, feats, StoryRules()
            )
            if n % 10_000 == 0:
                print(f"  {n}", file=sys.stderr)


async def speed(articles: int, cache: Path, runs: int) -> None:
    from bot.ingest.models_loader import LazyModels, LazyMorph
    from bot.services.briefing import Briefings
    from bot.services.requests import SummaryRequest
    from bot.services.stories import Stories

    synth = synthetic(cache)
    path = cache / f"stories_{articles}.sqlite3"
    clock = ManualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    if not path.exists():
        await build(path, articles, synth, clock)
    load = os.getloadavg()
    async with Store(path, clock) as store:
        briefings = Briefings(store, clock, ZoneInfo("UTC"), LazyMorph(LazyModels()))

        def service() -> Stories:
            return Stories(store, clock, ZoneInfo("UTC"), briefings)

        stories = service()
        await stories.summary(SummaryRequest())  # a running bot has answered before
        # As with live sources: an article comes in and joins a story, then someone asks for
        # the briefing (cold: the articles changed), then asks again (memoised). Fresh keys
        # on every run (the store keeps what earlier runs added): a key already stored would
        # take the re-analysis path (same story, no candidate lookup) instead.
        start = await store.count_articles()
        joins, cold, warm = [], [], []
        for i, n in enumerate(range(start, start + runs)):
            article, analysis, feats = synth.variant(n)
            article_id = await store.upsert_article(article, analysis, 0)
            t0 = time.perf_counter()
            await store.join_story(
                article_id, article.published, article.source, feats, StoryRules()
            )
            joins.append((time.perf_counter() - t0) * 1000)
            request = SummaryRequest(limit=5 + i % 3)
            t0 = time.perf_counter()
            await stories.summary(request)
            cold.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await stories.summary(request)
            warm.append((time.perf_counter() - t0) * 1000)
        # A process that just started (nothing in memory: every story read and shaped).
        first = []
        for i in range(max(1, runs // 4)):
            store.read_cache.bump()
            fresh = service()
            t0 = time.perf_counter()
            await fresh.summary(SummaryRequest(limit=5 + i % 3))
            first.append((time.perf_counter() - t0) * 1000)
        count = await store.count_articles()
    report(count, runs, joins, synth.analysis_ms, cold=cold, warm=warm, first=first)
    print(f"  load average {load[0]:.2f} before, {os.getloadavg()[0]:.2f} after (2 cores shared)")


def report(
    count: int,
    runs: int,
    joins: list[float],
    analysis_ms: float,
    *,
    cold: list[float],
    warm: list[float],
    first: list[float],
) -> None:
    join_p50 = statistics.median(joins)
    print(f"speed at {count} stored articles ({runs} runs):")
    print(
        f"  join a story: median {join_p50:.2f} ms, p95 {quantile(joins, 0.95):.2f} ms"
        f" (goal <= {GOAL_JOIN_MS:.0f} ms); analysis alone {analysis_ms:.1f} ms per article,"
        f" join/analysis = {join_p50 / analysis_ms:.3f}"
    )
    for name, values in (
        ("/summary right after an ingest (cold)", cold),
        ("/summary asked again (memoised)", warm),
        (f"/summary first in a process ({len(first)})", first),
    ):
        print(
            f"  {name:40}: median {statistics.median(values):6.2f} ms,"
            f" p95 {quantile(values, 0.95):6.2f} ms (goal p95 <= {GOAL_SUMMARY_P95_MS:.0f} ms)"
        )


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(os.environ["DEVDATA_DIR"]) / "stories" if "DEVDATA_DIR" in os.environ else None
    parser.add_argument("texts", type=Path, nargs="?", default=default)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/dipbrief-stories"))
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="list the misjudged pairs")
    args = parser.parse_args()
    if args.texts is not None:
        quality(args.texts, args.labels, args.cache, StoryRules(), args.verbose)
    else:
        print("no texts folder (argument or DEVDATA_DIR): pair quality skipped", file=sys.stderr)
    if not args.skip_speed:
        asyncio.run(speed(args.articles, args.cache, args.runs))


if __name__ == "__main__":
    main()
