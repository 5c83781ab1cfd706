"""The story step of ingest (issue 12): an analysed, stored article joins a story."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.analysis.models import Analysis
from bot.analysis.nlp import NlpModels
from bot.analysis.stories import Features, StoryRules, article_features, features
from bot.models import ArticleFile, StoredArticle
from bot.store import Store

log = logging.getLogger(__name__)


def is_relevant(analysis: Analysis) -> bool:
    """Only relevant Russian articles join stories: the others never reach a briefing."""
    return analysis.relevance.relevant and analysis.lang == "ru"


def story_features(title: str, analysis: Analysis, models: NlpModels) -> Features | None:
    """What the story join compares (pure, CPU-bound: run it where the analysis runs)."""
    return article_features(title, analysis, models) if is_relevant(analysis) else None


class StorySteps:
    """Joins articles to stories; the Ingestor calls it after storing an analysis."""

    def __init__(self, store: Store, rules: StoryRules | None = None) -> None:
        self.store = store
        self.rules = rules or StoryRules()

    async def join(
        self, article_id: int, article: ArticleFile | StoredArticle, feats: Features | None
    ) -> int | None:
        """The story the article is in now (None: not relevant, so in no story)."""
        if feats is None:
            return None
        return await self.store.join_story(
            article_id, article.published, article.source, feats, self.rules
        )

    async def backfill(self, models: Callable[[], NlpModels], batch: int = 200) -> int:
        """Stories for articles stored before stories existed (oldest first); how many."""
        done = 0
        while rows := await self.store.articles_without_story(batch):
            loaded = models()
            for article_id, title, published, source, lemmas, entities, figures in rows:
                title_lemmas = [t.lemma for t in loaded.tokens(title)]
                feats = features(title_lemmas, lemmas, entities, figures)
                await self.store.join_story(article_id, published, source, feats, self.rules)
                done += 1
        if done:
            log.info("joined %d stored articles to stories", done)
        return done
