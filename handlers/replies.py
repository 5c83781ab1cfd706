"""Sending rendered blocks: split into messages of at most 4096 characters."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message

from bot import texts
from bot.services.views import ThemeMenu


async def answer_blocks(
    message: Message,
    blocks: list[str],
    markup: InlineKeyboardMarkup | None = None,
    preview: LinkPreviewOptions | None = None,
) -> None:
    """Answer with the blocks packed into messages; buttons go under the last one."""
    chunks = texts.split_messages(blocks)
    for i, chunk in enumerate(chunks):
        markup_here = markup if i == len(chunks) - 1 else None
        if preview is not None and i == 0:
            await message.answer(chunk, reply_markup=markup_here, link_preview_options=preview)
        else:  # passing None would override the bot's default (previews off)
            await message.answer(chunk, reply_markup=markup_here)


async def answer_menu(message: Message, menu: ThemeMenu) -> None:
    """The list of themes with counts, as buttons (no theme given, or an unknown one)."""
    await message.answer(texts.render_menu(menu), reply_markup=texts.theme_keyboard(menu))


async def show_page(
    callback: CallbackQuery, page: tuple[str, InlineKeyboardMarkup | None] | None
) -> None:
    """Replace a paginated message with (text, buttons); None or a lost message is stale.

    A double tap (the same page twice) is not an error.
    """
    if page is None or not isinstance(callback.message, Message):
        await callback.answer(texts.STALE_BUTTON)
        return
    await callback.answer()  # first: the button stops spinning whatever happens next
    try:
        await callback.message.edit_text(page[0], reply_markup=page[1])
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message:
            raise
