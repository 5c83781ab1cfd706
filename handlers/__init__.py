"""aiogram routers, one per feature; the fallback router goes last."""

from aiogram import Router

from handlers import (
    article,
    bad_input,
    fallback,
    figures,
    inline,
    membership,
    people,
    search,
    stale,
    start,
    subscriptions,
    summary,
    topic,
)


def get_routers() -> list[Router]:
    """Feature routers in matching order, ready to include in a new dispatcher."""
    routers = [
        start.router,
        summary.router,
        topic.router,
        figures.router,
        people.router,
        search.router,
        article.router,
        inline.router,
        subscriptions.router,
        membership.router,
        bad_input.router,
        fallback.router,
        stale.router,  # after every feature: takes only buttons nobody else understood
    ]
    for router in routers:
        # A router attaches to one parent and aiogram has no detach; tests and console mode
        # build a dispatcher per run in one process, so the newest dispatcher takes them over.
        router._parent_router = None
    return routers
