"""Cues that a sentence cannot stand alone: anaphoric openings, connectives, quoted speech."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.analysis.sentences import Sentence

# A quotation opened in one sentence and closed in a later one: «Положительная динамика ...
# Китай – крупнейший торговый партнер Казахстана. ...», — отметил Токаев.
QUOTE_OPEN, QUOTE_CLOSE = "«", "»"
# Direct speech put first: «Мы готовы», — сказал он. / — Мы готовы, — сказал он.
# Not a name put first: «Клуб друзей Казахстана в Китае» - это экспертная площадка ...
SPEECH_START_RE = re.compile(r'^\s*(?:[—–]\s|[«"„“][^«»"„“”]*[»"“”],?\s*[—–])')
QUOTED_RE = re.compile(r"«[^«»]*»|“[^“”]*”|„[^„“]*“")
# A quotation this long is someone's words, not a name: «Годом образования и научных
# исследований» has 5 words, «Мы готовы оказывать друг другу поддержку во всех вопросах» 9.
LONG_QUOTE_WORDS = 8
WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class CueBook:
    """Opening patterns from cues.toml."""

    anaphora: re.Pattern[str]
    connective: re.Pattern[str]
    pronoun_speaker: re.Pattern[str]


def opening_re(phrases: Iterable[str]) -> re.Pattern[str]:
    """Any of the phrases as whole words at the start of a sentence (after punctuation)."""
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"^[^\w«]*(?:{alternatives})(?![\w-])", re.IGNORECASE)


@cache
def load_cues() -> CueBook:
    """Read cues.toml shipped with the package (cached)."""
    text = resources.files("bot.analysis").joinpath("cues.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    speakers = "|".join(map(re.escape, data["pronoun_speakers"]))
    return CueBook(
        anaphora=opening_re(data["anaphora"]),
        connective=opening_re(data["connectives"]),
        # ", подчеркнул он," / "— сказала она": a speech verb in the past, then the pronoun.
        pronoun_speaker=re.compile(rf"[,—–]\s*\w+л[аио]?\s+(?:{speakers})(?![\w-])"),
    )


def opens_with_anaphora(text: str, book: CueBook | None = None) -> bool:
    """Whether it points back: "Об этом ... заявил", "Он напомнил", "..., подчеркнул он"."""
    book = book or load_cues()
    return bool(book.anaphora.search(text) or book.pronoun_speaker.search(text))


def opens_with_connective(text: str, book: CueBook | None = None) -> bool:
    """Whether it opens with a connective: "В свою очередь", "Кроме того", "Во-вторых"."""
    return bool((book or load_cues()).connective.search(text))


def longest_quote(text: str) -> int:
    """Words in the longest «...» (or “...”, „...“) of the sentence."""
    return max((len(WORD_RE.findall(m.group())) for m in QUOTED_RE.finditer(text)), default=0)


def is_speech(text: str, inside_quote: bool) -> bool:
    """Direct speech: inside a quotation of several sentences, put first, or a long quote."""
    return (
        inside_quote
        or bool(SPEECH_START_RE.match(text))
        or longest_quote(text) >= LONG_QUOTE_WORDS
    )


def inside_quotes(sentences: Sequence[Sentence]) -> list[bool]:
    """Whether each sentence starts inside a quotation opened by an earlier one (same line)."""
    result, depth, paragraph = [], 0, -1
    for s in sentences:
        if s.paragraph != paragraph:
            depth, paragraph = 0, s.paragraph
        result.append(depth > 0)
        depth = max(0, depth + s.span.text.count(QUOTE_OPEN) - s.span.text.count(QUOTE_CLOSE))
    return result
