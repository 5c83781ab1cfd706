"""Russian grammar helpers: number agreement, dates, quotes, non-breaking spaces."""

from __future__ import annotations

import datetime as dt

NBSP = "\u00a0"
_MONTHS_GENITIVE = tuple(
    [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ]
)
MATERIALS = ("материал", "материала", "материалов")  # every count of articles


def plural(count: int, forms: tuple[str, str, str]) -> str:
    """The form agreeing with count: forms = (1 материал, 2 материала, 5 материалов)."""
    n = abs(count) % 100
    if 11 <= n <= 14:
        return forms[2]
    if n % 10 == 1:
        return forms[0]
    if 2 <= n % 10 <= 4:
        return forms[1]
    return forms[2]


def count_of(count: int, forms: tuple[str, str, str]) -> str:
    """Number and agreeing noun joined by a non-breaking space: «2 материала»."""
    return f"{count}{NBSP}{plural(count, forms)}"


def format_date(value: dt.date | None, unknown: str = "дата не указана") -> str:
    """«30 августа 2025», or the given words when the date is unknown."""
    if value is None:
        return unknown
    return f"{value.day}{NBSP}{_MONTHS_GENITIVE[value.month - 1]} {value.year}"


def quoted(text: str) -> str:
    """Russian quotes: «текст»."""
    return f"«{text}»"
