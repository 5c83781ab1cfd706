"""Extractive summaries: TextRank over lemma TF-IDF vectors with a news-lead position prior."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import cache
from importlib import resources

from bot.analysis.models import KeySentence
from bot.analysis.nlp import Token
from bot.analysis.sentences import Sentence

DAMPING = 0.85
ITERATIONS = 50
TOLERANCE = 1e-6
MIN_CONTENT_WORDS = 6  # "Итоги саммита" or "Он отметил, что:" are not summary sentences
MIN_CHARS = 40
LEAD_WEIGHT = 1.0  # prior ~ 1 / (1 + position)**LEAD_WEIGHT: news put the point first
SUMMARY_SIZE = 3
SHORT_ARTICLE = 6  # candidates; fewer than this gives a two-sentence summary
QUOTE_PAIRS = (("«", "»"), ("“", "”"), ("„", "“"))
Vector = dict[str, float]


@cache
def stop_words() -> frozenset[str]:
    """Function-word lemmas from data/stopwords.txt."""
    text = resources.files("bot.analysis").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(w for w in text.split("\n") if w and not w.startswith("#"))


def content_lemmas(tokens: Sequence[Token]) -> tuple[str, ...]:
    """Lemmas of the content words: no stop words, numbers or one-letter words."""
    stops = stop_words()
    return tuple(
        t.lemma
        for t in tokens
        if len(t.lemma) > 1 and not t.lemma.isdigit() and t.lemma not in stops
    )


def balanced_quotes(text: str) -> bool:
    """False for a quote cut in half: «Казахстан всецело поддерживает ... (no closing »)."""
    if text.count('"') % 2:
        return False
    return all(text.count(o) == text.count(c) for o, c in QUOTE_PAIRS if o != c) and (
        text.count("„") <= text.count("“")
    )


def is_candidate(sentence: Sentence, lemmas: Sequence[str], title: str) -> bool:
    """Whether a sentence may appear in a summary: body text, complete, long enough."""
    text = sentence.span.text
    return (
        sentence.kind == "text"
        and len(text) >= MIN_CHARS
        and len(lemmas) >= MIN_CONTENT_WORDS
        and balanced_quotes(text)
        and text.strip() != title.strip()
    )


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


def textrank(vectors: Sequence[Vector], prior: Sequence[float]) -> list[float]:
    """Personalised PageRank over the cosine-similarity graph of the sentences."""
    incoming = similarity_graph(vectors)
    total = sum(prior) or 1.0
    p = [x / total for x in prior]
    rank = p[:]
    for _ in range(ITERATIONS):
        new = [
            (1 - DAMPING) * p[j] + DAMPING * sum(rank[i] * w for i, w in edges)
            for j, edges in enumerate(incoming)
        ]
        done = max(abs(a - b) for a, b in zip(new, rank, strict=True)) < TOLERANCE
        rank = new
        if done:
            break
    return rank


def lead_prior(count: int, weight: float = LEAD_WEIGHT) -> list[float]:
    """Position prior: the first sentences of a news item weigh most."""
    return [1.0 / (1 + i) ** weight for i in range(count)]


def summarise(
    sentences: Sequence[Sentence],
    lemmas: Sequence[tuple[str, ...]],
    title: str,
    prior_weight: float = LEAD_WEIGHT,
) -> tuple[KeySentence, ...]:
    """The 2-3 most central sentences, verbatim and in original order."""
    chosen = [i for i, s in enumerate(sentences) if is_candidate(s, lemmas[i], title)]
    if not chosen:
        return ()
    ranks = textrank(tfidf([lemmas[i] for i in chosen]), lead_prior(len(chosen), prior_weight))
    size = SUMMARY_SIZE if len(chosen) >= SHORT_ARTICLE else 2
    best = sorted(range(len(chosen)), key=lambda k: -ranks[k])[:size]
    return tuple(
        KeySentence(
            span=sentences[chosen[k]].span, score=round(ranks[k], 4), lemmas=lemmas[chosen[k]]
        )
        for k in sorted(best)
    )


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Set cosine of two lemma lists: |A∩B| / sqrt(|A|·|B|)."""
    sa, sb = set(a), set(b)
    return len(sa & sb) / math.sqrt(len(sa) * len(sb)) if sa and sb else 0.0


def group_near_duplicates(
    sentences: Sequence[tuple[str, ...]], threshold: float = 0.45
) -> list[list[int]]:
    """Partition sentence indices into groups of near-duplicates (singletons included)."""
    parent = list(range(len(sentences)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(sentences)):
        for j in range(i + 1, len(sentences)):
            if similarity(sentences[i], sentences[j]) >= threshold:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(sentences)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])
