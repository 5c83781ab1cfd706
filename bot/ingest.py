"""Article files -> analysed rows in the store; the rescan loop of a running bot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.analysis.nlp import NlpModels
from bot.analysis.pipeline import analyse_article
from bot.articles import ArticleError, iter_article_paths, read_article
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

    def line(self) -> str:
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)}"
        )


class Ingestor:
    """Loads files idempotently (by content hash); analysis runs off the event loop."""

    def __init__(self, store: Store, models: Callable[[], NlpModels]) -> None:
        self.store = store
        self._models = models
        self._lock = asyncio.Lock()

    async def ingest(self, paths: Iterable[Path]) -> IngestReport:
        """Store new and changed article files found under these paths."""
        report = IngestReport()
        async with self._lock:  # the rescan loop and a command never interleave writes
            for root in paths:
                if not root.exists():
                    log.warning("%s: skipped: no such file or folder", root)
                    report.skipped.append((root, "no such file or folder"))
                    continue
                for path in iter_article_paths(root):
                    await self._ingest_file(path, report)
        return report

    async def _ingest_file(self, path: Path, report: IngestReport) -> None:
        try:
            article = read_article(path)
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
        models = self._models()
        # NER and morphology are CPU-bound: keep the bot responsive while a batch loads.
        analysis = await asyncio.to_thread(analyse_article, article.title, article.body, models)
        return await self.store.upsert_article(article, analysis)
