"""Console mode: stdin lines go through the real dispatcher; replies are printed as text."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncGenerator, Iterable
from html.parser import HTMLParser
from typing import Any, TextIO

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetMe,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, InlineKeyboardMarkup, Message, Update, User

from bot.clock import Clock

CONSOLE_CHAT = Chat(id=1, type="private", first_name="Консоль")
CONSOLE_USER = User(id=1, is_bot=False, first_name="Консоль", language_code="ru")
CONSOLE_BOT = User(id=2, is_bot=True, first_name="Дипбриф", username="dipbrief_bot")


class _PlainText(HTMLParser):
    """Telegram HTML -> readable text: links as «text (URL)», quotes indented."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: list[str | None] = []
        self._quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href.append(dict(attrs).get("href"))
        elif tag == "blockquote":
            self._quote_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            href = self._href.pop()
            if href:
                self.parts.append(f" ({href})")
        elif tag == "blockquote":
            self._quote_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._quote_depth:
            data = data.replace("\n", "\n  │ ")
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Strip Telegram HTML for a terminal; entities decoded, links shown as text (URL)."""
    parser = _PlainText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def keyboard_to_text(markup: Any) -> str:
    """Inline buttons as one bracketed line per row."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return ""
    rows = (" ".join(f"[{button.text}]" for button in row) for row in markup.inline_keyboard)
    return "\n".join(rows)


class ConsoleSession(BaseSession):
    """A Bot session that answers locally and prints what the bot sends."""

    def __init__(self, output: TextIO, clock: Clock) -> None:
        super().__init__()
        self.output = output
        self.clock = clock
        self._message_ids = itertools.count(1000)

    # aiogram's BaseSession signature, hence the `timeout` parameters (ASYNC109).
    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        if isinstance(method, SendMessage | EditMessageText):
            text = method.text or ""
            self._print(text, method.reply_markup)
            return self._message(text)  # type: ignore[return-value]
        if isinstance(method, GetMe):
            return CONSOLE_BOT  # type: ignore[return-value]
        if isinstance(method, AnswerCallbackQuery) and method.text:
            self._print(method.text, None)
        # Chat actions, command menus, callback answers: accepted, nothing to show.
        return True  # type: ignore[return-value]

    def _print(self, text: str, markup: Any) -> None:
        body = html_to_text(text)
        buttons = keyboard_to_text(markup)
        self.output.write(body + ("\n" + buttons if buttons else "") + "\n\n")
        self.output.flush()

    def _message(self, text: str) -> Message:
        return Message(
            message_id=next(self._message_ids),
            date=self.clock(),
            chat=CONSOLE_CHAT,
            from_user=CONSOLE_BOT,
            text=text,
        )

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise RuntimeError("console mode has no files to download")
        yield b""  # pragma: no cover - makes this an async generator

    async def close(self) -> None:
        return None


def make_update(update_id: int, text: str, when: dt.datetime) -> Update:
    """A private-chat text message from the console user, as Telegram would deliver it."""
    message = Message(
        message_id=update_id, date=when, chat=CONSOLE_CHAT, from_user=CONSOLE_USER, text=text
    )
    return Update(update_id=update_id, message=message)


async def run_console(bot: Bot, dp: Dispatcher, lines: Iterable[str], clock: Clock) -> int:
    """Feed each non-empty line to the dispatcher; returns how many were handled."""
    handled = 0
    for update_id, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        await dp.feed_update(bot, make_update(update_id, text, clock()))
        handled += 1
    return handled
