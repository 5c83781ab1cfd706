"""Issue 9 item 3: every analysis step is bounded, whatever the shape of the text."""

from __future__ import annotations

from bot.analysis.entities import MAX_NER_CHARS, extract_entities, ner_chunks, ner_text
from bot.analysis.figures import MAX_FIGURES, MAX_SENTENCE_CHARS, extract_figures, find_figures
from bot.analysis.models import Span
from bot.analysis.nlp import NlpModels
from bot.analysis.pipeline import analyse_article
from bot.analysis.summary import MAX_CANDIDATES


def test_a_sentence_of_ranges_is_read_only_up_to_the_cap(nlp: NlpModels) -> None:
    text = "Стороны обсудили поставки " + " ".join(f"от {i} до {i + 1} тонн," for i in range(400))
    figures = find_figures(text, nlp)
    assert 0 < len(figures) < 400  # the old rule read all 400, rescanning the sentence each time
    assert all(f.phrase.stop <= MAX_SENTENCE_CHARS for f in figures)
    assert figures[0].value == 0 and figures[0].qualifier == "от … до"


def test_an_article_has_at_most_max_figures(nlp: NlpModels) -> None:
    sentences, body = [], ""
    for i in range(MAX_FIGURES + 50):
        text = f"Экспорт вырос на {i + 1}%."
        sentences.append(Span(start=len(body), stop=len(body) + len(text), text=text))
        body += text + " "
    figures = extract_figures(body, sentences, nlp)
    assert len(figures) == MAX_FIGURES
    assert all(body[f.phrase.start : f.phrase.stop] == f.phrase.text for f in figures)


def test_the_ner_reads_a_bounded_prefix_in_pieces(nlp: NlpModels) -> None:
    line = "Президент Касым-Жомарт Токаев встретился с Си Цзиньпином в Пекине.\n"
    body = line * (2 * MAX_NER_CHARS // len(line))
    assert len(ner_text(body)) <= MAX_NER_CHARS and body.startswith(ner_text(body))
    pieces = ner_chunks(ner_text(body), 1000)
    assert "".join(p for _, p in pieces) == ner_text(body)
    assert all(len(p) <= 1000 and body[o : o + len(p)] == p for o, p in pieces)
    people = {e.name for e in extract_entities(body, nlp) if e.kind == "PER"}
    assert {"Касым-Жомарт Токаев", "Си Цзиньпин"} <= people


def test_a_long_article_summarises_from_its_first_candidates(nlp: NlpModels) -> None:
    sentence = "Казахстан и Китай обсудили развитие торговли и транзитных перевозок {}."
    body = " ".join(sentence.format(i) for i in range(MAX_CANDIDATES * 2))
    analysis = analyse_article("Казахстан и Китай", body, nlp)
    assert analysis.summary
    last = analysis.sentences[MAX_CANDIDATES - 1].stop
    assert all(k.span.stop <= last for k in analysis.summary)
