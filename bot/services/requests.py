"""Command arguments -> requests: pure parsers that refuse unusable input politely."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.analysis.words import WORD_RE

MAX_ARG_LENGTH = 200  # longer arguments are refused with an explanation
DEFAULT_SUMMARY = 5
MAX_SUMMARY = 20
# Words a user may type after /summary for a period; inflected forms are common ("за неделю").
PERIOD_WORDS = {
    "неделя": "week",
    "неделю": "week",
    "недели": "week",
    "неделе": "week",
    "месяц": "month",
    "месяца": "month",
    "месяце": "month",
}
BadReason = Literal["too_long", "control", "no_words", "count", "number"]
Period = Literal["week", "month"]


class BadArgument(ValueError):
    """A command argument that cannot be used; `reason` picks the explanation shown."""

    def __init__(self, reason: BadReason) -> None:
        super().__init__(reason)
        self.reason: BadReason = reason


def clean_args(args: str | None) -> str:
    """A command's argument with spaces collapsed; BadArgument for unusable input."""
    if not args:
        return ""
    if len(args) > MAX_ARG_LENGTH:
        raise BadArgument("too_long")
    # Cc: control characters; Cf: RTL/LTR marks, zero-width joiners, BOMs.
    if any(unicodedata.category(ch) in ("Cc", "Cf") and not ch.isspace() for ch in args):
        raise BadArgument("control")
    text = " ".join(args.split())
    if text and not WORD_RE.search(text):
        raise BadArgument("no_words")  # only punctuation or emoji
    return text


@dataclass(frozen=True)
class SummaryRequest:
    """What /summary asked for: a count, a theme (user's words) or a period."""

    limit: int = DEFAULT_SUMMARY
    theme: str | None = None
    period: Period | None = None


def parse_summary_args(args: str | None) -> SummaryRequest:
    """`/summary`, `/summary 3`, `/summary кибербезопасность`, `/summary неделя`, and a theme
    with a period on either side: `/summary торговля за месяц`, `/summary неделя экология`."""
    text = clean_args(args)
    if not text:
        return SummaryRequest()
    # isdecimal and isascii: "²" and "٣" pass isdigit() but int() refuses them.
    if text.lstrip("-+").isascii() and text.lstrip("-+").isdecimal():
        count = int(text) if text.isdecimal() else 0
        if not 1 <= count <= MAX_SUMMARY:
            raise BadArgument("count")
        return SummaryRequest(limit=count)
    words = text.split()
    period, theme = _period_at(words, 0) or _period_at(words, -1) or (None, words)
    if period is None:
        return SummaryRequest(theme=text)
    return SummaryRequest(
        limit=MAX_SUMMARY,
        period=period,  # type: ignore[arg-type]
        theme=" ".join(theme) or None,
    )


def _period_at(words: list[str], end: int) -> tuple[str, list[str]] | None:
    """A period word («неделя», «за месяц») at the start (end=0) or the end (end=-1) of the
    words: the period and the words left; None if there is none there."""
    normal = [w.lower().replace("ё", "е") for w in words]
    for size in (2, 1):  # "за неделю" before "неделю"
        part = normal[:size] if end == 0 else normal[-size:]
        if len(part) == size and part[-1] in PERIOD_WORDS and (size == 1 or part[0] == "за"):
            rest = words[size:] if end == 0 else words[:-size]
            return PERIOD_WORDS[part[-1]], rest
    return None


def parse_article_number(args: str | None) -> int:
    """`/article 3` -> 3; BadArgument when the argument is not a positive number."""
    text = clean_args(args).lstrip("№#").strip()
    if not (text.isascii() and text.isdecimal()) or not 0 < int(text) < 2**62:
        raise BadArgument("number")
    return int(text)


def parse_inline_query(query: str) -> str | None:
    """The words of an inline query ("" for latest articles); None when unusable."""
    try:
        return clean_args(query)
    except BadArgument:
        return None


def fts_query(lemmas: Sequence[str]) -> str:
    """An FTS5 MATCH expression requiring every lemma; quoting keeps hyphens literal."""
    return " ".join(f'"{lem}"' for lem in dict.fromkeys(lemmas))
