"""People, organisations and places: nominative names merged across mentions."""

from __future__ import annotations

import pytest

from bot.analysis.entities import (
    Mention,
    extract_entities,
    is_byline,
    load_entity_book,
    person_names,
)
from bot.analysis.models import Analysis, Entity
from bot.analysis.names import best_form, phrase_nominative, stem
from bot.analysis.nlp import NlpModels


def by_name(analysis: Analysis) -> dict[str, Entity]:
    return {e.name: e for e in analysis.entities}


def test_entities_tokayev_merged_from_all_forms(analyses: dict[str, Analysis]) -> None:
    # 000 has "Касымом-Жомартом Токаевым", "Президент Токаев", "Токаева".
    tokayev = by_name(analyses["000"])["Касым-Жомарт Токаев"]
    assert tokayev.kind == "PER"
    assert tokayev.mentions >= 6
    assert {"Касымом-Жомартом Токаевым", "Токаева", "Токаев"} <= set(tokayev.aliases)


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("000", "Си Цзиньпин"),  # "Си Цзиньпина"
        ("001", "Касым-Жомарт Токаев"),  # "Касым-Жомартом Токаевым"
        ("001", "Си Цзиньпин"),
        ("002", "Си Цзиньпин"),  # "Си Цзиньпином"
        ("003", "Шахрат Нурышев"),
        ("003", "Касым-Жомарт Токаев"),  # "Касым-Жомарта Токаева"
        ("004", "Садыр Жапаров"),  # "Садыру Жапарову"
    ],
)
def test_entities_person_in_nominative(key: str, name: str, analyses: dict[str, Analysis]) -> None:
    assert by_name(analyses[key])[name].kind == "PER"


def test_entities_headings_are_not_people(analyses: dict[str, Analysis]) -> None:
    names = set(by_name(analyses["000"]))
    assert not {"Киберпреступность", "Саммит", "Президент Токаев"} & names


def test_entities_sco_abbreviation_merges_full_name(analyses: dict[str, Analysis]) -> None:
    sco = by_name(analyses["004"])["ШОС"]
    assert sco.kind == "ORG"
    assert "Шанхайская организация сотрудничества" in sco.aliases
    assert "Шанхайская организация сотрудничества" not in by_name(analyses["004"])
    assert "ШОС" in by_name(analyses["001"])  # Xinhua writes "... сотрудничества /ШОС/"


def test_entities_places_in_nominative(analyses: dict[str, Analysis]) -> None:
    names = set(by_name(analyses["004"]))
    assert {"Казахстан", "Китай", "Тяньцзинь", "Афганистан", "Центральная Азия"} <= names
    assert "Китайской Народной Республики" in by_name(analyses["002"])["Китай"].aliases


@pytest.mark.parametrize(
    ("forms", "name"),
    [
        # Chinese names are guessed badly by pymorphy; the forms vote for the shared stem.
        ([("Си", "Цзиньпином"), ("Си", "Цзиньпина")], "Си Цзиньпин"),
        ([("Касымом-Жомартом", "Токаевым"), ("Токаева",)], "Касым-Жомарт Токаев"),
        ([("Садыру", "Жапарову")], "Садыр Жапаров"),
        ([("Шахрат", "Нурышев"), ("Нурышев",)], "Шахрат Нурышев"),
    ],
)
def test_entities_person_names_by_inflection(
    forms: list[tuple[str, ...]], name: str, nlp: NlpModels
) -> None:
    group = [Mention("PER", " ".join(f), f) for f in forms]
    assert person_names(group, nlp) == name


@pytest.mark.parametrize(
    ("phrase", "nominative"),
    [
        ("Шанхайской организации сотрудничества", "Шанхайская организация сотрудничества"),
        ("Центральной Азией", "Центральная Азия"),
        ("Кыргызской Республике", "Кыргызская Республика"),
        ("Клуба друзей Казахстана", "Клуб друзей Казахстана"),
    ],
)
def test_entities_phrase_nominative(phrase: str, nominative: str, nlp: NlpModels) -> None:
    assert phrase_nominative(phrase.split(), nlp) == nominative


@pytest.mark.parametrize(
    ("word", "expected"),
    [("Токаевым", "токаев"), ("Токаев", "токаев"), ("Цзиньпином", "цзиньпин"), ("Си", "си")],
)
def test_entities_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_entities_akorda_is_an_organisation(analyses: dict[str, Analysis]) -> None:
    # "Об этом 30 августа сообщила Акорда." is tagged PER and read as "Акорд" by inflection.
    names = by_name(analyses["002"])
    assert names["Акорда"].kind == "ORG"
    assert "Акорд" not in names


@pytest.mark.parametrize(
    ("text", "outlet", "byline"),
    [
        # the outlet credited for the text, present tense
        ("Эксперты обсудили Центральную Азию, передает DKNews.kz.", "DKNews.kz", True),
        ("Токаев выступил на саммите, сообщает Lada.kz со ссылкой на Sputnik.", "Lada.kz", True),
        ("Токаев выступил на саммите, сообщает Lada.kz со ссылкой на Sputnik.", "Sputnik", True),
        ("Саммит завершился, передает агентство «Казинформ».", "Казинформ", True),
        # a source that is part of the story, or an organisation acting in it
        ("Об этом 30 августа сообщила Акорда.", "Акорда", False),
        ("Sputnik открыл бюро в Астане.", "Sputnik", False),
        ("Казахстан поддерживает инициативу Китая по созданию Банка развития ШОС.", "ШОС", False),
    ],
)
def test_entities_byline_attribution(text: str, outlet: str, byline: bool) -> None:
    assert is_byline(text, text.index(outlet), load_entity_book()) is byline


@pytest.mark.parametrize(
    ("key", "outlets"), [("003", {"DKNews.kz"}), ("004", {"Lada.kz", "Sputnik"})]
)
def test_entities_bylines_are_not_organisations(
    key: str, outlets: set[str], analyses: dict[str, Analysis]
) -> None:
    assert not outlets & set(by_name(analyses[key]))


# Score ties between a place and a first name: "Астану" is read first as the name "Астан".
ASTANA_FORMS = ["Астана", "Астаны", "Астане", "Астану", "Астаной"]


def test_entities_astana_forms_share_one_lemma(nlp: NlpModels) -> None:
    assert {nlp.lemma(form) for form in ASTANA_FORMS} == {"астана"}


@pytest.mark.parametrize("form", ASTANA_FORMS)
def test_entities_astana_place_in_nominative(form: str, nlp: NlpModels) -> None:
    assert best_form([form], nlp, frozenset({"Geox", "inan"})) == "Астана"


@pytest.mark.parametrize(
    "text",
    [
        "Си Цзиньпин прибыл в Астану. В Астане прошли переговоры.",
        "Делегация вылетела из Астаны. Гости восхищались Астаной и пообещали вернуться в Астану.",
        "Маршрут связал Пекин с Астаной. Поезд прибыл в Астану утром.",
    ],
)
def test_entities_astana_is_one_place(text: str, nlp: NlpModels) -> None:
    places = [e for e in extract_entities(text, nlp) if e.name.startswith("Астан")]
    assert [(e.kind, e.name) for e in places] == [("LOC", "Астана")]
