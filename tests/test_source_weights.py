"""Issue 12: /summary ranks stories by distinct sources, each by its weight in the sources file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.ingest.sources.config import SourcesError, load_sources, parse_sources, source_weights
from bot.services.digests import digest_stories
from bot.store import Store
from bot.telegram.app import create_bot, create_dispatcher
from handlers import create_routers
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram
from tests.test_console import run_bot

DAY = dt.date(2025, 9, 1)
# Two events of one day in our own words, each told by two sources: a summit in Dushanbe by
# two heavy sources, a summit in Xi'an by two light ones. The Xi'an story is stored last, so
# with equal weights it leads (the newer of equal stories first).
DUSHANBE = [
    (
        "Агентство Альфа",
        "В Душанбе открылся саммит СВМДА с участием Токаева и Си Цзиньпина",
        "Саммит Совещания по взаимодействию и мерам доверия в Азии (СВМДА) открылся в Душанбе. "
        "Президент Казахстана Касым-Жомарт Токаев и председатель КНР Си Цзиньпин приняли "
        "участие в пленарном заседании саммита СВМДА. Лидеры обсудили транспортные коридоры и "
        "водную безопасность региона. По итогам встречи в Душанбе примут декларацию СВМДА.",
    ),
    (
        "Бета Ньюс",
        "Токаев выступил на саммите СВМДА в Душанбе",
        "Касым-Жомарт Токаев выступил на пленарном заседании саммита СВМДА в Душанбе. Глава "
        "государства предложил партнерам по Совещанию развивать транспортные коридоры и вместе "
        "решать вопросы водной безопасности. В саммите СВМДА в Душанбе также участвует "
        "председатель КНР Си Цзиньпин. Участники готовят к подписанию декларацию СВМДА.",
    ),
]
XIAN = [
    (
        "Дельта",
        "В Сиане завершился саммит «Центральная Азия — Китай»",
        "Председатель КНР Си Цзиньпин и президент Казахстана Касым-Жомарт Токаев приняли "
        "участие в саммите «Центральная Азия — Китай» в Сиане. В Сиане лидеры подписали "
        "соглашение о строительстве железной дороги к порту Ляньюньган и договорились увеличить "
        "поставки казахстанского зерна в Китай. В Сиане открылся торговый дом Казахстана.",
    ),
    (
        "Эпсилон",
        "В Сиане подписали соглашение о железной дороге к порту Ляньюньган",
        "На саммите «Центральная Азия — Китай» в Сиане Касым-Жомарт Токаев и Си Цзиньпин "
        "подписали соглашение о строительстве железной дороги к порту Ляньюньган. Лидеры "
        "договорились увеличить поставки казахстанского зерна в Китай. В Сиане начал работу "
        "торговый дом Казахстана.",
    ),
]
WEIGHTS_TOML = """
[[source]]
id = "alpha"
name = "Агентство Альфа"
kind = "rss"
url = "https://alpha.example/rss"
weight = 2.0

[[source]]
id = "beta"
name = "Бета Ньюс"
kind = "rss"
url = "https://beta.example/rss"
weight = 2.0

[[source]]
id = "delta"
name = "Дельта"
kind = "rss"
url = "https://delta.example/rss"
weight = 0.5

[[source]]
id = "epsilon"
name = "Эпсилон"
kind = "rss"
url = "https://epsilon.example/rss"
weight = 0.5
"""


def article_file(n: int, source: str, title: str, body: str) -> str:
    return (
        f"---\ntitle: {title}\nsource: {source}\nurl: https://example.org/{n}\n"
        f"published: '{DAY.isoformat()}'\nlang: ru\n---\n\n{body}\n"
    )


async def summary(
    tmp_path: Path,
    settings: Settings,
    telegram: FakeTelegram,
    clock: ManualClock,
    models: LazyModels,
    *,
    weights: Mapping[str, float],
) -> str:
    """/summary on a store of the two events, ranked with these weights."""
    folder = tmp_path / f"in{len(weights)}"
    folder.mkdir()
    for n, item in enumerate([*DUSHANBE, *XIAN], start=1):
        (folder / f"{n}.md").write_text(article_file(n, *item), encoding="utf-8")
    async with Store(tmp_path / f"weights{len(weights)}.sqlite3", clock) as store:
        await Ingestor(store, models).ingest([folder])
        routers = create_routers()
        dp = create_dispatcher(settings, store, clock, routers, models, source_weights=weights)
        bot = create_bot(settings)
        try:
            replies = await TestApp(bot, dp, telegram, clock).send_text("/summary")
        finally:
            await bot.session.close()
    text = "\n".join(replies)
    assert "Душанбе" in text and "Сиане" in text, text  # two stories, both shown
    return text


async def test_source_weights_two_heavy_sources_outrank_two_light_ones(
    tmp_path: Path,
    settings: Settings,
    telegram: FakeTelegram,
    clock: ManualClock,
    models: LazyModels,
) -> None:
    equal = await summary(tmp_path, settings, telegram, clock, models, weights={})
    assert equal.index("Сиане") < equal.index("Душанбе")  # the newer of equal stories
    weights = source_weights(parse_sources(WEIGHTS_TOML, "test.toml"))
    weighted = await summary(tmp_path, settings, telegram, clock, models, weights=weights)
    # 2 + 2 against 0.5 + 0.5: before, every source weighed 1 and Xi'an still led.
    assert weighted.index("Душанбе") < weighted.index("Сиане")


def test_source_weights_default_file_has_a_weight_for_every_entry() -> None:
    sources = load_sources(None)
    weights = source_weights(sources)
    assert weights["Акорда"] > weights["Казинформ"] > 1.0 > weights["Lada.kz"]
    assert "Tengrinews" not in weights  # weight 1: nothing to look up


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ("5", r"bad\.toml: source #1 \(alpha\) weight: Input should be less than or equal to 3"),
        ("0", r"source #1 \(alpha\) weight: Input should be greater than or equal to 0\.1"),
        ("true", r"source #1 \(alpha\) weight: Input should be a valid number"),
        ('"high"', r"source #1 \(alpha\) weight: Input should be a valid number"),
    ],
)
def test_source_weights_out_of_bounds_name_the_file_and_entry(weight: str, message: str) -> None:
    text = WEIGHTS_TOML.replace("weight = 2.0", f"weight = {weight}", 1)
    with pytest.raises(SourcesError, match=message):
        parse_sources(text, "bad.toml")


def test_source_weights_one_name_one_weight() -> None:
    # A sitemap of the same publisher: its articles carry the same name, so the same weight.
    sitemap = (
        '\n[[source]]\nid = "alpha_sitemap"\nname = "Агентство Альфа"\nkind = "sitemap"\n'
        'url = "https://alpha.example/sitemap.xml"\nweight = {}\n'
    )
    assert len(parse_sources(WEIGHTS_TOML + sitemap.format("2.0"), "same.toml")) == 5
    with pytest.raises(
        SourcesError,
        match=r"same\.toml: source #5 \(alpha_sitemap\) weight: 1\.5 differs from 2 of 'alpha'",
    ):
        parse_sources(WEIGHTS_TOML + sitemap.format("1.5"), "same.toml")


def test_source_weights_bad_weight_is_one_log_line_and_the_console_answers(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad-sources.toml"
    bad.write_text(WEIGHTS_TOML.replace("weight = 0.5", "weight = 30", 1), encoding="utf-8")
    result = run_bot(["console"], "/start\n", tmp_path, SOURCES_FILE=str(bad))
    assert result.returncode == 0, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert str(bad) in line and "source #3 (delta) weight" in line, line
    assert "/summary" in result.stdout  # the help: the console went on


def test_source_weights_bad_weight_stops_run_mode_with_one_log_line(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    # Run mode polls the file's sources: it refuses a bad file before it starts, as it did.
    bad = tmp_path / "bad-sources.toml"
    bad.write_text(WEIGHTS_TOML.replace("weight = 2.0", "weight = -1", 1), encoding="utf-8")
    result = run_bot(
        ["run"],
        "",
        tmp_path,
        SOURCES_FILE=str(bad),
        BOT_TOKEN=telegram.token,
        TELEGRAM_API_URL=telegram.url,
    )
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert str(bad) in line and "source #1 (alpha) weight" in line, line
    assert telegram.token not in result.stderr + result.stdout


async def test_source_weights_rank_the_digest_as_they_rank_summary(
    tmp_path: Path, clock: ManualClock, models: LazyModels
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n, item in enumerate([*DUSHANBE, *XIAN], start=1):
        (folder / f"{n}.md").write_text(article_file(n, *item), encoding="utf-8")
    weights = source_weights(parse_sources(WEIGHTS_TOML, "test.toml"))
    async with Store(tmp_path / "digest.sqlite3", clock) as store:
        ids = (await Ingestor(store, models).ingest([folder])).added
        equal = await digest_stories(store, ids, DAY, {})
        weighted = await digest_stories(store, ids, DAY, weights)
    # Before the digest took the weights, both orders were the equal one.
    assert ["Сиане" in e.title.title for e in equal] == [True, False]
    assert ["Душанбе" in e.title.title for e in weighted] == [True, False]
