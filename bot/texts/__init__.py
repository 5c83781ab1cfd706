"""Every Russian string the user sees, and the renderers that turn models into Telegram HTML."""

from bot.texts.common import (
    COMMANDS,
    CONSOLE_BANNER,
    GREETING,
    PLAIN_TEXT_HINT,
    UNKNOWN_COMMAND,
    CommandInfo,
    render_help,
)
from bot.texts.grammar import NBSP, agree, count_of, format_date, plural, quoted
from bot.texts.markup import MESSAGE_LIMIT, bold, esc, link, split_messages, visible_length

__all__ = [
    "COMMANDS",
    "CONSOLE_BANNER",
    "GREETING",
    "MESSAGE_LIMIT",
    "NBSP",
    "PLAIN_TEXT_HINT",
    "UNKNOWN_COMMAND",
    "CommandInfo",
    "agree",
    "bold",
    "count_of",
    "esc",
    "format_date",
    "link",
    "plural",
    "quoted",
    "render_help",
    "split_messages",
    "visible_length",
]
