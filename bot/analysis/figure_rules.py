"""The ordered figure rules: each finds one situation in a sentence and says what it means."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from bot.analysis.figure_lexicon import NUMBER, Lexicon, lookup, parse_number
from bot.analysis.figure_patterns import Found, Patterns, Rule, qualifier, scaled
from bot.analysis.models import FigureKind
from bot.analysis.nlp import NlpModels

ROMAN_RE = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
UPPER_NUMBER_RE = re.compile(rf"[$€₸¥₽]?\s?({NUMBER})")
# A range is one figure valued at its lower bound; the phrase "от 10 до 15%" keeps both bounds
# and is what users see, while the value still sorts and merges like a plain "10%".
RANGE_QUALIFIER = "от … до"
QUANTITY_WINDOW = 120  # characters after a range's lower bound that hold its upper bound
MINUS = "минус"  # "Минус 5% за квартал": a fall, valued -5 with no qualifier
SIGN_BEFORE_RE = re.compile(r"(?<![\w\d])[-−–]")  # right before the number: "-30 °C"


def _context_rule(name: str) -> Rule:
    """A date, time, year or reference: never a figure; a year becomes context for figures."""

    def rule(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
        for m in pats.by_name[name].finditer(text):
            year = m.groupdict().get("year")
            yield Found(None, m.start(), m.end(), year=int(year) if year else None)

    rule.__name__ = name
    return rule


MONTHS = ("янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
# A publication stamp or a dateline, not news: "17 октября 2023 10:52", "АСТАНА, 28 октября.",
# "Пекин, 23 декабря /Синьхуа/ --", "Москва. 21 декабря. INTERFAX.RU", "19:42 28.02.2024", a
# date alone on its line ("/29 июля 2003 года/", "• Админ 22.05.2025") and a numeric date that
# opens a line ("14.11.2023 Медиакорпорация ..."). The time may be masked already (the time-of-day
# rule runs first): "\x00" x 4-8.
STAMP_AFTER_RE = re.compile(r"\s*,?\s*(?:в\s+)?(?:\d{1,2}:\d{2}|\x00{4,8}(?!\x00))")
STAMP_BEFORE_RE = re.compile(r"(?:\d{1,2}:\d{2}|(?<!\x00)\x00{4,8})[\s,]*$")
DATELINE_BEFORE_RE = re.compile(r"(?:^|\n)\s*[A-ZА-ЯЁ][A-ZА-ЯЁ -]{2,},\s*$")
# "Пекин, ", "Нур-Султан, ", "Астана. " opening a line, with punctuation after the date.
PLACE_BEFORE_RE = re.compile(
    r"(?:^|\n)[ \t]*(?P<place>[A-ZА-ЯЁ][\w-]*(?: [A-ZА-ЯЁ][\w-]*){0,2})[,.]\s*$"
)
PLACE_AFTER_RE = re.compile(r"\s*(?:[,./(]|[–—-]{1,2}\s)")
NOT_PLACES = frozenset(
    {"сегодня", "вчера", "завтра", "накануне", "ночью", "утром", "днем", "днём"}
)
LINE_PREFIX_RE = re.compile(r"[\W\d_]*(?:[A-ZА-ЯЁ][\w]*[\W\d_]*)?")  # "/", "• Админ "
LINE_REST_RE = re.compile(r"[^\w\n]*(?:\n|$)")


def is_stamp(text: str, start: int, stop: int, numeric: bool = False) -> bool:
    """Whether the date at text[start:stop] is a publication stamp or a dateline."""
    before = text[:start]
    if STAMP_AFTER_RE.match(text, stop) or STAMP_BEFORE_RE.search(before):
        return True
    if DATELINE_BEFORE_RE.search(before):
        return True
    place = PLACE_BEFORE_RE.search(before)
    if place and place["place"].lower() not in NOT_PLACES and PLACE_AFTER_RE.match(text, stop):
        return True
    prefix = before[before.rfind("\n") + 1 :]
    if numeric and not prefix.strip():
        return True  # "14.11.2023 Медиакорпорация Китая ...": a stamp opening a line
    return bool(LINE_PREFIX_RE.fullmatch(prefix)) and bool(LINE_REST_RE.match(text, stop))


def month_number(word: str) -> int:
    """ "июня" -> 6, "мая" -> 5."""
    lowered = word.lower()
    return next(i for i, m in enumerate(MONTHS, 1) if lowered.startswith(m))


def _date(text: str, m: re.Match[str], month: int, numeric: bool = False) -> Found:
    year = int(m["year"]) if m["year"] else None
    day = int(m["day"])
    stamp = is_stamp(text, m.start(), m.end(), numeric)
    valid = 1 <= day <= 31 and 1 <= month <= 12 and not stamp
    groups = m.groupdict()
    ranged = groups.get("day2") is not None or groups.get("through") is not None
    return Found(
        None,
        m.start(),
        m.end(),
        qualifier=RANGE_QUALIFIER if ranged else None,
        year=year,
        date=(day, month, year) if valid else None,
    )


def numeric_date(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "12.04.2026": a date figure (unless a stamp: "12.04.2026 10:52")."""
    for m in pats.by_name["numeric_date"].finditer(text):
        yield _date(text, m, int(m["month"]), numeric=True)


def date_with_month(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "3–5 июня 2026 года", "28 октября": a date figure when its year is known (written, or
    the publication's); always the year context of its sentence."""
    for m in pats.by_name["date_with_month"].finditer(text):
        yield _date(text, m, month_number(m["month"]))


def target_year(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "к 2033 году", "к 2030-му году": a deadline is a figure and its sentence's year."""
    for m in pats.by_name["target_year"].finditer(text):
        year = int(m["year"])
        yield Found("target_year", m.start(), m.end(), float(year), "год", year=year)


def anniversary(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "80-летие", "25-летием": a round date, counted in years."""
    for m in pats.by_name["anniversary"].finditer(text):
        yield Found("anniversary", m.start(), m.end(), parse_number(m["num"]), "лет")


DURATION_STEMS = {
    "час": "час",
    "дн": "день",
    "суточ": "сутки",
    "недел": "неделя",
    "месяч": "месяц",
}


def duration_adjective(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "72-часовая транзитная виза", "30-дневный безвизовый режим": a duration; not "37-летний"
    (an age)."""
    for m in pats.by_name["duration_adjective"].finditer(text):
        unit = next(u for stem, u in DURATION_STEMS.items() if m["stem"].lower().startswith(stem))
        yield Found("measure", m.start(), m.end(), parse_number(m["num"]), unit)


def _event(m: re.Match[str], models: NlpModels) -> str:
    return models.lemma(m["event"])


def roman_value(numeral: str) -> int:
    """'XXV' -> 25."""
    values = [ROMAN_VALUES[c] for c in numeral]
    return sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))


def ordinal_event(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "XXV саммит", "8-е заседание", "2-го саммита", "на втором саммите"."""
    for m in pats.by_name["ordinal_roman"].finditer(text):
        if ROMAN_RE.fullmatch(m["roman"]):
            value = float(roman_value(m["roman"]))
            yield Found("ordinal", m.start(), m.end(), value, _event(m, models))
    for m in pats.by_name["ordinal_number"].finditer(text):
        yield Found("ordinal", m.start(), m.end(), parse_number(m["num"]), _event(m, models))
    pattern, pos = pats.by_name["ordinal_word"], 0
    while (w := pattern.search(text, pos)) is not None:
        m = w
        number = pats.lex.ordinal_words.get(models.lemma(m["word"]))
        if number is None:  # "и девятого заседания": try again from the next word
            pos = m.end("word")
            continue
        yield Found("ordinal", m.start(), m.end(), float(number), _event(m, models))
        pos = m.end()


def multiplier(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "в два раза", "в 100 раз", "в полтора раза", "в 2–3 раза" (a range), "вдвое"."""
    for m in pats.by_name["multiplier"].finditer(text):
        num = m["low"] or m["num"]
        value = parse_number(num) if num[0].isdigit() else lookup(pats.lex.number_words, num)
        q = RANGE_QUALIFIER if m["low"] else None
        yield Found("multiplier", m.start(), m.end(), float(value), "x", q)  # type: ignore[arg-type]
    for m in pats.by_name["multiplier_word"].finditer(text):
        value = pats.lex.multiplier_words[m["word"].lower()]
        yield Found("multiplier", m.start(), m.end(), value, "x")


def money(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "$44 млрд", "до $1,5 трлн", "44 миллиардов долларов", "полтора миллиарда долларов"."""
    lex = pats.lex
    for m in pats.by_name["money_sign_first"].finditer(text):
        unit = lex.signs[m["sign"]]
        yield Found("money", m.start(), m.end(), scaled(m, lex), unit, qualifier(m))
    for m in pats.by_name["money_words"].finditer(text):
        cur = m["cur"]
        unit = lex.signs.get(cur) or str(lookup(lex.currencies, cur))
        yield Found("money", m.start(), m.end(), scaled(m, lex), unit, qualifier(m))


def percent(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "30%", "15 процентов", "на 2 п.п.", "минус 5%"."""
    for name, unit in (("percent_points", "п.п."), ("percent", "%")):
        for m in pats.by_name[name].finditer(text):
            value, q = scaled(m, pats.lex), qualifier(m)
            if q == MINUS:
                value, q = -value, None
            yield Found("percent", m.start(), m.end(), value, unit, q)


def measure(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "1 200 км", "5 млн тонн", "300 МВт"."""
    lex = pats.lex
    for m in pats.by_name["measure"].finditer(text):
        unit = str(lookup(lex.units, m["unit"]))
        value, start, q = scaled(m, lex), m.start(), qualifier(m)
        if unit == "°C":  # temperatures keep their sign: "-30 °С", "минус 5 градусов"
            sign = SIGN_BEFORE_RE.match(text, max(0, start - 1)) if q is None else None
            if sign is not None and sign.end() == start:
                value, start = -value, sign.start()
            elif q == MINUS or "мороз" in m.group().lower():
                value, q = -abs(value), None if q == MINUS else q
        yield Found("measure", start, m.end(), value, unit, q)


def _substantive(word: str, models: NlpModels) -> str:
    """ "осужденных" -> "осужденный": a participle used as a noun, in the masculine singular."""
    for parse in models.morph.parse(word.lower()):
        if {"PRTF", "ADJF"} & set(parse.tag.grammemes) and "Subx" in parse.tag:
            form = parse.inflect({"masc", "sing", "nomn"})
            if form is not None:
                return str(form.word).replace("ё", "е")
    return models.lemma(word)


def _counted_noun(words: str, models: NlpModels, lex: Lexicon) -> tuple[int, str] | None:
    """Length of "крупных компаний" up to its noun and the noun's lemma, if it is one:
    "межправительственных и межведомственных документов", "восьми осужденных" (a participle
    standing for a noun), "22 НИИ" (an abbreviation)."""
    offset, previous, last = 0, "", (0, "")
    for word in words.split():
        end = words.index(word, offset) + len(word)
        tag = models.tag(word)
        if word.isupper() and len(word) <= 5 and tag.POS == "NOUN" and not previous:
            return end, models.lemma(word)  # "22 НИИ", "45 КРС"
        if not word[0].islower():
            break
        if tag.POS == "NOUN":
            lemma = models.lemma(word)
            return end, lex.counted_lemmas.get(lemma, lemma)
        if word == "и" and previous in {"ADJF", "PRTF"}:
            previous, offset = "CONJ", end
            continue
        if tag.POS not in {"ADJF", "PRTF"}:
            break
        previous, offset, last = tag.POS, end, (end, word)
        if "Subx" not in tag:
            last = (0, "")
    if previous in {"ADJF", "PRTF"} and last[1] and last[0] == offset:
        return last[0], _substantive(last[1], models)  # "63 подозреваемых", "восьми осужденных"
    return None


# "За 10 лет ...", "За 63 года своей истории ...": the period a total is counted over, not a
# duration that is news (as "преодолел за 16 суток" is).
# Without an estimating qualifier a number word of time is not a figure: "два года", "всего
# двух месяцев" (an interval stressed), against "около трех часов", "до трёх месяцев".
RHETORICAL = frozenset({None, "всего", "лишь", "целых", "ровно"})
AGO_RE = re.compile(r"\s+(?:назад|тому\s+назад|спустя)(?![а-яё])")  # "пять лет назад": a moment
FRAME_BEFORE_RE = re.compile(r"(?<![\w])За\s+(?:последние\s+|первые\s+)?$")


def count(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "более чем 150 государствами", "400 тысяч студентов", "24 документа"; "10 лет" is time."""
    for m in pats.by_name["count"].finditer(text):
        noun = _counted_noun(m["words"], models, pats.lex)
        if noun is None or noun[1] in NOT_COUNTED:
            continue
        stop = m.start("words") + noun[0]
        kind, unit = unit_of(m["words"][: noun[0]], noun[1])
        if noun[1] in pats.lex.time_lemmas:
            if FRAME_BEFORE_RE.search(text, 0, m.start()) or AGO_RE.match(text, stop):
                continue
            kind = "measure"
        yield Found(kind, m.start(), stop, scaled(m, pats.lex), unit, qualifier(m))


def count_in_words(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """«семи государств», «двадцать пять предприятий», «две с половиной тысячи ...»; a time
    ("два года") is not a figure in words."""
    lex = pats.lex
    for m in pats.by_name["count_in_words"].finditer(text):
        noun = _counted_noun(m["words"], models, lex)
        if noun is None or noun[1] in NOT_COUNTED or noun[1] == "раз":
            continue
        timed = noun[1] in lex.time_lemmas
        if timed and (
            qualifier(m) in RHETORICAL or AGO_RE.match(text, m.start("words") + noun[0])
        ):
            continue  # "два года" is time; "около трех часов", "до трёх месяцев" a duration
        before = text[: m.start("nw")].rstrip(" ")
        if before.endswith(("«", '"', "„", "“")) or (m["nw"][0].isupper() and before):
            continue  # a name: «тремя силами зла», "программа «Пять социальных инициатив»"
        bare_two = m["nw"].lower() in BARE_TWO and not (m["half"] or m["scale"] or timed)
        if bare_two and noun[1] in BILATERAL:
            continue  # "двух стран", "двумя государствами": the bilateral, not a figure
        value = 0.0
        for word in m["nw"].split():
            value += float(lookup(lex.number_words, word))  # type: ignore[arg-type]
        if m["half"]:
            value += 0.5
        if m["scale"]:
            value *= float(lookup(lex.scales, m["scale"]))  # type: ignore[arg-type]
        stop = m.start("words") + noun[0]
        kind, unit = unit_of(m["words"][: noun[0]], noun[1])
        yield Found("measure" if timed else kind, m.start(), stop, value, unit, qualifier(m))


# Measures named by a word the unit table does not catch after a number word or a scale:
# "почти три гектара", "свыше 10 тыс. квадратных метров".
UNIT_LEMMAS = {"гектар": "га", "километр": "км", "тонна": "т", "метр": "м", "мегаватт": "МВт"}
# Not things counted: a scale word whose noun is elsewhere ("с 18 тыс. до 217 тысяч, - сказал"),
# a page's view counter ("426 просмотров"), a span of decades.
NOT_COUNTED = frozenset(
    {
        "тысяча",
        "миллион",
        "миллиард",
        "триллион",
        "просмотр",
        "комментарий",
        "десятилетие",
        "десяток",  # "два десятка лет": a span of decades
    }
)
BARE_TWO = frozenset({"два", "две", "двух", "двум", "двумя"})
# After "двух": the two sides of a bilateral story, not a figure ("двух стран", "двух лидеров");
# "двух заводов" is one.
BILATERAL = frozenset(
    {
        "страна",
        "государство",
        "сторона",
        "народ",
        "лидер",
        "глава",
        "президент",
        "председатель",
        "министр",
        "правительство",
        "держава",
        "республика",
        "ведомство",
        "министерство",
        "столица",
        "сосед",
        "партнер",
    }
)


def unit_of(words: str, lemma: str) -> tuple[FigureKind, str]:
    """("measure", "м²") for "квадратных метров", ("measure", "га") for "гектаров", or a count."""
    unit = UNIT_LEMMAS.get(lemma)
    if unit is None:
        return "count", lemma
    if unit == "м" and "квадратн" in words.lower():
        return "measure", "м²"
    return "measure", unit


QUANTITY_RULES: tuple[Rule, ...] = (money, percent, measure, count)


def _quantity_at(
    text: str, pos: int, pats: Patterns, models: NlpModels, sign: str = ""
) -> Found | None:
    """The quantity starting at `pos` ("15%", "15 млрд долларов"), read with a carried sign."""
    # A bounded window: the quantity is right there ("15 млрд долларов"); the rules must not
    # scan the rest of the sentence once per range (quadratic: 28 KB of ranges took minutes).
    rest = sign + text[pos : pos + QUANTITY_WINDOW]
    for rule in QUANTITY_RULES:
        for found in rule(rest, pats, models):
            if found.start == 0 and found.qualifier is None:
                return dataclasses.replace(found, start=pos, stop=pos + found.stop - len(sign))
    return None


def range_of_numbers(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "от 10 до 15%", "10–15 млрд долларов", "$10–15 млрд": one figure, from the lower bound.

    The upper bound gives the kind, unit and scale ("10–15 млрд" is 10e9 to 15e9) unless the
    lower bound has its own ("от 500 млн до 1 млрд"). "с 10 до 15" is a change, not a range.
    """
    for m in pats.by_name["range_of_numbers"].finditer(text):
        upper = _quantity_at(text, m.end(), pats, models, m["sign"] or "")
        number = UPPER_NUMBER_RE.match((m["sign"] or "") + text[m.end() :])
        if upper is None or upper.value is None or number is None:
            continue
        top = parse_number(number[1])
        scale = upper.value / top if top else 1.0
        if m["lscale"]:
            scale = float(lookup(pats.lex.scales, m["lscale"]))  # type: ignore[arg-type]
        low = parse_number(m["low"]) * scale
        yield Found(upper.kind, m.start(), upper.stop, low, upper.unit, RANGE_QUALIFIER)


# "количество посетителей ... с 18 тыс. до 217 тысяч": the noun of a change written without one.
COUNTED_BEFORE_RE = re.compile(
    r"(?:количеств|числ|поток)[а-я]*\s+(?P<noun>[а-яё]+)", re.IGNORECASE
)
SCALED_NUMBER_RE = re.compile(
    rf"(?P<num>{NUMBER})\s*(?P<scale>тыс\.?|тысяч[а-я]*|млн\.?|миллион[а-я]*)"
)


def change_of_numbers(text: str, pats: Patterns, models: NlpModels) -> Iterator[Found]:
    """ "с 3 до 6 лет", "с 18 тыс. до 217 тысяч": a change gives two figures, the old level here
    and the new one ("до 6 лет", read by the quantity rules), both of the unit after the second
    number, or of the noun counted earlier in the sentence when it has none."""
    for m in pats.by_name["change_of_numbers"].finditer(text):
        upper, own = _quantity_at(text, m.end(), pats, models), True
        if upper is None:  # the new level is read by its own rule when it has a noun
            upper, own = _counted_before(text, m, pats, models), False
        number = UPPER_NUMBER_RE.match(text[m.end() :])
        if upper is None or upper.value is None or number is None:
            continue
        top = parse_number(number[1])
        scale = upper.value / top if top else 1.0
        if m["lscale"]:
            scale = float(lookup(pats.lex.scales, m["lscale"]))  # type: ignore[arg-type]
        low = parse_number(m["low"]) * scale
        yield Found(upper.kind, m.start(), m.end("lowpart"), low, upper.unit)
        if not own:
            yield upper


def _counted_before(
    text: str, m: re.Match[str], pats: Patterns, models: NlpModels
) -> Found | None:
    """The upper number of a change as a count of the noun after "количество"/"число"."""
    number = SCALED_NUMBER_RE.match(text, m.end())
    counted = list(COUNTED_BEFORE_RE.finditer(text, 0, m.start()))
    if number is None or not counted:
        return None
    scale = float(lookup(pats.lex.scales, number["scale"]))  # type: ignore[arg-type]
    value = parse_number(number["num"]) * scale
    return Found("count", number.start(), number.end(), value, models.lemma(counted[-1]["noun"]))


# Order matters: each rule masks what it matched, so dates, years, references and times of day
# are claimed before any number rule could read "2024", "30" in "30 августа", "3" in "пункт 3"
# or "10" in "в 10 часов утра" as a quantity, and a range before its upper bound alone.
RULES: tuple[Rule, ...] = (
    numeric_date,
    _context_rule("iso_date_or_time"),
    _context_rule("phone_number"),
    _context_rule("reference_number"),
    _context_rule("time_of_day"),
    target_year,
    date_with_month,
    _context_rule("month_with_year"),
    _context_rule("year_range"),
    _context_rule("bare_year"),
    _context_rule("year_after_preposition"),
    anniversary,
    duration_adjective,
    ordinal_event,
    multiplier,
    change_of_numbers,
    range_of_numbers,
    money,
    percent,
    measure,
    count,
    count_in_words,
)

# Rules that match nothing without a digit in the sentence, skipped there (most sentences have
# none; the phone pattern alone took a third of the figure time on an 8 KB article).
DIGIT_RULES: frozenset[Rule] = frozenset(
    {
        *RULES[1:11],  # the context rules: ISO dates and times ... years after a preposition
        numeric_date,
        date_with_month,
        target_year,
        anniversary,
        duration_adjective,
        change_of_numbers,
        range_of_numbers,
    }
)
