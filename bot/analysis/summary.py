"""Extractive summaries: the lead, then TextRank centrality with context cues and novelty."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.analysis.cues import inside_quotes, is_speech, opens_with_anaphora, opens_with_connective
from bot.analysis.models import KeySentence
from bot.analysis.nlp import Token
from bot.analysis.sentences import Sentence
from bot.analysis.textrank import Vector, cosine, textrank, tfidf

# Ours: 40% from the prior (lead, title), since news put the point first; on the seeds 0.85
# lets late generic sentences ("По мнению экспертов, сотрудничество ... становится важным
# фактором") outrank the lead's neighbours.
SUMMARY_DAMPING = 0.6
MIN_CONTENT_WORDS = 6  # "Итоги саммита" or "Он отметил, что:" are not summary sentences
MIN_CHARS = 40
LEAD_WEIGHT = 1.0  # prior ~ 1 / (1 + position)**LEAD_WEIGHT: news put the point first
SUMMARY_SIZE = 3
TITLE_WEIGHT = 1.0  # prior x (1 + weight x similarity to the title): the title names the point
MMR_LAMBDA = 0.7  # centrality against novelty (similarity to the sentences already chosen)
# Score factors for sentences that cannot stand alone, unless the sentence before is shown.
ANAPHORA_FACTOR = 0.3  # "Об этом ... заявил Си Цзиньпин", "Он напомнил, что ..."
CONNECTIVE_FACTOR = 0.6  # "В свою очередь, ...", "Кроме того, ..."
SPEECH_FACTOR = 0.4  # a sentence inside a long quotation: "Китай – крупнейший торговый партнер"
MAX_CANDIDATES = 200
SHORT_ARTICLE = 6  # candidates; fewer than this gives a two-sentence summary
QUOTE_PAIRS = (("«", "»"), ("“", "”"), ("„", "“"))


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
        and not text[:1].islower()  # the tail of a list: "формируют качественно новую основу"
        and len(text) >= MIN_CHARS
        and len(lemmas) >= MIN_CONTENT_WORDS
        and balanced_quotes(text)
        and text.strip() != title.strip()
    )


def lead_prior(count: int, weight: float = LEAD_WEIGHT) -> list[float]:
    """Position prior: the first sentences of a news item weigh most."""
    return [1.0 / (1 + i) ** weight for i in range(count)]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence that may enter the summary, with the cues that it cannot stand alone."""

    index: int  # into the article's sentences
    lemmas: tuple[str, ...]
    anaphoric: bool  # "Об этом ... заявил Си Цзиньпин": shown only after its antecedent
    connective: bool  # "В свою очередь, ...": reads best after the sentence before it
    speech: bool  # a fragment of direct speech or mostly a quotation


def candidates(
    sentences: Sequence[Sentence], lemmas: Sequence[tuple[str, ...]], title: str
) -> list[Candidate]:
    """The sentences a summary may use, with their context cues."""
    quoted = inside_quotes(sentences)
    return [
        Candidate(
            index=i,
            lemmas=tuple(lemmas[i]),
            anaphoric=opens_with_anaphora(s.span.text),
            connective=opens_with_connective(s.span.text),
            speech=is_speech(s.span.text, quoted[i]),
        )
        for i, s in enumerate(sentences)
        if is_candidate(s, lemmas[i], title)
    ]


def context_factor(c: Candidate, shown: Collection[int]) -> float:
    """How well a sentence reads among the sentences shown so far (1.0: on its own)."""
    factor = SPEECH_FACTOR if c.speech else 1.0
    if c.index - 1 in shown:  # its antecedent is shown right above it
        return factor
    if c.anaphoric:
        return factor * ANAPHORA_FACTOR
    return factor * CONNECTIVE_FACTOR if c.connective else factor


def centrality(found: Sequence[Candidate], title_lemmas: Sequence[str]) -> list[float]:
    """TextRank over the candidates, personalised towards the lead and the title's words."""
    lead = lead_prior(len(found), LEAD_WEIGHT)
    prior = [
        p * (1 + TITLE_WEIGHT * similarity(c.lemmas, title_lemmas))
        for p, c in zip(lead, found, strict=True)
    ]
    return textrank(tfidf([c.lemmas for c in found]), prior, SUMMARY_DAMPING)


def context_scores(
    found: Sequence[Candidate], ranks: Sequence[float], chosen: Collection[int]
) -> dict[int, float]:
    """Normalised centrality times the context factor, for the candidates not yet chosen."""
    top = max(ranks) or 1.0
    shown = {found[k].index for k in chosen}
    return {
        k: ranks[k] / top * context_factor(c, shown)
        for k, c in enumerate(found)
        if k not in chosen
    }


def redundancy(vectors: Sequence[Vector], k: int, chosen: Collection[int]) -> float:
    """Similarity of a candidate to the closest sentence already chosen."""
    return max((cosine(vectors[k], vectors[j]) for j in chosen), default=0.0)


def pick(found: Sequence[Candidate], ranks: Sequence[float], size: int) -> dict[int, float]:
    """Greedy MMR after the lead: the best-scored sentence that adds something new.

    Returns the chosen positions in `found` with the score they were chosen by.
    """
    vectors = tfidf([c.lemmas for c in found])
    chosen: dict[int, float] = {}
    if context_factor(found[0], ()) == 1.0:  # news put the point first: the lead opens it
        chosen[0] = context_scores(found, ranks, ())[0]
    while len(chosen) < min(size, len(found)):
        scores = context_scores(found, ranks, chosen)
        best = max(
            scores,
            key=lambda k: (
                MMR_LAMBDA * scores[k] - (1 - MMR_LAMBDA) * redundancy(vectors, k, chosen)
            ),
        )
        chosen[best] = scores[best]
    return chosen


def summarise(
    sentences: Sequence[Sentence],
    lemmas: Sequence[tuple[str, ...]],
    title: str,
    title_lemmas: Sequence[str] = (),
) -> tuple[KeySentence, ...]:
    """The lead and 1-2 central, self-contained, non-redundant sentences, in original order."""
    # The graph compares every pair: bounded by the first MAX_CANDIDATES (news put the point
    # first; the lead prior of the 200th is 1/200), so a 1 MB article costs what 40 KB does.
    found = candidates(sentences, lemmas, title)[:MAX_CANDIDATES]
    if not found:
        return ()
    size = SUMMARY_SIZE if len(found) >= SHORT_ARTICLE else 2
    chosen = pick(found, centrality(found, title_lemmas), size)
    return tuple(key_sentence(sentences, found[k], score) for k, score in sorted(chosen.items()))


def key_sentence(sentences: Sequence[Sentence], c: Candidate, score: float) -> KeySentence:
    """A chosen sentence; one that points back keeps no lemmas, so it is never compared with
    other sources and quoted alone: "Эта инициатива была озвучена президентом Токаевым"."""
    lemmas = () if c.anaphoric else c.lemmas
    return KeySentence(span=sentences[c.index].span, score=round(score, 4), lemmas=lemmas)


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Set cosine of two lemma lists: |A∩B| / sqrt(|A|·|B|)."""
    return set_cosine(frozenset(a), frozenset(b))


def set_cosine(a: frozenset[str], b: frozenset[str]) -> float:
    """similarity() of two lemma sets already built (compared many times over)."""
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0
