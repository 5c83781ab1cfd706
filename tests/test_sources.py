"""Live sources against the local fake publisher: one pass, conditional passes, edits,
failures and their schedule, charsets, SSRF guard. Real store, real analysis, no network."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.ingest.models_loader import LazyModels
from bot.ingest.pipeline import Ingestor
from bot.ingest.sources.config import parse_sources
from bot.ingest.sources.fetch import Fetcher, FetchError
from bot.ingest.sources.poller import Poller, SourceReport
from bot.ingest.sources.report import render_fetch
from bot.store import Store
from tests.conftest import START
from tests.fake_publisher import (
    COPPER,
    CORRIDOR,
    EDITED_V1,
    EDITED_V2,
    GRAIN,
    UNDATED,
    FakePublisher,
    install_site,
    page,
    rss,
    running_publisher,
    sources_toml,
)


class Rig:
    def __init__(self, pub: FakePublisher, store: Store, poller: Poller, clock: ManualClock):
        self.pub, self.store, self.poller, self.clock = pub, store, poller, clock

    async def fetch(self) -> dict[str, SourceReport]:
        return {r.source.id: r for r in await self.poller.poll_all()}

    async def article(self, url_part: str) -> tuple[int, str, str, dt.date | None, str | None]:
        rows = await self.store.db.execute_fetchall(
            "SELECT id, title, body, published, url FROM articles WHERE url LIKE ?",
            (f"%{url_part}%",),
        )
        [row] = list(rows)
        published = dt.date.fromisoformat(row[3]) if row[3] else None
        return int(row[0]), row[1], row[2], published, row[4]


@pytest.fixture
async def rig(tmp_path: Path, models: LazyModels) -> AsyncIterator[Rig]:
    clock = ManualClock(START)
    async with running_publisher() as pub, Store(tmp_path / "db.sqlite3", clock) as store:
        paths = install_site(pub)
        sources = parse_sources(sources_toml(pub, paths))
        fetcher = Fetcher(allow_private=True, host_delay=0.0, total_timeout=2.0, clock=clock)
        async with fetcher:
            poller = Poller(
                store, Ingestor(store, models), fetcher, sources, clock, jitter=lambda: 0.5
            )
            yield Rig(pub, store, poller, clock)


async def test_one_pass_stores_clean_articles_and_reports_every_source(rig: Rig) -> None:
    reports = await rig.fetch()
    assert (reports["rss"].new, reports["rss"].failed, reports["rss"].error) == (2, 0, None)
    # The corridor story is in the RSS and the Atom feed: stored once.
    assert (reports["atom"].new, reports["atom"].unchanged) == (1, 1)
    assert reports["cp1251"].new == 1 and reports["nodates"].new == 1
    assert rig.pub.hits[CORRIDOR.path] == 1 and rig.pub.hits[GRAIN.path] == 1  # listed twice

    article_id, title, body, published, url = await rig.article(CORRIDOR.slug)
    assert title == CORRIDOR.title  # no <b>, no site name
    assert url == f"{rig.pub.base}{CORRIDOR.path}"  # canonical: no utm_*
    assert published == dt.date(2025, 8, 30)  # the page's date, not the feed's (1 September)
    assert body.startswith(CORRIDOR.paragraphs[0]) and CORRIDOR.paragraphs[-1] in body
    for debris in (
        "Читайте также",
        "cookie",
        "Поделиться",
        "просмотров",
        "Комментарии",
        "Главная",
        "Популярное",
        "Все права",
        "Подписывайтесь",
    ):
        assert debris not in body, debris
    origin = await rig.store.article_origin(article_id)
    assert origin is not None and origin.source_id == "rss"
    assert "utm_source" in origin.original_url and origin.fetched_at == START

    _, title, body, published, _ = await rig.article(COPPER.slug)  # windows-1251 feed and page
    assert title == COPPER.title and COPPER.paragraphs[1] in body
    assert published == dt.date(2025, 8, 29)
    _, _, _, published, _ = await rig.article(GRAIN.slug)  # relative link in the feed
    assert published == dt.date(2025, 8, 31)
    _, _, _, published, _ = await rig.article(UNDATED.slug)
    assert published is None  # neither page nor feed has a date: never the fetch time

    assert reports["limited"].error == "blocked: HTTP 429"
    assert reports["down"].error == "HTTP 503"
    assert reports["slow"].error is not None and "timed out" in reports["slow"].error
    assert "cut off" in reports["huge"].why()  # what fits in 5 MB is still read
    assert reports["html"].error == "HTML page where a feed was expected"
    assert reports["broken"].error is not None and reports["broken"].error.startswith("broken XML")
    assert reports["gone"].error == "410 Gone: disabled"
    assert reports["old"].notes[0] == f"moved to {rig.pub.base}/rss/main.xml"

    table = render_fetch(list(reports.values()))
    assert table.splitlines()[0].split() == [
        "source",
        "new",
        "updated",
        "unchanged",
        "irrelevant",
        "failed",
        "why",
    ]
    assert any(line.startswith("gone") and "410 Gone" in line for line in table.splitlines())


async def test_failures_are_scheduled_and_remembered(rig: Rig) -> None:
    await rig.fetch()
    states = await rig.store.source_states()
    now = rig.clock()
    # Retry-After (seconds) longer than the first backoff step (600 s) wins; an HTTP date
    # years away is capped at a day.
    assert states["limited"].next_check_at == now + dt.timedelta(seconds=3600)
    assert states["down"].next_check_at == now + dt.timedelta(days=1)
    assert states["limited"].error_count == 1 and states["limited"].failing_since == now
    assert states["old"].url == f"{rig.pub.base}/rss/main.xml"  # 301 rewrote the address
    assert states["gone"].disabled == "410 Gone"
    assert states["rss"].next_check_at == now + dt.timedelta(seconds=600)
    assert states["rss"].etag and states["rss"].last_ok_at == now
    # Nothing is due before its time; errors back off exponentially, a 410 is never retried.
    assert await rig.poller.poll_due() == []
    rig.clock.advance(seconds=601)
    due = {r.source.id for r in await rig.poller.poll_due()}
    assert {"slow", "html", "broken", "rss"} <= due
    assert not due & {"limited", "down", "gone"}
    states = await rig.store.source_states()
    assert states["slow"].error_count == 2 and states["slow"].failing_since == START
    assert states["slow"].next_check_at == rig.clock() + dt.timedelta(seconds=1200)


async def test_second_pass_is_conditional_and_fetches_no_page(rig: Rig) -> None:
    await rig.fetch()
    pages_before, count_before = rig.pub.page_hits(), await rig.store.count_articles()
    failed_before = rig.pub.hits["/news/x"]  # the oversized feed's entry: 404, retried
    reports = await rig.fetch()
    assert rig.pub.page_hits() - rig.pub.hits["/news/x"] == pages_before - failed_before
    assert await rig.store.count_articles() == count_before
    assert reports["rss"].notes == ["not modified"] and reports["rss"].new == 0
    feed_requests = [h for p, h in rig.pub.requests if p == "/rss/main.xml"]
    assert feed_requests[-1].get("If-None-Match"), "the stored ETag is sent back"
    assert (
        "Dipbrief" in feed_requests[-1]["User-Agent"]
        and "+https://" in feed_requests[-1]["User-Agent"]
    )


async def test_edited_page_updates_the_same_article(rig: Rig) -> None:
    await rig.fetch()
    article_id, _, body, _, _ = await rig.article(EDITED_V1.slug)
    assert EDITED_V2.paragraphs[-1] not in body
    # The publisher edits the page and bumps the entry's date in its feed.
    rig.pub.put(EDITED_V1.path, page(EDITED_V2, rig.pub.base))
    later = dt.datetime(2025, 9, 1, 15, 0, tzinfo=dt.UTC)
    rig.pub.put(
        "/edited/rss.xml", rss([(EDITED_V2.title, f"{rig.pub.base}{EDITED_V1.path}", later, "")])
    )
    reports = await rig.fetch()
    assert (reports["edited"].updated, reports["edited"].new) == (1, 0)
    same_id, _, body, _, _ = await rig.article(EDITED_V1.slug)
    assert same_id == article_id and EDITED_V2.paragraphs[-1] in body


async def test_private_addresses_are_refused_unless_allowed(rig: Rig) -> None:
    async with Fetcher(host_delay=0.0) as guarded:
        with pytest.raises(FetchError) as literal:
            await guarded.get(rig.pub.url("/rss/main.xml"), cap=1000)
        assert literal.value.kind == "refused"
        by_name = rig.pub.url("/rss/main.xml").replace("127.0.0.1", "localhost")
        with pytest.raises(FetchError) as named:
            await guarded.get(by_name, cap=1000)
        assert named.value.kind == "refused" and "non-public" in str(named.value)
        with pytest.raises(FetchError) as scheme:
            await guarded.get("file:///etc/passwd", cap=1000)
        assert scheme.value.kind == "bad-url"
    assert rig.pub.hits["/rss/main.xml"] == 0


async def test_politeness_waits_between_requests_to_one_host(rig: Rig) -> None:
    slept: list[float] = []
    ticks = iter(range(1000))

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    fetcher = Fetcher(
        allow_private=True,
        host_delay=2.0,
        monotonic=lambda: float(next(ticks)) / 10,
        sleep=sleep,
    )
    async with fetcher:
        for _ in range(3):
            await fetcher.get(rig.pub.url("/rss/main.xml"), cap=FEED_CAP_SMALL)
    assert len(slept) == 2 and all(1.0 < s <= 2.0 for s in slept)


FEED_CAP_SMALL = 1024 * 1024


async def test_issue9_9_fetched_page_dated_in_the_future_takes_the_fetch_date(
    tmp_path: Path, models: LazyModels
) -> None:
    from bot.models import ArticleFile, Origin

    fetched = dt.datetime(2025, 9, 2, 6, 0, tzinfo=dt.UTC)
    url = "https://news.example/kz-cn/future-dated"
    article = ArticleFile(
        key=url,
        content_hash="a" * 64,
        title="Казахстан и Китай обсудили новый железнодорожный переход",
        source="Пример",
        url=url,
        published=dt.date(2099, 1, 1),  # a broken CMS date: refused, the fetch date stands in
        lang="ru",
        body="Делегации Казахстана и Китая обсудили в Астане строительство нового перехода.",
    )
    async with Store(tmp_path / "db.sqlite3", ManualClock(fetched)) as store:
        outcome = await Ingestor(store, models).ingest_fetched(
            article,
            Origin(source_id="ex", original_url=url, canonical_url=url, fetched_at=fetched),
        )
        [head] = (await store.get_heads([outcome.article_id])).values()
    assert outcome.outcome == "new"
    assert head.published == dt.date(2025, 9, 2)
