"""Lemmas and the caches built on a models instance: they live and die with it."""

from __future__ import annotations

import gc
import weakref

import pytest

from bot.analysis.names import noun_votes
from bot.analysis.nlp import NlpModels, best_parse
from bot.analysis.themes import load_themes

GEOX = frozenset({"Geox", "inan"})


def fresh(nlp: NlpModels) -> NlpModels:
    """A second models instance sharing the (expensive) morphology dictionary."""
    return NlpModels(nlp.morph)


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        # a tie between a place and a first name goes to the place
        ("Астану", "астана"),
        ("астану", "астана"),
        # no tie: the first parse stands
        ("Ивана", "иван"),
        ("Москву", "москва"),
    ],
)
def test_nlp_lemma_tie_breaks(word: str, lemma: str, nlp: NlpModels) -> None:
    assert nlp.lemma(word) == lemma


def test_nlp_best_parse_keeps_first_without_tie(nlp: NlpModels) -> None:
    parses = nlp.morph.parse("астане")  # Geox 0.5 first, Name 0.25
    assert best_parse(parses, nlp.tie_breaks) is parses[0]


def test_nlp_theme_index_per_models_instance(nlp: NlpModels) -> None:
    book = load_themes()
    other = fresh(nlp)
    assert book.index(nlp) is book.index(nlp)
    assert book.index(other) is not book.index(nlp)
    ref = weakref.ref(other)
    del other
    gc.collect()
    assert ref() is None  # the book does not keep the models alive


def test_nlp_noun_votes_cached_per_instance(nlp: NlpModels) -> None:
    other = fresh(nlp)
    votes = noun_votes("Астану", other, GEOX)
    assert noun_votes("Астану", other, GEOX) is votes
    assert noun_votes("Астану", nlp, GEOX) is not votes
    ref = weakref.ref(other)
    del other, votes
    gc.collect()
    assert ref() is None  # no process-wide cache keeps the models (and their NER) alive


def test_a_character_without_a_unicode_name_is_its_own_lemma(nlp: NlpModels) -> None:
    # pymorphy3 asks unicodedata.name() for every character and crashed on an unassigned one
    # (an inline query of "\U000185c1" failed in the property test).
    assert nlp.lemma("\U000185c1") == "\U000185c1"
    assert nlp.lemma("соглашения") == "соглашение"
