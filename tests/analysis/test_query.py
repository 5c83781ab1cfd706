"""Search query lemmas and highlighting."""

from __future__ import annotations

import pytest

from bot.analysis.nlp import NlpModels, lemma, load_morph
from bot.analysis.query import highlight, query_lemmas


@pytest.mark.parametrize(
    ("query", "lemmas"),
    [
        ("торговлей с Китаем", ("торговля", "китай")),
        ("переговоры Си Цзиньпина", ("переговоры", "си", "цзиньпин")),
        ("ШОС ШОС", ("шос",)),
        ("ИИ", ("ии",)),  # pymorphy alone reads "ИИ" as a form of the name "Ия"
        ("и в на", ()),
    ],
)
def test_query_lemmas(query: str, lemmas: tuple[str, ...], nlp: NlpModels) -> None:
    assert query_lemmas(query, nlp) == lemmas


def test_query_highlight_marks_inflected_forms(nlp: NlpModels) -> None:
    text = "Товарооборот Казахстана со странами ШОС приблизился к $70 млрд."
    spans = highlight(text, {"товарооборот", "шос", "страна"}, nlp)
    assert [text[s:e] for s, e in spans] == ["Товарооборот", "странами", "ШОС"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [("киберпреступниками", "киберпреступник"), ("Ёлки", "елка"), ("ООН", "оон")],
)
def test_query_lemma_cached_lowercase_no_yo(word: str, expected: str, nlp: NlpModels) -> None:
    assert lemma(word, nlp) == expected


def test_query_morph_only_loads_ner_lazily() -> None:
    models = load_morph()
    assert models._ner is None
    assert lemma("саммитах", models) == "саммит"
