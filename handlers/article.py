"""/article N: one article in full, with the preview of its original enabled."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import LinkPreviewOptions, Message

from bot import texts
from bot.services.briefing import Briefings
from bot.services.requests import parse_article_number
from handlers.replies import answer_blocks


async def cmd_article(message: Message, command: CommandObject, briefings: Briefings) -> None:
    if not (command.args or "").strip():
        await message.answer(texts.ARTICLE_USAGE)
        return
    number = parse_article_number(command.args)
    view = await briefings.article(number)
    if view is None:
        await message.answer(texts.article_not_found(number))
        return
    # The one place a link preview is wanted: the article is the subject of the answer.
    preview = LinkPreviewOptions(is_disabled=False, url=view.article.url)
    await answer_blocks(message, texts.render_article(view), preview=preview)


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.register(
        cmd_article, Command("article", ignore_case=True), flags={"typing": True}
    )
    return router
