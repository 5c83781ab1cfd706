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

# Off-topic news that uses ambiguous theme words: "газ", "банк", "встреча", "угроза".
GAS_EXPLOSION = (
    "В Караганде в пятиэтажном жилом доме на улице Ермекова произошел взрыв газа. "
    "По данным департамента по чрезвычайным ситуациям, хлопок прогремел на третьем этаже около "
    "шести утра, частично обрушились перекрытия. Из дома эвакуировали 40 жильцов, двое "
    "пострадавших госпитализированы с ожогами. Газ в подъезде отключили, на месте работают "
    "спасатели и сотрудники газовой службы. По предварительной версии, причиной стала утечка "
    "газа из старой плиты. Жильцам соседних подъездов разрешили вернуться в квартиры."
)
BANK_ROBBERY = (
    "В Алматы задержан мужчина, который ограбил отделение банка на проспекте Абая. "
    "Злоумышленник в медицинской маске пригрозил кассиру пистолетом и забрал около трех "
    "миллионов тенге. Сотрудники банка нажали тревожную кнопку, и через несколько минут к "
    "зданию прибыл наряд полиции. Подозреваемого задержали в соседнем дворе, пистолет оказался "
    "игрушечным. Похищенные деньги вернули в банк, возбуждено уголовное дело о разбое."
)
FOOTBALL_MATCH = (
    "Встреча «Астаны» и «Кайрата» завершилась вничью 1:1. Хозяева открыли счет на 20-й минуте, "
    "но после перерыва гости сравняли. Следующая встреча команд пройдет в Алматы через месяц, "
    "а пока «Астана» сохраняет лидерство в чемпионате. Тренер назвал встречу самой тяжелой в "
    "сезоне и поблагодарил болельщиков за поддержку."
)
STORM_WARNING = (
    "Синоптики объявили штормовое предупреждение по северу Казахстана. Из-за сильного ветра и "
    "снегопада сохраняется угроза схода снега с крыш и обрыва проводов. Угроза подтопления "
    "остается в низинах вдоль реки Ишим, где уровень воды поднялся за сутки на полметра. "
    "Спасатели призывают жителей не выходить на улицу без необходимости и не оставлять машины "
    "под деревьями. Трассы в сторону Кокшетау временно закрыты для автобусов."
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


@pytest.mark.parametrize(
    "text",
    [FOOTBALL, WEATHER, GAS_EXPLOSION, BANK_ROBBERY, FOOTBALL_MATCH, STORM_WARNING],
    ids=["football", "weather", "gas-explosion", "bank-robbery", "football-match", "storm"],
)
def test_themes_off_topic_article_has_none(text: str, nlp: NlpModels) -> None:
    analysis = analyse_article("Новости дня", text, nlp)
    assert analysis.lang == "ru"
    assert analysis.themes == ()


# Ambiguous words count beside unambiguous evidence for their theme.
ON_TOPIC = [
    (
        "Казахстан увеличит поставки газа в Китай. Газ пойдет по газопроводу "
        "Бейнеу – Бозой – Шымкент, а цены на газ стороны согласуют до конца года.",
        "energy",
    ),
    (
        "Стороны договорились о добыче нефти на новом месторождении. Нефть будут "
        "экспортировать через Каспийский трубопроводный консорциум.",
        "energy",
    ),
    (
        "Евразийский банк развития выделит кредит на модернизацию элеваторов. "
        "Банк также профинансирует торговые проекты в регионе.",
        "trade",
    ),
    (
        "В Пекине прошла двусторонняя встреча министров иностранных дел. На встрече "
        "делегации обсудили подготовку визита президента.",
        "visits",
    ),
]


@pytest.mark.parametrize(("text", "slug"), ON_TOPIC, ids=[s for _, s in ON_TOPIC])
def test_themes_ambiguous_words_count_with_support(text: str, slug: str, nlp: NlpModels) -> None:
    # A relevant context: themes are given to foreign-affairs news only.
    themes = analyse_article("Казахстан и Китай: новости дня", text, nlp).themes
    assert themes
    assert themes[0].theme == slug


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
        ("газ", "energy", "synonym"),  # ambiguous in articles, still a synonym to type
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
