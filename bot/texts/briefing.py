"""Briefing replies: /summary, /topic, /topics, /search, bad input, flood and stale buttons."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.models import ArticleHead, KeySentence
from bot.services.requests import MAX_ARG_LENGTH, MAX_SUMMARY, BadReason
from bot.services.views import Hit, SearchResult, ThemeMenu, TopicPage
from bot.texts.grammar import MATERIALS, NBSP, count_of, format_date, quoted
from bot.texts.markup import (
    MESSAGE_LIMIT,
    esc,
    excerpt,
    link,
    plain_text,
    visible_length,
)

SOURCES = ("источник", "источника", "источников")
SNIPPET_WIDTH = 240  # characters of a matched sentence shown around the first match
# A key sentence longer than this (a 3,000-character run-on) is shown as its verbatim start.
KEY_SENTENCE_WIDTH = 400
TITLE_WIDTH = 200  # a listed title is cut here, so a page of five always fits one message
NO_SOURCE = "источник не указан"

FLOOD_NOTICE = "Слишком много запросов. Подождите минуту — потом я снова отвечу."
STALE_BUTTON = "Эта кнопка устарела. Отправьте команду ещё раз."
NO_ARTICLES = "Материалов пока нет. Они появятся, когда в папку статей добавят файлы."

BAD_INPUT = {
    "too_long": f"Слишком длинный запрос: не больше {MAX_ARG_LENGTH} символов.",
    "control": "В запросе есть служебные невидимые символы. Напишите обычными словами.",
    "no_words": "В запросе нет слов — только знаки или эмодзи.",
    "count": f"Можно попросить от 1 до {MAX_SUMMARY} материалов.",
    "number": "Укажите номер числом.",  # of an article or a story: the example says which
}
PERIOD_TITLES = {"week": "за неделю", "month": "за месяц"}

_NUMBER_SPACE = re.compile(r"(?<=\d) (?=[^\W\d_])")  # «44 млрд» must not break across lines


# An example of valid use for each command that takes an argument, shown after bad input.
EXAMPLES = {
    "summary": "/summary 3 или /summary кибербезопасность",
    "topic": "/topic кибербезопасность",
    "figures": "/figures торговля",
    "search": "/search инвестиции",
    "article": "/article 2",
    "story": "/story 1",
}
COUNT_EXAMPLE = "/summary 3"
SEARCH_USAGE = "Что найти? Напишите слова после команды, например: /search инвестиции"


def example_for(command_text: str, reason: BadReason) -> str:
    """An example of valid use of the command this message invoked."""
    if reason == "count":
        return COUNT_EXAMPLE
    name = command_text.split(maxsplit=1)[0] if command_text.strip() else ""
    name = name.lstrip("/").partition("@")[0].lower()
    return EXAMPLES.get(name, "/help")


def render_bad_input(reason: BadReason, example: str) -> str:
    """A short explanation of what was wrong, with an example of valid use."""
    return f"{BAD_INPUT[reason]} Например: {example}"


def fit_one(blocks: list[str], limit: int = MESSAGE_LIMIT) -> str:
    """The blocks as one message (an edited page must be one): trailing blocks dropped if long."""
    while len(blocks) > 1 and visible_length("\n\n".join(blocks)) > limit:
        blocks = blocks[:-1]
    text = "\n\n".join(blocks)
    if visible_length(text) <= limit:
        return text
    plain = plain_text(text)  # one giant block: show its start as plain text
    return esc(shorten(plain, limit // 2))


def shorten(text: str, width: int) -> str:
    """At most `width` characters, cut at a space, with «…» when cut."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width - 1)
    return text[: cut if cut > width // 2 else width - 1] + "…"


def key_sentence(sentence: KeySentence) -> str:
    """A key sentence as shown: a verbatim prefix of at most KEY_SENTENCE_WIDTH characters."""
    return nbsp_numbers(esc(excerpt(sentence.span.text, KEY_SENTENCE_WIDTH)))


def nbsp_numbers(text: str) -> str:
    """Bind a number to the word after it: «44 млрд», «150 государств»."""
    return _NUMBER_SPACE.sub(NBSP, text)


def source_link(head: ArticleHead) -> str:
    return link(head.url, head.source or NO_SOURCE)


def citation(head: ArticleHead, *, linked: bool = True) -> str:
    """«Источник (ссылка), 30 августа 2025»: every claim shown carries source, date, link.

    `linked=False` where the title right above already links the article (alerts, digests).
    """
    source = source_link(head) if linked else esc(head.source or NO_SOURCE)
    return f"{source}, {format_date(head.published)}"


def byline(head: ArticleHead) -> str:
    """«Источник (ссылка), 30 августа 2025 · /article 3»."""
    return f"{citation(head)} · /article {head.id}"


def marked(text: str, marks: Sequence[tuple[int, int]], width: int = SNIPPET_WIDTH) -> str:
    """Escaped text around the first mark (at most `width` chars), marked words in bold."""
    start, stop = window(text, marks[0] if marks else (0, 0), width)
    parts, position = [], start
    for a, b in sorted(marks):
        if a < position or b > stop:
            continue
        parts += [esc(text[position:a]), f"<b>{esc(text[a:b])}</b>"]
        position = b
    parts.append(esc(text[position:stop]))
    body = nbsp_numbers("".join(parts))
    return ("…" if start > 0 else "") + body + ("…" if stop < len(text) else "")


def window(text: str, focus: tuple[int, int], width: int) -> tuple[int, int]:
    """A slice of about `width` chars containing `focus`, cut at spaces."""
    if len(text) <= width:
        return 0, len(text)
    start = max(0, min(focus[0] - width // 3, len(text) - width))
    stop = min(len(text), start + width)
    if start > 0:
        space = text.find(" ", start, focus[0] if focus[0] > start else stop)
        start = space + 1 if space >= 0 else start
    if stop < len(text):
        space = text.rfind(" ", max(start, focus[1]), stop)
        stop = space if space > start else stop
    return start, stop


# --- /topic, /topics ----------------------------------------------------------------------------


def render_menu(menu: ThemeMenu) -> str:
    """Themes with counts; for an unknown theme, what was not found and suggestions."""
    lines = []
    if menu.query:
        lines.append(f"Тема {quoted(esc(menu.query))} не найдена.")
        if menu.suggestions:
            names = ", ".join(quoted(esc(t.name)) for t in menu.suggestions)
            lines.append(f"Возможно, вы имели в виду: {names}?")
        lines.append("")
    lines.append("<b>Темы</b> — нажмите, чтобы открыть материалы:")
    lines += [f"• {esc(t.name)} — {count_of(n, MATERIALS)}" for t, n in menu.counts]
    lines += ["", "Например: /topic кибербезопасность"]
    return "\n".join(lines)


def render_topic(page: TopicPage) -> list[str]:
    """«Тема «кибербезопасность»: 2 материала», then each article with its snippet."""
    heading = f"<b>Тема {quoted(esc(page.theme.name))}: {count_of(page.total, MATERIALS)}</b>"
    if page.pages > 1:
        heading += f"\nСтраница {page.page + 1} из {page.pages}"
    if not page.hits:
        return [f"{heading}\nМатериалов по этой теме пока нет. Все темы — /topics"]
    return [heading, *(render_hit(hit) for hit in page.hits)]


def render_hit(hit: Hit) -> str:
    """Title as a link, source and date, the matched sentence(s) with matched words in bold."""
    title = link(hit.head.url, shorten(hit.head.title, TITLE_WIDTH))
    quotes = [(hit.snippet, hit.marks), *hit.more]
    shown = "\n".join(f"<i>{marked(span.text, marks)}</i>" for span, marks in quotes)
    return f"{title}\n{byline(hit.head)}\n{shown}"


# --- /search ----------------------------------------------------------------------------------


def render_search(result: SearchResult) -> list[str]:
    query = quoted(esc(result.query))
    if not result.hits:
        return [
            f"По запросу {query} ничего не нашлось. Попробуйте другие слова, "
            "например: /search торговля"
        ]
    found = count_of(len(result.hits), MATERIALS)
    heading = f"<b>Поиск {query}</b>: " + (f"первые {found}" if result.limited else found)
    return [heading, *(render_hit(hit) for hit in result.hits)]
