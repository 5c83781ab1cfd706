"""Sentence splitting with paragraph (line) boundaries and flags for headings and list items."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from razdel import sentenize

from bot.analysis.models import Span

SentenceKind = Literal["text", "heading", "item", "debris"]

LINE_RE = re.compile(r"[^\n]+")
FINAL_PUNCT = ".!?…"
CLOSING = '»"”’)'
ITEM_START_RE = re.compile(r"\s*[-–—•*·]\s")
ITEM_END = ";:,"
# Page debris: "Комментарии0 комментарий(ев)", "2025-06-17 04:05:45丨Russian.News.Cn".
DEBRIS_RES = (
    re.compile(r"комментари\w*\s*\d", re.IGNORECASE),
    re.compile(r"^\s*\d{4}-\d{2}-\d{2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"),
    re.compile(r"\w_[A-Za-z]+\.[A-Za-z]+\s*$"),  # "..._Russian.news.cn" tab titles
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the body with its kind; `span` offsets point into the body."""

    span: Span
    kind: SentenceKind
    paragraph: int


def line_kind(line: str) -> SentenceKind:
    """Classify a whole line: debris, list item, heading (no final punctuation) or text."""
    stripped = line.rstrip()
    if any(rx.search(stripped) for rx in DEBRIS_RES):
        return "debris"
    if ITEM_START_RE.match(stripped) or stripped.endswith(tuple(ITEM_END)):
        return "item"
    if not stripped.rstrip(CLOSING).endswith(tuple(FINAL_PUNCT)):
        return "heading"
    return "text"


def split_sentences(body: str) -> list[Sentence]:
    """Split `body` into sentences; every line is a paragraph boundary."""
    result: list[Sentence] = []
    for paragraph, line in enumerate(LINE_RE.finditer(body)):
        if not line.group().strip():
            continue
        kind = line_kind(line.group())
        pieces = list(sentenize(line.group()))
        for n, piece in enumerate(pieces):
            start, stop = line.start() + piece.start, line.start() + piece.stop
            span = Span(start=start, stop=stop, text=body[start:stop])
            own = lead_in_kind(span.text, kind, last=n == len(pieces) - 1)
            result.append(Sentence(span, own, paragraph))
    return result


def lead_in_kind(text: str, kind: SentenceKind, last: bool) -> SentenceKind:
    """Only the last sentence of a line introducing a list is the list's introduction:
    "Главной темой стала роль Казахстана. Эксперты выделили несколько направлений:"."""
    if kind == "item" and not last and not ITEM_START_RE.match(text):
        complete = text.rstrip().rstrip(CLOSING).endswith(tuple(FINAL_PUNCT))
        return "text" if complete else kind
    return kind


def sentence_at(sentences: Sequence[Sentence], offset: int) -> Sentence | None:
    """The sentence containing the body offset, if any (binary search)."""
    lo, hi = 0, len(sentences)
    while lo < hi:
        mid = (lo + hi) // 2
        if sentences[mid].span.stop <= offset:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(sentences) and sentences[lo].span.start <= offset:
        return sentences[lo]
    return None
