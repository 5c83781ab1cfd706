"""Heavy language models (morphology, NER) loaded once and passed to the analysis functions."""

from __future__ import annotations

import importlib.util
import tomllib
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import pymorphy3
from navec import Navec
from slovnet import NER

from bot.analysis.inflection import noun_stem
from bot.analysis.words import ABBR_RE, WORD_RE

NAVEC_FILE = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"
NER_FILE = "data/model/slovnet_ner_news_v1.tar"
LEMMA_CACHE_SIZE = 200_000
PARSE_CACHE_SIZE = 20_000  # full parse lists, for the few words that are names

# Guessed tags that make an unknown capitalised word a name to strip case endings from.
NAME_GUESS_TAGS = frozenset({"Name", "Surn", "Patr", "Geox"})

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a text with its offsets and lemma."""

    start: int
    stop: int
    text: str
    lemma: str


class NlpModels:
    """Morphology with an LRU lemma cache, plus the slovnet NER (loaded lazily if not given)."""

    def __init__(
        self,
        morph: pymorphy3.MorphAnalyzer,
        ner: Any = None,
        surnames: frozenset[str] | None = None,
        tie_breaks: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        self.morph = morph
        self._ner = ner
        self.surnames = misread_surnames() if surnames is None else surnames
        self.tie_breaks = load_tie_breaks() if tie_breaks is None else tuple(tie_breaks)
        self._memos: dict[Callable[..., Any], Callable[..., Any]] = {}
        self.lemma = lru_cache(maxsize=LEMMA_CACHE_SIZE)(self._lemma)
        self.tag = lru_cache(maxsize=LEMMA_CACHE_SIZE)(self._tag)
        self.parses = lru_cache(maxsize=PARSE_CACHE_SIZE)(self._parses)
        self.is_known = lru_cache(maxsize=PARSE_CACHE_SIZE)(self.morph.word_is_known)

    @property
    def ner(self) -> Any:
        """The slovnet NER tagger; loads it from the natasha data files on first use."""
        if self._ner is None:
            self._ner = load_ner()
        return self._ner

    def _lemma(self, word: str) -> str:
        if word.isdigit():  # numbers are their own lemma; no parse (a table of 10,000 numbers)
            return word
        lowered = word.lower().replace("ё", "е")
        if ABBR_RE.fullmatch(word):
            return lowered
        if lowered in self.surnames or not all(unicodedata.name(c, "") for c in lowered):
            return lowered  # a character this Python cannot name ("𘗁") crashes pymorphy
        parses = self.morph.parse(lowered)
        if word[:1].isupper():
            name = name_lemma(lowered, parses, known=self.is_known(lowered))
            if name is not None:
                return name
        return normal_form(best_parse(parses, self.tie_breaks))

    def memo(self, fn: Callable[..., T], maxsize: int = PARSE_CACHE_SIZE) -> Callable[..., T]:
        """`fn(self, ...)` with an LRU cache that lives and dies with this instance."""
        if fn not in self._memos:
            self._memos[fn] = lru_cache(maxsize=maxsize)(partial(fn, self))
        return self._memos[fn]

    def _parses(self, word: str) -> tuple[Any, ...]:
        """All pymorphy parses of a lower-case word (cached)."""
        return tuple(self.morph.parse(word))

    def _tag(self, word: str) -> Any:
        return self.morph.parse(word.lower())[0].tag

    def tokens(self, text: str, offset: int = 0) -> Iterator[Token]:
        """Yield the words of `text` with lemmas; offsets are shifted by `offset`."""
        for m in WORD_RE.finditer(text):
            yield Token(m.start() + offset, m.end() + offset, m.group(), self.lemma(m.group()))


def normal_form(parse: Any) -> str:
    """The dictionary form of a pymorphy parse, ё → е."""
    return str(parse.normal_form).replace("ё", "е")


def best_parse(parses: Sequence[Any], tie_breaks: Sequence[tuple[str, str]]) -> Any:
    """The first parse, unless an equally scored one has a tag that wins the tie: "Астану"."""
    first = parses[0]
    for winner, loser in tie_breaks:
        if loser in first.tag.grammemes:
            tied = (p for p in parses if p.score == first.score and winner in p.tag.grammemes)
            found = next(tied, None)
            if found is not None:
                return found
    return first


def surname_parse(parses: Sequence[Any]) -> Any | None:
    """The first singular surname reading: "Бектенов" is also read as "Бектены" (plural)."""
    return next((p for p in parses if {"Surn", "sing"} <= p.tag.grammemes), None)


def name_lemma(lowered: str, parses: Sequence[Any], known: bool) -> str | None:
    """One lemma for every case form of a capitalised name; None for other words.

    pymorphy guesses unknown names form by form: "Токаева" -> "токаева" (a first name),
    "Токаевым" -> "токаев", "Цзиньпина" -> "цзиньпина", "Тяньцзине" -> "тяньцзина".
    """
    if known:  # dictionary words keep their lemma: "Мир", "Тем", "Астане"
        return None
    surname = surname_parse(parses)
    if surname is not None:  # "Токаеву", "Жапаровым", "Нурышева"
        return normal_form(surname)
    if (
        parses[0].tag.POS == "NOUN"  # not "Транскаспийского"
        and not any("Fixd" in p.tag for p in parses)  # "Синьхуа" never changes
        and any(NAME_GUESS_TAGS & p.tag.grammemes for p in parses)  # not "Цифровизации"
    ):
        return noun_stem(lowered)  # "Цзиньпине", "Тяньцзиня", "Жомартом"
    return None


@cache
def _lemma_data() -> dict[str, Any]:
    text = resources.files("bot.analysis").joinpath("lemmas.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def misread_surnames() -> frozenset[str]:
    """Surnames the dictionary reads as other words, from lemmas.toml (lower case)."""
    return frozenset(w.lower() for w in _lemma_data()["misread_surnames"])


def load_tie_breaks() -> tuple[tuple[str, str], ...]:
    """(winner, loser) tag pairs for parses with equal scores, from lemmas.toml."""
    return tuple((str(w), str(lo)) for w, lo in _lemma_data()["tie_breaks"])


def natasha_data_dir() -> Path:
    """Locate the natasha package data without importing natasha (it pulls pymorphy2)."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the natasha package (NER model files) is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def load_ner() -> Any:
    """Load the slovnet NER model with its navec embeddings, offline."""
    data = natasha_data_dir()
    navec = Navec.load(str(data / NAVEC_FILE))
    return NER.load(str(data / NER_FILE)).navec(navec)


def load_morph() -> NlpModels:
    """Load morphology only; the NER is loaded on first use (cheap for query resolution)."""
    return NlpModels(pymorphy3.MorphAnalyzer())


def load_models() -> NlpModels:
    """Load morphology and the NER, offline, from installed packages."""
    return NlpModels(pymorphy3.MorphAnalyzer(), load_ner())


def lemma(word: str, models: NlpModels) -> str:
    """The cached dictionary form of `word`: lower case, ё → е."""
    return models.lemma(word)
