"""Extractive summaries and near-duplicate grouping."""

from __future__ import annotations

import pytest

from bot.analysis.cues import inside_quotes, is_speech, opens_with_anaphora, opens_with_connective
from bot.analysis.models import Analysis
from bot.analysis.nlp import NlpModels
from bot.analysis.sentences import split_sentences
from bot.analysis.summary import (
    balanced_quotes,
    content_lemmas,
    similarity,
    summarise,
)
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
        # only the last sentence of a line introduces the list
        (
            "Главной темой стала роль Казахстана. Эксперты выделили несколько направлений:",
            "text|item",
        ),
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


def test_summary_paraphrases_are_near_duplicates_and_others_not(nlp: NlpModels) -> None:
    # Stories list a key sentence once, with the sources that say the same (DUPLICATE).
    from bot.analysis.stories import DUPLICATE

    def lemmas(text: str) -> list[str]:
        return content_lemmas(list(nlp.tokens(text)))

    for a, b in PARAPHRASES:
        assert similarity(lemmas(a), lemmas(b)) >= DUPLICATE, (a, b)
    said = [t for pair in PARAPHRASES for t in pair] + UNRELATED
    for other in UNRELATED:
        for text in said:
            if text != other:
                assert similarity(lemmas(other), lemmas(text)) < DUPLICATE, (other, text)


def test_summary_similarity_of_nothing_is_zero() -> None:
    assert similarity([], ["саммит"]) == 0.0
    assert similarity(["саммит"], ["погода"]) == 0.0


# Sentences that lean on the one before: a pronoun or demonstrative pointing back, or a
# pronoun as the speaker. Real phrases from the seeds; negatives share their first letters.
ANAPHORA = [
    ("Об этом в понедельник в Астане заявил председатель КНР Си Цзиньпин.", True),
    ("Об этом 30 августа сообщила Акорда.", True),
    ("Он напомнил, что в прошлом году товарооборот достиг рекордных $44 млрд.", True),
    ("Эта инициатива была озвучена президентом Касымом-Жомартом Токаевым на саммите.", True),
    ("Это событие подчеркивает дух Великого шелкового пути.", True),
    ("По его словам, вечное всестороннее стратегическое партнерство развивается устойчиво.", True),
    ("По его оценке, к 2033 году объем рынка ИИ может достигнуть $5 трлн.", True),
    ("Такие меры могут значительно повысить уровень безопасности.", True),
    (
        "И Китай, и Казахстан находятся на ключевых этапах своего развития, подчеркнул он, "
        "добавив, что две страны должны продвигать сотрудничество.",
        True,
    ),
    ("Казахстан инициировал установление контактов между ведомствами с Китаем.", False),
    ("Этапы строительства второй очереди завершены досрочно.", False),
    ("Онлайн-форум собрал экспертов из двенадцати стран региона.", False),
    ("Обе страны неизменно следуют принципам добрососедства и дружбы.", False),
    ("По словам Си Цзиньпина, сообщество единой судьбы стало более ценным.", False),
    ("Токаев высоко оценил инициативы председателя КНР Си Цзиньпина.", False),
]


@pytest.mark.parametrize(("text", "anaphoric"), ANAPHORA, ids=[t[:30] for t, _ in ANAPHORA])
def test_summary_opens_with_anaphora(text: str, anaphoric: bool) -> None:
    assert opens_with_anaphora(text) is anaphoric


# Connectives continue an argument the reader of a 2-3 sentence summary has not seen.
CONNECTIVES = [
    ("В свою очередь, Си Цзиньпин поблагодарил казахстанского лидера за участие.", True),
    ("Кроме того, Китай, будучи действующим председателем ШОС, готов укрепить ШОС.", True),
    ("Во-первых, как отметил председатель КНР, взаимодоверие должно направлять отношения.", True),
    ("Также Токаев отметил внедрение «умных решений» в экономике.", True),
    ("При этом стороны не раскрыли сумму соглашения.", True),
    ("Во время переговоров стороны обсудили расширение сотрудничества.", False),
    ("Новые точки роста появились в двустороннем сотрудничестве.", False),
    ("Таможенные процедуры на границе будут упрощены.", False),
]


@pytest.mark.parametrize(("text", "connective"), CONNECTIVES, ids=[t[:30] for t, _ in CONNECTIVES])
def test_summary_opens_with_connective(text: str, connective: bool) -> None:
    assert opens_with_connective(text) is connective


@pytest.mark.parametrize(
    ("text", "speech"),
    [
        ("«Мы готовы к сотрудничеству», — сказал президент Казахстана.", True),
        ("— Мы готовы к сотрудничеству, — сказал президент Казахстана.", True),
        ("Президент сказал: «Мы готовы оказывать друг другу поддержку во всех вопросах».", True),
        ("«Клуб друзей Казахстана в Китае» - это экспертная площадка для обмена мнениями.", False),
        ("Токаев предложил объявить 2026 год «Годом образования и научных исследований».", False),
    ],
)
def test_summary_direct_speech(text: str, speech: bool) -> None:
    assert is_speech(text, inside_quote=False) is speech


def test_summary_inside_a_quotation_spanning_sentences() -> None:
    text = (
        "«Положительная динамика сохраняется. Китай – крупнейший торговый партнер Казахстана. "
        "Продолжается реализация проектов», — отметил Токаев. Стороны подписали документы.\n"
        "Китай – крупнейший торговый партнер Казахстана."
    )
    assert inside_quotes(split_sentences(text)) == [False, True, True, False, False]


def test_summary_starts_with_the_lead_of_every_seed(
    seeds: dict[str, Seed], analyses: dict[str, Analysis]
) -> None:
    for key, analysis in analyses.items():
        first = next(s for s in split_sentences(seeds[key].body) if s.kind == "text")
        assert analysis.summary[0].span == first.span


def test_summary_anaphora_only_after_its_antecedent(analyses: dict[str, Analysis]) -> None:
    # 001: "Об этом в понедельник в Астане заявил председатель КНР Си Цзиньпин." may follow
    # the lead it refers to, never stand without it.
    for analysis in analyses.values():
        shown = [analysis.sentences.index(k.span) for k in analysis.summary]
        for k, index in zip(analysis.summary, shown, strict=True):
            if opens_with_anaphora(k.span.text):
                assert index - 1 in shown
                assert k.lemmas == ()  # never compared with other sources, quoted alone


def test_summary_has_no_direct_speech(analyses: dict[str, Analysis]) -> None:
    # 002 quotes Tokayev and Xi at length: "Китай – крупнейший торговый партнер Казахстана."
    quoted = {"Положительная динамика", "Китай – крупнейший", "Мы подписали", "Хочу поздравить"}
    for k in analyses["002"].summary:
        assert not any(k.span.text.startswith(q) for q in quoted)


def test_summary_skips_list_tails(nlp: NlpModels) -> None:
    body = (
        "Посол Казахстана представил обзор реформ, которые сейчас реализуются в стране.\n"
        "Он отметил, что:\n- модернизация системы госуправления\n"
        "формируют качественно новую основу для сотрудничества с внешними партнерами.\n"
    )
    sentences = split_sentences(body)
    lemmas = [content_lemmas(list(nlp.tokens(s.span.text))) for s in sentences]
    texts = [k.span.text for k in summarise(sentences, lemmas, "Обзор реформ")]
    assert texts == [sentences[0].span.text]
