"""Pure Russian text analysis: sentences, lemmas, themes, figures, entities, summaries."""
