"""Inline keyboards and their callback data (validated by aiogram's CallbackData on unpack)."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from pydantic import Field

from bot.services.views import PeoplePage, ThemeMenu, TopicPage

THEME_BUTTONS_PER_ROW = 2

PageView = Literal["topic", "people"]
# Callback data comes back from the client and can be forged: every field is bounded, and data
# outside the bounds fails the filter and falls through to the stale-button answer. A page past
# MAX_PAGE would be an OFFSET SQLite cannot bind («99999999999999999999»: OverflowError).
MAX_PAGE = 10_000
MAX_KEY = 40  # a theme slug or a /people filter; the whole data is at most 64 bytes anyway


class TopicCallback(CallbackData, prefix="topic"):
    """A theme button of /topics: runs /topic for the theme."""

    slug: str = Field(min_length=1, max_length=MAX_KEY)


class PageCallback(CallbackData, prefix="page"):
    """A «◀ ▶» button: which list (and theme), which page."""

    view: PageView
    key: str = Field(default="", max_length=MAX_KEY)
    page: int = Field(ge=0, le=MAX_PAGE)


class NoopCallback(CallbackData, prefix="noop"):
    """The page counter between the arrows: pressing it changes nothing."""


def theme_keyboard(menu: ThemeMenu) -> InlineKeyboardMarkup:
    """One button per theme, «название · число», two per row."""
    buttons = [
        InlineKeyboardButton(
            text=f"{theme.name} · {count}", callback_data=TopicCallback(slug=theme.slug).pack()
        )
        for theme, count in menu.counts
    ]
    rows = [
        buttons[i : i + THEME_BUTTONS_PER_ROW]
        for i in range(0, len(buttons), THEME_BUTTONS_PER_ROW)
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def pager(view: PageView, key: str, page: int, pages: int) -> InlineKeyboardMarkup | None:
    """«◀ 2/5 ▶»: previous and next where they exist; None for a single page."""
    if pages <= 1:
        return None
    row = []
    if page > 0:
        data = PageCallback(view=view, key=key, page=page - 1).pack()
        row.append(InlineKeyboardButton(text="◀", callback_data=data))
    counter = NoopCallback().pack()
    row.append(InlineKeyboardButton(text=f"{page + 1}/{pages}", callback_data=counter))
    if page < pages - 1:
        data = PageCallback(view=view, key=key, page=page + 1).pack()
        row.append(InlineKeyboardButton(text="▶", callback_data=data))
    return InlineKeyboardMarkup(inline_keyboard=[row])


def topic_pager(page: TopicPage) -> InlineKeyboardMarkup | None:
    return pager("topic", page.theme.slug, page.page, page.pages)


def people_pager(page: PeoplePage | None) -> InlineKeyboardMarkup | None:
    """Pages of /people; a filter rides in the button when it fits Telegram's 64 bytes."""
    if page is None:
        return None
    if page.query and (len(page.query) > MAX_KEY or ":" in page.query):
        return None  # a long filter keeps to its first page: refine it instead
    try:
        return pager("people", page.query, page.page, page.pages)
    except ValueError:  # the packed data would pass 64 bytes (Cyrillic counts two each)
        return None
