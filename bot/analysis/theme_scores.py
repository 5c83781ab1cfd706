"""Per-article theme scores from weighted lemma hits, normalised by article length."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.analysis.models import Span, ThemeScore
from bot.analysis.nlp import NlpModels, Token
from bot.analysis.themes import ThemeIndex

THRESHOLD = 1.5  # normalised score a theme needs to be kept
LENGTH_UNIT = 150  # words; shorter articles are not boosted, longer ones are damped by sqrt
TITLE_FACTOR = 1.0  # title hits count like body hits (but cannot be a snippet)
HEADING_FACTOR = 0.5  # a heading sentence is a poorer snippet than a body sentence


@dataclass(frozen=True, slots=True)
class Hit:
    """A theme term found in a sentence: weight and the offsets of its words."""

    slug: str
    weight: float
    sentence: int
    words: tuple[tuple[int, int], ...]


def _phrase_at(
    tokens: Sequence[Token], j: int, index: ThemeIndex
) -> tuple[int, list[tuple[str, float]]]:
    """Length and (slug, weight) list of the longest phrases starting at token j."""
    for lemmas, _slug, _weight in index.phrases.get(tokens[j].lemma, ()):
        n = len(lemmas)
        if tuple(t.lemma for t in tokens[j : j + n]) == lemmas:
            same = index.phrases[tokens[j].lemma]
            return n, [(s, w) for ls, s, w in same if ls == lemmas]
    return 0, []


def _word_hits(
    token: Token, index: ThemeIndex, models: NlpModels
) -> tuple[tuple[str, float], ...]:
    """Theme weights of one word; a hyphenated word falls back to its parts' lemmas."""
    if token.lemma in index.words:
        return index.words[token.lemma]
    if "-" not in token.text:
        return ()
    parts = {models.lemma(p) for p in token.text.split("-")}
    return tuple(hit for p in parts for hit in index.words.get(p, ()))


def sentence_hits(
    tokens: Sequence[Token], sentence: int, index: ThemeIndex, models: NlpModels
) -> list[Hit]:
    """All theme hits in one sentence; words inside a matched phrase are not counted again."""
    hits: list[Hit] = []
    j = 0
    while j < len(tokens):
        n, found = _phrase_at(tokens, j, index)
        if n:
            words = tuple((t.start, t.stop) for t in tokens[j : j + n])
            hits.extend(Hit(slug, weight, sentence, words) for slug, weight in found)
            j += n
            continue
        span = ((tokens[j].start, tokens[j].stop),)
        hits.extend(Hit(s, w, sentence, span) for s, w in _word_hits(tokens[j], index, models))
        j += 1
    return hits


def score_themes(
    sentences: Sequence[Span],
    *,
    sentence_tokens: Sequence[Sequence[Token]],
    headings: frozenset[int],
    title_tokens: Sequence[Token],
    index: ThemeIndex,
    models: NlpModels,
) -> tuple[ThemeScore, ...]:
    """Themes above the threshold, best first, each with its most relevant sentence."""
    raw: dict[str, float] = defaultdict(float)
    per_sentence: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    by_sentence: dict[tuple[str, int], list[Hit]] = defaultdict(list)
    for i, tokens in enumerate(sentence_tokens):
        for hit in sentence_hits(tokens, i, index, models):
            raw[hit.slug] += hit.weight
            factor = HEADING_FACTOR if i in headings else 1.0
            per_sentence[hit.slug][i] += hit.weight * factor
            by_sentence[hit.slug, i].append(hit)
    for hit in sentence_hits(title_tokens, -1, index, models):
        raw[hit.slug] += hit.weight * TITLE_FACTOR
    length = sum(len(t) for t in sentence_tokens)
    damping = math.sqrt(max(length, LENGTH_UNIT) / LENGTH_UNIT)
    result = []
    for slug, total in raw.items():
        score = total / damping
        if score < THRESHOLD or not per_sentence[slug]:
            continue
        best = max(per_sentence[slug].items(), key=lambda kv: (kv[1], -kv[0]))[0]
        matched = tuple(w for h in by_sentence[slug, best] for w in h.words)
        result.append(
            ThemeScore(theme=slug, score=round(score, 3), snippet=sentences[best], matched=matched)
        )
    return tuple(sorted(result, key=lambda t: -t.score))


def raw_theme_weights(
    sentence_tokens: Sequence[Sequence[Token]], index: ThemeIndex, models: NlpModels
) -> dict[str, float]:
    """Unnormalised theme weights (for diagnostics and benchmarks)."""
    raw: dict[str, float] = defaultdict(float)
    for i, tokens in enumerate(sentence_tokens):
        for hit in sentence_hits(tokens, i, index, models):
            raw[hit.slug] += hit.weight
    return dict(raw)
