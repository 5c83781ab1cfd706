"""Lemmas for full-text search queries and highlighting of matched words in sentences."""

from __future__ import annotations

from collections.abc import Collection

from bot.analysis.nlp import NlpModels
from bot.analysis.summary import stop_words


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
