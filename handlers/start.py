"""/start and /help."""

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot import texts

router = Router(name=__name__)


@router.message(CommandStart(ignore_case=True))
@router.message(Command("help", ignore_case=True))
async def cmd_help(message: Message) -> None:
    await message.answer(texts.render_help())
