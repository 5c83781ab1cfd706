"""People, organisations and places from the NER spans, normalised and merged across mentions."""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.analysis.models import Entity, EntityKind
from bot.analysis.names import best_form, is_proper, phrase_nominative, stem, stem_key
from bot.analysis.nlp import NlpModels

# "Шанхайской организации сотрудничества (ШОС)" and Xinhua's "... /ШОС/".
ABBR_AFTER_RE = re.compile(r"\s*[(/]\s*([A-ZА-ЯЁ]{2,8})\s*[)/]?")
ABBR_RE = re.compile(r"[A-ZА-ЯЁ]{2,8}")
CUT_RE = re.compile(r"[_|丨].*$")  # "Си Цзиньпин_Russian.news.cn" page-title debris
NAME_ROLES = (frozenset({"Name"}), frozenset({"Patr"}), frozenset({"Surn"}))
BYLINE_LOOKBACK = 60  # characters: "со ссылкой на агентство «"


@dataclass(frozen=True, eq=False)
class EntityBook:
    """Entity knowledge from entities.toml."""

    abbr_by_full: dict[str, str]
    abbreviations: frozenset[str]
    same_as: dict[str, str]
    known_by_stem: dict[str, str]
    titles: frozenset[str]
    not_entities: frozenset[str]
    kind_by_stem: dict[str, EntityKind]
    attribution: re.Pattern[str]  # matches the text right before an outlet's name


@cache
def load_entity_book() -> EntityBook:
    """Read entities.toml shipped with the package (cached)."""
    text = resources.files("bot.analysis").joinpath("entities.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    known = [*data["known_names"], *data["kinds"]]
    return EntityBook(
        abbr_by_full={v.lower(): k for k, v in data["abbreviations"].items()},
        abbreviations=frozenset(data["abbreviations"]),
        same_as={k.lower(): v for k, v in data["same_as"].items()},
        known_by_stem={stem_key(n.split()): n for n in known},
        titles=frozenset(data["titles"]),
        not_entities=frozenset(data["not_entities"]),
        kind_by_stem={stem_key(n.split()): kind for n, kind in data["kinds"].items()},
        attribution=attribution_re(data["attribution"], data["outlet_words"]),
    )


def attribution_re(verbs: Sequence[str], outlet_words: Sequence[str]) -> re.Pattern[str]:
    """The end of a byline before the outlet's name: "сообщает ", "передает агентство «"."""
    verb = "|".join(map(re.escape, verbs))
    word = "|".join(map(re.escape, outlet_words))
    return re.compile(rf"(?<!\w)(?:{verb})\s+(?:(?:{word})\s+)?[«\"]?$", re.IGNORECASE)


def is_byline(body: str, start: int, book: EntityBook) -> bool:
    """Whether the name at `start` is the outlet credited for the text: "передает DKNews.kz"."""
    return bool(book.attribution.search(body, max(0, start - BYLINE_LOOKBACK), start))


@dataclass(frozen=True, slots=True)
class Mention:
    """One NER span, cleaned: its kind, surface text and words."""

    kind: EntityKind
    surface: str
    words: tuple[str, ...]
    abbr: str | None = None  # an abbreviation given right after it: "... (ШОС)"


def _clean_words(kind: str, text: str, book: EntityBook, models: NlpModels) -> tuple[str, ...]:
    words = CUT_RE.sub("", text).split()
    while (
        kind == "PER"
        and words
        and (words[0].lower() in book.titles or not is_proper(words[0], models))
    ):
        words = words[1:]  # "Президент Токаев", "Киберпреступность" (a heading taken for a name)
    if len(words) == 1 and (words[0] in book.not_entities or not is_proper(words[0], models)):
        return ()  # "Саммит" at the start of a heading
    return tuple(words)


def mentions(
    body: str, spans: Iterable[object], book: EntityBook, models: NlpModels
) -> list[Mention]:
    """Clean NER spans into mentions, splitting "Full Name (ABBR)" inside or after a span."""
    result = []
    for span in spans:
        start, stop, kind = span.start, span.stop, span.type  # type: ignore[attr-defined]
        if kind != "PER" and is_byline(body, start, book):
            continue
        text = body[start:stop]
        inner = re.search(r"\s*[(/]\s*([A-ZА-ЯЁ]{2,8})\s*[)/]?$", text)
        after = ABBR_AFTER_RE.match(body, stop)
        abbr = inner.group(1) if inner else after.group(1) if after else None
        if inner:
            text = text[: inner.start()]
        words = _clean_words(kind, text, book, models)
        kind = book.kind_by_stem.get(stem_key(words), kind)
        if words:
            result.append(Mention(kind, text, words, abbr if kind != "PER" else None))
    return result


def person_names(group: Sequence[Mention], models: NlpModels) -> str:
    """Nominative full name of one person from all mentions, aligned on the surname."""
    longest = max(len(m.words) for m in group)
    template = Counter(m.words for m in group if len(m.words) == longest).most_common(1)[0][0]
    words = []
    for i in range(longest):
        from_end = longest - i
        forms = [m.words[-from_end] for m in group if len(m.words) >= from_end]
        if longest == 1 or i == longest - 1:
            role = NAME_ROLES[2]
        else:
            role = NAME_ROLES[0] if i == 0 else NAME_ROLES[1]
        words.append(best_form(forms or [template[i]], models, role))
    return " ".join(words)


def _people(found: Sequence[Mention], models: NlpModels, book: EntityBook) -> list[Entity]:
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in found:
        groups[stem(m.words[-1].split("-")[-1])].append(m)  # the surname joins all mentions
    result = []
    for group in groups.values():
        name = person_names(group, models)
        name = book.known_by_stem.get(stem_key(name.split()), name)
        aliases = tuple(sorted({" ".join(m.words) for m in group} - {name}))
        result.append(Entity(kind="PER", name=name, mentions=len(group), aliases=aliases))
    return result


def canonical_place(m: Mention, links: dict[str, str], book: EntityBook, models: NlpModels) -> str:
    """Normalised name of an organisation or place, with abbreviations and aliases applied."""
    if (len(m.words) == 1 and ABBR_RE.fullmatch(m.words[0])) or re.search("[A-Za-z]", m.surface):
        name = " ".join(m.words)
    elif len(m.words) == 1:
        name = best_form(m.words, models, frozenset({"Geox", "inan"}))
    else:
        name = phrase_nominative(list(m.words), models)
    lowered = name.lower().replace("ё", "е")
    name = links.get(lowered) or book.abbr_by_full.get(lowered) or name
    name = book.same_as.get(name.lower(), name)
    return book.known_by_stem.get(stem_key(name.split()), name)


def _places(found: Sequence[Mention], models: NlpModels, book: EntityBook) -> list[Entity]:
    links: dict[str, str] = {}
    for m in found:
        if m.abbr:
            links[phrase_nominative(list(m.words), models).lower().replace("ё", "е")] = m.abbr
    kinds: dict[str, Counter[EntityKind]] = defaultdict(Counter)
    surfaces: dict[str, set[str]] = defaultdict(set)
    for m in found:
        name = canonical_place(m, links, book, models)
        kinds[name][m.kind] += 1
        surfaces[name].add(" ".join(m.words))
    return [
        Entity(
            kind=kinds[name].most_common(1)[0][0],
            name=name,
            mentions=kinds[name].total(),
            aliases=tuple(sorted(surfaces[name] - {name})),
        )
        for name in kinds
    ]


def extract_entities(body: str, models: NlpModels) -> tuple[Entity, ...]:
    """People, organisations and places of an article, most mentioned first."""
    book = load_entity_book()
    found = mentions(body, models.ner(body).spans, book, models)
    people = _people([m for m in found if m.kind == "PER"], models, book)
    places = _places([m for m in found if m.kind != "PER"], models, book)
    return tuple(sorted([*people, *places], key=lambda e: (-e.mentions, e.name)))
