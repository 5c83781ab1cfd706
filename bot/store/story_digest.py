"""Issue 12: the daily digest by story (the stories of a window's articles)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import Story
from bot.store.base import BaseStore
from bot.store.stories import _story


class StoryDigestQueries(BaseStore):
    """The stories of given articles, for the digest."""

    async def stories_by_article(self, article_ids: Sequence[int]) -> dict[int, Story]:
        """Article id -> its story (with dates, size and sources); articles in none are left
        out."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = await self.db.execute_fetchall(
            "SELECT sa.article_id, s.* FROM story_articles sa JOIN stories s ON s.id = sa.story_id"
            f" WHERE sa.article_id IN ({marks})",
            list(article_ids),
        )
        return {int(r["article_id"]): _story(r) for r in rows}
