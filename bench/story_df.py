"""Write the background document frequencies of story features (bot/analysis/data/story_df.txt).

python bench/story_df.py FOLDER... > bot/analysis/data/story_df.txt

Counts only (a feature and the number of articles having it, for features in at least two),
from news folders outside the repository; no text is kept.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.analysis.nlp import load_models
from bot.analysis.pipeline import analyse_article
from bot.analysis.stories import article_features
from bot.ingest.files import ArticleError, read_article


def main() -> None:
    models = load_models()
    df: Counter[str] = Counter()
    total = 0
    for folder in map(Path, sys.argv[1:]):
        for path in sorted(folder.glob("*.md")):
            try:
                article = read_article(path, path.name)
            except ArticleError as exc:
                print(f"{path}: skipped: {exc}", file=sys.stderr)
                continue
            analysis = analyse_article(article.title, article.body, models)
            if analysis.lang != "ru":
                continue
            df.update(article_features(article.title, analysis, models).terms())
            total += 1
    print(
        "# story feature document frequencies: first line = articles counted (bench/story_df.py)"
    )
    print(total)
    for term, n in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])):
        if n >= 2:
            print(f"{term}\t{n}")


if __name__ == "__main__":
    main()
