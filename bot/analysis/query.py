"""Lemmas for full-text search queries and highlighting of matched words in sentences."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.analysis.nlp import NlpModels
from bot.analysis.summary import stop_words

MIN_PREFIX = 3  # letters a filter word needs to match as the start of a name word


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
