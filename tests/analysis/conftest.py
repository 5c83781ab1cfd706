"""Fixtures for the analysis tests: models loaded once, seed articles, their analyses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.analysis.models import Analysis
from bot.analysis.nlp import NlpModels, load_models
from bot.analysis.pipeline import analyse_article
from bot.ingest.files import read_article

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_NAMES = (
    "000_451b224480e1e7da",
    "001_04ae095c1d503094",
    "002_eb48d51dffeef2e8",
    "003_7e007acaf2bdb90c",
    "004_772369b6def8ce5e",
)


@dataclass(frozen=True)
class Seed:
    name: str
    title: str
    body: str


def load_seed(name: str) -> Seed:
    """A seed article from seeds/<name>.md, read as production reads it (front matter, debris)."""
    article = read_article(SEEDS / f"{name}.md")
    return Seed(name, article.title, article.body)


@pytest.fixture(scope="session")
def nlp() -> NlpModels:
    """Morphology and NER, loaded once per session."""
    return load_models()


@pytest.fixture(scope="session")
def seeds() -> dict[str, Seed]:
    """The five seed articles by number prefix: "000", ..., "004"."""
    return {name[:3]: load_seed(name) for name in SEED_NAMES}


@pytest.fixture(scope="session")
def analyses(seeds: dict[str, Seed], nlp: NlpModels) -> dict[str, Analysis]:
    """Analysis of every seed, computed once."""
    return {key: analyse_article(s.title, s.body, nlp) for key, s in seeds.items()}
