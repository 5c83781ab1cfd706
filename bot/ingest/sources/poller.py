"""One poll of a source: feed -> new or changed entries -> pages -> the ingest pipeline.

State (validators, schedule, failures) is persisted per source, so a restart neither
refetches unchanged entries nor forgets a backoff.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.ingest.files import content_hash
from bot.ingest.pipeline import Ingestor
from bot.ingest.sources.config import Source
from bot.ingest.sources.feeds import (
    FeedError,
    FeedItem,
    parse_feed,
    parse_link_list,
    parse_sitemap,
)
from bot.ingest.sources.fetch import FEED_CAP, PAGE_CAP, Fetched, Fetcher, FetchError
from bot.ingest.sources.pages import PageError, extract_page
from bot.ingest.sources.urls import BadUrl, clean_url, url_key
from bot.models import ArticleFile, Origin, SeenItem, SourceState
from bot.store import Store

log = logging.getLogger(__name__)

DAY = 86400.0
FAILING_REPORT_AFTER = dt.timedelta(days=7)  # `status` names sources failing this long
MAX_ITEM_ERRORS = 3  # page fetches of one entry before it waits for the entry to change
CONCURRENT_SOURCES = 4
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass
class SourceReport:
    """One source's line of the `fetch` table."""

    source: Source
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    irrelevant: int = 0  # of the new and updated ones
    failed: int = 0  # entries whose page could not be read
    error: str | None = None  # the source itself failed
    notes: list[str] = field(default_factory=list)

    def why(self) -> str:
        parts = [f"failed: {self.error}"] if self.error else []
        return "; ".join(parts + self.notes)


def backoff_seconds(errors: int, base: float, jitter: float) -> float:
    """Delay before retrying after `errors` failures in a row: doubling from `base`, up to a
    day, spread by +-25 % (jitter in [0, 1)) so failing sources do not retry in step."""
    delay = min(DAY, base * 2 ** max(0, errors - 1))
    return min(DAY, delay * (0.75 + 0.5 * jitter))


class Poller:
    """Polls sources into the store through the same Ingestor as the article folder."""

    def __init__(
        self,
        store: Store,
        ingestor: Ingestor,
        fetcher: Fetcher,
        sources: Sequence[Source],
        clock: Clock,
        *,
        poll_seconds: float = 600.0,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.store, self.ingestor, self.fetcher = store, ingestor, fetcher
        self.sources = tuple(sources)
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._jitter = jitter
        self._gate = asyncio.Semaphore(CONCURRENT_SOURCES)
        self._links: dict[str, asyncio.Lock] = {}

    def interval(self, source: Source) -> float:
        return source.poll_minutes * 60.0 if source.poll_minutes else self.poll_seconds

    async def poll_due(self) -> list[SourceReport]:
        """Poll the enabled sources whose next check has come (run mode)."""
        now = self.clock()
        states = await self.store.source_states()  # a read; rows are created on first poll
        due = []
        for source in self.sources:
            if not source.enabled:
                continue
            state = states.get(source.id)
            if state is None or state.file_url != source.url:
                state = await self.store.source_state(source.id, source.url)
            if state.disabled is None and (
                state.next_check_at is None or state.next_check_at <= now
            ):
                due.append(source)
        return await self._poll_many(due)

    async def poll_all(self, only: str | None = None) -> list[SourceReport]:
        """Poll every enabled source now, or just `only` (the `fetch` command)."""
        chosen = [s for s in self.sources if (s.id == only if only else s.enabled)]
        return await self._poll_many(chosen)

    async def _poll_many(self, sources: Sequence[Source]) -> list[SourceReport]:
        async def gated(source: Source) -> SourceReport:
            async with self._gate:
                try:
                    return await self.poll(source)
                except Exception as exc:  # a bug met by one source must not stop the others
                    log.exception("source %s: poll failed", source.id)
                    return SourceReport(source, error=f"internal error: {exc}")

        return list(await asyncio.gather(*(gated(s) for s in sources)))

    async def poll(self, source: Source) -> SourceReport:
        """One attempt at a source; a failure is one log line and a scheduled retry."""
        report = SourceReport(source)
        state = await self.store.source_state(source.id, source.url)
        if state.disabled:
            report.error = f"disabled ({state.disabled})"
            return report
        try:
            fetched = await self.fetcher.get(
                state.url,
                cap=FEED_CAP,
                etag=state.etag,
                last_modified=state.last_modified,
                accept=FEED_ACCEPT,
            )
        except FetchError as exc:
            return await self._failed(source, state, report, str(exc))
        if fetched.moved_to and fetched.status in (200, 304):  # not to an error page
            log.info("source %s: moved permanently to %s", source.id, fetched.moved_to)
            report.notes.append(f"moved to {fetched.moved_to}")
            state = state.model_copy(update={"url": fetched.moved_to})
        return await self._answered(source, state, report, fetched)

    async def _answered(
        self, source: Source, state: SourceState, report: SourceReport, fetched: Fetched
    ) -> SourceReport:
        status = fetched.status
        if status == 304:
            report.notes.append("not modified")
            return await self._ok(source, state, report, fetched)
        if status == 410:
            log.warning("source %s: 410 Gone, disabled", source.id)
            await self.store.save_source_state(
                state.model_copy(
                    update={
                        "disabled": "410 Gone",
                        "checked_at": self.clock(),
                        "last_error": "410 Gone",
                    }
                )
            )
            report.error = "410 Gone: disabled"
            return report
        if status != 200:
            return await self._failed(
                source, state, report, _http_reason(status), fetched.retry_after
            )
        try:
            items = await asyncio.to_thread(_parse_items, source, fetched)
        except FeedError as exc:
            reason = str(exc) + (" (body cut off at the size cap)" if fetched.truncated else "")
            return await self._failed(source, state, report, reason)
        if fetched.truncated:
            report.notes.append("feed cut off at the 5 MB cap")
        await self._items(source, items, report)
        return await self._ok(source, state, report, fetched)

    async def _items(self, source: Source, items: list[FeedItem], report: SourceReport) -> None:
        seen = await self.store.seen_items(source.id)
        for item in items:
            if not source.wants(item.link):
                continue
            known = seen.get(item.key)
            settled = known is not None and (known.errors == 0 or known.errors >= MAX_ITEM_ERRORS)
            if known is not None and settled and known.fingerprint == item.fingerprint:
                report.unchanged += 1
                continue
            # One page fetch per link at a time: two feeds polled together may list it.
            async with self._links.setdefault(item.key, asyncio.Lock()):
                if known is None and (other := await self.store.article_for_link(item.key)):
                    # Another feed brought this story already: no second request for the
                    # page; edits are noticed through the feed that brought it first.
                    await self.store.remember_item(
                        source.id, item.key, item.fingerprint, article_id=other
                    )
                    report.unchanged += 1
                    continue
                if await self._item(source, item, known, report):
                    break

    async def _item(
        self, source: Source, item: FeedItem, known: SeenItem | None, report: SourceReport
    ) -> bool:
        """Fetch, extract and store one entry's page; True when the host asked us to stop."""
        validators = (
            (known.etag, known.last_modified) if known and known.article_id else (None, None)
        )
        try:
            page = await self.fetcher.get(
                item.link,
                cap=PAGE_CAP,
                etag=validators[0],
                last_modified=validators[1],
                accept=PAGE_ACCEPT,
            )
        except FetchError as exc:
            await self._item_failed(source, item, report, str(exc))
            return False
        if page.status == 304 and known is not None:
            await self.store.remember_item(
                source.id, item.key, item.fingerprint, article_id=known.article_id
            )
            report.unchanged += 1
            return False
        if page.status != 200:
            await self._item_failed(source, item, report, _http_reason(page.status))
            return page.status in (429, 503)
        try:
            article = await asyncio.to_thread(_article, source, item, page)
        except (PageError, BadUrl, ValueError) as exc:
            await self._item_failed(source, item, report, str(exc))
            return False
        origin = Origin(
            source_id=source.id,
            original_url=item.original or item.link,
            canonical_url=article.url or item.link,
            fetched_at=self.clock(),
        )
        result = await self.ingestor.ingest_fetched(article, origin)
        if result.outcome == "new":
            report.new += 1
        elif result.outcome == "updated":
            report.updated += 1
        else:
            report.unchanged += 1
        if result.outcome in ("new", "updated") and not result.relevant:
            report.irrelevant += 1
        await self.store.remember_item(
            source.id,
            item.key,
            item.fingerprint,
            article_id=result.article_id or None,
            etag=page.etag,
            last_modified=page.last_modified,
        )
        return False

    async def _item_failed(
        self, source: Source, item: FeedItem, report: SourceReport, reason: str
    ) -> None:
        log.warning("source %s: %s: %s", source.id, item.link, reason)
        report.failed += 1
        if reason not in report.notes and len(report.notes) < 3:
            report.notes.append(reason)
        await self.store.remember_item(
            source.id, item.key, item.fingerprint, article_id=None, failed=True
        )

    async def _ok(
        self, source: Source, state: SourceState, report: SourceReport, fetched: Fetched
    ) -> SourceReport:
        now = self.clock()
        update: dict[str, object] = {
            "next_check_at": now + dt.timedelta(seconds=self.interval(source)),
            "error_count": 0,
            "last_error": None,
            "failing_since": None,
            "last_ok_at": now,
            "checked_at": now,
        }
        if fetched.status == 200:  # a 304 keeps the validators it answered to
            update.update(etag=fetched.etag, last_modified=fetched.last_modified)
        await self.store.save_source_state(state.model_copy(update=update))
        return report

    async def _failed(
        self,
        source: Source,
        state: SourceState,
        report: SourceReport,
        reason: str,
        retry_after: float | None = None,
    ) -> SourceReport:
        now = self.clock()
        errors = state.error_count + 1
        delay = backoff_seconds(errors, self.interval(source), self._jitter())
        if retry_after is not None:
            delay = max(delay, min(retry_after, DAY))
        log.warning(
            "source %s: %s (failure %d in a row, next try in %d s)",
            source.id,
            reason,
            errors,
            round(delay),
        )
        await self.store.save_source_state(
            state.model_copy(
                update={
                    "next_check_at": now + dt.timedelta(seconds=delay),
                    "error_count": errors,
                    "last_error": reason,
                    "failing_since": state.failing_since or now,
                    "checked_at": now,
                }
            )
        )
        report.error = reason
        return report


def failing_for_a_week(states: dict[str, SourceState], now: dt.datetime) -> list[SourceState]:
    """Sources failing without a success for FAILING_REPORT_AFTER or more (for `status`)."""
    return sorted(
        (
            s
            for s in states.values()
            if s.failing_since is not None and now - s.failing_since >= FAILING_REPORT_AFTER
        ),
        key=lambda s: s.id,
    )


def _http_reason(status: int) -> str:
    if status in (401, 403, 429):
        return f"blocked: HTTP {status}"
    return f"HTTP {status}"


def _parse_items(source: Source, fetched: Fetched) -> list[FeedItem]:
    if source.kind == "sitemap":
        return parse_sitemap(fetched.body, fetched.url)
    if source.kind == "html-list":
        return parse_link_list(fetched.body, fetched.url)
    return parse_feed(fetched.body, fetched.url, fetched.headers.get("content-type"))


def _article(source: Source, item: FeedItem, fetched: Fetched) -> ArticleFile:
    page = extract_page(
        fetched.body, fetched.url, item.title, item.published, fetched.headers.get("content-type")
    )
    canonical = page.canonical or clean_url(fetched.url)
    text = f"{page.title}\n\n{page.body}"
    return ArticleFile(
        key=url_key(canonical),
        content_hash=content_hash(text.encode("utf-8")),
        title=page.title,
        source=source.name,
        url=canonical,
        published=page.published,
        lang=source.lang,
        body=page.body,
    )
