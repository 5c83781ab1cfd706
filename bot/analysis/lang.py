"""Script-based language detection: enough to decide whether full Russian analysis applies."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

CYRILLIC_RE = re.compile(r"[А-Яа-яЁё]")
KAZAKH_RE = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
LATIN_RE = re.compile(r"[A-Za-z]")
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CYRILLIC_WORD_RE = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]+(?:-[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]+)*")

# Kazakh prose has a Kazakh-only letter in a third to a half of its words; a Russian text that
# names "Ақорда" and «Қазақстан жолы» has it in 2 words of 20 or more.
KAZAKH_WORD_SHARE = 0.15
CJK_SHARE = 0.3  # a dateline like "2025-06-17丨Russian.News.Cn" must not make a text Chinese


@dataclass(frozen=True)
class FunctionWords:
    """Function words of Kazakh and Russian, from lang.toml."""

    kazakh: frozenset[str]
    russian: frozenset[str]


@cache
def load_function_words() -> FunctionWords:
    """Read lang.toml shipped with the package (cached)."""
    text = resources.files("bot.analysis").joinpath("lang.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return FunctionWords(
        frozenset(data["kazakh_function_words"]), frozenset(data["russian_function_words"])
    )


def kazakh_letters_in_many_words(words: list[str]) -> bool:
    """Enough words carry Kazakh-only letters: "Қазақстан Республикасының Президенті"."""
    marked = sum(1 for w in words if KAZAKH_RE.search(w))
    return marked / len(words) >= KAZAKH_WORD_SHARE


def function_words_vote(words: list[str], book: FunctionWords) -> str | None:
    """ "kk" or "ru" by the more frequent function words, None on a tie (short headlines)."""
    kazakh = sum(1 for w in words if w in book.kazakh)  # "Қазақстан мен Қытай", "бойынша"
    russian = sum(1 for w in words if w in book.russian)  # "в Ақорде", "и", "на"
    if kazakh == russian:
        return None
    return "kk" if kazakh > russian else "ru"


def is_kazakh(text: str, book: FunctionWords) -> bool:
    """Cyrillic text is Kazakh by its function words, or by its letters when those are silent."""
    words = [w.lower() for w in CYRILLIC_WORD_RE.findall(text)]
    if not words:
        return False
    vote = function_words_vote(words, book)
    if vote is not None:
        return vote == "kk"
    return kazakh_letters_in_many_words(words)


def detect_language(text: str) -> str:
    """Return "ru", "kk", "zh", "en" or "und" from the letters and words of the text."""
    cyrillic = len(CYRILLIC_RE.findall(text)) + len(KAZAKH_RE.findall(text))
    latin = len(LATIN_RE.findall(text))
    cjk = len(CJK_RE.findall(text))
    letters = cyrillic + latin + cjk
    if letters == 0:
        return "und"
    if cjk / letters >= CJK_SHARE:
        return "zh"
    if cyrillic >= latin:
        return "kk" if is_kazakh(text, load_function_words()) else "ru"
    return "en"
