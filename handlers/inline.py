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
from bot.briefing import Briefings
from bot.requests import parse_inline_query

router = Router(name=__name__)

INLINE_CACHE_SECONDS = 60


@router.inline_query()
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
