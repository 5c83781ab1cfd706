"""Quantities with meaning (money, percentages, counts, ...) found by an ordered list of rules.

The rules are in figure_rules.py, their regular expressions in figure_patterns.py and the
vocabulary in figures.toml.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

from bot.analysis.figure_lexicon import LEFT, NUMBER, Lexicon, load_lexicon, parse_number
from bot.analysis.figure_patterns import Found, Patterns, compile_patterns
from bot.analysis.figure_rules import DIGIT_RULES, RULES, roman_value
from bot.analysis.models import Figure, Span
from bot.analysis.nlp import NlpModels

__all__ = ["extract_figures", "find_figures", "roman_value", "sentence_figures"]

MASK = "\x00"  # replaces claimed text so later rules cannot match inside it
# Bounds for pathological texts (a 28 KB "sentence" of ranges, a 1 MB article): no briefing
# shows more, and real sentences are far shorter.
MAX_FIGURES = 300
MAX_SENTENCE_CHARS = 3000
DATE_WINDOW = dt.timedelta(days=45)
UNDATED_WINDOW = dt.timedelta(days=400)  # before the latest date of an undated article


def _apply_rules(text: str, pats: Patterns, models: NlpModels) -> list[Found]:
    """Run the rules in order on one sentence; each masks its matches for the next."""
    chars = list(text)
    found: list[Found] = []
    digits = DIGIT_RE.search(text) is not None
    for rule in RULES:
        if not digits and rule in DIGIT_RULES:
            continue  # most sentences have no digit: dates, phones and ranges need one
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


def as_date(item: Found, default_year: int | None) -> Found:
    """A found date as a `date` figure valued YYYYMMDD, when its year is written or known
    from the publication date; otherwise it stays context."""
    if item.date is None:
        return item
    day, month, year = item.date
    year = year or default_year
    if year is None:
        return item
    return dataclasses.replace(
        item, kind="date", value=float(year * 10000 + month * 100 + day), unit="date"
    )


def sentence_figures(
    body: str,
    sentence: Span,
    models: NlpModels,
    lex: Lexicon | None = None,
    default_year: int | None = None,
) -> list[Figure]:
    """Figures of one sentence of `body`, with offsets into `body`."""
    pats = compile_patterns(lex or load_lexicon())
    found = [as_date(f, default_year) for f in _apply_rules(sentence.text, pats, models)]
    years = [f for f in found if f.year is not None]
    figures = []
    for item in sorted(found, key=lambda f: f.start):
        if item.kind is None or is_widget(sentence.text, item.start, item.stop):
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


WORD_RE = re.compile(r"[а-яёa-z]{3,}", re.IGNORECASE)


def is_widget(text: str, start: int, stop: int) -> bool:
    """A number in a line with no word of its own: an exchange-rate or weather widget
    ("$ 518.97  607.3  6.64"), page debris rather than news."""
    line_start = text.rfind("\n", 0, start) + 1
    line_stop = text.find("\n", stop)
    line = text[line_start : len(text) if line_stop < 0 else line_stop]
    rest = line[: start - line_start] + " " + line[stop - line_start :]
    return WORD_RE.search(rest) is None and WORD_RE.search(text[start:stop]) is None


# "..., из которых более 13 тысяч связаны ...", "118 из них уже прибыли", "из этих 823 автобусов
# 651 не подлежит ...": a part of the last count, which names the noun.
PART_RE = re.compile(
    rf"(?:{LEFT}из\s+(?:них|которых|этих\s+[^,.;:!?]{{1,40}}?)\s*,?\s+(?:(?P<q>более|менее|свыше|"
    rf"около|почти|лишь|всего)\s+)?(?P<num>{NUMBER})(?:\s*(?P<scale>тыс\.?|тысяч[а-я]*|млн\.?))?"
    rf"|(?P<num2>{NUMBER})\s+из\s+(?:них|которых))(?!\s*[%$€₸¥₽\d])"
    r"(?!\s+[а-яё]+(?:ых|их)(?![а-яё]))",  # "(из них 166 хвойных ...)": a breakdown by kind
    re.IGNORECASE,
)
SCALES = {"т": 1e3, "м": 1e6}


def part_figures(
    body: str, sentence: Span, figures: Sequence[Figure], last: Figure | None
) -> list[Figure]:
    """Counts that take their noun from the count before them (see PART_RE)."""
    result = []
    for m in PART_RE.finditer(sentence.text):
        start = sentence.start + m.start("num" if m["num"] else "num2")
        stop = sentence.start + m.end("scale" if m["scale"] else "num" if m["num"] else "num2")
        if any(f.phrase.start < stop and start < f.phrase.stop for f in figures):
            continue  # the number has a noun of its own
        before = [f for f in figures if f.kind == "count" and f.phrase.stop <= start]
        whole = before[-1] if before else last
        if whole is None or whole.kind != "count":
            continue
        value = parse_number(m["num"] or m["num2"])
        if m["scale"]:
            value *= SCALES[m["scale"][0].lower()]
        if m["q"]:
            start = sentence.start + m.start("q")
        phrase = Span(start=start, stop=stop, text=body[start:stop])
        result.append(
            whole.model_copy(
                update={
                    "value": value,
                    "qualifier": m["q"].lower() if m["q"] else None,
                    "phrase": phrase,
                    "sentence": sentence,
                }
            )
        )
    return result


def extract_figures(
    body: str, sentences: Sequence[Span], models: NlpModels, published: dt.date | None = None
) -> tuple[Figure, ...]:
    """The figures of an article in text order: at most MAX_FIGURES, and only from the first
    MAX_SENTENCE_CHARS of each sentence, so the cost is bounded whatever the text."""
    lex = load_lexicon()
    default_year = published.year if published else None
    found: list[Figure] = []
    for sentence in sentences:
        s = sentence
        if len(s.text) > MAX_SENTENCE_CHARS:
            s = Span(
                start=s.start, stop=s.start + MAX_SENTENCE_CHARS, text=s.text[:MAX_SENTENCE_CHARS]
            )
        figures = sentence_figures(body, s, models, lex, default_year)
        counts = [f for f in found if f.kind == "count"]
        figures += part_figures(body, s, figures, counts[-1] if counts else None)
        found += sorted(figures, key=lambda f: f.phrase.start)
        if len(found) >= MAX_FIGURES:
            break
    if published is not None:  # "большинство записей относится к 2022 году" in a 2025 story
        found = [f for f in found if f.kind != "target_year" or (f.value or 0) >= published.year]
    return tuple(news_dates(first_mentions(found), published)[:MAX_FIGURES])


def _day(value: float) -> dt.date | None:
    n = int(value)
    try:
        return dt.date(n // 10000, n // 100 % 100, n % 100)
    except ValueError:
        return None


def news_dates(figures: Sequence[Figure], published: dt.date | None) -> list[Figure]:
    """Dates that are the news: from DATE_WINDOW before the publication (or, undated,
    UNDATED_WINDOW before the article's latest date) on; "подписан 10 мая 2002 года" in a
    2023 story is background."""
    days = [_day(f.value) for f in figures if f.kind == "date" and f.value is not None]
    known = [d for d in days if d is not None]
    reference = published or (max(known) if known else None)
    if reference is None:
        return list(figures)
    earliest = reference - (DATE_WINDOW if published else UNDATED_WINDOW)
    result = []
    for f in figures:
        day = _day(f.value) if f.kind == "date" and f.value is not None else None
        if f.kind == "date" and (day is None or day < earliest):
            continue
        result.append(f)
    return result


DIGIT_RE = re.compile(r"\d")
YEAR_RE = re.compile(r"(?:19|20)\d{2}")


def first_mentions(figures: Sequence[Figure]) -> list[Figure]:
    """Each figure once, at its first mention ("$629 млн" in the lead and again below); a date
    without a year is dropped when the article gives the same day and month with one ("28–29
    мая" after "28–29 мая 2026 года")."""
    dated = {
        int(f.value) % 10000
        for f in figures
        if f.kind == "date" and f.value is not None and YEAR_RE.search(f.phrase.text)
    }
    seen: set[tuple[str, float | None, str, int | None]] = set()
    result = []
    for f in figures:
        key = (f.kind, f.value, f.unit, f.year)  # "30%" of the GDP and "30%" by 2033 are two
        if key in seen:
            continue
        if (
            f.kind == "date"
            and f.value is not None
            and not YEAR_RE.search(f.phrase.text)
            and int(f.value) % 10000 in dated
        ):
            continue
        seen.add(key)
        result.append(f)
    return result


def find_figures(text: str, models: NlpModels) -> tuple[Figure, ...]:
    """Figures of a short text taken as one sentence (for tests and queries)."""
    return extract_figures(text, [Span(start=0, stop=len(text), text=text)], models)
