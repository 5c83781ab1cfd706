"""aiogram routers, one per feature; the fallback router goes last."""

from aiogram import Router

from handlers import (
    article,
    bad_input,
    fallback,
    figures,
    inline,
    membership,
    noise,
    people,
    search,
    stale,
    start,
    story,
    subscriptions,
    summary,
    topic,
)


def create_routers() -> list[Router]:
    """Fresh feature routers in matching order, for one new dispatcher."""
    return [
        start.create_router(),
        summary.create_router(),
        story.create_router(),
        topic.create_router(),
        figures.create_router(),
        people.create_router(),
        search.create_router(),
        article.create_router(),
        inline.create_router(),
        subscriptions.create_router(),
        noise.create_router(),
        membership.create_router(),
        bad_input.create_router(),
        fallback.create_router(),
        stale.create_router(),  # after every feature: takes only buttons nobody else understood
    ]
