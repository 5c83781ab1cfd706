"""Names put in the nominative by inflection: "Касымом-Жомартом" -> "Касым-Жомарт"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from bot.analysis.inflection import SURNAME_RE, stem, stem_key
from bot.analysis.nlp import NlpModels

__all__ = ["best_form", "is_proper", "phrase_nominative", "stem", "stem_key"]

STEM_VOTE = 1.0  # the bare stem is a candidate too: "Жомартом" -> "жомарт"
AS_WRITTEN_ENDINGS = ("ь", "и", "ы", "нь", "ань")
PROPER_TAGS = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn", "Abbr", "Trad"})


def restore_case(form: str, original: str) -> str:
    """Give `form` the capitalisation of `original`, part by hyphenated part."""
    if original.isupper() and len(original) > 1:
        return form.upper()
    parts, originals = form.split("-"), original.split("-")
    if len(parts) != len(originals):
        return form.capitalize() if original[:1].isupper() else form
    return "-".join(
        p.capitalize() if o[:1].isupper() else p for p, o in zip(parts, originals, strict=True)
    )


def nominative(parse: Any) -> str:
    """The nominative singular (or plural for plural-only nouns) of a pymorphy parse."""
    if {"nomn", "sing"} <= parse.tag.grammemes:
        return str(parse.word)
    inflected = parse.inflect({"nomn", "sing"}) or parse.inflect({"nomn"})
    return str(inflected.word if inflected else parse.normal_form)


def is_proper(word: str, models: NlpModels) -> bool:
    """Whether a capitalised word can be a name: unknown to the dictionary, short, or tagged so."""
    lowered = word.lower()
    if len(lowered) <= 3 or SURNAME_RE.search(stem(lowered)):
        return True
    if not models.is_known(lowered):
        return True
    return any(PROPER_TAGS & p.tag.grammemes for p in models.parses(lowered))


def noun_votes(
    word: str, models: NlpModels, prefer: frozenset[str]
) -> dict[str, tuple[float, float]]:
    """Candidate nominative forms of one word (no hyphens): form -> (vote, preferred score).

    The vote adds parse scores and bonuses; the score of the best parse with a preferred tag
    breaks ties: "Астану" gives "астана" (Geox, 0.5) and "астан" (Name, 0.5, plus the stem
    vote) equal votes, and a place is the city. Cached per models instance.
    """
    return models.memo(_noun_votes)(word, prefer)


def _noun_votes(
    models: NlpModels, word: str, prefer: frozenset[str]
) -> dict[str, tuple[float, float]]:
    votes: dict[str, float] = defaultdict(float)
    preferred: dict[str, float] = defaultdict(float)
    lowered = word.lower().replace("ё", "е")
    if lowered.endswith(AS_WRITTEN_ENDINGS) and not models.is_known(lowered):
        # "Цзюань", "Цицзюнь", "Тлеуберди", "Сатыбалды", "Нургуль": a name the dictionary does
        # not know, ending so, is a nominative as written (pymorphy guesses "Нургуля").
        return {lowered: (STEM_VOTE * 3, 0.0)}
    for p in models.parses(word.lower()):
        if p.tag.POS != "NOUN":
            continue
        bonus = (1.0 if prefer & p.tag.grammemes else 0.0) + (0.5 if "sing" in p.tag else 0.0)
        form = nominative(p).replace("ё", "е")
        votes[form] = max(votes[form], p.score + bonus)  # many guessed parses are not many votes
        if prefer & p.tag.grammemes:
            preferred[form] = max(preferred[form], p.score)
    base = stem(word)
    votes[base] += STEM_VOTE + (STEM_VOTE if SURNAME_RE.search(base) else 0.0)
    return {form: (vote, preferred[form]) for form, vote in votes.items()}


def best_form(words: Iterable[str], models: NlpModels, prefer: frozenset[str]) -> str:
    """Vote over several case forms of one name word: the nominative they agree on."""
    words = list(words)
    parts = max(len(w.split("-")) for w in words)
    result = []
    for i in range(parts):
        total: dict[str, tuple[float, float]] = {}
        for word in words:
            pieces = word.split("-")
            if len(pieces) == parts:
                for form, (vote, score) in noun_votes(pieces[i], models, prefer).items():
                    old_vote, old_score = total.get(form, (0.0, 0.0))
                    total[form] = (old_vote + vote, old_score + score)
        # Highest vote, then the preferred parse's score, then the form: never dict order.
        result.append(min(total, key=lambda f: (-total[f][0], -total[f][1], f)))
    return restore_case("-".join(result), words[0])


def _adjective(word: str, head: Any, models: NlpModels) -> str:
    number = "plur" if "plur" in head.tag else "sing"
    wanted = {"nomn", number} | (
        {head.tag.gender} if number == "sing" and head.tag.gender else set()
    )
    for p in models.parses(word.lower()):
        if p.tag.POS in {"ADJF", "PRTF"}:
            inflected = p.inflect(wanted)
            return str(inflected.word) if inflected else word.lower()
    return word.lower()


def phrase_nominative(words: list[str], models: NlpModels) -> str:
    """Put a name phrase in the nominative: agreeing words up to the head noun change.

    "Шанхайской организации сотрудничества" -> "Шанхайская организация сотрудничества".
    """
    for i, word in enumerate(words):
        head = models.parses(word.lower())[0]
        if head.tag.POS == "NOUN":
            out = [_adjective(w, head, models) for w in words[:i]]
            out.append(best_form([word], models, frozenset({"Geox", "inan"})).lower())
            out = [restore_case(f, o) for f, o in zip(out, words, strict=False)]
            return " ".join([*out, *words[i + 1 :]])
    return " ".join(words)
