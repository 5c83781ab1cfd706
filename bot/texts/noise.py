"""«Меньше шума» (issue 12): the /subscriptions buttons and the /quiet replies.

On, a new article that only adds a source to a story the chat was already alerted about is not
sent at all; off (the default), it comes as a short «Ещё один источник». The digest and
/story N list every source either way.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from pydantic import Field

from bot.services.views import Overview, QuietSet
from bot.texts.grammar import quoted
from bot.texts.markup import esc
from bot.texts.subscriptions import render_subscriptions, theme_label

BUTTON_LABEL = 40  # characters of a subscription's name on its button

QUIET_HINT = (
    "«Меньше шума»: не присылать новые источники о сюжете, о котором чат уже получил "
    "оповещение (они будут в дайджесте и в /story). Кнопки ниже или /quiet, /quiet выкл."
)
QUIET_ON = (
    "Меньше шума: включено для {what}. Новые источники о сюжете, о котором чат уже получил "
    "оповещение, больше не присылаются: они будут в дайджесте и в /story. Выключить — "
    "/quiet выкл"
)
QUIET_OFF = (
    "Меньше шума: выключено для {what}. О каждом новом источнике по уже известному сюжету "
    "придёт короткое «Ещё один источник». Включить — /quiet"
)
QUIET_NOTHING = "Этот чат не подписан{on}. Подписаться: /subscribe, подписки чата — /subscriptions"
TOAST_ON = "Меньше шума включено"
TOAST_OFF = "Меньше шума выключено"
# A button's answer is at most 200 characters: the refusal is short, the command explains more.
BUTTON_NOT_ADMIN = "Настройки подписок группы меняют только её администраторы."


class QuietCallback(CallbackData, prefix="quiet"):
    """A «меньше шума» button of /subscriptions: the subscription and the state it sets (a
    second tap of an old button sets the same state again, it does not flip it back)."""

    sub: int = Field(ge=1, lt=2**62)
    on: bool


def render_overview(overview: Overview, tz: str) -> str:
    """/subscriptions with «меньше шума» explained under the list."""
    text = render_subscriptions(overview, tz)
    return f"{text}\n{QUIET_HINT}" if overview.items else text


def quiet_keyboard(overview: Overview) -> InlineKeyboardMarkup | None:
    """A button per subscription: «🔔 Меньше шума: выкл · все материалы» turns it on."""
    rows = []
    for theme, sub in overview.items:
        label = theme_label(theme.name if theme else None)[:BUTTON_LABEL]
        state = "🔕 Меньше шума: вкл" if sub.quiet else "🔔 Меньше шума: выкл"
        data = QuietCallback(sub=sub.id, on=not sub.quiet).pack()
        rows.append([InlineKeyboardButton(text=f"{state} · {label}", callback_data=data)])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def render_quiet_set(result: QuietSet) -> str:
    """What /quiet changed, or that the chat has no such subscription."""
    if not result.changed:
        on = f" на тему {quoted(esc(result.theme.name))}" if result.theme else " ни на что"
        return QUIET_NOTHING.format(on=on)
    what = (
        f"подписки на тему {quoted(esc(result.theme.name))}"
        if result.theme
        else "всех подписок чата"
    )
    return (QUIET_ON if result.quiet else QUIET_OFF).format(what=what)


def quiet_toast(quiet: bool) -> str:
    return TOAST_ON if quiet else TOAST_OFF
