"""Quantities with meaning (money, percentages, counts, ...) found by an ordered list of rules.

The rules are in figure_rules.py, their regular expressions in figure_patterns.py and the
vocabulary in figures.toml.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.analysis.figure_lexicon import Lexicon, load_lexicon
from bot.analysis.figure_patterns import Found, Patterns, compile_patterns
from bot.analysis.figure_rules import RULES, roman_value
from bot.analysis.models import Figure, Span
from bot.analysis.nlp import NlpModels

__all__ = ["extract_figures", "find_figures", "roman_value", "sentence_figures"]

MASK = "\x00"
# Bounds for pathological texts (a 28 KB "sentence" of ranges, a 1 MB article): no briefing
# shows more, and real sentences are far shorter.
MAX_FIGURES = 300
MAX_SENTENCE_CHARS = 3000  # replaces claimed text so later rules cannot match inside it


def _apply_rules(text: str, pats: Patterns, models: NlpModels) -> list[Found]:
    """Run the rules in order on one sentence; each masks its matches for the next."""
    chars = list(text)
    found: list[Found] = []
    for rule in RULES:
        masked = "".join(chars)  # once per rule: linear in the sentence, however many figures
        for item in list(rule(masked, pats, models)):
            if MASK in chars[item.start : item.stop]:
                continue  # another pattern of the same rule already claimed this text
            chars[item.start : item.stop] = MASK * (item.stop - item.start)
            found.append(item)
    return found


def _nearest_year(item: Found, years: Sequence[Found]) -> int | None:
    """The year closest to the figure in its sentence: "в 2024 году превысил $650 млрд"."""
    if item.year is not None or not years:
        return item.year
    return min(years, key=lambda y: abs(y.start - item.start)).year


def _trim(text: str, item: Found) -> int:
    """Drop a sentence's final period taken as an abbreviation dot: "$44 млрд." -> "$44 млрд"."""
    if text[item.stop - 1] == "." and not text[item.stop :].strip():
        return item.stop - 1
    return item.stop


def sentence_figures(
    body: str, sentence: Span, models: NlpModels, lex: Lexicon | None = None
) -> list[Figure]:
    """Figures of one sentence of `body`, with offsets into `body`."""
    pats = compile_patterns(lex or load_lexicon())
    found = _apply_rules(sentence.text, pats, models)
    years = [f for f in found if f.year is not None]
    figures = []
    for item in sorted(found, key=lambda f: f.start):
        if item.kind is None:
            continue
        start, stop = sentence.start + item.start, sentence.start + _trim(sentence.text, item)
        phrase = Span(start=start, stop=stop, text=body[start:stop])
        figures.append(
            Figure(
                kind=item.kind,
                value=item.value,
                unit=item.unit,
                qualifier=item.qualifier,
                phrase=phrase,
                sentence=sentence,
                year=_nearest_year(item, years),
            )
        )
    return figures


def extract_figures(body: str, sentences: Sequence[Span], models: NlpModels) -> tuple[Figure, ...]:
    """The figures of an article in text order: at most MAX_FIGURES, and only from the first
    MAX_SENTENCE_CHARS of each sentence, so the cost is bounded whatever the text."""
    lex = load_lexicon()
    found: list[Figure] = []
    for sentence in sentences:
        s = sentence
        if len(s.text) > MAX_SENTENCE_CHARS:
            s = Span(
                start=s.start, stop=s.start + MAX_SENTENCE_CHARS, text=s.text[:MAX_SENTENCE_CHARS]
            )
        found += sentence_figures(body, s, models, lex)
        if len(found) >= MAX_FIGURES:
            return tuple(found[:MAX_FIGURES])
    return tuple(found)


def find_figures(text: str, models: NlpModels) -> tuple[Figure, ...]:
    """Figures of a short text taken as one sentence (for tests and queries)."""
    return extract_figures(text, [Span(start=0, stop=len(text), text=text)], models)
