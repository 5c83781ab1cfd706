"""Case endings of names: one key for every case form of a name pymorphy does not know."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Case endings stripped to compare forms of one name: "Цзиньпина", "Цзиньпином" -> "цзиньпин".
# No "ов"/"ев": they end surnames ("Токаев"), not cases.
ENDINGS = sorted(
    (
        *("ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими"),
        *("ой", "ей", "ом", "ем", "ым", "им", "ая", "яя", "ую", "юю", "ах", "ях", "ам", "ям"),
        *("ы", "и", "а", "я", "у", "ю", "е", "ь", "й"),
    ),
    key=len,
    reverse=True,
)
# The noun endings of the above: a name ending like an adjective ending is common in the
# nominative ("Касым", "Рахим"), while "-ым" as a case ending marks surnames, which pymorphy
# tags itself ("Жапаровым").
NOUN_ENDINGS = tuple(
    e
    for e in ENDINGS
    if e not in {"ого", "его", "ому", "ему", "ыми", "ими", "ым", "им"}
    and e not in {"ая", "яя", "ую", "юю"}
)
MIN_STEM = 3
SURNAME_RE = re.compile(r"(?:ов|ев|ин|ын|ский|цкий|енко)$")  # "Токаев" (pymorphy: "токай")


def stem(word: str, endings: Sequence[str] = ENDINGS) -> str:
    """Strip one case ending: "Токаевым" -> "токаев", "Тяньцзинь" -> "тяньцзин"."""
    lowered = word.lower().replace("ё", "е")
    for ending in endings:
        if lowered.endswith(ending) and len(lowered) - len(ending) >= MIN_STEM:
            return lowered[: -len(ending)]
    return lowered


def noun_stem(word: str) -> str:
    """Strip one noun case ending from every hyphen part: "Касым-Жомартом" -> "касым-жомарт"."""
    return "-".join(stem(part, NOUN_ENDINGS) for part in word.split("-"))


def stem_key(words: Iterable[str]) -> str:
    """Stems of every word and hyphen part: the key that matches all case forms of a name."""
    return " ".join("-".join(stem(p) for p in w.split("-")) for w in words)
