"""Word-level constants shared by the analysis, request parsing and rendering.

Importing this module loads no model: request parsers and renderers use it freely.
"""

from __future__ import annotations

import re

# A word: letters/digits, optionally joined by hyphens ("Касым-Жомарт", "торгово-экономический").
WORD_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# Short all-caps words are abbreviations: pymorphy reads "ИИ" as a form of the name "Ия".
ABBR_RE = re.compile(r"[A-ZА-ЯЁ]{2,6}")
