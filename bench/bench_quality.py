"""Analysis quality against the labelled development set of real articles.

    python bench/bench_quality.py [PATH] [--labels FILE] [--quiet]

PATH is the folder with the article texts (<id>.md, loader format), default $DEVDATA_DIR/articles
or $DEVDATA_DIR; the texts are third-party and never in the repository, the labels
(bench/data/labels_articles.toml) are. Prints theme macro/micro-F1, relevance accuracy, figure
and person recall/precision, the verbatim check, then the misses and extras of each article.

Matching: a theme by slug; a figure by kind and value (1% tolerance; dates exactly) and unit
(ё = е, case ignored); a person by the full name, or by the surname when the label gives a
surname alone or with initials ("Путин", "К. Токаев"). Themes, figures and persons count on
Russian articles only (the analysis extracts nothing else from other languages); relevance
counts on all.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bot.analysis.nlp import load_models
from bot.analysis.pipeline import analyse_article
from bot.ingest.files import read_article

LABELS = Path(__file__).resolve().parent / "data" / "labels_articles.toml"
VALUE_TOLERANCE = 0.01


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    themes: dict[str, Counts] = field(default_factory=dict)
    figures: Counts = field(default_factory=Counts)
    persons: Counts = field(default_factory=Counts)
    relevance_right: int = 0
    relevance_total: int = 0
    china_right: int = 0
    off_topic_in_briefings: int = 0
    spans: int = 0
    spans_verbatim: int = 0
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)


def norm(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").replace(".", ". ").split())


def figure_matches(label: dict[str, Any], figure: Any) -> bool:
    if label["kind"] != figure.kind or figure.value is None:
        return False
    value = float(label["value"])
    if label["kind"] == "date":  # YYYYMMDD: 1 % would let any day of two decades match
        return int(figure.value) == int(value)
    if abs(figure.value - value) > VALUE_TOLERANCE * max(abs(value), 1e-9):
        return False
    return norm(str(label["unit"])) == norm(figure.unit) or label["kind"] == "date"


def person_matches(label: str, name: str) -> bool:
    a, b = norm(label).split(), norm(name).split()
    if a == b:
        return True
    if not a or not b or a[-1] != b[-1]:
        return False
    # A surname alone, or with initials ("к. токаев"), matches the full name.
    return all(w.endswith(".") for w in a[:-1]) or all(w.endswith(".") for w in b[:-1])


def match(labels: list[Any], found: list[Any], same: Any) -> tuple[list[Any], list[Any]]:
    """(labels with no match, found items with no match), one-to-one greedy."""
    free = list(found)
    missed = []
    for label in labels:
        hit = next((f for f in free if same(label, f)), None)
        if hit is None:
            missed.append(label)
        else:
            free.remove(hit)
    return missed, free


def spans_of(analysis: Any) -> list[Any]:
    spans = [k.span for k in analysis.summary]
    spans += [f.phrase for f in analysis.figures] + [f.sentence for f in analysis.figures]
    spans += [t.snippet for t in analysis.themes] + list(analysis.sentences)
    return spans


def score_article(label: dict[str, Any], path: Path, models: Any, report: Report) -> None:
    article = read_article(path)
    start = time.perf_counter()
    analysis = analyse_article(article.title, article.body, models, published=article.published)
    report.seconds += time.perf_counter() - start
    lang = article.lang or analysis.lang
    relevance = getattr(analysis, "relevance", None)
    relevant = relevance.relevant if relevance is not None else lang == "ru"
    china = relevance.china if relevance is not None else False
    report.relevance_total += 1
    report.relevance_right += relevant == label["relevant"]
    report.china_right += china == label["china"]
    if relevant and lang == "ru" and not label["relevant"]:
        report.off_topic_in_briefings += 1
    for span in spans_of(analysis):
        report.spans += 1
        report.spans_verbatim += article.body[span.start : span.stop] == span.text
    problems = []
    if relevant != label["relevant"] or china != label["china"]:
        why = " ".join(relevance.reasons) if relevance is not None else "-"
        problems.append(
            f"relevance: got relevant={relevant} china={china} ({why};"
            f" {relevance.score if relevance else '-'}), want relevant={label['relevant']}"
            f" china={label['china']}"
        )
    if lang == "ru" and analysis.lang == "ru":
        want = set(label["themes"])
        got = {t.theme for t in analysis.themes}
        for slug in want | got:
            report.themes.setdefault(slug, Counts()).add(
                int(slug in want and slug in got), int(slug in got - want), int(slug in want - got)
            )
        if want != got:
            problems.append(f"themes: missed {sorted(want - got)} extra {sorted(got - want)}")
        missed, extra = match(label["figures"], list(analysis.figures), figure_matches)
        report.figures.add(len(label["figures"]) - len(missed), len(extra), len(missed))
        for m in missed:
            problems.append(f"figure missed: {m['kind']} {m['value']:g} {m['unit']}")
        for f in extra:
            problems.append(f"figure extra: {f.kind} {f.value} {f.unit} «{f.phrase.text}»")
        people = [e.name for e in analysis.entities if e.kind == "PER"]
        missed_p, extra_p = match(label["persons"], people, person_matches)
        report.persons.add(len(label["persons"]) - len(missed_p), len(extra_p), len(missed_p))
        for name in missed_p:
            problems.append(f"person missed: {name}")
        for name in extra_p:
            problems.append(f"person extra: {name}")
    if problems:
        report.lines.append(f"{label['id']} ({lang}): {label.get('note', '')[:90]}")
        report.lines += [f"    {p}" for p in problems]


def default_path() -> Path:
    root = Path(os.environ.get("DEVDATA_DIR", "/work/devdata"))
    return root / "articles" if (root / "articles").is_dir() else root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=None)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--quiet", action="store_true", help="the table only")
    args = parser.parse_args()
    path = args.path or default_path()
    labels = tomllib.loads(args.labels.read_text("utf-8"))["article"]
    models = load_models()
    report = Report()
    absent = []
    for label in labels:
        file = path / f"{label['id']}.md"
        if not file.exists():
            absent.append(label["id"])
            continue
        score_article(label, file, models, report)
    themes = report.themes.values()
    micro = Counts()
    for c in themes:
        micro.add(c.tp, c.fp, c.fn)
    macro = sum(c.f1 for c in themes) / len(report.themes) if report.themes else 0.0
    n = report.relevance_total
    rows = [
        ("articles scored", f"{n}" + (f" ({len(absent)} texts absent)" if absent else "")),
        ("relevance accuracy", f"{report.relevance_right / n:.3f}"),
        ("china flag accuracy", f"{report.china_right / n:.3f}"),
        ("off-topic in briefings", f"{report.off_topic_in_briefings}"),
        ("theme macro-F1", f"{macro:.3f}"),
        ("theme micro-F1", f"{micro.f1:.3f}"),
        ("figure recall", f"{report.figures.recall:.3f}"),
        ("figure precision", f"{report.figures.precision:.3f}"),
        ("person recall", f"{report.persons.recall:.3f}"),
        ("person precision", f"{report.persons.precision:.3f}"),
        ("verbatim spans", f"{report.spans_verbatim}/{report.spans}"),
        ("analysis ms/article", f"{1000 * report.seconds / max(n, 1):.1f}"),
    ]
    for name, value in rows:
        print(f"{name:<24}{value}")
    print(
        "per theme (F1, tp/fp/fn): "
        + ", ".join(
            f"{slug} {c.f1:.2f} {c.tp}/{c.fp}/{c.fn}" for slug, c in sorted(report.themes.items())
        )
    )
    if not args.quiet:
        print()
        print("\n".join(report.lines))
    kinds = Counter(line.split(":")[0].strip() for line in report.lines if line.startswith("    "))
    print("\nproblems by class: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))


if __name__ == "__main__":
    main()
