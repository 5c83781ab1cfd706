"""Figure shapes of real news (issue 10), in sentences written for these tests."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.analysis.figures import extract_figures, find_figures
from bot.analysis.models import Span
from bot.analysis.nlp import NlpModels
from bot.ingest.files import parse_article


def figs(text: str, nlp: NlpModels) -> list[tuple[str, float | None, str]]:
    return [(f.kind, f.value, f.unit) for f in find_figures(text, nlp)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Декларацию подписали лидеры семи государств.", ("count", 7.0, "государство")),
        ("В парке работают двадцать пять предприятий.", ("count", 25.0, "предприятие")),
        ("Стороны обсудили исполнение трёх соглашений.", ("count", 3.0, "соглашение")),
        ("Доступ получили две с половиной тысячи предприятий.", ("count", 2500.0, "предприятие")),
        ("Проект поддержали пятнадцатью голосами.", ("count", 15.0, "голос")),
    ],
)
def test_numbers_written_as_words_before_a_noun(
    text: str, want: tuple[str, float, str], nlp: NlpModels
) -> None:
    assert want in figs(text, nlp)


def test_words_that_are_not_figures(nlp: NlpModels) -> None:
    assert figs("Переговоры между двумя странами шли два года.", nlp) == []
    assert figs("Стороны борются с «тремя силами зла».", nlp) == []


def test_scale_words_without_a_currency(nlp: NlpModels) -> None:
    assert ("money", 27e9, "KZT") in figs("Бюджет проекта — 27 миллиардов тенге.", nlp)
    assert ("count", 4200.0, "специалист") in figs("Обучат 4,2 тысячи специалистов.", nlp)


def test_html_entities_and_special_spaces(nlp: NlpModels) -> None:
    raw = "---\ntitle: Тест\n---\nНа заводе работают 25&nbsp;000 человек.\n".encode()
    body = parse_article("t.md", raw).body
    assert "&nbsp;" not in body
    spans = [Span(start=0, stop=len(body), text=body)]
    assert [(f.kind, f.value) for f in extract_figures(body, spans, nlp)] == [("count", 25000.0)]
    for space in ("\u00a0", "\u202f", "\u2009", " "):
        found = figs(f"Проект даст работу 25{space}000 жителям.", nlp)
        assert found == [("count", 25000.0, "житель")], space
    kept = parse_article("t.md", "---\ntitle: Т\n---\nКод &amp;nbsp; в HTML.\n".encode()).body
    assert "&nbsp;" in kept  # unescaped once, not twice


def test_temperatures_keep_their_sign(nlp: NlpModels) -> None:
    found = figs("Ночью до -30 °С, днём минус 5 градусов, на юге +12 °C.", nlp)
    assert found == [("measure", -30.0, "°C"), ("measure", -5.0, "°C"), ("measure", 12.0, "°C")]


def test_dates_that_are_the_news(nlp: NlpModels) -> None:
    text = "Саммит пройдёт 3–5 июня 2026 года, соглашение вступит в силу 12.04.2026."
    found = [(f.kind, f.value, f.qualifier) for f in find_figures(text, nlp)]
    assert found == [("date", 20260603.0, "от … до"), ("date", 20260412.0, None)]


def test_a_date_without_a_year_takes_the_publication_year(nlp: NlpModels) -> None:
    body = "Переговоры состоялись 28 октября в Пекине. Договор подписан 10 мая 2002 года."
    spans = [
        Span(start=0, stop=41, text=body[:41]),
        Span(start=42, stop=len(body), text=body[42:]),
    ]
    figures = extract_figures(body, spans, nlp, dt.date(2025, 10, 29))
    assert [(f.kind, f.value) for f in figures] == [("date", 20251028.0)]  # 2002: background


def test_stamps_and_datelines_are_not_dates(nlp: NlpModels) -> None:
    assert figs("Опубликовано 17 октября 2023 10:52", nlp) == []
    assert figs("АСТАНА, 28 октября 2025 года. Стороны встретились.", nlp) == []


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Делегаты IV международного форума приняли резолюцию.", 4.0, "форум"),
        ("На девятого заседания? Нет: итоги девятого заседания подвели вчера.", 9.0, "заседание"),
        ("Открылся XLIX съезд.", 49.0, "съезд"),
        ("Прошёл L юбилейный конгресс.", 50.0, "конгресс"),
        ("На 10-м юбилейном саммите выступили лидеры.", 10.0, "саммит"),
    ],
)
def test_ordinals_with_words_between_and_roman_numerals(
    text: str, value: float, unit: str, nlp: NlpModels
) -> None:
    assert ("ordinal", value, unit) in figs(text, nlp)


@pytest.mark.parametrize(
    ("text", "want", "qualifier"),
    [
        ("Дорога длиной около 400 км свяжет регионы.", ("measure", 400.0, "км"), "около"),
        ("Терминал перевалит свыше 5 млн тонн.", ("measure", 5e6, "т"), "свыше"),
        ("Станция мощностью 100 МВт заработает в мае.", ("measure", 100.0, "МВт"), None),
        ("Выработка — почти 2 млрд кВт·ч.", ("measure", 2e9, "кВт·ч"), "почти"),
        ("Под сады отведут почти три гектара.", ("measure", 3.0, "га"), "почти"),
        ("Сквер площадью свыше 10 тыс. квадратных метров.", ("measure", 10000.0, "м²"), "свыше"),
        ("Форум собрал более 2 тысяч человек.", ("count", 2000.0, "человек"), "более"),
    ],
)
def test_measures_keep_their_qualifier(
    text: str, want: tuple[str, float, str], qualifier: str | None, nlp: NlpModels
) -> None:
    found = {(f.kind, f.value, f.unit): f.qualifier for f in find_figures(text, nlp)}
    assert want in found and found[want] == qualifier
