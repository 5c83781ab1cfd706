"""«Меньше шума» (issue 12): /quiet and the buttons under /subscriptions."""

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot import texts as common
from bot.config import Settings
from bot.services.subscriptions import Subscriptions, parse_quiet_args
from bot.services.views import UnknownTheme
from bot.telegram.admins import AdminRights, Rights
from bot.texts import noise
from bot.texts import subscriptions as texts
from handlers.subscriptions import ADMIN_ONLY, REFUSALS


async def cmd_quiet(
    message: Message, command: CommandObject, rights: Rights, subscriptions: Subscriptions
) -> None:
    if rights != "admin":
        await message.answer(REFUSALS[rights])
        return
    result = await subscriptions.set_quiet(message.chat.id, parse_quiet_args(command.args))
    if isinstance(result, UnknownTheme):
        await message.answer(texts.render_unknown_theme(result.query, result.suggestions))
        return
    await message.answer(noise.render_quiet_set(result))


async def on_quiet(
    callback: CallbackQuery,
    callback_data: noise.QuietCallback,
    rights: Rights,
    subscriptions: Subscriptions,
    settings: Settings,
) -> None:
    if rights != "admin" or not isinstance(callback.message, Message):
        await callback.answer(noise.BUTTON_NOT_ADMIN, show_alert=True)
        return
    chat_id = callback.message.chat.id
    overview = await subscriptions.toggle_quiet(chat_id, callback_data.sub, callback_data.on)
    if overview is None:  # unsubscribed since the list was sent
        await callback.answer(common.STALE_BUTTON)
        return
    await callback.answer(noise.quiet_toast(callback_data.on))
    try:
        await callback.message.edit_text(
            noise.render_overview(overview, settings.bot_timezone),
            reply_markup=noise.quiet_keyboard(overview),
        )
    except TelegramBadRequest as exc:  # a double tap sets the same state: nothing to edit
        if "message is not modified" not in exc.message:
            raise


def create_router() -> Router:
    """A fresh router with this module's handlers (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.message.middleware(AdminRights())
    router.callback_query.middleware(AdminRights())
    router.message.register(cmd_quiet, Command("quiet", ignore_case=True), flags=ADMIN_ONLY)
    router.callback_query.register(on_quiet, noise.QuietCallback.filter(), flags=ADMIN_ONLY)
    return router
