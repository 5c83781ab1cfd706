"""Per-article theme scores from weighted lemma hits, normalised by article length."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.analysis.models import Span, ThemeScore
from bot.analysis.nlp import NlpModels, Token
from bot.analysis.themes import Term, ThemeIndex

THRESHOLD = 1.5  # normalised score a theme needs to be kept
# ... and this share of the best theme's score: "Делового совета" in a visit story is not a
# trade story of its own (a visit 7, multilateral 6, trade 2).
RELATIVE_THRESHOLD = 0.3
# A theme named once in passing is not the article's ("торгово-экономическое и
# культурно-гуманитарное сотрудничество" in a list of areas); a title hit counts as two.
MIN_HITS = 2
TITLE_HITS = 2
REPEAT_DECAY = 1.0
SINGLE_HIT_WEIGHT = 3.0  # ... unless that one term decides the theme alone
LENGTH_UNIT = 150  # words; shorter articles are not boosted, longer ones are damped by sqrt
TITLE_FACTOR = 1.0  # title hits count like body hits (but cannot be a snippet)
HEADING_FACTOR = 0.5  # a heading sentence is a poorer snippet than a body sentence


@dataclass(frozen=True, slots=True)
class Hit:
    """A theme term found in a sentence (-1: the title): weight and the offsets of its words."""

    slug: str
    weight: float
    sentence: int
    words: tuple[tuple[int, int], ...]
    ambiguous: bool = False


def _phrase_at(tokens: Sequence[Token], j: int, index: ThemeIndex) -> tuple[int, list[Term]]:
    """Length and terms of the longest phrases starting at token j."""
    for lemmas, _term in index.phrases.get(tokens[j].lemma, ()):
        n = len(lemmas)
        if tuple(t.lemma for t in tokens[j : j + n]) == lemmas:
            same = index.phrases[tokens[j].lemma]
            return n, [term for ls, term in same if ls == lemmas]
    return 0, []


def _word_hits(token: Token, index: ThemeIndex, models: NlpModels) -> tuple[Term, ...]:
    """Theme terms of one word; then a prefix ("кибер-" compounds); a hyphenated word falls
    back to its parts' lemmas."""
    if token.lemma in index.words:
        return index.words[token.lemma]
    for prefix, term in index.prefixes:
        if token.lemma.startswith(prefix) and len(token.lemma) > len(prefix) + 2:
            return (term,)
    if "-" not in token.text:
        return ()
    parts = {models.lemma(p) for p in token.text.split("-")}
    return tuple(term for p in parts for term in index.words.get(p, ()))


def sentence_hits(
    tokens: Sequence[Token], sentence: int, index: ThemeIndex, models: NlpModels
) -> list[Hit]:
    """All theme hits in one sentence; words inside a matched phrase are not counted again."""
    hits: list[Hit] = []
    j = 0
    while j < len(tokens):
        n, terms = _phrase_at(tokens, j, index)
        if not n:
            n, terms = 1, list(_word_hits(tokens[j], index, models))
        words = tuple((t.start, t.stop) for t in tokens[j : j + n])
        hits.extend(Hit(t.slug, t.weight, sentence, words, t.ambiguous) for t in terms)
        j += n
    return hits


def ambiguous_words_need_support(hits: Sequence[Hit]) -> list[Hit]:
    """Drop ambiguous hits of themes with no other hit: "взрыв газа" alone is not energy."""
    supported = {h.slug for h in hits if not h.ambiguous}
    return [h for h in hits if h.slug in supported]


def article_hits(
    sentence_tokens: Sequence[Sequence[Token]],
    title_tokens: Sequence[Token],
    index: ThemeIndex,
    models: NlpModels,
) -> list[Hit]:
    """Hits of the body sentences and the title (sentence -1) that count for their theme."""
    hits = sentence_hits(title_tokens, -1, index, models)
    for i, tokens in enumerate(sentence_tokens):
        hits += sentence_hits(tokens, i, index, models)
    return ambiguous_words_need_support(hits)


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
    hits_of: dict[str, int] = defaultdict(int)
    per_sentence: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    by_sentence: dict[tuple[str, int], list[Hit]] = defaultdict(list)
    repeats: dict[tuple[str, float], int] = defaultdict(int)
    for hit in article_hits(sentence_tokens, title_tokens, index, models):
        # The n-th use of the same term counts 1/n: ten "ОТГ" must not drown the visit.
        repeats[hit.slug, hit.weight] += 1
        weight = hit.weight / repeats[hit.slug, hit.weight] ** REPEAT_DECAY
        if hit.sentence < 0:  # the title counts, but cannot be a snippet
            raw[hit.slug] += weight * TITLE_FACTOR
            hits_of[hit.slug] += TITLE_HITS
            continue
        raw[hit.slug] += weight
        hits_of[hit.slug] += 1
        factor = HEADING_FACTOR if hit.sentence in headings else 1.0
        per_sentence[hit.slug][hit.sentence] += hit.weight * factor
        by_sentence[hit.slug, hit.sentence].append(hit)
    length = sum(len(t) for t in sentence_tokens)
    damping = math.sqrt(max(length, LENGTH_UNIT) / LENGTH_UNIT)
    result = []
    top = max((t for s, t in raw.items() if per_sentence[s]), default=0.0)
    for slug, total in raw.items():
        score = total / damping
        if (
            score < THRESHOLD
            or (total < RELATIVE_THRESHOLD * top and slug not in index.independent)
            or (hits_of[slug] < MIN_HITS and total < SINGLE_HIT_WEIGHT)
            or not per_sentence[slug]
        ):
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
    """Unnormalised theme weights of the body (for diagnostics and benchmarks)."""
    raw: dict[str, float] = defaultdict(float)
    for hit in article_hits(sentence_tokens, (), index, models):
        raw[hit.slug] += hit.weight
    return dict(raw)
