"""The figure vocabulary from figures.toml, compiled into regular expressions once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

# A number: "44", "1,5", "1 500" (no-break spaces too), never a piece of a longer number.
NUMBER = r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)(?:[.,]\d+)?(?!\d)"
LEFT = r"(?<![а-яёa-z\d])"  # a word starts here
RIGHT = r"(?![а-яёa-z\d])"  # a word ends here


@dataclass(frozen=True, eq=False)  # hashed by identity: it is loaded once
class Lexicon:
    """Compiled figure vocabulary: alternations for regexes plus lookup tables."""

    qualifier: str
    scale: str
    scales: tuple[tuple[re.Pattern[str], float], ...]
    currency: str
    currencies: tuple[tuple[re.Pattern[str], str], ...]
    signs: dict[str, str]
    unit: str
    units: tuple[tuple[re.Pattern[str], str], ...]
    number_word: str
    number_words: tuple[tuple[re.Pattern[str], float], ...]
    multiplier_words: dict[str, float]
    event: str
    time_lemmas: frozenset[str]
    month: str
    ordinal_words: dict[str, int]
    reference: str
    daypart: str
    counted_lemmas: dict[str, str]


def _alt(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def _table(raw: dict[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(rf"(?:{p})", re.IGNORECASE), name) for name, p in raw.items())


def _values(raw: dict[str, float]) -> tuple[tuple[re.Pattern[str], float], ...]:
    return tuple((re.compile(rf"(?:{p})", re.IGNORECASE), float(v)) for p, v in raw.items())


@cache
def load_lexicon() -> Lexicon:
    """Read figures.toml shipped with the package (cached)."""
    text = resources.files("bot.analysis").joinpath("figures.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return Lexicon(
        qualifier=_alt(data["qualifiers"]),
        scale=_alt(list(data["scales"])),
        scales=_values(data["scales"]),
        currency=_alt(list(data["currency_words"].values())),
        currencies=_table(data["currency_words"]),
        signs=dict(data["currency_signs"]),
        unit=_alt(list(data["units"].values())),
        units=_table(data["units"]),
        number_word=_alt(list(data["number_words"])),
        number_words=_values(data["number_words"]),
        multiplier_words={k: float(v) for k, v in data["multiplier_words"].items()},
        event=data["event_nouns"]["pattern"],
        time_lemmas=frozenset(data["time_nouns"]["lemmas"]),
        month=data["months"]["pattern"],
        ordinal_words={k: int(v) for k, v in data["ordinal_words"].items()},
        reference=data["reference_words"]["pattern"],
        daypart=data["time_of_day"]["pattern"],
        counted_lemmas=dict(data.get("counted_lemmas", {})),
    )


def lookup(table: tuple[tuple[re.Pattern[str], object], ...], text: str) -> object:
    """The value of the first table pattern matching the whole `text`."""
    for pattern, value in table:
        if pattern.fullmatch(text):
            return value
    raise KeyError(text)


def parse_number(text: str) -> float:
    """'1 500' -> 1500.0, '1,5' -> 1.5."""
    return float(re.sub(r"[ \u00a0\u202f\u2009]", "", text).replace(",", "."))
