"""Extractive summaries and near-duplicate grouping."""

from __future__ import annotations

import pytest

from bot.analysis.models import Analysis
from bot.analysis.nlp import NlpModels
from bot.analysis.sentences import split_sentences
from bot.analysis.summary import balanced_quotes, content_lemmas, group_near_duplicates
from tests.analysis.conftest import Seed


def test_summary_size_order_and_verbatim(
    seeds: dict[str, Seed], analyses: dict[str, Analysis]
) -> None:
    for key, analysis in analyses.items():
        starts = [k.span.start for k in analysis.summary]
        assert 2 <= len(starts) <= 3
        assert starts == sorted(starts)
        for k in analysis.summary:
            assert seeds[key].body[k.span.start : k.span.stop] == k.span.text
            assert k.span in analysis.sentences


def test_summary_starts_from_the_lead(analyses: dict[str, Analysis]) -> None:
    assert analyses["002"].summary[0].span.text.startswith("Президент Казахстана")
    assert analyses["004"].summary[0].span.text.startswith("Президент Казахстана")


def test_summary_skips_headings_items_and_debris(analyses: dict[str, Analysis]) -> None:
    for analysis in analyses.values():
        for k in analysis.summary:
            text = k.span.text
            assert text.rstrip()[-1] in '.!?»"'
            assert not text.lstrip().startswith("-")
            assert "Комментари" not in text
            assert balanced_quotes(text)


def test_summary_lemmas_have_no_stop_words(analyses: dict[str, Analysis]) -> None:
    lemmas = {lemma for k in analyses["000"].summary for lemma in k.lemmas}
    assert "киберпреступность" in lemmas
    assert not {"и", "в", "с", "что", "это"} & lemmas


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # a heading, a list introduction, list items and a body sentence
        (
            "Итоги саммита\nОн отметил, что:\n- модернизация системы\n"
            "Саммит прошел. Все довольны.",
            "heading|item|item|text|text",
        ),
        ("Комментарии0 комментарий(ев)", "debris"),
        ("2025-06-17 04:05:45丨Russian.News.Cn", "debris"),
        ("обеспечение равноправного многополярного миропорядка;", "item"),
    ],
)
def test_summary_sentence_kinds(text: str, kinds: str) -> None:
    assert "|".join(s.kind for s in split_sentences(text)) == kinds


@pytest.mark.parametrize(
    ("text", "balanced"),
    [
        ("«Казахстан всецело поддерживает председательство Вашей страны.", False),
        ("Он сказал: «Мы готовы».", True),
        ('Саммит "Китай -- Центральная Азия" прошел в Астане.', True),
        ('Прошел саммит "Китай -- Центральная Азия.', False),
    ],
)
def test_summary_balanced_quotes(text: str, balanced: bool) -> None:
    assert balanced_quotes(text) is balanced


PARAPHRASES = [
    # two sources report the same thing
    (
        "Президент Казахстана Касым-Жомарт Токаев провел переговоры с председателем КНР "
        "Си Цзиньпином в Тяньцзине.",
        "В Тяньцзине состоялись переговоры президента Казахстана Токаева и председателя КНР "
        "Си Цзиньпина.",
    ),
    (
        "Товарооборот между Казахстаном и Китаем в прошлом году достиг рекордных $44 млрд.",
        "В прошлом году товарооборот Казахстана и Китая достиг рекордного уровня в $44 млрд.",
    ),
    (
        "Токаев предложил создать Центр изучения водных проблем ШОС в Казахстане.",
        "Казахстанский лидер выступил с предложением создать в Казахстане Центр ШОС по изучению "
        "водных проблем.",
    ),
]
UNRELATED = [
    "Синоптики обещают в выходные в Москве дожди и похолодание.",
    "Казахстан поддерживает инициативу Китая по созданию Банка развития ШОС.",
    "Запуск первого туристического поезда из Сианя в Алматы стал символом культурного обмена.",
]


def test_summary_near_duplicates_grouped(nlp: NlpModels) -> None:
    texts = [t for pair in PARAPHRASES for t in pair] + UNRELATED
    lemmas = [content_lemmas(list(nlp.tokens(t))) for t in texts]
    groups = group_near_duplicates(lemmas)
    assert groups == [[0, 1], [2, 3], [4, 5], [6], [7], [8]]


def test_summary_near_duplicates_empty_and_singletons() -> None:
    assert group_near_duplicates([]) == []
    assert group_near_duplicates([("саммит",), ("погода",)]) == [[0], [1]]
