"""Article files -> analysed rows in the store; the rescan loop of a running bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.analysis.models import Analysis
from bot.analysis.nlp import NlpModels
from bot.analysis.pipeline import ANALYSIS_VERSION, analyse_article
from bot.ingest.files import ArticleError, iter_article_paths, read_article
from bot.models import ArticleFile
from bot.store import Store

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What one load did, for logs and the `ingest` command's summary line."""

    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    reanalysed: int = 0

    def line(self) -> str:
        line = (
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)}"
        )
        return line + (f", re-analysed {self.reanalysed}" if self.reanalysed else "")


class Ingestor:
    """Loads files idempotently (by content hash); analysis runs off the event loop."""

    def __init__(self, store: Store, models: Callable[[], NlpModels]) -> None:
        self.store = store
        self._models = models
        self._lock = asyncio.Lock()
        # One analysis thread, not the default pool: analysis is CPU-bound (the GIL runs one
        # at a time anyway), and every extra thread gets its own malloc arena holding NER
        # buffers (10,000 articles: 395 MB peak with the default pool).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis")

    async def ingest(self, paths: Iterable[Path]) -> IngestReport:
        """Store new and changed article files found under these paths."""
        report = IngestReport()
        seen: dict[str, Path] = {}  # key -> file, to refuse two files claiming one article
        async with self._lock:  # the rescan loop and a command never interleave writes
            for root in paths:
                if not root.exists():
                    log.warning("%s: skipped: no such file or folder", root)
                    report.skipped.append((root, "no such file or folder"))
                    continue
                for path, key in iter_article_paths(root):
                    if key in seen:
                        reason = f"same key {key!r} as {seen[key]} in this load"
                        log.warning("%s: skipped: %s", path, reason)
                        report.skipped.append((path, reason))
                        continue
                    seen[key] = path
                    await self._ingest_file(path, key, report)
            report.reanalysed = await self._reanalyse_stale()
        return report

    async def _reanalyse_stale(self, batch: int = 100) -> int:
        """Redo the analysis of stored articles made by an older pipeline version."""
        done = 0
        while stale := await self.store.stale_articles(ANALYSIS_VERSION, batch):
            for article in stale:
                analysis = await self._analyse(article.title, article.body, article.published)
                await self.store.replace_analysis(article.id, analysis, ANALYSIS_VERSION)
                done += 1
        if done:
            log.info(
                "re-analysed %d stored articles (analysis version %d)", done, ANALYSIS_VERSION
            )
        return done

    async def _ingest_file(self, path: Path, key: str, report: IngestReport) -> None:
        try:
            article = read_article(path, key)
        except ArticleError as exc:
            log.warning("%s: skipped: %s", path, exc)
            report.skipped.append((path, str(exc)))
            return
        state = await self.store.article_state(article.key)
        if state is not None and state[1] == article.content_hash:
            report.unchanged += 1
            return
        twin = await self.store.key_for_hash(article.content_hash)
        if twin is not None and twin != article.key:
            reason = f"same content as {twin}, already stored"
            log.warning("%s: skipped: %s", path, reason)
            report.skipped.append((path, reason))
            return
        article_id = await self._store(article)
        (report.updated if state else report.added).append(article_id)
        log.info("%s: %s as article %d", path, "updated" if state else "added", article_id)

    async def _store(self, article: ArticleFile) -> int:
        analysis = await self._analyse(article.title, article.body, article.published)
        return await self.store.upsert_article(article, analysis, ANALYSIS_VERSION)

    async def _analyse(self, title: str, body: str, published: dt.date | None) -> Analysis:
        # Model loading and NER are CPU-bound: keep the bot responsive while a batch loads.
        loop = asyncio.get_running_loop()
        models = await loop.run_in_executor(self._executor, self._models)
        return await loop.run_in_executor(
            self._executor, analyse_article, title, body, models, None, published
        )
