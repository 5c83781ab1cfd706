"""Theme scores on the seeds and resolution of users' theme queries."""

from __future__ import annotations

import pytest

from bot.analysis.models import Analysis
from bot.analysis.nlp import NlpModels
from bot.analysis.pipeline import analyse_article
from bot.analysis.themes import load_themes, resolve_theme

FOOTBALL = (
    "Вчера на стадионе «Лужники» состоялся матч 12-го тура между «Спартаком» и ЦСКА. "
    "Хозяева поля победили со счетом 2:1, решающий гол забил нападающий на 89-й минуте. "
    "Главный тренер гостей после игры пожаловался на судейство и пообещал, что команда "
    "сделает выводы. Болельщики устроили праздник на трибунах, полиция обеспечивала порядок "
    "у стадиона. Следующий матч красно-белые проведут в субботу в Казани, билеты уже в продаже."
)
WEATHER = (
    "Синоптики обещают в выходные в Москве дожди и похолодание до плюс пяти градусов. "
    "Во второй половине недели ожидается потепление, ночью на дорогах возможна гололедица. "
    "Ветер северо-западный, порывы до 15 метров в секунду. Атмосферное давление будет "
    "расти, а в понедельник в столицу вернется солнечная погода. Жителям советуют взять зонты."
)


def articles_with(theme: str, analyses: dict[str, Analysis]) -> list[str]:
    """Seed keys whose analysis has the theme, best score first."""
    scored = [(t.score, key) for key, a in analyses.items() for t in a.themes if t.theme == theme]
    return [key for _, key in sorted(scored, reverse=True)]


def test_themes_cybersecurity_without_the_word(analyses: dict[str, Analysis]) -> None:
    # The seeds say "киберпреступность", "киберпреступники", never "кибербезопасность".
    assert articles_with("cybersecurity", analyses) == ["000", "004"]


def test_themes_trade_top_three(analyses: dict[str, Analysis]) -> None:
    assert {"002", "004"} <= set(articles_with("trade", analyses)[:3])


def test_themes_culture_includes_first_three(analyses: dict[str, Analysis]) -> None:
    assert {"000", "001", "002"} <= set(articles_with("culture", analyses))


@pytest.mark.parametrize("text", [FOOTBALL, WEATHER], ids=["football", "weather"])
def test_themes_off_topic_article_has_none(text: str, nlp: NlpModels) -> None:
    analysis = analyse_article("Новости дня", text, nlp)
    assert analysis.lang == "ru"
    assert analysis.themes == ()


def test_themes_snippet_holds_matched_words(analyses: dict[str, Analysis]) -> None:
    cyber = next(t for t in analyses["004"].themes if t.theme == "cybersecurity")
    assert "киберпреступность" in cyber.snippet.text
    words = [
        cyber.snippet.text[s - cyber.snippet.start : e - cyber.snippet.start]
        for s, e in cyber.matched
    ]
    assert words == ["киберпреступность"]


def test_themes_book_is_ordered_and_named() -> None:
    book = load_themes()
    assert book.themes[0].slug == "cybersecurity"
    assert book.by_slug("trade").name == "торговля и инвестиции"
    assert len({t.slug for t in book.themes}) == len(book.themes) >= 12


@pytest.mark.parametrize(
    ("query", "slug", "how"),
    [
        # a name or synonym in any inflected form
        ("кибербезопасность", "cybersecurity", "name"),
        ("кибербезопасности", "cybersecurity", "name"),
        ("Кибербезопасностью", "cybersecurity", "name"),
        ("киберпреступность", "cybersecurity", "synonym"),
        ("киберпреступников", "cybersecurity", "synonym"),
        ("ИИ", "digital", "synonym"),
        ("искусственный интеллект", "digital", "synonym"),
        ("искусственного интеллекта", "digital", "synonym"),
        ("торговли", "trade", "synonym"),
        ("энергетику", "energy", "name"),
        ("ШОС", "multilateral", "synonym"),
        # a prefix or a typo
        ("кибер", "cybersecurity", "fuzzy"),
        ("кибербезопастность", "cybersecurity", "fuzzy"),
        ("торговл", "trade", "fuzzy"),
        ("безопас", "security", "fuzzy"),
        ("цифровизаця", "digital", "fuzzy"),
        # an English alias
        ("cyber", "cybersecurity", "alias"),
        ("trade", "trade", "alias"),
        ("AI", "digital", "alias"),
    ],
)
def test_themes_resolve(query: str, slug: str, how: str, nlp: NlpModels) -> None:
    resolution = resolve_theme(query, load_themes(), nlp)
    assert resolution.theme is not None
    assert (resolution.theme.slug, resolution.how) == (slug, how)


@pytest.mark.parametrize("query", ["футбол", "погода", "", "Лужники"])
def test_themes_resolve_none_falls_back(query: str, nlp: NlpModels) -> None:
    resolution = resolve_theme(query, load_themes(), nlp)
    assert (resolution.theme, resolution.how) == (None, "none")


def test_themes_resolve_suggests_near_misses(nlp: NlpModels) -> None:
    resolution = resolve_theme("кибербизнес", load_themes(), nlp)
    assert resolution.theme is None
    assert resolution.suggestions[0].slug == "cybersecurity"
