"""Relevance: is an article foreign-affairs news of Kazakhstan / Central Asia, is China in it.

Signals are counted per sentence from the lemma lists in relevance.toml: China, the home side
(Kazakhstan and its neighbours), other countries and blocs, the vocabulary of relations between
states, and off-topic vocabulary (sport, weather, courts, city life, domestic politics). A
country named once ("автобус китайского производства") is not enough: the score needs relations
words in the sentences that name countries, and off-topic words weigh against it.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from bot.analysis.models import Relevance, ThemeScore
from bot.analysis.words import WORD_RE

if TYPE_CHECKING:
    from bot.analysis.nlp import NlpModels

GROUPS = ("china", "home", "foreign", "relations", "offtopic")
# Themes that make an article briefing news on their own: online fraud against Kazakh
# citizens is what a chat subscribed to cybersecurity wants, foreign side or not.
DECISIVE_THEMES = {"cybersecurity": 4.0}
THRESHOLD = 0.5  # score at which an article is relevant
# Logistic weights of the signals (each capped, so a long article is not relevant by length).
BIAS = -3.0
FOREIGN_WEIGHT = 0.8  # per sentence naming China or another country / bloc (cap FOREIGN_CAP)
FOREIGN_CAP = 5
RELATIONS_WEIGHT = 0.5  # per relations word in a sentence that names a country (cap below)
RELATIONS_CAP = 10.0
THEME_WEIGHT = 0.4  # per theme the article scores in (cap THEME_CAP)
THEME_CAP = 3
HOME_BONUS = 0.8  # Kazakhstan or Central Asia is named
NO_HOME_PENALTY = 1.5  # neither is: news of other countries only
OFFTOPIC_WEIGHT = 0.7  # per off-topic word (cap OFFTOPIC_CAP)
OFFTOPIC_CAP = 10.0
# China is "a substantive part" when it is named in the title, or in this share of sentences
# (and at least CHINA_MIN of them).
CHINA_SHARE = 0.15
CHINA_MIN = 2


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class SignalIndex:
    """Lemmatised signal words: one-word terms, and phrases by their first lemma."""

    words: dict[str, dict[str, float]]  # lemma -> group -> weight
    phrases: dict[str, tuple[tuple[Phrase, str, float], ...]]


@dataclass
class RelevanceBook:
    """The signal lists of relevance.toml, compiled per morphology instance."""

    groups: dict[str, dict[str, float]]
    other_languages: dict[str, tuple[str, ...]]
    _indexes: WeakKeyDictionary[NlpModels, SignalIndex] = field(
        default_factory=WeakKeyDictionary, repr=False
    )

    def index(self, models: NlpModels) -> SignalIndex:
        index = self._indexes.get(models)
        if index is None:
            index = self._indexes[models] = compile_signals(self.groups, models)
        return index


@cache
def load_relevance_book() -> RelevanceBook:
    """Read relevance.toml shipped with the package (cached)."""
    text = resources.files("bot.analysis").joinpath("relevance.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return RelevanceBook(
        groups={g: {str(k): float(v) for k, v in data[g].items()} for g in GROUPS},
        other_languages={
            g: tuple(str(w) for w in words) for g, words in data["other_languages"].items()
        },
    )


def compile_signals(groups: dict[str, dict[str, float]], models: NlpModels) -> SignalIndex:
    words: dict[str, dict[str, float]] = {}
    phrases: dict[str, list[tuple[Phrase, str, float]]] = {}
    for group, table in groups.items():
        for text, weight in table.items():
            lemmas = tuple(models.lemma(m.group()) for m in WORD_RE.finditer(text))
            if len(lemmas) == 1:
                words.setdefault(lemmas[0], {})[group] = weight
            elif lemmas:
                phrases.setdefault(lemmas[0], []).append((lemmas, group, weight))
    return SignalIndex(
        words=words,
        phrases={k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in phrases.items()},
    )


def sentence_signals(lemmas: Sequence[str], index: SignalIndex) -> dict[str, float]:
    """Weight per signal group in one sentence; words of a matched phrase count once."""
    found: dict[str, float] = {}
    j = 0
    while j < len(lemmas):
        step = 1
        for phrase, group, weight in index.phrases.get(lemmas[j], ()):
            if tuple(lemmas[j : j + len(phrase)]) == phrase:
                found[group] = found.get(group, 0.0) + weight
                step = len(phrase)
                break
        else:
            for group, weight in index.words.get(lemmas[j], {}).items():
                found[group] = found.get(group, 0.0) + weight
        j += step
    return found


@dataclass
class Tally:
    """Signals summed over an article."""

    sentences: int = 0
    china: int = 0  # sentences naming China (the title counts twice)
    china_in_title: bool = False
    home: int = 0
    foreign: int = 0  # sentences naming China or another country / bloc
    relations: float = 0.0  # relations words in sentences that name a country
    offtopic: float = 0.0
    themes: int = 0
    decisive: float = 0.0  # bonus of DECISIVE_THEMES the article scores in


def tally(title: Sequence[str], sentences: Sequence[Sequence[str]], index: SignalIndex) -> Tally:
    result = Tally()
    for i, lemmas in enumerate((title, *sentences)):
        found = sentence_signals(lemmas, index)
        weight = 2 if i == 0 else 1
        result.sentences += 1
        if "china" in found:
            result.china += weight
            result.china_in_title = result.china_in_title or i == 0
        if "home" in found:
            result.home += weight
        named = {"china", "home", "foreign"} & found.keys()
        if "china" in found or "foreign" in found:
            result.foreign += weight
        if named:
            result.relations += found.get("relations", 0.0)
        result.offtopic += found.get("offtopic", 0.0)
    return result


def judge(t: Tally) -> Relevance:
    """Score, flags and reasons from the summed signals."""
    x = BIAS
    reasons: list[str] = []
    if t.foreign:
        # A short article counts by its share: one sentence of two naming China is a lot.
        share = FOREIGN_CAP * min(1.0, 2 * t.foreign / max(t.sentences + 1, 1))
        x += FOREIGN_WEIGHT * min(max(t.foreign, share), FOREIGN_CAP)
        reasons.append("foreign")
    if t.relations:
        x += RELATIONS_WEIGHT * min(t.relations, RELATIONS_CAP)
        reasons.append("relations")
    if t.themes:
        x += THEME_WEIGHT * min(t.themes, THEME_CAP)
        reasons.append("themes")
    if t.decisive:
        x += t.decisive
        reasons.append("decisive-theme")
    if t.home:
        x += HOME_BONUS
        reasons.append("home")
    else:
        x -= NO_HOME_PENALTY
        reasons.append("no-home")
    if t.offtopic:
        x -= OFFTOPIC_WEIGHT * min(t.offtopic, OFFTOPIC_CAP)
        reasons.append("offtopic")
    score = 1.0 / (1.0 + math.exp(-x))
    china = t.china_in_title or (t.china >= CHINA_MIN and t.china >= CHINA_SHARE * t.sentences)
    if china:
        reasons.append("china")
    return Relevance(
        score=round(score, 3), relevant=score >= THRESHOLD, china=china, reasons=tuple(reasons)
    )


def assess_relevance(
    title_lemmas: Sequence[str],
    sentence_lemmas: Sequence[Sequence[str]],
    themes: Sequence[ThemeScore],
    models: NlpModels,
    book: RelevanceBook | None = None,
) -> Relevance:
    """The relevance of a Russian article from its lemmas and the themes it scores in."""
    book = book or load_relevance_book()
    t = tally(title_lemmas, sentence_lemmas, book.index(models))
    t.themes = len(themes)
    t.decisive = max((DECISIVE_THEMES.get(th.theme, 0.0) for th in themes), default=0.0)
    return judge(t)


def assess_other_language(text: str, book: RelevanceBook | None = None) -> Relevance:
    """The relevance of a Kazakh, Chinese or English text from names and words in any script."""
    book = book or load_relevance_book()
    lowered = text.lower()
    counts = {
        group: sum(lowered.count(w.lower()) for w in words)
        for group, words in book.other_languages.items()
    }
    t = Tally(
        sentences=max(1, lowered.count(".") + lowered.count("。")),
        china=counts.get("china", 0),
        home=counts.get("home", 0),
        foreign=min(counts.get("china", 0) + counts.get("foreign", 0), FOREIGN_CAP),
        relations=float(counts.get("relations", 0)),
        offtopic=float(counts.get("offtopic", 0)),
    )
    return judge(t)
