"""The whole pipeline on the seeds: spans trace back verbatim; other languages stay shallow."""

from __future__ import annotations

import pytest

from bot.analysis.models import Analysis, Span
from bot.analysis.nlp import NlpModels
from bot.analysis.pipeline import analyse_article
from tests.analysis.conftest import Seed


def all_spans(analysis: Analysis) -> list[Span]:
    spans = list(analysis.sentences)
    spans += [k.span for k in analysis.summary]
    spans += [t.snippet for t in analysis.themes]
    spans += [f.phrase for f in analysis.figures] + [f.sentence for f in analysis.figures]
    return spans


def test_pipeline_spans_are_verbatim(
    seeds: dict[str, Seed], analyses: dict[str, Analysis]
) -> None:
    for key, analysis in analyses.items():
        body = seeds[key].body
        spans = all_spans(analysis)
        assert len(spans) > 20
        for span in spans:
            assert body[span.start : span.stop] == span.text
        for theme in analysis.themes:
            for start, stop in theme.matched:
                assert theme.snippet.start <= start < stop <= theme.snippet.stop


def test_pipeline_sentence_lemmas_align(analyses: dict[str, Analysis]) -> None:
    for analysis in analyses.values():
        assert len(analysis.sentence_lemmas) == len(analysis.sentences)
        assert analysis.lang == "ru"
    assert "киберпреступность" in " ".join(analyses["000"].sentence_lemmas).split()


def test_pipeline_figures_lie_in_their_sentence(analyses: dict[str, Analysis]) -> None:
    for analysis in analyses.values():
        for f in analysis.figures:
            assert f.sentence.start <= f.phrase.start < f.phrase.stop <= f.sentence.stop
            assert f.sentence in analysis.sentences


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Президент Казахстана провел переговоры в Пекине.", "ru"),
        # Russian quoting Kazakh names: Kazakh letters in a few words, Russian function words
        ("В Ақорде обсудили стратегию «Қазақстан жолы» и планы развития регионов страны.", "ru"),
        ("Указ опубликован на сайте Ақорда.", "ru"),
        # Kazakh: Kazakh letters in many words, Kazakh function words
        ("Қазақстан Республикасының Президенті Қытайға сапармен барды.", "kk"),
        (
            "Мемлекет басшысы Қасым-Жомарт Тоқаев Шанхай ынтымақтастық ұйымының саммитіне "
            "қатысты.",
            "kk",
        ),
        (
            "Қазақстан мен Қытай арасындағы сауда көлемі өткен жылы 44 миллиард долларға жетті.",
            "kk",
        ),
        ("Бұл бағдарлама бойынша жастар үшін жаңа жұмыс орындары ашылады.", "kk"),
        (
            "Осы келісім Астана мен Бейжің арасындағы әуе қатынасын кеңейтуге мүмкіндік береді.",
            "kk",
        ),
        ("哈萨克斯坦总统托卡耶夫出席上海合作组织峰会。", "zh"),
        ("The president of Kazakhstan attended the SCO summit in Tianjin.", "en"),
        ("2025-06-17 04:05:45", "und"),
    ],
)
def test_pipeline_other_languages_get_no_deep_analysis(
    text: str, lang: str, nlp: NlpModels
) -> None:
    analysis = analyse_article("", text, nlp)
    assert analysis.lang == lang
    if lang != "ru":
        assert (analysis.themes, analysis.figures, analysis.entities, analysis.summary) == (
            (),
            (),
            (),
            (),
        )
