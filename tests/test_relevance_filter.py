"""Off-topic and non-Russian articles stay out of briefings, searches, alerts and digests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.clock import ManualClock
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.services.requests import fts_query
from bot.store import Store

# Written for this test: a football match that names China, full of words a search could hit.
MATCH = (
    "---\ntitle: Сборная Казахстана обыграла команду Китая\nsource: Спорт\n"
    "url: https://example.org/match\npublished: 2025-09-01\n---\n"
    "Футболисты сборной Казахстана обыграли команду Китая в товарищеском матче со счётом 2:0. "
    "Оба гола забил нападающий Ерлан Сапаров во втором тайме. Главный тренер сборной похвалил "
    "игроков, следующий матч чемпионата команда проведёт в Астане.\n"
)
KAZAKH = (
    "---\ntitle: Қазақстан мен Қытай келіссөздер жүргізді\nsource: Ақпарат\n"
    "url: https://example.org/kk\npublished: 2025-09-01\n---\n"
    "Бейжіңде Қазақстан мен Қытай басшылары сауда бойынша ынтымақтастықты талқылады.\n"
)


async def _ingest(store: Store, articles_dir: Path, models: LazyModels) -> tuple[int, int]:
    (articles_dir / "match.md").write_text(MATCH, "utf-8")
    (articles_dir / "kk.md").write_text(KAZAKH, "utf-8")
    await Ingestor(store, models).ingest([articles_dir])
    match = await store.article_state("match.md")
    kazakh = await store.article_state("kk.md")
    assert match and kazakh
    return match[0], kazakh[0]


async def test_off_topic_and_kazakh_articles_stay_out_of_every_briefing(
    store: Store, articles_dir: Path, models: LazyModels
) -> None:
    match_id, kazakh_id = await _ingest(store, articles_dir, models)
    hidden = {match_id, kazakh_id}
    latest = await store.latest_articles(50)
    assert len(latest) == 5 and hidden.isdisjoint(h.id for h in latest)
    assert all(h.relevant and h.china for h in latest)  # the seeds
    briefs = await store.latest_briefs(50)
    assert hidden.isdisjoint(h.id for h, _ in briefs)
    found = await store.search_articles(fts_query(["сборная"]), ("сборная",), 10)
    assert found == ()
    found = await store.search_articles(fts_query(["китай"]), ("китай",), 50)
    assert found and hidden.isdisjoint(h.id for h, _ in found)
    _, people = await store.top_entities(50, ("PER",), 100)
    assert "Ерлан Сапаров" not in {name for _, name, _, _ in people}
    figures = await store.latest_figures(50)
    assert hidden.isdisjoint(h.id for h, _ in figures)
    # /article N still opens them, with their flags.
    article = await store.get_article(match_id)
    assert article is not None and not article.relevant and article.china
    kazakh = await store.get_article(kazakh_id)
    assert kazakh is not None and kazakh.lang == "kk"
    assert await store.relevance_counts() == (5, 1, 1)


async def test_off_topic_articles_reach_no_subscription(
    store: Store, articles_dir: Path, models: LazyModels, clock: ManualClock
) -> None:
    now = clock()
    await store.upsert_subscription(
        chat_id=7,
        chat_type="private",
        title=None,
        theme=None,
        thread_id=None,
        digest_time=dt.time(9),
        next_digest_at=now,
    )
    # An everything-subscription made before the articles: only the off-topic ones are new.
    match_id, kazakh_id = await _ingest(store, articles_dir, models)
    assert await store.subscriptions_for_article(match_id) == []
    assert await store.subscriptions_for_article(kazakh_id) == []
    added = await store.articles_added(
        now - dt.timedelta(days=1), now + dt.timedelta(days=1), None
    )
    assert match_id not in added and kazakh_id not in added


async def test_briefings_put_china_first_and_keep_recency_otherwise(
    store: Store, articles_dir: Path, models: LazyModels
) -> None:
    (articles_dir / "uz.md").write_text(
        "---\ntitle: Казахстан и Узбекистан договорились о водном сотрудничестве\n"
        "source: Тест\nurl: https://example.org/uz\npublished: 2025-09-02\n---\n"
        "Президенты Казахстана и Узбекистана провели переговоры в Ташкенте и подписали "
        "межправительственное соглашение о совместном управлении трансграничными реками. "
        "Стороны договорились увеличить товарооборот и развивать транспортные коридоры.\n",
        "utf-8",
    )
    await Ingestor(store, models).ingest([articles_dir])
    state = await store.article_state("uz.md")
    assert state
    latest = await store.latest_articles(10)
    assert latest[0].id == state[0]  # the newest: recency order in the plain list
    briefs = await store.latest_briefs(10)
    heads = [h for h, _ in briefs]
    assert heads[-1].id == state[0] and not heads[-1].china
    china = [h.id for h in heads if h.china]
    assert china == [h.id for h in latest if h.china]  # recency order kept within China
