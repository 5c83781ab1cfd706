"""The whole analysis of one article: sentences, lemmas, summary, themes, figures, entities."""

from __future__ import annotations

import datetime as dt

from bot.analysis.entities import extract_entities
from bot.analysis.figures import extract_figures
from bot.analysis.lang import detect_language
from bot.analysis.models import Analysis
from bot.analysis.nlp import NlpModels
from bot.analysis.relevance import assess_other_language, assess_relevance
from bot.analysis.sentences import split_sentences
from bot.analysis.summary import content_lemmas, summarise
from bot.analysis.theme_scores import score_themes
from bot.analysis.themes import ThemeBook, load_themes
from bot.analysis.words import WORD_RE

# Bump whenever analyse_article gives a different Analysis for the same title and body (rules,
# data files, lemmas, ranking); stored articles analysed by an older version are re-analysed.
# 2: one lemma per name ("Токаевым" -> "токаев"), summaries led by the lead sentence with
#    context cues and MMR, "Акорда" an organisation, outlets in bylines not entities.
# 3: "Астану" -> "астана" (a place wins a score tie with a first name), Russian with Kazakh
#    names stays "ru", ambiguous theme words ("газ", "банк", "встреча") need other evidence;
#    figures: ranges, number words before scales, "минус 5%", "к 2030-му году", and none in
#    "пункт 3" or "в 10 часов утра".
# 4: relevance (foreign-affairs news of Kazakhstan / Central Asia, China's part) for every
#    article, Russian or not; themes only for relevant ones, within 0.3 of the best theme;
#    "кибер-" compounds, online fraud, OTS/C5+, meetings as visits, city transport is not
#    transport; names as written (Цзюань, Сатыбалды), Chinese given names, female surnames.
ANALYSIS_VERSION = 5


def analyse_article(
    title: str,
    body: str,
    models: NlpModels,
    book: ThemeBook | None = None,
    published: dt.date | None = None,
) -> Analysis:
    """Analyse one article; offsets of every span point into `body`. The publication date
    gives the year of dates written without one ("28 октября")."""
    lang = detect_language(f"{title}\n{body}")
    sentences = split_sentences(body)
    spans = tuple(s.span for s in sentences)
    if lang != "ru":
        words = tuple(" ".join(WORD_RE.findall(s.text.lower())) for s in spans)
        return Analysis(
            lang=lang,
            sentences=spans,
            sentence_lemmas=words,
            summary=(),
            themes=(),
            figures=(),
            entities=(),
            relevance=assess_other_language(f"{title}\n{body}"),
        )
    tokens = [list(models.tokens(s.text, s.start)) for s in spans]
    lemmas = [content_lemmas(t) for t in tokens]
    book = book or load_themes()
    headings = frozenset(i for i, s in enumerate(sentences) if s.kind == "heading")
    title_tokens = list(models.tokens(title, -len(title) - 1))
    themes = score_themes(
        spans,
        sentence_tokens=tokens,
        headings=headings,
        title_tokens=title_tokens,
        index=book.index(models),
        models=models,
    )
    relevance = assess_relevance(
        [t.lemma for t in title_tokens], [[t.lemma for t in ts] for ts in tokens], themes, models
    )
    if not relevance.relevant:
        themes = ()  # a match or a city story has no theme, whatever words it uses
    return Analysis(
        lang=lang,
        sentences=spans,
        sentence_lemmas=tuple(" ".join(t.lemma for t in ts) for ts in tokens),
        summary=summarise(sentences, lemmas, title, content_lemmas(title_tokens)),
        themes=themes,
        figures=extract_figures(body, spans, models, published),
        entities=extract_entities(body, models),
        relevance=relevance,
    )
