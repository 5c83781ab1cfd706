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
from bot.analysis.summary import stop_words

# "Шанхайской организации сотрудничества (ШОС)" and Xinhua's "... /ШОС/".
ABBR_AFTER_RE = re.compile(r"\s*[(/]\s*([A-ZА-ЯЁ]{2,8})\s*[)/]?")
ABBR_RE = re.compile(r"[A-ZА-ЯЁ]{2,8}")
# "Си Цзиньпин_Russian.news.cn" page-title debris; "Ван И © AP Photo/ ..." photo credits,
# "Ван И (Синьхуа)": a name ends where such a mark starts.
CUT_RE = re.compile(r"\s*[_|丨©(/\[].*$", re.DOTALL)
# Female first names make the surname female: "Бибигуль Асылова", not "Асылов".
FEMALE_TAGS = frozenset({"Name", "femn"})
MALE_SURNAME_RE = re.compile(r"(?:ов|ев|ёв|ин|ын)$")
# A name right after these is a street or a square: "ул. Аскарова", "проспект Назарбаева".
STREET_RE = re.compile(
    r"(?:\b(?:ул|пр|просп|пр-т|б-р|мкр|пл|пер)\.?|улиц[аеыу]?|проспект[аеу]?|бульвар[аеу]?"
    r"|переул(?:ок|ке|ка)|площад[ьи]|шоссе|трасс[аеыу]|набережн(?:ая|ой))"
    # "улиц Берегового и Ю. Кима": one more street name and an initial may come between
    r"\s*[«\"]?(?:[А-ЯЁ][а-яё]+\s+и\s+)?(?:[А-ЯЁ]\.\s*)?$",
    re.IGNORECASE,
)
STREET_LOOKBACK = 45
FEMALE_SURNAME_RE = re.compile(r"(?:ова|ева|ина|ына|овой|евой|иной|ыной|ову|еву|ину)$")
# A case ending after the final "н" of a Chinese given name; soft ones stand for "нь".
CHINESE_CASE_RE = re.compile(r"н(ом|ем|а|я|у|ю|е)$")
SOFT_CASE_ENDINGS = frozenset({"ем", "я", "ю"})
NEUTER_ADJ_RE = re.compile(r"(?:ое|ее|ые|ие)$")
PATRONYMIC_RE = re.compile(r"(?:ович|евич|ич|овна|евна|ична|инична)$")
# Kazakh case endings glued to a place: "Астанада", "Шымкентте", "Алматыдан", "Қытайдың".
KAZAKH_CASE_RE = re.compile(
    r"(?:да|де|та|те|нда|нде|дан|ден|тан|тен|нан|нен|ға|ге|қа|ке|на|не|ның|нің|дың|дің|тың|тің)$"
)
NAME_ROLES = (frozenset({"Name"}), frozenset({"Patr"}), frozenset({"Surn"}))
BYLINE_LOOKBACK = 60
MAX_NER_CHARS = 30_000  # ~1.5 s of NER; news items are 2-10 KB
NER_CHUNK = 4_000  # characters: "со ссылкой на агентство «"


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
        # Also without hyphens: "Касым Жомарт Токаев" is "Касым-Жомарт Токаев".
        known_by_stem={
            **{stem_key(n.replace("-", " ").split()): n for n in known},
            **{stem_key(n.split()): n for n in known},
        },
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
    if kind == "PER":
        words = _person_words(words, models)
    while (
        kind == "PER"
        and words
        and (
            words[0].lower() in book.titles
            or words[0].lower().split("-")[-1] in book.titles  # "Вице-министр"
            or not is_proper(words[0], models)
        )
    ):
        words = words[1:]  # "Президент Токаев", "Киберпреступность" (a heading taken for a name)
    if len(words) == 1 and (words[0] in book.not_entities or not is_proper(words[0], models)):
        return ()  # "Саммит" at the start of a heading
    return tuple(words)


def _person_words(words: list[str], models: NlpModels) -> list[str]:
    """A person's words without a trailing dot, a dateline in capitals ("ПЕКИН") or a
    function word the NER took in ("Жетіс На"); "Ван И." is "Ван И"."""
    stops = stop_words()
    words = [w.rstrip(".,:;") if i == len(words) - 1 else w for i, w in enumerate(words)]
    while words and (
        (len(words[-1]) > 2 and words[-1].isupper())
        or (len(words[-1]) > 1 and words[-1].lower() in stops)  # not "Ван И"
        or not words[-1]
    ):
        words = words[:-1]
    return words


def is_street(body: str, start: int) -> bool:
    """Whether the name at `start` names a street: "ул. Садыкова", "проспекте Абая"."""
    return bool(STREET_RE.search(body, max(0, start - STREET_LOOKBACK), start))


def is_kazakh_place(word: str, models: NlpModels) -> bool:
    """ "Астанада", "Шымкентте": a place with a Kazakh case ending, not a person."""
    lowered = word.lower()
    match = KAZAKH_CASE_RE.search(lowered)
    if match is None or models.is_known(lowered):
        return False
    base = lowered[: match.start()]
    return len(base) >= 3 and any("Geox" in p.tag for p in models.parses(base))


def mentions(
    body: str, spans: Iterable[object], book: EntityBook, models: NlpModels
) -> list[Mention]:
    """Clean NER spans into mentions, splitting "Full Name (ABBR)" inside or after a span."""
    result = []
    for span in spans:
        start, stop, kind = span.start, span.stop, span.type  # type: ignore[attr-defined]
        if kind != "PER" and is_byline(body, start, book):
            continue
        if kind == "PER" and is_street(body, start):
            continue
        text = body[start:stop]
        inner = re.search(r"\s*[(/]\s*([A-ZА-ЯЁ]{2,8})\s*[)/]?$", text)
        after = ABBR_AFTER_RE.match(body, stop)
        abbr = inner.group(1) if inner else after.group(1) if after else None
        if inner:
            text = text[: inner.start()]
        words = _clean_words(kind, text, book, models)
        if kind == "PER" and len(words) == 1 and is_kazakh_place(words[0], models):
            kind = "LOC"
        if kind == "PER" and len(words) == 1 and NEUTER_ADJ_RE.search(words[0].lower()):
            continue  # "Астанинское заявление": an adjective, never a person

        kind = book.kind_by_stem.get(stem_key(words), kind)
        if words:
            result.append(Mention(kind, text, words, abbr if kind != "PER" else None))
    return result


def merge_partial_names(groups: dict[str, list[Mention]], models: NlpModels) -> None:
    """Join a group that is only part of another person's name: "Си" (a Chinese family name
    comes first) or "Шерзат" beside "Шерзат Полат", "Касым-Жомарт Кемелевич" (a name and a
    patronymic) beside "Касым-Жомарт Токаев"."""
    firsts: dict[str, str] = {}
    for key, group in groups.items():
        for m in group:
            if len(m.words) > 1 and not PATRONYMIC_RE.search(m.words[-1].lower()):
                firsts.setdefault(stem(m.words[0]), key)
    for key in list(groups):
        group = groups[key]
        words = max((m.words for m in group), key=len)
        partial = len(words) == 1 or (
            len(words) == 2 and PATRONYMIC_RE.search(words[-1].lower()) is not None
        )
        target = firsts.get(stem(words[0])) if partial else None
        if target is not None and target != key and target in groups:
            groups[target].extend(groups.pop(key))


def person_names(group: Sequence[Mention], models: NlpModels) -> str:
    """Nominative full name of one person from all mentions, aligned on the surname."""
    longest = max(len(m.words) for m in group)
    template = Counter(m.words for m in group if len(m.words) == longest).most_common(1)[0][0]
    surname = stem(template[-1].split("-")[-1])
    # Mentions merged in by their first name ("Шерзат") do not vote on the surname.
    aligned = [m for m in group if stem(m.words[-1].split("-")[-1]) == surname] or list(group)
    words = []
    for i in range(longest):
        from_end = longest - i
        forms = [m.words[-from_end] for m in aligned if len(m.words) >= from_end]
        if i == longest - 1 and longest > 1 and template[0].lower() in chinese_surnames():
            words.append(chinese_given_name(forms))
            continue
        if longest == 1 or i == longest - 1:
            role = NAME_ROLES[2]
        else:
            role = NAME_ROLES[0] if i == 0 else NAME_ROLES[1]
        words.append(best_form(forms or [template[i]], models, role))
    female_forms = any(FEMALE_SURNAME_RE.search(m.words[-1].lower()) for m in aligned)
    if (
        len(words) > 1
        and female_forms
        and is_female_name(words[0], models)
        and MALE_SURNAME_RE.search(words[-1])
    ):
        words[-1] += "а"  # "Ольга Шишанова": the votes over case forms give "Шишанов"
    return " ".join(words)


@cache
def chinese_surnames() -> frozenset[str]:
    """Chinese family names (entities.toml), lower case: the given name follows them."""
    text = resources.files("bot.analysis").joinpath("entities.toml").read_text(encoding="utf-8")
    return frozenset(w.lower() for w in tomllib.loads(text)["chinese_surnames"])


def chinese_given_name(forms: Sequence[str]) -> str:
    """The nominative of a Chinese given name: Russian case endings follow only a final "н"
    ("Цзиньпином" -> "Цзиньпин", "Цицзюнем" -> "Цицзюнь", "Сянцяня" -> "Сянцянь"); a
    syllable ending in a vowel does not decline ("Цзяньхуа", "Мэйцзюнь" as written)."""
    votes: Counter[str] = Counter()
    for form in forms:
        match = CHINESE_CASE_RE.search(form)
        if match is None:
            votes[form] += 2 if form.endswith(("нь", "н")) or form[-1:] not in "аеуюя" else 1
            continue
        base = form[: match.start(1)]
        votes[base + ("ь" if match.group(1) in SOFT_CASE_ENDINGS else "")] += 1
    return min(votes, key=lambda f: (-votes[f], len(f), f))


def is_female_name(word: str, models: NlpModels) -> bool:
    """A first name read as female by the dictionary ("Жанна", "Бибигуль") or by "-гуль"."""
    lowered = word.lower()
    if lowered.endswith("гуль"):
        return True
    if not models.is_known(lowered):  # a guess: "Адиль" is read as female too
        return False
    parses = [p for p in models.parses(lowered) if "Name" in p.tag]
    return bool(parses) and all(p.tag.grammemes >= FEMALE_TAGS for p in parses)


def _people(found: Sequence[Mention], models: NlpModels, book: EntityBook) -> list[Entity]:
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in found:
        groups[stem(m.words[-1].split("-")[-1])].append(m)  # the surname joins all mentions
    merge_partial_names(groups, models)
    result = []
    for group in groups.values():
        name = person_names(group, models)
        # "Касым Жомарт Токаев" (no hyphen) is the known "Касым-Жомарт Токаев".
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


def ner_text(body: str) -> str:
    """The part of the body the NER reads: all of it up to MAX_NER_CHARS, else up to the last
    line or space before the cap (the NER costs ~5 s per 100 KB; the people of a news item are
    named early). Offsets are unchanged: it is a prefix."""
    if len(body) <= MAX_NER_CHARS:
        return body
    cut = max(body.rfind("\n", 0, MAX_NER_CHARS), body.rfind(" ", 0, MAX_NER_CHARS))
    return body[: cut if cut > 0 else MAX_NER_CHARS]


@dataclass(frozen=True, slots=True)
class NerSpan:
    start: int
    stop: int
    type: str


def ner_chunks(text: str, size: int) -> list[tuple[int, str]]:
    """(offset, piece) of at most `size` characters, cut after a line break or a space."""
    chunks, start = [], 0
    while start < len(text):
        stop = min(start + size, len(text))
        if stop < len(text):
            cut = max(text.rfind("\n", start, stop), text.rfind(" ", start, stop))
            stop = cut + 1 if cut > start else stop
        chunks.append((start, text[start:stop]))
        start = stop
    return chunks


def ner_spans(text: str, models: NlpModels) -> list[NerSpan]:
    """NER spans of a text read in pieces of NER_CHUNK characters: the tagger's cost grows
    faster than linearly with one long run-on sentence (100 KB in one piece: ~6 s)."""
    if len(text) <= NER_CHUNK:
        return [NerSpan(s.start, s.stop, s.type) for s in models.ner(text).spans]
    result = []
    for offset, piece in ner_chunks(text, NER_CHUNK):
        result += [
            NerSpan(s.start + offset, s.stop + offset, s.type) for s in models.ner(piece).spans
        ]
    return result


def extract_entities(body: str, models: NlpModels) -> tuple[Entity, ...]:
    """People, organisations and places of an article, most mentioned first."""
    book = load_entity_book()
    found = mentions(body, ner_spans(ner_text(body), models), book, models)
    people = _people([m for m in found if m.kind == "PER"], models, book)
    places = _places([m for m in found if m.kind != "PER"], models, book)
    return tuple(sorted([*people, *places], key=lambda e: (-e.mentions, e.name)))
