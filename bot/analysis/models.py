"""Values produced by the analysis pipeline; they cross into the store and the renderers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

FigureKind = Literal[
    "money",
    "percent",
    "multiplier",
    "count",
    "measure",
    "anniversary",
    "ordinal",
    "target_year",
    "date",
]
EntityKind = Literal["PER", "ORG", "LOC"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Span(Frozen):
    """A verbatim piece of the article body: body[start:stop] == text."""

    start: int
    stop: int
    text: str


class KeySentence(Frozen):
    """A summary sentence with its centrality score and lemmas (for near-duplicate checks)."""

    span: Span
    score: float
    # Content lemmas; empty for a sentence shown only after the one it points back to ("Об
    # этом ... заявил Си Цзиньпин"), which must not be quoted alone as a story shared by sources.
    lemmas: tuple[str, ...]


class ThemeScore(Frozen):
    theme: str  # theme slug from themes.toml, e.g. "cybersecurity"
    score: float  # weighted, length-normalised; only themes above the threshold are kept
    snippet: Span  # the most relevant sentence for this theme
    matched: tuple[tuple[int, int], ...] = ()  # offsets (into the body) of the matched words


class Figure(Frozen):
    kind: FigureKind
    value: float | None  # normalised: 44e9 for "$44 млрд", 30.0 for "30%", 2.0 for "в два раза"
    unit: str  # normalised: "USD", "KZT", "CNY", "RUB", "EUR", "%", "x", "государство", "лет", ...
    # "около", "более", "почти", "свыше", "до", ... as written, lower case; "от … до" marks a
    # range ("от 10 до 15%", "10–15 млрд долларов"), whose value is its lower bound
    qualifier: str | None
    phrase: Span  # the exact phrase: "более чем 150 государствами"
    sentence: Span  # the sentence it stands in
    year: int | None = None  # time context: "в 2024 году", "к 2033 году"


class Entity(Frozen):
    kind: EntityKind
    name: str  # normalised nominative full name: "Касым-Жомарт Токаев", "ШОС"
    mentions: int
    aliases: tuple[str, ...] = ()  # surface forms merged into it


class Relevance(Frozen):
    """Is the article foreign-affairs news of Kazakhstan / Central Asia, and is China in it."""

    score: float  # 0..1
    relevant: bool  # foreign-affairs news of Kazakhstan / Central Asia worth a briefing
    china: bool  # China is a substantive part of it
    reasons: tuple[str, ...]  # which signals fired, short English slugs


class Analysis(Frozen):
    lang: str  # ISO 639-1: "ru", "kk", "zh", "en", or "und"
    sentences: tuple[Span, ...]
    sentence_lemmas: tuple[str, ...]  # per sentence, space-joined lemmas (for FTS5)
    summary: tuple[KeySentence, ...]  # 2-3 central sentences, in original order
    themes: tuple[ThemeScore, ...]  # descending score
    figures: tuple[Figure, ...]
    entities: tuple[Entity, ...]
    relevance: Relevance
