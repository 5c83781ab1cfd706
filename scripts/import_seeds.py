"""Turn the raw seed pages (../shared/seeds) into the project's article store (seeds/).

Adds YAML front matter from sources.json and drops page debris. Run once per new raw batch:
    python scripts/import_seeds.py ../shared/seeds seeds
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from bot.ingest.files import parse_article, split_front_matter

# Two pages carry no headline line; these are the publishers' headlines as their URLs spell them.
MISSING_TITLES = {
    "003_7e007acaf2bdb90c.txt": "В Пекине прошел «Клуб друзей Казахстана»",
    "004_772369b6def8ce5e.txt": "Токаев выступил на саммите ШОС в Китае",
}


def convert(raw_dir: Path, out_dir: Path) -> None:
    sources = json.loads((raw_dir / "sources.json").read_text(encoding="utf-8"))["articles"]
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, facts in sorted(sources.items()):
        raw = (raw_dir / name).read_bytes()
        text = raw.decode("utf-8")
        if name in MISSING_TITLES:
            text = MISSING_TITLES[name] + "\n\n" + text
        article = parse_article(name, text.encode("utf-8"))
        meta = {
            "title": article.title,
            "source": facts["source"],
            "url": facts["url"],
            "published": facts["published"],
            "lang": facts.get("lang", "ru"),
        }
        header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        target = out_dir / (Path(name).stem + ".md")
        target.write_text(f"---\n{header}---\n\n{article.body}\n", encoding="utf-8")
        split_front_matter(target.read_text(encoding="utf-8"))  # fail loudly if unreadable
        print(f"{name} -> {target}")


if __name__ == "__main__":
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
