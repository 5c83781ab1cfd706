"""Sending rendered blocks: split into messages of at most 4096 characters."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message

from bot import texts


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


async def show_page(
    callback: CallbackQuery, message: Message, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Replace a paginated message; a double tap (same page twice) is not an error."""
    await callback.answer()  # first: the button stops spinning whatever happens next
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message:
            raise
