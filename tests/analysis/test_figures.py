"""Figures: a table of Russian phrases per rule, and the figures the seeds must yield."""

from __future__ import annotations

import pytest

from bot.analysis.figures import find_figures, roman_value
from bot.analysis.models import Analysis, Figure
from bot.analysis.nlp import NlpModels

# Markup: "kind value unit [qualifier] [@year] | phrase"; several figures are joined by " ; ".
CASES = [
    # money in any notation
    ("Товарооборот достиг $44 млрд.", "money 44e9 USD | $44 млрд"),
    ("Объем составил 44 миллиардов долларов.", "money 44e9 USD | 44 миллиардов долларов"),
    ("Проект может приносить до $1,5 трлн ежегодно.", "money 1.5e12 USD до | до $1,5 трлн"),
    (
        "Инвестиции составили почти 25 млрд долларов.",
        "money 25e9 USD почти | почти 25 млрд долларов",
    ),
    ("Бюджет программы — 1,2 трлн тенге.", "money 1.2e12 KZT | 1,2 трлн тенге"),
    ("Китай выделит 300 млн юаней.", "money 3e8 CNY | 300 млн юаней"),
    ("Сделка оценена в 5 млрд рублей.", "money 5e9 RUB | 5 млрд рублей"),
    ("ЕС выделил €20 млн на проект.", "money 2e7 EUR | €20 млн"),
    ("Грант составил 2 млн евро.", "money 2e6 EUR | 2 млн евро"),
    ("Сумма превысила 1 500 000 тенге.", "money 1.5e6 KZT превысила | превысила 1 500 000 тенге"),
    (
        "Товарооборот приблизился к $70 млрд.",
        "money 7e10 USD приблизился к | приблизился к $70 млрд",
    ),
    # percentages
    ("Доля выросла до 30%.", "percent 30 % до | до 30%"),
    ("Экспорт вырос на 15 процентов.", "percent 15 % | 15 процентов"),
    # multipliers
    ("ВВП увеличился в два раза.", "multiplier 2 x | в два раза"),
    ("Товарооборот вырос в 100 раз.", "multiplier 100 x | в 100 раз"),
    ("Поставки выросли в полтора раза.", "multiplier 1.5 x | в полтора раза"),
    ("Цены выросли вдвое.", "multiplier 2 x | вдвое"),
    # counts of things (adjectives may stand between the number and the noun)
    (
        "Инициативу поддержали более чем 150 государствами.",
        "count 150 государство более чем | более чем 150 государствами",
    ),
    ("Стороны подписали 24 документа.", "count 24 документ | 24 документа"),
    ("В вузах учатся 400 тысяч студентов.", "count 4e5 студент | 400 тысяч студентов"),
    (
        "Подписано свыше 35 межправительственных меморандумов.",
        "count 35 меморандум свыше | свыше 35 межправительственных меморандумов",
    ),
    (
        "В форуме участвовали около 2 тыс. человек.",
        "count 2000 человек около | около 2 тыс. человек",
    ),
    # measures; a number of years is a duration
    ("Протяженность дороги составит 1 200 км.", "measure 1200 км | 1 200 км"),
    ("Урожай составил 17 млн тонн зерна.", "measure 1.7e7 т | 17 млн тонн"),
    ("Мощность станции — 300 МВт.", "measure 300 МВт | 300 МВт"),
    ("Программа рассчитана на 10 лет.", "measure 10 год | 10 лет"),
    # anniversaries
    ("Страна отмечает 80-летие Победы.", "anniversary 80 лет | 80-летие"),
    ("2026 год станет 25-летием ШОС.", "anniversary 25 лет @2026 | 25-летием"),
    # ordinal events: Roman, numeric and word ordinals
    ("Состоялось 8-е заседание клуба.", "ordinal 8 заседание | 8-е заседание"),
    ("Токаев принял участие в XXV саммите ШОС.", "ordinal 25 саммит | XXV саммите"),
    ("Перед началом 2-го саммита стороны встретились.", "ordinal 2 саммит | 2-го саммита"),
    (
        "Это первый форум такого рода, на втором саммите все изменится.",
        "ordinal 1 форум | первый форум ; ordinal 2 саммит | втором саммите",
    ),
    # target years are figures and the year context of their sentence
    (
        "К 2033 году объем рынка ИИ может достигнуть $5 трлн.",
        "target_year 2033 год @2033 | К 2033 году ; money 5e12 USD @2033 | $5 трлн",
    ),
    # a bare year is context only
    (
        "Объем торговли в 2024 году превысил $650 млрд.",
        "money 6.5e11 USD превысил @2024 | превысил $650 млрд",
    ),
    # range_of_numbers: one figure valued at its lower bound, the phrase keeps both bounds
    ("Рост составит от 10 до 15%.", "percent 10 % от … до | от 10 до 15%"),
    ("Товарооборот вырос на 10–15%.", "percent 10 % от … до | 10–15%"),
    (
        "Проект оценивается в 10–15 млрд долларов.",
        "money 10e9 USD от … до | 10–15 млрд долларов",
    ),
    ("Сделка оценена в $10–15 млрд.", "money 10e9 USD от … до | $10–15 млрд"),
    (
        "Инвестиции составят от 500 млн до 1 млрд долларов.",
        "money 5e8 USD от … до | от 500 млн до 1 млрд долларов",
    ),
    (
        "От 5 до 7 тысяч человек приняли участие в акции.",
        "count 5000 человек от … до | От 5 до 7 тысяч человек",
    ),
    ("Цены на жилье выросли в 2–3 раза.", "multiplier 2 x от … до | в 2–3 раза"),
    # a change "с ... до ..." is not a range: the old and the new level are both figures
    (
        "Экспорт вырос с 10 до 15 млрд долларов.",
        "money 10e9 USD | с 10 ; money 15e9 USD до | до 15 млрд долларов",
    ),
    # number_word_before_scale: a number word in any case before тыс/млн/млрд/трлн
    (
        "Инвестиции составят более двух миллиардов долларов.",
        "money 2e9 USD более | более двух миллиардов долларов",
    ),
    ("Китай выделит полтора миллиарда долларов.", "money 1.5e9 USD | полтора миллиарда долларов"),
    ("На программу направят три триллиона тенге.", "money 3e12 KZT | три триллиона тенге"),
    (
        "В университетах учатся около пяти тысяч иностранных студентов.",
        "count 5000 студент около | около пяти тысяч иностранных студентов",
    ),
    ("Две страны подписали соглашение.", ""),  # a number word alone is not a figure
    # a minus before a percentage is a fall
    ("Минус 5% за квартал.", "percent -5 % | Минус 5%"),
    # target years with a case ending
    (
        "К 2030-му году товарооборот должен удвоиться.",
        "target_year 2030 год @2030 | К 2030-му году",
    ),
    ("Программа рассчитана до 2030-го года.", "target_year 2030 год @2030 | до 2030-го года"),
    # reference_number: a part of a document, not a quantity
    ("Согласно пункту 3 соглашения стороны обмениваются данными.", ""),
    ("В статье 5 закона закреплены права инвесторов.", ""),
    ("Глава 2 документа посвящена экономике.", ""),
    ("Постановление № 15 вступило в силу.", ""),
    ("Согласно ст. 5 договора и п. 2.1 приложения стороны создадут комиссию.", ""),
    ("В саммите участвовали главы 5 государств.", "count 5 государство | 5 государств"),
    # time_of_day: "в 10 часов утра" is a time; a number of hours is a duration
    ("Встреча начнется в 10 часов утра.", ""),
    ("Церемония пройдет в 9 часов вечера по местному времени.", ""),
    ("Переговоры начнутся в 11 часов.", ""),
    ("Переговоры длились 10 часов.", "measure 10 час | 10 часов"),
    # negatives: dates, years, phones, times, scores and page debris are not figures
    ("В 2024 году товарооборот вырос.", ""),
    ("2026 год объявлен Годом туризма.", ""),
    ("Стратегия на 2026–2030 годы принята.", ""),
    ("С 2015 года здесь обсуждают экономику.", ""),
    ("Об этом 30 августа сообщила Акорда.", ""),
    ("Астана, 16 июня /Синьхуа/ -- Китай рассчитывает на сотрудничество.", ""),
    ("В августе 2025 года открыт центр.", ""),
    ("Звоните по телефону +7 (727) 123-45-67.", ""),
    ("Справки по номеру 8 701 123 45 67.", ""),
    ("Матч закончился со счетом 2:1.", ""),
    ("2025-06-17 04:05:45 Russian.News.Cn", ""),
    ("Комментарии0 комментарий(ев)", ""),
]


def render(figure: Figure) -> str:
    """A figure in the table's markup."""
    parts = [figure.kind, f"{figure.value:g}", figure.unit]
    if figure.qualifier:
        parts.append(figure.qualifier)
    if figure.year:
        parts.append(f"@{figure.year}")
    return " ".join(parts) + f" | {figure.phrase.text}"


def expected(markup: str) -> list[str]:
    """Normalise numbers in the markup: "44e9" -> "4.4e+10", like `render`."""
    result = []
    for item in filter(None, (m.strip() for m in markup.split(" ; "))):
        head, phrase = item.split(" | ")
        kind, value, *rest = head.split()
        result.append(" ".join([kind, f"{float(value):g}", *rest]) + f" | {phrase}")
    return result


@pytest.mark.parametrize(("text", "markup"), CASES, ids=[c[0][:40] for c in CASES])
def test_figures_table(text: str, markup: str, nlp: NlpModels) -> None:
    assert [render(f) for f in find_figures(text, nlp)] == expected(markup)


def figures_of(analysis: Analysis) -> list[str]:
    return [render(f) for f in analysis.figures]


# Every figure of every seed, in text order, as (kind, phrase): nothing more, nothing less.
# Each figure once, at its first mention ("2-го саммита" twice in 001, the 80th anniversary
# three times in 002).
SEED_FIGURES = {
    "000": [("ordinal", "втором саммите")],
    "001": [("ordinal", "2-го саммита")],
    "002": [
        ("anniversary", "80-летием"),
        ("money", "$44 млрд"),
        ("ordinal", "вторая встреча"),
        ("ordinal", "Второй саммит"),
    ],
    "003": [("ordinal", "8-е заседание")],
    "004": [
        ("ordinal", "XXV саммите"),
        ("count", "четырех центров"),
        ("multiplier", "в два раза"),
        ("percent", "30%"),
        ("money", "превысил $650 млрд"),
        ("money", "приблизился к $70 млрд"),
        ("count", "более чем 150 государствами"),
        ("money", "до $1,5 трлн"),
        ("ordinal", "первом форуме"),
        ("target_year", "к 2033 году"),
        ("money", "$5 трлн"),
        ("percent", "30%"),
        ("anniversary", "25-летием"),
    ],
}

# Values, qualifiers and years of the figures that carry them.
SEED_DETAILS = {
    "002": ["money 4.4e+10 USD | $44 млрд", "anniversary 80 лет | 80-летием"],
    "004": [
        "multiplier 2 x | в два раза",
        "percent 30 % | 30%",
        "money 6.5e+11 USD превысил @2024 | превысил $650 млрд",
        "money 7e+10 USD приблизился к | приблизился к $70 млрд",
        "count 150 государство более чем | более чем 150 государствами",
        "money 1.5e+12 USD до | до $1,5 трлн",
        "target_year 2033 год @2033 | к 2033 году",
        "money 5e+12 USD @2033 | $5 трлн",
        "percent 30 % @2033 | 30%",
        "anniversary 25 лет @2026 | 25-летием",
        "ordinal 25 саммит | XXV саммите",
    ],
    "003": ["ordinal 8 заседание | 8-е заседание"],
    "001": ["ordinal 2 саммит | 2-го саммита"],
}


@pytest.mark.parametrize("key", sorted(SEED_FIGURES))
def test_figures_seeds(key: str, analyses: dict[str, Analysis]) -> None:
    found = [(f.kind, f.phrase.text) for f in analyses[key].figures]
    assert found == SEED_FIGURES[key]


@pytest.mark.parametrize("key", sorted(SEED_DETAILS))
def test_figures_seed_details(key: str, analyses: dict[str, Analysis]) -> None:
    found = figures_of(analyses[key])
    for figure in SEED_DETAILS[key]:
        assert figure in found


@pytest.mark.parametrize(
    ("year", "context"),
    [
        (None, "мировой ВВП"),  # "вклад стран ШОС в мировой ВВП ... достигнув 30%"
        (2033, "технологической индустрии"),  # "доля ШОС в мировой технологической индустрии"
    ],
)
def test_figures_seed_percent_in_its_sentence(
    year: int | None, context: str, analyses: dict[str, Analysis]
) -> None:
    shares = [f for f in analyses["004"].figures if f.kind == "percent" and f.year == year]
    assert len(shares) == 1
    assert context in shares[0].sentence.text


def test_figures_seeds_have_no_plain_years(analyses: dict[str, Analysis]) -> None:
    for analysis in analyses.values():
        for f in analysis.figures:
            assert f.kind == "target_year" or not (f.value and 1900 <= f.value <= 2100)


@pytest.mark.parametrize(
    ("numeral", "value"), [("XXV", 25), ("IV", 4), ("XL", 40), ("MMXXV", 2025)]
)
def test_figures_roman_value(numeral: str, value: int) -> None:
    assert roman_value(numeral) == value
