"""Telegram HTML helpers: escaping at the edge, links, and the 4096-character split."""

from __future__ import annotations

import html
import re

# Telegram counts message length in UTF-16 code units after entity parsing; 4096 at most.
MESSAGE_LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")
_TAG_OR_BREAK = re.compile(r"<(/?)([A-Za-z-]+)[^>]*>|\n")


def esc(text: str) -> str:
    """Escape article-derived text for Telegram HTML (<, >, &, and quotes in attributes)."""
    return html.escape(text, quote=True)


def link(url: str | None, text: str) -> str:
    """An <a> link; falls back to plain escaped text when there is no URL."""
    if not url:
        return esc(text)
    return f'<a href="{esc(url)}">{esc(text)}</a>'


def excerpt(text: str, limit: int) -> str:
    """At most `limit` characters of a verbatim sentence, cut at a word with «…» when cut."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:—-") + "…"


def bold(text: str) -> str:
    return f"<b>{esc(text)}</b>"


def plain_text(markup: str) -> str:
    """The text Telegram shows for this markup: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", markup))


def visible_length(markup: str) -> int:
    """Length as Telegram counts it, in UTF-16 code units."""
    return len(plain_text(markup).encode("utf-16-le")) // 2


def split_messages(
    blocks: list[str], limit: int = MESSAGE_LIMIT, separator: str = "\n\n"
) -> list[str]:
    """Pack paragraph blocks (each valid HTML on its own) into messages of at most limit chars."""
    messages: list[str] = []
    current: list[str] = []
    size = 0  # visible length of separator.join(current), kept as we go (not re-measured)
    for block in blocks:
        for piece in _fit(block, limit):
            length = visible_length(piece)
            if current and size + len(separator) + length > limit:
                messages.append(separator.join(current))
                current, size = [], 0
            size += (len(separator) if current else 0) + length
            current.append(piece)
    if current:
        messages.append(separator.join(current))
    return messages


def _fit(block: str, limit: int) -> list[str]:
    """A block too long for one message is cut at line breaks, then as plain text.

    A tag spanning the cut (`<blockquote>` over many lines) is closed before it and opened
    again after it, so every piece is valid HTML on its own.
    """
    if visible_length(block) <= limit:
        return [block]
    lines = _lines(block)
    if len(lines) == 1:
        # One enormous line: drop its markup and cut the plain text (rare: a giant paragraph).
        return [esc(chunk) for chunk in _cut_plain(plain_text(block), limit)]
    pieces: list[str] = []
    run: list[tuple[str, str, str]] = []
    size = 0

    def flush() -> None:
        if run:
            pieces.append(run[0][0] + "\n".join(raw for _, raw, _ in run) + run[-1][2])
            run.clear()

    for line in lines:
        length = visible_length(line[1])
        if length > limit:
            flush()
            pieces += _fit(line[0] + line[1] + line[2], limit)
            size = 0
            continue
        if run and size + 1 + length > limit:
            flush()
        size = size + 1 + length if run else length
        run.append(line)
    flush()
    return pieces


def _lines(block: str) -> list[tuple[str, str, str]]:
    """The block's lines as (tags to open before, the line as written, tags to close after):
    `<b>a\nb</b>` gives ("", "<b>a", "</b>") and ("<b>", "b</b>", "")."""
    lines: list[tuple[str, str, str]] = []
    opened: list[tuple[str, str]] = []  # (name, opening tag as written) of the open tags
    start, prefix = 0, ""
    for match in _TAG_OR_BREAK.finditer(block):
        if match.group(0) == "\n":
            closing = "".join(f"</{name}>" for name, _ in reversed(opened))
            lines.append((prefix, block[start : match.start()], closing))
            start, prefix = match.end(), "".join(tag for _, tag in opened)
        elif match.group(1):
            if opened and opened[-1][0] == match.group(2).lower():
                opened.pop()
        else:
            opened.append((match.group(2).lower(), match.group(0)))
    lines.append((prefix, block[start:], ""))
    return lines


def _cut_plain(text: str, limit: int) -> list[str]:
    """Cut text into chunks of at most limit UTF-16 units, at a space where one is near."""
    chunks: list[str] = []
    while text:
        end, units = 0, 0
        while end < len(text) and units + (2 if ord(text[end]) > 0xFFFF else 1) <= limit:
            units += 2 if ord(text[end]) > 0xFFFF else 1
            end += 1
        space = text.rfind(" ", 0, end) if end < len(text) else -1
        if space > end * 4 // 5:  # a word boundary in the last fifth: cut there
            end = space + 1
        chunks.append(text[:end])
        text = text[end:]
    return chunks
