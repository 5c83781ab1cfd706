"""Script-based language detection: enough to decide whether full Russian analysis applies."""

from __future__ import annotations

import re

CYRILLIC_RE = re.compile(r"[А-Яа-яЁё]")
KAZAKH_RE = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
LATIN_RE = re.compile(r"[A-Za-z]")
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

KAZAKH_SHARE = 0.01  # Kazakh text has a Kazakh-only letter every ~20 letters; Russian has none
CJK_SHARE = 0.3  # a dateline like "2025-06-17丨Russian.News.Cn" must not make a text Chinese


def detect_language(text: str) -> str:
    """Return "ru", "kk", "zh", "en" or "und" from the letters the text is written in."""
    cyrillic = len(CYRILLIC_RE.findall(text))
    kazakh = len(KAZAKH_RE.findall(text))
    latin = len(LATIN_RE.findall(text))
    cjk = len(CJK_RE.findall(text))
    letters = cyrillic + kazakh + latin + cjk
    if letters == 0:
        return "und"
    if cjk / letters >= CJK_SHARE:
        return "zh"
    if cyrillic + kazakh >= latin:
        return "kk" if kazakh / (cyrillic + kazakh) >= KAZAKH_SHARE else "ru"
    return "en"
