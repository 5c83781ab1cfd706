"""Article files -> analysed rows in the store; the rescan loop of a running bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.analysis.models import Analysis
from bot.analysis.nlp import NlpModels
from bot.analysis.pipeline import ANALYSIS_VERSION, analyse_article
from bot.analysis.stories import Features
from bot.ingest.dates import published_problem
from bot.ingest.files import ArticleError, Found, content_hash, parse_article, read_bytes, scan
from bot.ingest.stories import StorySteps, story_features
from bot.models import ArticleFile, Origin
from bot.store import Store, StoreError

log = logging.getLogger(__name__)
# Stored files join their stories in date order by batches of this many: a long first load
# still shows its stories as it goes, and an article waits at most seconds for its story
# (alert matching holds new articles one minute at most; a follow-up needs the story).
JOIN_BATCH = 50
T = TypeVar("T")


@dataclass
class IngestReport:
    """What one load did, for logs and the `ingest` command's summary line."""

    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    reanalysed: int = 0
    moved: list[int] = field(default_factory=list)  # renamed files: same article, new key

    def line(self) -> str:
        line = (
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)}"
        )
        line += f", moved {len(self.moved)}" if self.moved else ""
        return line + (f", re-analysed {self.reanalysed}" if self.reanalysed else "")


@dataclass(frozen=True)
class FetchedOutcome:
    """What storing one fetched article did."""

    outcome: str  # new | updated | unchanged | duplicate
    article_id: int
    relevant: bool = True  # from the analysis; unchanged and duplicate ones: not re-judged


def is_relevant(analysis: Analysis) -> bool:
    """The analysis' verdict: is this foreign-affairs news worth a briefing."""
    return analysis.relevance.relevant


def _analyse_for_store(
    title: str, body: str, models: NlpModels, published: dt.date | None
) -> tuple[Analysis, Features | None]:
    """The analysis and, for an article that joins stories, its story features (one job)."""
    analysis = analyse_article(title, body, models, None, published)
    return analysis, story_features(title, analysis, models)


def _believable_date(article: ArticleFile, origin: Origin) -> ArticleFile:
    """A fetched page dated in the future or before 1990: the fetch date stands in (logged)."""
    if article.published is None:
        return article
    fetched = origin.fetched_at.astimezone(dt.UTC).date()
    if (problem := published_problem(article.published, fetched)) is None:
        return article
    log.warning("%s: %s; using the fetch date %s", origin.canonical_url, problem, fetched)
    return article.model_copy(update={"published": fetched})


class Worker:
    """One daemon thread running blocking jobs in order (scans, reads, parsing, analysis).

    Not a ThreadPoolExecutor: the interpreter joins those threads at exit, so Ctrl-C during
    a long startup analysis waited for it to finish. A daemon thread lets the process go at
    once; a job cancelled before it started is dropped. One thread, not a pool: analysis is
    CPU-bound (the GIL runs one at a time anyway), and every extra thread gets its own malloc
    arena holding NER buffers (10,000 articles: 395 MB peak with the default pool).
    """

    def __init__(self, name: str = "analysis") -> None:
        self._name = name
        self._jobs: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """fn(*args) on the worker thread; cancelling the await drops a job not yet started."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
            self._thread.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, fn, args))
        return await future

    def _work(self) -> None:
        while True:
            loop, future, fn, args = self._jobs.get()
            if future.cancelled():
                continue
            try:
                result, error = fn(*args), None
            except BaseException as exc:  # handed to the awaiting task, raised there
                result, error = None, exc
            try:
                loop.call_soon_threadsafe(_settle, future, result, error)
            except RuntimeError:  # the loop is closed: nobody waits any more
                continue


def _settle(future: asyncio.Future[Any], result: object, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class Ingestor:
    """Loads files idempotently (by content hash); every blocking step runs off the event loop.

    Keys are unique per real file: relative to `home` (ARTICLES_DIR) inside it, the resolved
    path outside; without `home`, each folder given is its own. Unchanged files (same size and
    mtime as last seen) are not read again; a read file with the stored hash is not parsed.
    A skipped file is logged once until it changes.
    """

    def __init__(
        self, store: Store, models: Callable[[], NlpModels], home: Path | None = None
    ) -> None:
        self.store = store
        self._models = models
        self._home = home
        self._lock = asyncio.Lock()
        self._worker = Worker()
        self.stories = StorySteps(store)  # issue 12: each stored article joins a story
        # Stored files of the running load waiting for their story: joined in date order at
        # its end, so that a folder read in name order (or a feed, newest first) grows its
        # stories in time order, as they happened.
        self._unjoined: list[tuple[int, ArticleFile, Features | None]] = []
        # real file -> (size, mtime_ns) as last read, its key, and the reason if it was bad.
        self._seen_files: dict[Path, tuple[tuple[int, int], str, str | None]] = {}
        self._logged_skips: dict[Path, tuple[tuple[int, int] | None, str]] = {}

    async def ingest(self, paths: Iterable[Path]) -> IngestReport:
        """Store new and changed article files found under these paths."""
        report = IngestReport()
        seen: dict[str, Path] = {}  # key -> file, to refuse two files claiming one article
        async with self._lock:  # the rescan loop and a command never interleave writes
            for root in paths:
                found = await self._worker.run(scan, root, self._home)
                home = self._home or (root.parent if root.is_file() else root)
                for item in found:
                    if item.skip is not None:
                        self._skip(item, item.skip, report)
                    elif item.key in seen:
                        self._skip(item, f"same key {item.key!r} as {seen[item.key]}", report)
                    else:
                        seen[item.key] = item.path
                        await self._ingest_one(item, home, report)
            await self._join_in_date_order()
            report.reanalysed = await self._reanalyse_stale()
            await self.stories.backfill(self._models)
        return report

    async def _ingest_one(self, item: Found, home: Path, report: IngestReport) -> None:
        """One file; whatever goes wrong with it skips it (one line), never the load."""
        try:
            await self._ingest_file(item, home, report)
        except ArticleError as exc:
            self._skip(item, str(exc), report)
        except (StoreError, asyncio.CancelledError):  # not about this file: stop the load
            raise
        except Exception as exc:
            self._skip(item, f"unexpected error: {type(exc).__name__}: {exc}", report)

    async def ingest_fetched(self, article: ArticleFile, origin: Origin) -> FetchedOutcome:
        """Store a fetched article like a file: keyed by its canonical URL (an edited page
        updates the same article number), deduplicated by content, provenance kept."""
        article = _believable_date(article, origin)
        async with self._lock:
            state = await self.store.article_state(article.key)
            if state is not None and state[1] == article.content_hash:
                await self.store.record_origin(state[0], origin)
                return FetchedOutcome("unchanged", state[0])
            twin = await self.store.key_for_hash(article.content_hash)
            if twin is not None and twin != article.key:
                twin_state = await self.store.article_state(twin)
                log.info("%s: same text as %s, already stored", article.url, twin)
                return FetchedOutcome("duplicate", twin_state[0] if twin_state else 0)
            analysis, feats = await self._analyse(article.title, article.body, article.published)
            article_id = await self.store.upsert_article(article, analysis, ANALYSIS_VERSION)
            await self.store.record_origin(article_id, origin)
            await self.stories.join(article_id, article, feats)
        outcome = "updated" if state else "new"
        log.info("%s: %s as article %d", article.url, outcome, article_id)
        return FetchedOutcome(outcome, article_id, is_relevant(analysis))

    async def _reanalyse_stale(self, batch: int = 100) -> int:
        """Redo the analysis of stored articles made by an older pipeline version."""
        done = 0
        while stale := await self.store.stale_articles(ANALYSIS_VERSION, batch):
            for article in stale:
                analysis, feats = await self._analyse(
                    article.title, article.body, article.published
                )
                await self.store.replace_analysis(article.id, analysis, ANALYSIS_VERSION)
                await self.stories.join(article.id, article, feats)
                done += 1
        if done:
            log.info(
                "re-analysed %d stored articles (analysis version %d)", done, ANALYSIS_VERSION
            )
        return done

    async def _ingest_file(self, item: Found, home: Path, report: IngestReport) -> None:
        signature = item.signature
        known = self._seen_files.get(item.real)
        if signature is not None and known is not None and known[0] == signature:
            if known[2] is not None:  # skipped before, unchanged since: same reason, no read
                self._skip(item, known[2], report)
                return
            if known[1] == item.key:
                report.unchanged += 1
                return
        raw = await self._worker.run(read_bytes, item.real)
        digest = content_hash(raw)
        state = await self.store.article_state(item.key)
        if state is not None and state[1] == digest:
            self._remember(item)
            report.unchanged += 1
            return
        twin = await self.store.key_for_hash(digest)
        if twin is not None and twin != item.key:
            twin_file = Path(twin) if Path(twin).is_absolute() else home / twin
            if state is None and not await self._worker.run(twin_file.exists):
                article_id = await self.store.move_article(twin, item.key)
                self._remember(item)
                report.moved.append(article_id)
                log.info("%s: moved from %s as article %d", item.path, twin, article_id)
                return
            # Not remembered as a bad file: once the twin's file goes, this one takes its key.
            self._skip(item, f"same content as {twin}, already stored", report, remember=False)
            return
        article = await self._worker.run(parse_article, item.key, raw)
        if article.published is not None:
            today = self.store.clock().astimezone(dt.UTC).date()
            if (problem := published_problem(article.published, today)) is not None:
                # Not remembered either: a date of tomorrow becomes fine with time.
                self._skip(item, problem, report, remember=False)
                return
        article_id = await self._store(article)
        self._remember(item)
        (report.updated if state else report.added).append(article_id)
        log.info("%s: %s as article %d", item.path, "updated" if state else "added", article_id)

    def _remember(self, item: Found) -> None:
        if item.signature is not None:
            self._seen_files[item.real] = (item.signature, item.key, None)
        self._logged_skips.pop(item.real, None)

    def _skip(
        self, item: Found, reason: str, report: IngestReport, *, remember: bool = True
    ) -> None:
        """Count a skipped file; log it only the first time (until it changes)."""
        report.skipped.append((item.path, reason))
        if item.signature is not None and remember:
            self._seen_files[item.real] = (item.signature, item.key, reason)
        if self._logged_skips.get(item.real) != (item.signature, reason):
            self._logged_skips[item.real] = (item.signature, reason)
            log.warning("%s: skipped: %s", item.path, reason)

    async def _store(self, article: ArticleFile) -> int:
        analysis, feats = await self._analyse(article.title, article.body, article.published)
        article_id = await self.store.upsert_article(article, analysis, ANALYSIS_VERSION)
        self._unjoined.append((article_id, article, feats))
        if len(self._unjoined) >= JOIN_BATCH:
            await self._join_in_date_order()
        return article_id

    async def _join_in_date_order(self) -> None:
        """Stories for the files stored by this load so far, oldest first (undated last).
        If the load stops before, the backfill of the next one joins them."""
        pending, self._unjoined = self._unjoined, []
        pending.sort(key=lambda p: (p[1].published is None, p[1].published or dt.date.min, p[0]))
        for article_id, article, feats in pending:
            await self.stories.join(article_id, article, feats)

    async def _analyse(
        self, title: str, body: str, published: dt.date | None
    ) -> tuple[Analysis, Features | None]:
        # Model loading, NER and story features are CPU-bound: all on the worker thread, so the
        # bot stays responsive while a batch loads.
        models = await self._worker.run(self._models)
        return await self._worker.run(_analyse_for_store, title, body, models, published)
