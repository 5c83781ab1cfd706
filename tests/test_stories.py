"""Stories (issue 12): the join at ingest on real SQLite, synthetic events, the seeds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.analysis.models import Figure, Span
from bot.analysis.pipeline import analyse_article
from bot.analysis.stories import (
    Candidate,
    StoryRules,
    admits,
    article_features,
    cohesion,
    join_threshold,
    linkage,
    merge_figures,
)
from bot.clock import ManualClock
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.store import Store
from bot.store.schema import MIGRATIONS
from tests.conftest import START
from tests.test_relevance_filter import MATCH

# Synthetic news in our own words: one summit told three ways, and another summit of the
# same leaders in the same week.
SUMMIT = [
    (
        "Агентство Альфа",
        dt.date(2026, 5, 12),
        "В Душанбе открылся саммит СВМДА с участием Токаева и Си Цзиньпина",
        "Саммит Совещания по взаимодействию и мерам доверия в Азии (СВМДА) открылся во вторник "
        "в Душанбе. Президент Казахстана Касым-Жомарт Токаев и председатель КНР Си Цзиньпин "
        "приняли участие в пленарном заседании саммита СВМДА. Лидеры обсудили транспортные "
        "коридоры и водную безопасность региона. По итогам встречи в Душанбе планируется "
        "принять Душанбинскую декларацию СВМДА.",
    ),
    (
        "Бета Ньюс",
        dt.date(2026, 5, 12),
        "Токаев выступил на саммите СВМДА в Душанбе",
        "Касым-Жомарт Токаев выступил на пленарном заседании саммита СВМДА в Душанбе. Глава "
        "государства предложил партнерам по Совещанию развивать транспортные коридоры и вместе "
        "решать вопросы водной безопасности. В саммите СВМДА в Душанбе также участвует "
        "председатель КНР Си Цзиньпин. Участники готовят к подписанию Душанбинскую декларацию.",
    ),
    (
        "Гамма Инфо",
        dt.date(2026, 5, 13),
        "Лидеры стран СВМДА приняли в Душанбе Душанбинскую декларацию",
        "Участники саммита СВМДА в Душанбе приняли Душанбинскую декларацию. Документ подписали "
        "главы государств Совещания, в том числе Касым-Жомарт Токаев и Си Цзиньпин. Декларация "
        "саммита посвящена транспортным коридорам, водной безопасности и мерам доверия в Азии.",
    ),
]
OTHER_SUMMIT = (
    "Дельта",
    dt.date(2026, 5, 15),
    "В Сиане завершился саммит «Центральная Азия — Китай»",
    "Председатель КНР Си Цзиньпин и президент Казахстана Касым-Жомарт Токаев приняли участие "
    "в саммите «Центральная Азия — Китай» в Сиане. В Сиане лидеры подписали соглашение о "
    "строительстве железной дороги к порту Ляньюньган и договорились увеличить поставки "
    "казахстанского зерна в Китай. В Сиане также открылся торговый дом казахстанских товаров.",
)


@pytest.fixture
async def empty_store(tmp_path: Path) -> Store:
    store = await Store(tmp_path / "stories.sqlite3", ManualClock(START)).open()
    yield store  # type: ignore[misc]
    await store.close()


async def add(
    store: Store,
    models: LazyModels,
    n: int,
    item: tuple[str, dt.date, str, str],
    rules: StoryRules | None = None,
) -> int:
    """Store and join one synthetic article as article `n`; its story id."""
    source, published, title, body = item
    analysis = analyse_article(title, body, models())
    await store.db.execute(
        "INSERT INTO articles (id, key, content_hash, title, source, published, lang, body,"
        " added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'ru', ?, '', '')",
        (n, f"a{n}", f"{n:064d}", title, source, published.isoformat(), body),
    )
    feats = article_features(title, analysis, models())
    return await store.join_story(n, published, source, feats, rules or StoryRules())


async def test_stories_same_summit_in_three_wordings_is_one_story(
    empty_store: Store, models: LazyModels
) -> None:
    ids = [await add(empty_store, models, n, item) for n, item in enumerate(SUMMIT, start=1)]
    assert len(set(ids)) == 1
    story = await empty_store.get_story(ids[0])
    assert story is not None
    assert (story.size, story.sources) == (3, 3)
    assert (story.first, story.last) == (dt.date(2026, 5, 12), dt.date(2026, 5, 13))


async def test_stories_two_summits_of_the_same_leaders_in_a_week_stay_apart(
    empty_store: Store, models: LazyModels
) -> None:
    first = [await add(empty_store, models, n, item) for n, item in enumerate(SUMMIT, start=1)]
    other = await add(empty_store, models, 9, OTHER_SUMMIT)
    assert other not in first


async def test_stories_update_of_an_article_keeps_its_story(
    empty_store: Store, models: LazyModels
) -> None:
    ids = [await add(empty_store, models, n, item) for n, item in enumerate(SUMMIT, start=1)]
    source, published, title, body = SUMMIT[0]
    edited = body + " Декларацию СВМДА подпишут в среду."
    feats = article_features(
        title + " (обновлено)", analyse_article(title, edited, models()), models()
    )
    again = await empty_store.join_story(1, published, source, feats, StoryRules())
    assert again == ids[0]
    story = await empty_store.get_story(again)
    assert story is not None and story.size == 3


async def test_stories_never_join_across_a_gap_longer_than_the_window(
    empty_store: Store, models: LazyModels
) -> None:
    first = await add(empty_store, models, 1, SUMMIT[0])
    source, published, title, body = SUMMIT[1]
    late = await add(
        empty_store, models, 2, (source, published + dt.timedelta(days=8), title, body)
    )
    assert late != first


@pytest.mark.parametrize("same_source", [True, False])
async def test_stories_same_source_twice_joins_only_an_update(
    empty_store: Store, models: LazyModels, same_source: bool
) -> None:
    # With a low bar for joining, the Xi'an summit joins the opening of the other summit from
    # another source (they share the leaders and the word "summit"); from the same source it
    # is a second event, kept apart: one source joins a story only with an update.
    low = StoryRules(join=0.1)
    first = await add(empty_store, models, 1, SUMMIT[0], low)
    source = SUMMIT[0][0] if same_source else OTHER_SUMMIT[0]
    second = await add(empty_store, models, 2, (source, *OTHER_SUMMIT[1:]), low)
    assert (second != first) is same_source
    _, published, title, body = SUMMIT[0]
    rewrite = await add(empty_store, models, 3, (SUMMIT[0][0], published, title, body + " Ещё."))
    assert rewrite == first


async def test_stories_seeds_sco_summit_is_one_story_and_the_club_alone(store: Store) -> None:
    stories = await store.stories_of([1, 2, 3, 4, 5])
    assert stories[3] == stories[5]  # talks on 30 August, the speech on 1 September
    assert len(set(stories.values())) == 4
    club = await store.get_story(stories[4])
    assert club is not None and club.size == 1 and club.first is None  # undated: alone
    # The Astana summit articles (17 and 26 June) are nine days apart: beyond the window.
    assert stories[1] != stories[2]


async def test_stories_reingest_is_idempotent(
    store: Store, models: LazyModels, articles_dir: Path
) -> None:
    before = await store.stories_of([1, 2, 3, 4, 5])
    path = articles_dir / "004_772369b6def8ce5e.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nДобавлен абзац.\n", encoding="utf-8")
    report = await Ingestor(store, models).ingest([articles_dir])
    assert report.updated == [5]
    assert await store.stories_of([1, 2, 3, 4, 5]) == before


async def test_stories_backfill_joins_articles_stored_before_stories(
    store: Store, models: LazyModels, articles_dir: Path
) -> None:
    # A database from before the stories migration: its articles have no story yet.
    async def features_of() -> dict[int, set[str]]:
        rows = await store.db.execute_fetchall("SELECT article_id, vector FROM story_articles")
        return {int(r[0]): set(json.loads(r[1])) for r in rows}

    at_ingest = await features_of()
    for table in ("story_terms", "story_articles", "stories", "story_df"):
        await store.db.execute(f"DELETE FROM {table}")
    report = await Ingestor(store, models).ingest([articles_dir])
    assert report.added == [] and report.updated == []
    stories = await store.stories_of([1, 2, 3, 4, 5])
    assert len(stories) == 5 and stories[3] == stories[5]
    assert await store.schema_version() == len(MIGRATIONS)
    # The same features as at ingest (weights differ: IDF counts in another order): the
    # backfill reads the same lead sentences.
    assert await features_of() == at_ingest


def figure(value: float, phrase: str, sentence: str) -> Figure:
    return Figure(
        kind="money",
        value=value,
        unit="USD",
        qualifier=None,
        phrase=Span(start=0, stop=len(phrase), text=phrase),
        sentence=Span(start=0, stop=len(sentence), text=sentence),
        year=2024,
    )


def test_merge_figures_same_figure_once_with_every_source() -> None:
    said = "Товарооборот в 2024 году достиг $44 млрд."
    groups = merge_figures([(i, figure(44e9, "$44 млрд", said)) for i in (1, 2, 3)])
    assert len(groups) == 1
    [(merged, ids)] = groups[0]
    assert merged.phrase.text == "$44 млрд" and ids == (1, 2, 3)


def test_merge_figures_different_values_of_one_metric_side_by_side() -> None:
    groups = merge_figures(
        [
            (1, figure(44e9, "$44 млрд", "Товарооборот за 2024 год составил $44 млрд.")),
            (2, figure(43.8e9, "$43,8 млрд", "Товарооборот в 2024 году — $43,8 млрд.")),
            (3, figure(1e9, "$1 млрд", "Инвестиции в 2024 году превысили $1 млрд.")),
        ]
    )
    assert [[ids for _, ids in group] for group in groups] == [[(1,), (2,)], [(3,)]]


def unit_story(story_id: int, vectors: list[dict[str, float]]) -> Candidate:
    centroid: dict[str, float] = {}
    for v in vectors:
        for k, w in v.items():
            centroid[k] = centroid.get(k, 0.0) + w
    return Candidate(story_id, len(vectors), centroid, first_day=10, last_day=10)


def test_story_cohesion_is_the_mean_cosine_of_its_articles() -> None:
    a, b, c = {"x": 1.0}, {"y": 1.0}, {"x": 0.6, "y": 0.8}
    assert cohesion(unit_story(1, [a])) is None
    assert cohesion(unit_story(1, [a, a])) == pytest.approx(1.0)
    assert cohesion(unit_story(1, [a, b])) == pytest.approx(0.0)
    # Pairs: a-b 0, a-c 0.6, b-c 0.8: mean 0.4667.
    assert cohesion(unit_story(1, [a, b, c])) == pytest.approx(1.4 / 3)


def test_loose_story_takes_an_article_as_close_as_its_own_articles_are() -> None:
    # A summit told from three angles: each pair of articles shares little (cosine 0.3),
    # and a fourth angle is as close to them on average (0.18) as they are to each other,
    # below the bar for joining a single article (0.22).
    rules = StoryRules()
    loose = [{"s": 0.55, f"a{i}": 0.835} for i in range(3)]
    story = unit_story(1, loose)
    assert cohesion(story) == pytest.approx(0.3025, abs=1e-3)
    newcomer = {"s": 0.33, "z": 0.944}
    assert 0.15 <= linkage(newcomer, story) < rules.join
    assert admits(newcomer, 10, story, rules)
    # The same article does not join one article alone, nor a tight story.
    assert not admits(newcomer, 10, unit_story(2, loose[:1]), rules)
    tight = unit_story(3, [{"s": 0.95, f"a{i}": 0.312} for i in range(3)])
    assert join_threshold(tight, rules) == rules.join
    # Never below the floor, however loose the story.
    scattered = unit_story(4, [{f"b{i}": 1.0} for i in range(3)])
    assert join_threshold(scattered, rules) == rules.loose_join


async def test_stories_off_topic_article_gets_no_story_even_after_backfill(
    store: Store, models: LazyModels, articles_dir: Path
) -> None:
    # The off-topic match of the relevance tests: stored, analysed as off-topic, and in no
    # story, neither when it is ingested nor from the backfill at the end of each ingest.
    (articles_dir / "match.md").write_text(MATCH, encoding="utf-8")
    report = await Ingestor(store, models).ingest([articles_dir])
    [football] = report.added
    assert await store.stories_of([football]) == {}
    again = await Ingestor(store, models).ingest([articles_dir])
    assert again.added == [] and await store.stories_of([football]) == {}


async def test_stories_a_folder_read_out_of_date_order_grows_stories_in_time(
    empty_store: Store, models: LazyModels, tmp_path: Path
) -> None:
    # One summit over five days from three sources, in files whose names put the last day
    # first. Joined in name order, the last day is alone and the first day (four days
    # away) cannot join it: two stories. In date order each day joins the one before.
    folder = tmp_path / "folder"
    folder.mkdir()
    days = {"a_last.md": 4, "b_first.md": 0, "c_middle.md": 2}
    for (name, shift), (source, _, title, body) in zip(days.items(), SUMMIT, strict=True):
        day = dt.date(2025, 8, 20) + dt.timedelta(days=shift)  # before the test clock's today
        folder.joinpath(name).write_text(
            f"---\ntitle: {title}\nsource: {source}\npublished: {day}\n---\n\n{body}\n",
            encoding="utf-8",
        )
    report = await Ingestor(empty_store, models).ingest([folder])
    assert len(report.added) == 3
    stories = await empty_store.stories_of(report.added)
    assert len(stories) == 3 and len(set(stories.values())) == 1
