"""Theme taxonomy (data in themes.toml), per-article theme scores and user query resolution."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal, NamedTuple
from weakref import WeakKeyDictionary

from rapidfuzz import fuzz

from bot.analysis.words import WORD_RE

if TYPE_CHECKING:  # renderers import Theme: only the analysis passes real models in
    from bot.analysis.nlp import NlpModels

SYNONYM_WEIGHT = 3.0  # a theme's name or synonym decides the theme alone unless keywords say less
FUZZY_CUTOFF = 85.0  # "кибербезопастность" vs "кибербезопасность" scores ~94
SUGGEST_CUTOFF = 60.0
MIN_PREFIX = 4  # "кибер" resolves; "ки" does not

Resolution = Literal["name", "synonym", "fuzzy", "alias", "none"]


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy."""

    slug: str
    name: str
    synonyms: tuple[str, ...]
    aliases: tuple[str, ...]
    keywords: tuple[tuple[str, float], ...]
    phrases: tuple[tuple[str, float], ...]
    ambiguous: tuple[tuple[str, float], ...] = ()  # count only beside other evidence
    prefixes: tuple[tuple[str, float], ...] = ()  # word formation: "кибер" + anything
    independent: bool = False  # kept beside a dominant theme: visits, security


class Term(NamedTuple):
    """What a lemma or phrase says about one theme."""

    slug: str
    weight: float
    ambiguous: bool = False  # "газ": counts only if the article has other evidence for the theme


@dataclass(frozen=True)
class ThemeIndex:
    """Themes compiled to lemmas: single-word terms and multi-word phrases by first lemma."""

    words: dict[str, tuple[Term, ...]]
    phrases: dict[str, tuple[tuple[tuple[str, ...], Term], ...]]
    prefixes: tuple[tuple[str, Term], ...] = ()  # lemma prefix -> term, longest first
    independent: frozenset[str] = frozenset()  # slugs without the relative threshold


@dataclass
class ThemeBook:
    """The ordered list of themes, with a lemma index compiled per morphology instance."""

    themes: tuple[Theme, ...]
    # Keyed by the models themselves, weakly: an index dies with its morphology, and a new
    # NlpModels at a reused address never gets another instance's index.
    _indexes: WeakKeyDictionary[NlpModels, ThemeIndex] = field(
        default_factory=WeakKeyDictionary, repr=False
    )

    def by_slug(self, slug: str) -> Theme:
        """The theme with this slug (KeyError if unknown)."""
        for theme in self.themes:
            if theme.slug == slug:
                return theme
        raise KeyError(slug)

    def index(self, models: NlpModels) -> ThemeIndex:
        """The lemma index of all themes, compiled once per models instance."""
        index = self._indexes.get(models)
        if index is None:
            index = self._indexes[models] = compile_index(self.themes, models)
        return index


@dataclass(frozen=True)
class ThemeResolution:
    """What a user's theme query resolved to, and alternatives to suggest."""

    theme: Theme | None
    how: Resolution
    suggestions: tuple[Theme, ...] = ()


def _theme(raw: dict[str, object]) -> Theme:
    def pairs(key: str) -> tuple[tuple[str, float], ...]:
        table = raw.get(key, {})
        assert isinstance(table, dict)
        return tuple((str(k), float(v)) for k, v in table.items())

    return Theme(
        slug=str(raw["slug"]),
        name=str(raw["name"]),
        synonyms=tuple(str(s) for s in raw.get("synonyms", [])),  # type: ignore[attr-defined]
        aliases=tuple(str(s).lower() for s in raw.get("aliases", [])),  # type: ignore[attr-defined]
        keywords=pairs("keywords"),
        phrases=pairs("phrases"),
        ambiguous=pairs("ambiguous"),
        prefixes=pairs("prefixes"),
        independent=bool(raw.get("independent", False)),
    )


@cache
def load_themes() -> ThemeBook:
    """Read the taxonomy shipped in themes.toml (cached)."""
    text = resources.files("bot.analysis").joinpath("themes.toml").read_text(encoding="utf-8")
    return ThemeBook(tuple(_theme(raw) for raw in tomllib.loads(text)["theme"]))


def lemma_seq(text: str, models: NlpModels) -> tuple[str, ...]:
    """Lemmas of the words of a short text, in order."""
    return tuple(models.lemma(m.group()) for m in WORD_RE.finditer(text))


def theme_terms(theme: Theme) -> list[tuple[str, Term]]:
    """All terms of a theme; keywords, phrases and ambiguous words override the synonym weight."""
    terms = {term: Term(theme.slug, SYNONYM_WEIGHT) for term in (theme.name, *theme.synonyms)}
    for term, weight in (*theme.keywords, *theme.phrases):
        terms[term] = Term(theme.slug, weight)
    for term, weight in theme.ambiguous:
        terms[term] = Term(theme.slug, weight, ambiguous=True)
    return list(terms.items())


def compile_index(themes: Sequence[Theme], models: NlpModels) -> ThemeIndex:
    """Lemmatise every theme term into word and phrase lookup tables."""
    words: dict[str, dict[str, Term]] = defaultdict(dict)
    phrases: dict[str, list[tuple[tuple[str, ...], Term]]] = defaultdict(list)
    for theme in themes:
        for text, term in theme_terms(theme):
            lemmas = lemma_seq(text, models)
            if len(lemmas) == 1:
                words[lemmas[0]][theme.slug] = term
            elif lemmas:
                phrases[lemmas[0]].append((lemmas, term))
    prefixes = [
        (prefix.lower(), Term(theme.slug, weight))
        for theme in themes
        for prefix, weight in theme.prefixes
    ]
    return ThemeIndex(
        words={k: tuple(v.values()) for k, v in words.items()},
        phrases={k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in phrases.items()},
        prefixes=tuple(sorted(prefixes, key=lambda p: -len(p[0]))),
        independent=frozenset(t.slug for t in themes if t.independent),
    )


def _exact(query: tuple[str, ...], book: ThemeBook, models: NlpModels) -> ThemeResolution | None:
    for theme in book.themes:
        if query == lemma_seq(theme.name, models):
            return ThemeResolution(theme, "name")
    for theme in book.themes:
        if any(query == lemma_seq(s, models) for s in theme.synonyms):
            return ThemeResolution(theme, "synonym")
    return None


def _fuzzy_scores(query: str, book: ThemeBook, models: NlpModels) -> list[tuple[float, Theme]]:
    """Best similarity of the query to each theme's names: prefix = 100, else edit ratio."""
    scored = []
    for theme in book.themes:
        best = 0.0
        for rank, term in enumerate((theme.name, *theme.synonyms)):
            surface = term.lower().replace("ё", "е")
            lemmas = " ".join(lemma_seq(term, models))
            words = surface.split() + lemmas.split()
            if len(query) >= MIN_PREFIX and any(w.startswith(query) for w in words):
                best = max(best, 100.0 if rank == 0 else 99.0)  # the name's prefix ranks first
            best = max(best, fuzz.ratio(query, surface), fuzz.ratio(query, lemmas))
        scored.append((best, theme))
    return sorted(scored, key=lambda pair: -pair[0])


def resolve_theme(query: str, book: ThemeBook, models: NlpModels) -> ThemeResolution:
    """Resolve a user's theme query: name/synonym, then prefix/typo, then English alias."""
    lemmas = lemma_seq(query, models)
    if not lemmas:
        return ThemeResolution(None, "none")
    exact = _exact(lemmas, book, models)
    if exact:
        return exact
    text = " ".join(WORD_RE.findall(query.lower().replace("ё", "е")))
    scored = _fuzzy_scores(text, book, models)
    if scored[0][0] >= FUZZY_CUTOFF:
        others = tuple(t for s, t in scored[1:] if s >= FUZZY_CUTOFF)
        return ThemeResolution(scored[0][1], "fuzzy", others)
    for theme in book.themes:
        if text in theme.aliases:
            return ThemeResolution(theme, "alias")
    suggestions = tuple(t for s, t in scored[:3] if s >= SUGGEST_CUTOFF)
    return ThemeResolution(None, "none", suggestions)
