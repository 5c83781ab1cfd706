"""Telegram HTML helpers: escaping at the edge, links, and the 4096-character split."""

from __future__ import annotations

import html
import re

# Telegram counts message length in UTF-16 code units after entity parsing; 4096 at most.
MESSAGE_LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")


def esc(text: str) -> str:
    """Escape article-derived text for Telegram HTML (<, >, &, and quotes in attributes)."""
    return html.escape(text, quote=True)


def link(url: str | None, text: str) -> str:
    """An <a> link; falls back to plain escaped text when there is no URL."""
    if not url:
        return esc(text)
    return f'<a href="{esc(url)}">{esc(text)}</a>'


def bold(text: str) -> str:
    return f"<b>{esc(text)}</b>"


def visible_length(markup: str) -> int:
    """Length as Telegram counts it: tags removed, entities decoded, UTF-16 code units."""
    plain = html.unescape(_TAG.sub("", markup))
    return len(plain.encode("utf-16-le")) // 2


def split_messages(blocks: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack paragraph blocks (each valid HTML on its own) into messages of at most limit chars."""
    messages: list[str] = []
    current: list[str] = []
    for block in blocks:
        for piece in _fit(block, limit):
            candidate = "\n\n".join([*current, piece])
            if current and visible_length(candidate) > limit:
                messages.append("\n\n".join(current))
                current = [piece]
            else:
                current.append(piece)
    if current:
        messages.append("\n\n".join(current))
    return messages


def _fit(block: str, limit: int) -> list[str]:
    """A block too long for one message is cut at line breaks, then as plain text."""
    if visible_length(block) <= limit:
        return [block]
    lines = block.split("\n")
    if len(lines) > 1:
        return split_messages(lines, limit)
    # One enormous line: drop its markup and cut the plain text (rare: a giant paragraph).
    plain = html.unescape(_TAG.sub("", block))
    step = limit // 2  # an emoji is two UTF-16 units: half the limit is always safe
    return [esc(plain[i : i + step]) for i in range(0, len(plain), step)]
