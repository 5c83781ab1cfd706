"""Summary quality against hand-written references (ROUGE-1, ROUGE-L F1 on lemmas).

    python bench/bench_summaries.py
Compares our summaries with lead-3 and plain LexRank, and prints analysis time / NER time.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth import read_seed
from bot.analysis.nlp import NlpModels, load_models
from bot.analysis.pipeline import analyse_article
from bot.analysis.sentences import split_sentences
from bot.analysis.summary import lead_prior
from bot.analysis.textrank import textrank, tfidf

REFERENCES = ROOT / "tests" / "data" / "reference_summaries.yaml"
SIZE = 3
RUNS = 5


def lemmas(text: str, models: NlpModels) -> list[str]:
    return [t.lemma for t in models.tokens(text)]


def f1(overlap: float, produced: int, reference: int) -> float:
    if not overlap:
        return 0.0
    precision, recall = overlap / produced, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_1(produced: Sequence[str], reference: Sequence[str]) -> float:
    overlap = sum((Counter(produced) & Counter(reference)).values())
    return f1(overlap, len(produced), len(reference))


def lcs(a: Sequence[str], b: Sequence[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def rouge_l(produced: Sequence[str], reference: Sequence[str]) -> float:
    return f1(lcs(produced, reference), len(produced), len(reference))


def lead_3(body: str) -> list[str]:
    """The first three non-heading sentences."""
    return [s.span.text for s in split_sentences(body) if s.kind != "heading"][:SIZE]


def lexrank(body: str, models: NlpModels) -> list[str]:
    """Plain LexRank: every sentence, uniform prior, no filters."""
    texts = [s.span.text for s in split_sentences(body)]
    ranks = textrank(tfidf([lemmas(t, models) for t in texts]), lead_prior(len(texts), 0.0))
    best = sorted(sorted(range(len(texts)), key=lambda i: -ranks[i])[:SIZE])
    return [texts[i] for i in best]


def timed(fn: object, *args: object) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn(*args)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    models = load_models()
    references = yaml.safe_load(REFERENCES.read_text(encoding="utf-8"))
    scores: dict[str, list[tuple[float, float]]] = {"ours": [], "lead-3": [], "lexrank": []}
    total = ner = 0.0
    for name, reference in references.items():
        meta, body = read_seed(ROOT / "seeds" / f"{name}.md")
        ref = lemmas(reference, models)
        ours = [k.span.text for k in analyse_article(meta["title"], body, models).summary]
        for system, sentences in (
            ("ours", ours),
            ("lead-3", lead_3(body)),
            ("lexrank", lexrank(body, models)),
        ):
            produced = lemmas(" ".join(sentences), models)
            scores[system].append((rouge_1(produced, ref), rouge_l(produced, ref)))
        total += timed(analyse_article, meta["title"], body, models)
        ner += timed(models.ner, body)
    print(f"{'system':<10}{'ROUGE-1 F1':>12}{'ROUGE-L F1':>12}")
    for system, values in scores.items():
        r1 = statistics.mean(v[0] for v in values)
        rl = statistics.mean(v[1] for v in values)
        print(f"{system:<10}{r1:>12.3f}{rl:>12.3f}")
    print(
        f"\nanalysis time / NER time over the seeds: {total / ner:.2f} "
        f"({total * 1000:.0f} ms / {ner * 1000:.0f} ms, medians of {RUNS})"
    )


if __name__ == "__main__":
    main()
