"""Quantities with meaning (money, percentages, counts, ...) found by an ordered list of rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from bot.analysis.figure_lexicon import (
    LEFT,
    NUMBER,
    RIGHT,
    Lexicon,
    load_lexicon,
    lookup,
    parse_number,
)
from bot.analysis.models import Figure, FigureKind, Span
from bot.analysis.nlp import NlpModels

MASK = "\x00"  # replaces claimed text so later rules cannot match inside it
ROMAN_RE = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


@dataclass(frozen=True, slots=True)
class Found:
    """A rule's match in a sentence; kind None marks time context (a year or date)."""

    kind: FigureKind | None
    start: int
    stop: int
    value: float | None = None
    unit: str = ""
    qualifier: str | None = None
    year: int | None = None


Rule = Callable[[str, "Patterns", NlpModels], Iterator[Found]]


@dataclass(frozen=True, eq=False)
class Patterns:
    """Regexes of every rule, compiled once from the lexicon."""

    lex: Lexicon
    by_name: dict[str, re.Pattern[str]]


def _q(lex: Lexicon) -> str:
    """An optional qualifier before a number: "более чем 150", "до $1,5 трлн"."""
    return rf"(?:{LEFT}(?P<q>{lex.qualifier})\s+)?"


def _sources(lex: Lexicon) -> dict[str, str]:
    q, num, scale = _q(lex), rf"(?P<num>{NUMBER})", rf"(?:\s*(?P<scale>{lex.scale}){RIGHT})?"
    year = r"(?P<year>(?:19|20)\d{2})"
    year_word = r"(?:год[а-я]*|гг?\.)"
    return {
        "iso_date_or_time": rf"{year}-\d{{2}}-\d{{2}}|\d{{1,2}}:\d{{2}}(?::\d{{2}})?",
        "phone_number": r"(?:\+\d{1,3}[\s-]?)?(?:\(?\d{3,5}\)?[\s-]?)?\d{2,3}-\d{2}-\d{2}(?!\d)"
        r"|\+\d[\d\s()-]{9,}\d",
        "target_year": rf"{LEFT}(?:к|до)\s+{year}\s*(?:году|года|г\.)",
        "date_with_month": rf"\d{{1,2}}(?:\s*[–—-]\s*\d{{1,2}})?\s+(?:{lex.month}){RIGHT}"
        rf"(?:\s+{year}(?:\s*{year_word})?)?",
        "month_with_year": rf"{LEFT}(?:{lex.month})\s+{year}(?:\s*{year_word})?",
        "year_range": rf"{year}\s*[–—-]\s*(?:19|20)\d{{2}}(?:\s*{year_word})?",
        "bare_year": rf"{year}(?:-?[а-я]{{1,2}})?\s*{year_word}",
        "year_after_preposition": rf"{LEFT}(?:в|с|к|до|по|на|из)\s+{year}(?=\s*(?:[,.;:)!?]|$))",
        "anniversary": r"(?P<num>\d{1,4})-(?:лети[а-я]*|летн[а-я]*\s+юбиле[а-я]*)",
        "ordinal_roman": rf"(?-i:(?P<roman>[IVXLCDM]+))\s+(?P<event>{lex.event})",
        "ordinal_number": rf"(?P<num>\d{{1,3}})-[а-я]{{1,3}}\s+(?P<event>{lex.event})",
        "ordinal_word": rf"{LEFT}(?P<word>[а-яё]+)\s+(?P<event>{lex.event})",
        "multiplier": rf"{LEFT}в\s+(?P<num>{NUMBER}|{lex.number_word})\s+раза?{RIGHT}",
        "multiplier_word": rf"{LEFT}(?P<word>{'|'.join(lex.multiplier_words)}){RIGHT}",
        "money_sign_first": rf"{q}(?P<sign>[$€₸¥₽])\s?{num}{scale}",
        "money_words": rf"{q}{num}{scale}\s*(?P<cur>(?:{lex.currency}){RIGHT}|[$€₸¥₽])",
        "percent_points": rf"{q}{num}\s*(?:п\.\s?п\.|процентн[а-я]*\s+пункт[а-я]*)",
        "percent": rf"{q}{num}\s?(?:%|процент[а-я]*)",
        "measure": rf"{q}{num}{scale}\s*(?P<unit>{lex.unit})(?![а-яёa-z])",
        "count": rf"{q}{num}{scale}\s+(?P<words>[а-яё]+(?:\s+[а-яё]+){{0,2}})",
    }


@cache
def compile_patterns(lex: Lexicon) -> Patterns:
    """Compile all rule regexes (cached per lexicon)."""
    flags = re.IGNORECASE
    return Patterns(lex, {k: re.compile(v, flags) for k, v in _sources(lex).items()})


def _qualifier(m: re.Match[str]) -> str | None:
    q = m.groupdict().get("q")
    return " ".join(q.lower().split()) if q else None


def _scaled(m: re.Match[str], lex: Lexicon) -> float:
    value = parse_number(m["num"])
    if m.groupdict().get("scale"):
        value *= float(lookup(lex.scales, m["scale"]))  # type: ignore[arg-type]
    return value


def _context_rule(name: str) -> Rule:
    """A date, time or year: never a figure, but a year becomes context for figures."""

    def rule(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
        for m in pats.by_name[name].finditer(text):
            year = m.groupdict().get("year")
            yield Found(None, m.start(), m.end(), year=int(year) if year else None)

    rule.__name__ = name
    return rule


def target_year(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "к 2033 году": a deadline is a figure and the year context of its sentence."""
    for m in pats.by_name["target_year"].finditer(text):
        year = int(m["year"])
        yield Found("target_year", m.start(), m.end(), float(year), "год", year=year)


def anniversary(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "80-летие", "25-летием": a round date, counted in years."""
    for m in pats.by_name["anniversary"].finditer(text):
        yield Found("anniversary", m.start(), m.end(), parse_number(m["num"]), "лет")


def _event(m: re.Match[str], models: NlpModels) -> str:
    return models.lemma(m["event"])


def roman_value(numeral: str) -> int:
    """'XXV' -> 25."""
    values = [ROMAN_VALUES[c] for c in numeral]
    return sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))


def ordinal_event(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "XXV саммит", "8-е заседание", "2-го саммита", "на втором саммите"."""
    for m in pats.by_name["ordinal_roman"].finditer(text):
        if ROMAN_RE.fullmatch(m["roman"]):
            value = float(roman_value(m["roman"]))
            yield Found("ordinal", m.start(), m.end(), value, _event(m, models))
    for m in pats.by_name["ordinal_number"].finditer(text):
        yield Found("ordinal", m.start(), m.end(), parse_number(m["num"]), _event(m, models))
    for m in pats.by_name["ordinal_word"].finditer(text):
        number = pats.lex.ordinal_words.get(models.lemma(m["word"]))
        if number is not None:
            yield Found("ordinal", m.start(), m.end(), float(number), _event(m, models))


def multiplier(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "в два раза", "в 100 раз", "в полтора раза", "вдвое"."""
    for m in pats.by_name["multiplier"].finditer(text):
        num = m["num"]
        value = parse_number(num) if num[0].isdigit() else lookup(pats.lex.number_words, num)
        yield Found("multiplier", m.start(), m.end(), float(value), "x")  # type: ignore[arg-type]
    for m in pats.by_name["multiplier_word"].finditer(text):
        value = pats.lex.multiplier_words[m["word"].lower()]
        yield Found("multiplier", m.start(), m.end(), value, "x")


def money(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "$44 млрд", "до $1,5 трлн", "44 миллиардов долларов", "1,2 трлн тенге"."""
    lex = pats.lex
    for m in pats.by_name["money_sign_first"].finditer(text):
        unit = lex.signs[m["sign"]]
        yield Found("money", m.start(), m.end(), _scaled(m, lex), unit, _qualifier(m))
    for m in pats.by_name["money_words"].finditer(text):
        cur = m["cur"]
        unit = lex.signs.get(cur) or str(lookup(lex.currencies, cur))
        yield Found("money", m.start(), m.end(), _scaled(m, lex), unit, _qualifier(m))


def percent(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "30%", "15 процентов", "на 2 п.п."."""
    for name, unit in (("percent_points", "п.п."), ("percent", "%")):
        for m in pats.by_name[name].finditer(text):
            yield Found("percent", m.start(), m.end(), parse_number(m["num"]), unit, _qualifier(m))


def measure(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "1 200 км", "5 млн тонн", "300 МВт"."""
    lex = pats.lex
    for m in pats.by_name["measure"].finditer(text):
        unit = str(lookup(lex.units, m["unit"]))
        yield Found("measure", m.start(), m.end(), _scaled(m, lex), unit, _qualifier(m))


def _counted_noun(words: str, models: NlpModels) -> tuple[int, str] | None:
    """Length of "крупных компаний" up to its noun and the noun's lemma, if it is one."""
    offset = 0
    for word in words.split():
        end = words.index(word, offset) + len(word)
        tag = models.tag(word)
        if not word[0].islower():
            return None
        if tag.POS == "NOUN":
            return end, models.lemma(word)
        if tag.POS not in {"ADJF", "PRTF"}:
            return None
        offset = end
    return None


def count(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "более чем 150 государствами", "400 тысяч студентов", "24 документа"; "10 лет" is time."""
    for m in pats.by_name["count"].finditer(text):
        noun = _counted_noun(m["words"], models)
        if noun is None:
            continue
        stop = m.start("words") + noun[0]
        kind: FigureKind = "measure" if noun[1] in pats.lex.time_lemmas else "count"
        yield Found(kind, m.start(), stop, _scaled(m, pats.lex), noun[1], _qualifier(m))


# Order matters: each rule masks what it matched, so dates and years are claimed before any
# number rule could read "2024" or "30" in "30 августа" as a quantity.
RULES: tuple[Rule, ...] = (
    _context_rule("iso_date_or_time"),
    _context_rule("phone_number"),
    target_year,
    _context_rule("date_with_month"),
    _context_rule("month_with_year"),
    _context_rule("year_range"),
    _context_rule("bare_year"),
    _context_rule("year_after_preposition"),
    anniversary,
    ordinal_event,
    multiplier,
    money,
    percent,
    measure,
    count,
)


def _apply_rules(text: str, pats: Patterns, models: NlpModels) -> list[Found]:
    """Run the rules in order on one sentence; each masks its matches for the next."""
    masked = text
    found: list[Found] = []
    for rule in RULES:
        for item in list(rule(masked, pats, models)):
            if MASK in masked[item.start : item.stop]:
                continue  # another pattern of the same rule already claimed this text
            masked = masked[: item.start] + MASK * (item.stop - item.start) + masked[item.stop :]
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
    """All figures of an article, in text order."""
    lex = load_lexicon()
    return tuple(f for s in sentences for f in sentence_figures(body, s, models, lex))


def find_figures(text: str, models: NlpModels) -> tuple[Figure, ...]:
    """Figures of a short text taken as one sentence (for tests and queries)."""
    return extract_figures(text, [Span(start=0, stop=len(text), text=text)], models)
