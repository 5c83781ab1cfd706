"""The regular expressions of the figure rules, built from the lexicon, and what rules return."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from bot.analysis.figure_lexicon import LEFT, NUMBER, RIGHT, Lexicon, lookup, parse_number
from bot.analysis.models import FigureKind
from bot.analysis.nlp import NlpModels

SIGN = r"[$€₸¥₽]"


@dataclass(frozen=True, slots=True)
class Found:
    """A rule's match in a sentence; kind None marks context (a year, a date, a reference)."""

    kind: FigureKind | None
    start: int
    stop: int
    value: float | None = None
    unit: str = ""
    qualifier: str | None = None
    year: int | None = None
    date: tuple[int, int, int | None] | None = None  # (day, month, year): a date figure


@dataclass(frozen=True, eq=False)
class Patterns:
    """Regexes of every rule, compiled once from the lexicon."""

    lex: Lexicon
    by_name: dict[str, re.Pattern[str]]


Rule = Callable[[str, Patterns, NlpModels], Iterator[Found]]


ADJECTIVES = r"(?:[а-яё-]+(?:ого|его|ому|ему|ой|ей|ый|ий|ое|ее|ая|яя|ом|ем|ую|ых|их)\s+){0,2}"


def _q(lex: Lexicon) -> str:
    """An optional qualifier before a number: "более чем 150", "до $1,5 трлн"."""
    return rf"(?:{LEFT}(?P<q>{lex.qualifier})\s+)?"


def _num(lex: Lexicon) -> str:
    """Digits, or a number word right before a scale word (number_word_before_scale).

    "более двух миллиардов долларов", "полтора миллиарда долларов"; not "две страны".
    """
    word = rf"{LEFT}(?P<word>{lex.number_word}){RIGHT}(?=\s+(?:{lex.scale}){RIGHT})"
    return rf"(?:(?P<num>{NUMBER})|{word})"


def _time_of_day(lex: Lexicon) -> str:
    """ "в 10 часов утра", "в 10 часов", "к 9 часам вечера"; not "длились 10 часов"."""
    hour = rf"\d{{1,2}}(?:[.:]\d{{2}})?\s+час(?:а|ов|ам|у)?{RIGHT}(?:\s+\d{{1,2}}\s+минут[а-я]*)?"
    part = rf"\s+(?:{lex.daypart}){RIGHT}"
    return rf"{LEFT}(?:в\s+{hour}(?:{part})?|(?:к|до|с|около)\s+{hour}{part})"


def _range_head(lex: Lexicon) -> str:
    """The lower bound of a range up to its upper number: "от 10 до ", "10–", "$10–"."""
    low = rf"(?P<sign>{SIGN})?(?P<low>{NUMBER})(?:\s*(?P<lscale>{lex.scale}){RIGHT})?"
    return rf"{LEFT}(?:(?P<from>от)\s+)?{low}\s*(?:%|процент[а-я]*)?(?(from)\s+до\s+|\s*[–—-]\s*)"


def _sources(lex: Lexicon) -> dict[str, str]:
    q, num, scale = _q(lex), _num(lex), rf"(?:\s*(?P<scale>{lex.scale}){RIGHT})?"
    year = r"(?P<year>(?:19|20)\d{2})"
    year_word = r"(?:год[а-я]*|гг?\.)"
    return {
        "iso_date_or_time": rf"{year}-\d{{2}}-\d{{2}}|\d{{1,2}}:\d{{2}}(?::\d{{2}})?",
        "phone_number": r"(?:\+\d{1,3}[\s-]?)?(?:\(?\d{3,5}\)?[\s-]?)?\d{2,3}-\d{2}-\d{2}(?!\d)"
        r"|\+\d[\d\s()-]{9,}\d",
        "reference_number": rf"{LEFT}(?:{lex.reference})\s*\d+(?:[.,]\d+)*",
        "time_of_day": _time_of_day(lex),
        # "к 2033 году", "к 2030-му году", "до 2030-го года", "к 2030 г."
        "target_year": rf"{LEFT}(?:к|до)\s+{year}(?:-?(?:м|му|го|ому|ого))?\s*(?:году|года|г\.)",
        # "12.04.2026": a day-precise date
        "numeric_date": r"(?<![\d.,])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\."
        r"(?P<year>(?:19|20)\d{2})(?![\d]|\.\d)",
        "date_with_month": rf"(?P<day>\d{{1,2}})"
        rf"(?:\s*[–—-]\s*(?P<day2>\d{{1,2}})|\s+по\s+(?P<through>\d{{1,2}}))?\s+"
        rf"(?P<month>{lex.month}){RIGHT}(?:\s+{year}(?:\s*{year_word})?)?",
        "month_with_year": rf"{LEFT}(?:{lex.month})\s+{year}(?:\s*{year_word})?",
        "year_range": rf"{year}\s*[–—-]\s*(?:19|20)\d{{2}}(?:\s*{year_word})?",
        "bare_year": rf"{year}(?:-?[а-я]{{1,2}})?\s*{year_word}",
        "year_after_preposition": rf"{LEFT}(?:в|с|к|до|по|на|из)\s+{year}(?=\s*(?:[,.;:)!?]|$))",
        "duration_adjective": r"(?<![\w.,])(?P<num>\d{1,3})-"
        r"(?P<stem>часов|дневн|суточн|недельн|месячн)[а-я]*",
        "anniversary": r"(?P<num>\d{1,4})-(?:лети[а-я]*|летн[а-я]*\s+юбиле[а-я]*)",
        # Up to two adjectives between: "IV международного форума", "10-м юбилейном саммите".
        "ordinal_roman": rf"(?-i:(?P<roman>[IVXLCDM]+))\s+{ADJECTIVES}(?P<event>{lex.event})",
        "ordinal_number": rf"(?P<num>\d{{1,3}})-[а-я]{{1,3}}\s+{ADJECTIVES}(?P<event>{lex.event})",
        "ordinal_word": rf"{LEFT}(?P<word>[а-яё]+)\s+{ADJECTIVES}(?P<event>{lex.event})",
        "multiplier": rf"{LEFT}в\s+(?:(?P<low>{NUMBER})\s*[–—-]\s*)?"
        rf"(?P<num>{NUMBER}|{lex.number_word})\s+раза?{RIGHT}",
        "multiplier_word": rf"{LEFT}(?P<word>{'|'.join(lex.multiplier_words)}){RIGHT}",
        "range_of_numbers": _range_head(lex),
        "change_of_numbers": rf"{LEFT}с\s+(?P<lowpart>(?P<low>{NUMBER})"
        rf"(?:\s*(?P<lscale>{lex.scale})(?:(?<=\.)|{RIGHT}))?)\s+до\s+",
        "money_sign_first": rf"{q}(?P<sign>{SIGN})\s?{num}{scale}",
        "money_words": rf"{q}{num}{scale}\s*(?P<cur>(?:{lex.currency}){RIGHT}|{SIGN})",
        "percent_points": rf"{q}{num}\s*(?:п\.\s?п\.|процентн[а-я]*\s+пункт[а-я]*)",
        "percent": rf"{q}{num}\s?(?:%|процент[а-я]*|проц\.?(?![а-яё]))",  # "53 проц."
        "measure": rf"{q}{num}{scale}\s*(?P<unit>{lex.unit})(?![а-яёa-z])",
        "count": rf"{q}{num}{scale}\s+(?P<words>[а-яё]+(?:\s+[а-яё]+){{0,3}})",
        # «двадцать пять предприятий», «две с половиной тысячи предприятий», «семи государств»
        "count_in_words": rf"{q}{LEFT}(?P<nw>(?:{lex.number_word})(?:\s+(?:{lex.number_word}))?)"
        rf"{RIGHT}(?P<half>\s+с\s+половиной)?{scale}\s+(?P<words>[а-яё]+(?:\s+[а-яё]+){{0,3}})",
    }


@cache
def compile_patterns(lex: Lexicon) -> Patterns:
    """Compile all rule regexes (cached per lexicon)."""
    flags = re.IGNORECASE
    return Patterns(lex, {k: re.compile(v, flags) for k, v in _sources(lex).items()})


def qualifier(m: re.Match[str]) -> str | None:
    """The qualifier before the number, lower case with single spaces."""
    q = m.groupdict().get("q")
    return " ".join(q.lower().split()) if q else None


def number(m: re.Match[str], lex: Lexicon) -> float:
    """The number of a match: digits ("1,5") or a number word ("двух", "полтора")."""
    if m.groupdict().get("num"):
        return parse_number(m["num"])
    return float(lookup(lex.number_words, m["word"]))  # type: ignore[arg-type]


def scaled(m: re.Match[str], lex: Lexicon) -> float:
    """The number times its scale word: "44 млрд" -> 44e9."""
    value = number(m, lex)
    if m.groupdict().get("scale"):
        value *= float(lookup(lex.scales, m["scale"]))  # type: ignore[arg-type]
    return value
