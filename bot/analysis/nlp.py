"""Heavy language models (morphology, NER) loaded once and passed to the analysis functions."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pymorphy3
from navec import Navec
from slovnet import NER

NAVEC_FILE = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"
NER_FILE = "data/model/slovnet_ner_news_v1.tar"
LEMMA_CACHE_SIZE = 200_000
PARSE_CACHE_SIZE = 20_000  # full parse lists, for the few words that are names

# A word: letters/digits, optionally joined by hyphens ("Касым-Жомарт", "торгово-экономический").
WORD_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# Short all-caps words are abbreviations: pymorphy reads "ИИ" as a form of the name "Ия".
ABBR_RE = re.compile(r"[A-ZА-ЯЁ]{2,6}")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a text with its offsets and lemma."""

    start: int
    stop: int
    text: str
    lemma: str


class NlpModels:
    """Morphology with an LRU lemma cache, plus the slovnet NER (loaded lazily if not given)."""

    def __init__(self, morph: pymorphy3.MorphAnalyzer, ner: Any = None) -> None:
        self.morph = morph
        self._ner = ner
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
        if ABBR_RE.fullmatch(word):
            return word.lower().replace("ё", "е")
        lowered = word.lower().replace("ё", "е")
        return str(self.morph.parse(lowered)[0].normal_form).replace("ё", "е")

    def _parses(self, word: str) -> tuple[Any, ...]:
        """All pymorphy parses of a lower-case word (cached)."""
        return tuple(self.morph.parse(word))

    def _tag(self, word: str) -> Any:
        return self.morph.parse(word.lower())[0].tag

    def tokens(self, text: str, offset: int = 0) -> Iterator[Token]:
        """Yield the words of `text` with lemmas; offsets are shifted by `offset`."""
        for m in WORD_RE.finditer(text):
            yield Token(m.start() + offset, m.end() + offset, m.group(), self.lemma(m.group()))


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
