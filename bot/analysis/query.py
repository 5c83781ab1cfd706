"""Lemmas for full-text search queries and highlighting of matched words in sentences."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from bot.analysis.nlp import NlpModels
from bot.analysis.summary import stop_words

MIN_PREFIX = 3  # letters a filter word needs to match as the start of a name word
SHOWN_SENTENCES = 3  # sentences of one /search hit at most
# A token as FTS5's unicode61 tokenizer cuts lemma text: letters and digits; a hyphen, like any
# other character, separates ("торгово-экономический" is the phrase "торгово экономический").
FTS_TOKEN_RE = re.compile(r"[^\W_]+")


def query_lemmas(text: str, models: NlpModels) -> tuple[str, ...]:
    """Distinct content lemmas of a query, in order: "торговлей с Китаем" -> торговля, китай."""
    stops = stop_words()
    lemmas = (t.lemma for t in models.tokens(text))
    return tuple(dict.fromkeys(lemma for lemma in lemmas if lemma not in stops))


def highlight(
    sentence_text: str, lemmas: Collection[str], models: NlpModels
) -> list[tuple[int, int]]:
    """Offsets (into `sentence_text`) of the words whose lemma is one of `lemmas`."""
    wanted = set(lemmas)
    return [(t.start, t.stop) for t in models.tokens(sentence_text) if t.lemma in wanted]


def name_matches(query: Sequence[str], name: str, models: NlpModels) -> bool:
    """Every query lemma names a word of `name`: by lemma, or as the start of a word.

    "/people Токаева" finds «Касым-Жомарт Токаев» (lemma), "/sources lada" finds «Lada.kz»
    and "/people Цзиньпин" finds «Си Цзиньпин» (a prefix: names the morphology does not know).
    """
    words = [(t.lemma, t.text.lower()) for t in models.tokens(name)]
    return all(
        any(q == lemma or (len(q) >= MIN_PREFIX and text.startswith(q)) for lemma, text in words)
        for q in query
    )


def name_query(text: str, models: NlpModels) -> tuple[str, ...]:
    """Lemmas of a name filter, stop words left out: "/people о Токаеве" -> токаев."""
    lemmas = [t.lemma for t in models.tokens(text)]
    stops = stop_words()
    return tuple(dict.fromkeys(lem for lem in lemmas if lem not in stops)) or tuple(lemmas)


def fts_words(lemmas: str) -> tuple[str, ...]:
    """Tokens of a lemma text as the full-text index holds them."""
    return tuple(FTS_TOKEN_RE.findall(lemmas.lower()))


def has_phrase(words: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether `phrase` stands in `words` as consecutive tokens."""
    n = len(phrase)
    if n == 1:
        return phrase[0] in words
    return n > 0 and any(
        tuple(words[i : i + n]) == tuple(phrase) for i in range(len(words) - n + 1)
    )


def covering_sentences(
    sentence_lemmas: Sequence[str], query: Sequence[str], most: int = SHOWN_SENTENCES
) -> tuple[int, ...]:
    """Indices of the sentences that show why an article matched a search: first the one
    holding the most query lemmas (of equals, the earliest), then, while some lemma is not
    shown yet, the one adding most of the rest; at most `most` sentences.

    "торговля китай": «Китай — крупнейший торговый партнёр.» lacks «торговля»; a sentence
    with both wins, else one with «китай» and one with «торговля» are shown.
    """
    phrases = [fts_words(q) for q in dict.fromkeys(query)]
    held = [
        frozenset(i for i, p in enumerate(phrases) if has_phrase(words, p))
        for words in map(fts_words, sentence_lemmas)
    ]
    picked: list[int] = []
    missing = set(range(len(phrases)))
    while missing and len(picked) < most:
        # max() keeps the first of equal counts: the earliest sentence.
        best = max(range(len(held)), key=lambda i: len(held[i] & missing), default=None)
        if best is None or not held[best] & missing:
            break
        picked.append(best)
        missing -= held[best]
    return tuple(picked)
