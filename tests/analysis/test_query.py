"""Search query lemmas and highlighting."""

from __future__ import annotations

import pytest

from bot.analysis.models import Analysis
from bot.analysis.nlp import NlpModels, lemma, load_morph
from bot.analysis.query import covering_sentences, highlight, query_lemmas


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


# Which sentences show a /search hit (sentence lemmas | query lemmas -> shown indices).
@pytest.mark.parametrize(
    ("sentences", "query", "shown"),
    [
        # one sentence with every word wins over earlier ones with some
        (["китай партнёр", "торговля с китай", "торговля"], ["торговля", "китай"], (1,)),
        # none has both: the earliest with most, then one adding the rest
        (["китай партнёр", "рост", "торговля расти", "торговля"], ["торговля", "китай"], (0, 2)),
        # at most three sentences, however many words
        (["а", "б", "в", "г"], ["а", "б", "в", "г"], (0, 1, 2)),
        # a hyphenated lemma is a phrase of the index's tokens, as FTS5 reads it
        (["торгово-экономический связь"], ["торгово-экономический"], (0,)),
        (["экономический торгово"], ["торгово-экономический"], ()),
        ([], ["китай"], ()),
    ],
)
def test_query_covering_sentences(
    sentences: list[str], query: list[str], shown: tuple[int, ...]
) -> None:
    assert covering_sentences(sentences, query) == shown


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


# One lemma for every case form of a name, so /search finds the person in any article.
NAME_FORMS = [
    # "Токаев" is in the dictionary as the plural genitive of "токай" (listed in lemmas.toml);
    # "Токаева" is guessed as a first name: both take the surname's lemma.
    ("токаев", "Токаев Токаева Токаеву Токаевым Токаеве Токаевой токаев"),
    # Chinese names get pymorphy guesses that differ by case: the case ending is stripped.
    ("цзиньпин", "Цзиньпин Цзиньпина Цзиньпину Цзиньпином Цзиньпине"),
    ("жапаров", "Жапаров Жапарова Жапарову Жапаровым Жапарове"),
    ("касым-жомарт", "Касым-Жомарт Касым-Жомарта Касым-Жомарту Касым-Жомартом"),
    ("нурышев", "Нурышев Нурышева Нурышеву Нурышевым"),
    ("тяньцзин", "Тяньцзинь Тяньцзиня Тяньцзине Тяньцзинем"),
    ("си", "Си"),
    ("синьхуа", "Синьхуа"),  # indeclinable: nothing to strip
    # common words keep their dictionary lemma, capitalised at a sentence start or not
    ("мир", "мир Мир мира Мира миром Миром"),
    ("тема", "Тему темой Темой"),
    ("астана", "Астана Астане Астаной"),
    ("цифровизация", "цифровизации Цифровизации"),  # unknown to the dictionary, not a name
    ("транскаспийский", "Транскаспийский Транскаспийского"),
]


@pytest.mark.parametrize(("expected", "forms"), NAME_FORMS, ids=[e for e, _ in NAME_FORMS])
def test_query_lemma_one_per_name(expected: str, forms: str, nlp: NlpModels) -> None:
    assert {word: lemma(word, nlp) for word in forms.split()} == dict.fromkeys(
        forms.split(), expected
    )


def test_query_finds_tokayev_in_every_seed(analyses: dict[str, Analysis], nlp: NlpModels) -> None:
    [wanted] = query_lemmas("Токаев", nlp)
    for analysis in analyses.values():
        assert wanted in " ".join(analysis.sentence_lemmas).split()


def test_query_highlight_marks_every_form_of_a_name(nlp: NlpModels) -> None:
    text = "Токаев встретился с Си Цзиньпином; Си Цзиньпин поблагодарил Токаева."
    spans = highlight(text, query_lemmas("Токаевым Цзиньпина", nlp), nlp)
    assert [text[s:e] for s, e in spans] == ["Токаев", "Цзиньпином", "Цзиньпин", "Токаева"]
