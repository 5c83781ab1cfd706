"""Issue 12: the daily digest by story: each story of the window's articles once, ranked as
/summary ranks stories, with its title, a key sentence of the day and every source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence

from bot.analysis.stories import key_sentences
from bot.models import ArticleHead, KeySentence, Story
from bot.services.stories import story_rank
from bot.services.views import StoryEntry, StoryLine
from bot.store import Store

DIGEST_LINES = 1  # key sentences per story: the digest is a list to scan, /story N has more


async def digest_stories(
    store: Store, ids: Sequence[int], day: dt.date, weights: Mapping[str, float]
) -> list[StoryEntry]:
    """The stories of the window's articles (`ids`), one entry each, in /summary's order
    (with the same source weights).

    An entry lists the window's articles of its story; its title is the story's title article
    (perhaps of an earlier day), and its source count is the whole story's. An article in no
    story (stored before stories and not joined yet) is an entry of its own, story id 0.
    """
    heads = await store.get_heads(ids)
    of_article = await store.stories_by_article(list(heads))
    stories = {s.id: s for s in of_article.values()}
    groups: dict[int, list[ArticleHead]] = {}
    for article_id in ids:
        if article_id in heads:
            story = of_article.get(article_id)
            groups.setdefault(story.id if story else -article_id, []).append(heads[article_id])
    titles = await _titles(store, stories.values(), heads)
    summaries = await store.summaries(list(heads))
    entries = [_entry(stories.get(key), group, titles, summaries) for key, group in groups.items()]
    return sorted(
        entries, key=lambda e: story_rank(e.heads, _last(e, stories), day, e.id, weights)
    )


async def _titles(
    store: Store, stories: Collection[Story], heads: Mapping[int, ArticleHead]
) -> Mapping[int, ArticleHead]:
    """The window's articles and every story's title article, those of earlier days too."""
    missing = [
        s.title_article_id
        for s in stories
        if s.title_article_id and s.title_article_id not in heads
    ]
    return {**heads, **(await store.get_heads(missing))} if missing else heads


def _entry(
    story: Story | None,
    heads: Sequence[ArticleHead],
    titles: Mapping[int, ArticleHead],
    summaries: Mapping[int, Sequence[KeySentence]],
) -> StoryEntry:
    by_id = {h.id: h for h in heads}
    chosen = key_sentences({h.id: summaries.get(h.id, ()) for h in heads}, DIGEST_LINES)
    lines = tuple(
        StoryLine(k, by_id[i], tuple(by_id[e] for e in echoes)) for i, k, echoes in chosen
    )
    title_id = story.title_article_id if story else None
    return StoryEntry(
        id=story.id if story else 0,
        title=titles.get(title_id or 0, heads[0]),
        heads=tuple(heads),
        lines=lines,
        figure=None,
        china=any(h.china for h in heads),
        total_sources=story.sources if story else 0,
    )


def _last(entry: StoryEntry, stories: Mapping[int, Story]) -> dt.date | None:
    """The story's last date (as /summary ranks it); an article alone: its own date."""
    story = stories.get(entry.id)
    if story is not None:
        return story.last
    return max((h.published for h in entry.heads if h.published), default=None)
