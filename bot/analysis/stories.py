"""Stories: articles about one event grouped across sources, by average linkage in a window.

An article's fingerprint is one sparse vector over three kinds of features, each kind
normalised on its own and weighted: lemmas of the title and lead (TF-IDF), named entities
(IDF) and figures (IDF). The whole vector has unit length, so the cosine of two articles is a
dot product, and the average cosine of an article with a story's articles (average linkage)
is its dot product with the story's *sum* of article vectors, divided by the story's size:
a story keeps one summed vector, never a pairwise matrix. Single linkage (the best pair)
chains unrelated events into one thread; the average does not.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.analysis.models import Analysis, Entity, Figure, KeySentence
from bot.analysis.nlp import NlpModels
from bot.analysis.summary import set_cosine, stop_words

Vector = dict[str, float]

LEAD_SENTENCES = 12  # the title and the first paragraphs name the event in a news item
TITLE_WEIGHT = 3.0  # a title word counts as three words of the first sentence
POSITION_DECAY = 5.0  # sentence i weighs 1 / (1 + i / POSITION_DECAY)
# Share of each kind of feature in the fingerprint's squared length: the cosine of two
# articles with every kind present is the weighted mean of the three cosines.
KIND_WEIGHTS = {"w": 0.8, "e": 0.15, "f": 0.05}
ENTITY_KINDS = frozenset({"PER", "ORG", "LOC"})
# Kept in the index per article: its heaviest features (lookup cost grows with each).
INDEX_TERMS = 16
TOP_CANDIDATES = 8  # stories scored exactly after the index lookup
CENTROID_SIZE = 300  # features kept in a story's summed fingerprint


@dataclass(frozen=True)
class StoryRules:
    """Tunable thresholds; defaults chosen on bench/data/labels_stories.toml."""

    window_days: int = 3  # a story takes an article within 72 h of one of its articles
    max_gap_days: int = 7  # never across a gap of more than a week, whatever the window
    # A story spans at most two weeks: coverage every other day would otherwise chain a
    # summit, its follow-ups and the next visit into one story that never ends.
    max_span_days: int = 14
    join: float = 0.22
    # A story whose articles are loosely alike (a multi-day summit told from many angles)
    # takes an article as close to it as its own articles are to each other: the bar falls
    # to `cohesion_share` of their mean cosine, never below `loose_join`.
    loose_join: float = 0.15
    cohesion_share: float = 0.5
    same_source: float = 0.55  # cosine with each same-source article (an update, a rewrite)

    @property
    def reach(self) -> int:
        """Days between an article and the nearest article of a story it may join."""
        return min(self.window_days, self.max_gap_days)


@dataclass(frozen=True)
class Features:
    """Raw features of one article, before weighting: counts of lemmas, entity and figure keys."""

    words: Mapping[str, float]
    entities: frozenset[str]
    figures: frozenset[str]

    def terms(self) -> set[str]:
        """Every feature key, as counted in document frequencies."""
        return {*(f"w:{w}" for w in self.words), *self.entities, *self.figures}


def content_words(lemmas: str) -> list[str]:
    """Content lemmas of a space-joined lemma string: no stop words, digits or letters."""
    stops = stop_words()
    return [w for w in lemmas.split() if len(w) > 1 and not w.isdigit() and w not in stops]


def figure_key(figure: Figure) -> str | None:
    """A figure as a feature: kind, value, unit (the same fact in two wordings); None if vague."""
    if figure.value is None or figure.kind in ("ordinal", "target_year"):
        return None  # "в 2030 году", "второй" say little about which event this is
    return f"f:{figure.kind}:{figure.value:.6g}:{figure.unit}"


def features(
    title_lemmas: Sequence[str],
    sentence_lemmas: Sequence[str],
    entities: Iterable[Entity],
    figures: Iterable[Figure],
) -> Features:
    """The features of an article from its title lemmas and analysis: words of the title and
    lead weigh most, later sentences less (news put the event first)."""
    words: dict[str, float] = {}
    for w in content_words(" ".join(title_lemmas)):
        words[w] = words.get(w, 0.0) + TITLE_WEIGHT
    for i, lemmas in enumerate(sentence_lemmas[:LEAD_SENTENCES]):
        for w in content_words(lemmas):
            words[w] = words.get(w, 0.0) + 1 / (1 + i / POSITION_DECAY)
    ents = frozenset(f"e:{e.name.lower()}" for e in entities if e.kind in ENTITY_KINDS)
    figs = frozenset(k for f in figures if (k := figure_key(f)) is not None)
    return Features(words={w: round(n, 3) for w, n in words.items()}, entities=ents, figures=figs)


def article_features(title: str, analysis: Analysis, models: NlpModels) -> Features:
    """The story features of an analysed article (the title is lemmatised here)."""
    title_lemmas = [t.lemma for t in models.tokens(title)]
    return features(title_lemmas, analysis.sentence_lemmas, analysis.entities, analysis.figures)


@cache
def background() -> tuple[int, Mapping[str, int]]:
    """Document frequencies of features in a background of news on the subject
    (data/story_df.txt, counts only), so that the first articles of a new store are
    weighted as in a full one: "казахстан" and "китай" are in nearly every article."""
    text = resources.files("bot.analysis").joinpath("data/story_df.txt").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    counts = {term: int(n) for term, n in (line.rsplit("\t", 1) for line in lines[1:])}
    return int(lines[0]), counts


def with_background(df: Mapping[str, int], total: int) -> tuple[dict[str, int], int]:
    """Store counts plus the background's, and the total of both."""
    size, counts = background()
    merged = {t: n + counts.get(t, 0) for t, n in df.items()}
    return merged, total + size


def idf(df: int, total: int) -> float:
    """Smoothed inverse document frequency: a word in every article still weighs a little."""
    return math.log(1 + (total + 1) / (df + 1))


def fingerprint(df: Mapping[str, int], total: int, *, feats: Features) -> Vector:
    """The unit-length weighted vector of an article, IDF from `total` articles."""
    parts: dict[str, Vector] = {
        "w": {
            f"w:{w}": math.log(1 + n) * idf(df.get(f"w:{w}", 0), total)
            for w, n in feats.words.items()
        },
        "e": {e: idf(df.get(e, 0), total) for e in feats.entities},
        "f": {f: idf(df.get(f, 0), total) for f in feats.figures},
    }
    vector: Vector = {}
    for kind, part in parts.items():
        norm = math.sqrt(sum(v * v for v in part.values()))
        if norm:
            scale = math.sqrt(KIND_WEIGHTS[kind]) / norm
            vector.update((k, v * scale) for k, v in part.items())
    return unit(vector)


def unit(vector: Vector) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {k: round(v / norm, 5) for k, v in vector.items()} if norm else {}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def index_terms(vector: Mapping[str, float], size: int = INDEX_TERMS) -> list[str]:
    """The heaviest features of a fingerprint, for the inverted index of candidates."""
    return [k for k, _ in sorted(vector.items(), key=lambda kv: (-kv[1], kv[0]))[:size]]


def add(total: Mapping[str, float], vector: Mapping[str, float], sign: float = 1.0) -> Vector:
    """total + sign * vector, dropping features that cancel out."""
    out = dict(total)
    for k, v in vector.items():
        value = out.get(k, 0.0) + sign * v
        if abs(value) < 1e-6:
            out.pop(k, None)
        else:
            out[k] = round(value, 5)
    return out


def prune(centroid: Mapping[str, float], size: int = CENTROID_SIZE) -> Vector:
    """The heaviest features of a story's summed fingerprint (positive ones only): an
    article's dot product with it loses only the story's rare words, which it rarely has."""
    if len(centroid) <= size:
        return {k: v for k, v in centroid.items() if v > 0}
    top = sorted(centroid.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    return {k: v for k, v in top if v > 0}


@dataclass(frozen=True)
class Candidate:
    """A story an article may join, as the store knows it."""

    story_id: int
    size: int
    centroid: Mapping[str, float]  # sum of its articles' fingerprints
    first_day: int  # ordinal dates of its first and last article
    last_day: int
    same_source: tuple[Mapping[str, float], ...] = ()  # fingerprints from the article's source
    title_vector: Mapping[str, float] | None = None  # fingerprint of its title article


def linkage(vector: Mapping[str, float], story: Candidate) -> float:
    """Average cosine of an article with the story's articles."""
    return dot(vector, story.centroid) / story.size if story.size else 0.0


def cohesion(story: Candidate) -> float | None:
    """Mean cosine between the story's articles, from its summed fingerprint alone:
    |sum|^2 = n + 2 * (sum of pairwise cosines) for n unit vectors. None for one article."""
    n = story.size
    if n < 2:
        return None
    square = sum(v * v for v in story.centroid.values())
    return max(0.0, (square - n) / (n * (n - 1)))


def join_threshold(story: Candidate, rules: StoryRules) -> float:
    """The average cosine an article needs to join the story (see StoryRules.loose_join)."""
    mean = cohesion(story)
    if mean is None:
        return rules.join
    return max(rules.loose_join, min(rules.join, rules.cohesion_share * mean))


def within_reach(day: int, story: Candidate, rules: StoryRules) -> bool:
    """Whether the article falls within the window of the story's dates (and its span)."""
    return (
        story.first_day - rules.reach <= day <= story.last_day + rules.reach
        and max(day, story.last_day) - min(day, story.first_day) <= rules.max_span_days
    )


def admits(vector: Mapping[str, float], day: int, story: Candidate, rules: StoryRules) -> bool:
    """Whether the article may join the story: in its window, close on average (as close as
    the story's own articles are to each other, within bounds), and close to each article of
    its own source (a source rarely reports one event twice: an update)."""
    return (
        within_reach(day, story, rules)
        and linkage(vector, story) >= join_threshold(story, rules)
        and all(dot(vector, other) >= rules.same_source for other in story.same_source)
    )


def choose_story(
    vector: Mapping[str, float], day: int, candidates: Iterable[Candidate], rules: StoryRules
) -> int | None:
    """The story the article joins (the closest one that admits it), or None for a new one."""
    admitted = [
        (linkage(vector, c), c.story_id) for c in candidates if admits(vector, day, c, rules)
    ]
    return max(admitted)[1] if admitted else None


def pair_same(
    a: Mapping[str, float],
    b: Mapping[str, float],
    days_apart: int | None,
    same_source: bool,
    rules: StoryRules,
) -> bool:
    """Whether two articles would form one story on their own (for the labelled pairs)."""
    if days_apart is None or abs(days_apart) > rules.reach:
        return False
    threshold = max(rules.join, rules.same_source) if same_source else rules.join
    return dot(a, b) >= threshold


# --- key sentences across a story's articles ------------------------------------------------

KEY_SENTENCES = 3
MMR_LAMBDA = 0.7
DUPLICATE = 0.45  # set cosine of lemmas at which two sentences say the same thing
LEAD_BONUS = 0.25  # an article's first key sentence (its lead) is its point


def key_sentences(
    summaries: Mapping[int, Sequence[KeySentence]], size: int = KEY_SENTENCES
) -> list[tuple[int, KeySentence, tuple[int, ...]]]:
    """Sentences central to the story across its articles (centroid score, then MMR).

    Returns (article id, sentence, ids of the other articles saying the same thing), most
    central first; sentences that cannot stand alone (no lemmas) are never chosen.
    """
    # Each sentence's lemma set once: the comparisons below are set cosines of these.
    pool = [
        (i, position, k, frozenset(k.lemmas))
        for i, ks in summaries.items()
        for position, k in enumerate(ks)
        if k.lemmas
    ]
    if not pool:
        return []
    centroid = Counter(w for *_, words in pool for w in words)
    norm = math.sqrt(sum(v * v for v in centroid.values()))

    def score(item: tuple[int, int, KeySentence, frozenset[str]]) -> float:
        _, position, _, words = item
        central = sum(centroid[w] for w in words) / (norm * math.sqrt(len(words)))
        return central * (1 + LEAD_BONUS if position == 0 else 1.0)

    scores = {id(item): score(item) for item in pool}
    every = [(i, words) for i, _, _, words in pool]
    chosen: list[tuple[int, int, KeySentence, frozenset[str]]] = []
    while pool and len(chosen) < size:
        best = max(
            pool,
            key=lambda it: (
                MMR_LAMBDA * scores[id(it)]
                - (1 - MMR_LAMBDA) * max((set_cosine(it[3], c[3]) for c in chosen), default=0.0)
            ),
        )
        pool = [it for it in pool if it is not best and set_cosine(it[3], best[3]) < DUPLICATE]
        chosen.append(best)
    result = []
    for article_id, _, k, words in chosen:
        echoes = tuple(
            sorted(
                {
                    other
                    for other, theirs in every
                    if other != article_id and set_cosine(words, theirs) >= DUPLICATE
                }
            )
        )
        result.append((article_id, k, echoes))
    return result


# --- figures merged across a story's sources --------------------------------------------------


# Words naming what a money or count figure measures, as stems in the sentence: two sources
# giving "товарооборот ... $44 млрд" and "товарооборот ... $43,8 млрд" report one metric.
METRIC_STEMS = (
    "товарооборот",
    "торгов",  # "объём торговли", "взаимная торговля"
    "инвестиц",
    "экспорт",
    "импорт",
    "грузооборот",
    "перевоз",  # "перевозки грузов"
    "транзит",
    "кредит",
    "ввп",
)


def metric_key(figure: Figure) -> tuple[object, ...]:
    """What a figure measures: kind, unit, year and the metric word of its sentence; a
    figure whose sentence names no known metric is a metric of its own (its phrase)."""
    text = figure.sentence.text.lower()
    stem = next((m for m in METRIC_STEMS if m in text), None)
    if stem is None:
        return (figure.kind, figure.unit, figure.year, figure.phrase.text.lower())
    return (figure.kind, figure.unit, figure.year, stem)


def same_fact(figure: Figure) -> tuple[object, ...]:
    """Figures that are one fact: kind, value, unit, year (or the phrase, if no value)."""
    if figure.value is None:
        return (figure.kind, figure.phrase.text.lower(), figure.unit)
    return (figure.kind, round(figure.value, 6), figure.unit, figure.year)


def merge_figures(
    figures: Iterable[tuple[int, Figure]],
) -> list[list[tuple[Figure, tuple[int, ...]]]]:
    """Figures grouped by metric; within a metric, one entry per distinct fact with every
    article citing it. Different values of one metric stay side by side, never merged."""
    facts: dict[tuple[object, ...], tuple[Figure, list[int]]] = {}
    for article_id, f in figures:
        entry = facts.setdefault(same_fact(f), (f, []))
        if article_id not in entry[1]:
            entry[1].append(article_id)
    metrics: dict[tuple[object, ...], list[tuple[Figure, tuple[int, ...]]]] = {}
    for f, ids in facts.values():
        metrics.setdefault(metric_key(f), []).append((f, tuple(ids)))
    return sorted(metrics.values(), key=lambda group: -max(len(ids) for _, ids in group))
