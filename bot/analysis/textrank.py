"""TextRank (LexRank) over TF-IDF vectors of lemma lists: centrality in a similarity graph."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

DAMPING = 0.85  # LexRank's: 15% of the rank comes from the prior
ITERATIONS = 50
TOLERANCE = 1e-6
Vector = dict[str, float]


def tfidf(docs: Sequence[Sequence[str]]) -> list[Vector]:
    """TF-IDF vectors of lemma lists, IDF taken over the same documents."""
    df = Counter(lemma for doc in docs for lemma in set(doc))
    n = len(docs)
    return [
        {lemma: tf * math.log(1 + n / df[lemma]) for lemma, tf in Counter(doc).items()}
        for doc in docs
    ]


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def similarity_graph(vectors: Sequence[Vector]) -> list[list[tuple[int, float]]]:
    """Incoming edges per sentence: (source, weight normalised by the source's out-degree)."""
    n = len(vectors)
    weights: list[dict[int, float]] = [{} for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            w = cosine(vectors[i], vectors[j])
            if w > 0:
                weights[i][j] = weights[j][i] = w
    out = [sum(row.values()) or 1.0 for row in weights]
    return [[(i, w / out[i]) for i, w in weights[j].items()] for j in range(n)]


def textrank(
    vectors: Sequence[Vector], prior: Sequence[float], damping: float = DAMPING
) -> list[float]:
    """Personalised PageRank over the cosine-similarity graph of the sentences."""
    incoming = similarity_graph(vectors)
    total = sum(prior) or 1.0
    p = [x / total for x in prior]
    rank = p[:]
    for _ in range(ITERATIONS):
        new = [
            (1 - damping) * p[j] + damping * sum(rank[i] * w for i, w in edges)
            for j, edges in enumerate(incoming)
        ]
        done = max(abs(a - b) for a, b in zip(new, rank, strict=True)) < TOLERANCE
        rank = new
        if done:
            break
    return rank
