"""Inline mode: `@bot кибер` in any chat offers matching articles to share."""

from aiogram import Router
from aiogram.types import (
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
    LinkPreviewOptions,
)

from bot import texts
from bot.services.briefing import Briefings
from bot.services.requests import parse_inline_query

INLINE_CACHE_SECONDS = 60


async def on_inline_query(query: InlineQuery, briefings: Briefings) -> None:
    words = parse_inline_query(query.query)
    found = await briefings.inline(words) if words is not None else []
    results: list[InlineQueryResultUnion] = [
        InlineQueryResultArticle(
            id=str(head.id),
            title=texts.inline_title(head),
            description=texts.inline_description(head, sentence),
            url=head.url,
            input_message_content=InputTextMessageContent(
                message_text=texts.render_share(head, sentence),
                link_preview_options=LinkPreviewOptions(is_disabled=not head.url, url=head.url),
            ),
        )
        for head, sentence in found
    ]
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS)


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.inline_query.register(on_inline_query)
    return router
