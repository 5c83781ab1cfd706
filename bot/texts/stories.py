"""Story replies (issue 12): /summary as stories, /story N, its buttons, follow-up alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.models import ArticleHead
from bot.services.views import (
    FigureEntry,
    StoryBriefing,
    StoryEntry,
    StoryLine,
    StoryView,
)
from bot.texts.briefing import (
    NO_ARTICLES,
    PERIOD_TITLES,
    SOURCES,
    citation,
    key_sentence,
    nbsp_numbers,
    shorten,
    source_link,
)
from bot.texts.grammar import MATERIALS, count_of, format_date, plural, quoted
from bot.texts.markup import bold, esc, link, split_messages

STORIES = ("сюжет", "сюжета", "сюжетов")
REPORT = ("сообщает", "сообщают", "сообщают")
STORY_BUTTONS_PER_ROW = 4
BUTTON_TITLE = 24  # characters of a title on a story button

STORY_USAGE = "Укажите номер сюжета, например: /story 1. Номера — в /summary."


class StoryCallback(CallbackData, prefix="story"):
    """A story button under /summary: opens /story N."""

    id: int


def story_not_found(number: int) -> str:
    return f"Сюжета №{number} нет. Свежие сюжеты — /summary"


def reported_by(count: int) -> str:
    """«Об этом сообщает 1 источник», «Об этом сообщают 3 источника»: verb and noun agree."""
    # The verb agrees with the last word of the numeral, as the noun does: «21 источник
    # сообщает», «22 источника сообщают».
    return f"Об этом {plural(count, REPORT)} {count_of(count, SOURCES)}"


def render_line(line: StoryLine) -> str:
    """— the sentence, verbatim — its source and date (and who else says the same)."""
    text = f"— {key_sentence(line.sentence)} — {citation(line.head)}"
    if line.echoes:
        text += "; также: " + "; ".join(citation(h) for h in line.echoes)
    return text


def render_figure_entry(entry: FigureEntry) -> str:
    """<b>$44 млрд</b> — every source citing exactly this figure."""
    sources = "; ".join(citation(h) for h in entry.heads)
    return f"{bold(nbsp_numbers(entry.figure.phrase.text))} — {sources}"


def render_sources(entry: StoryEntry) -> str:
    """«Об этом сообщают 3 источника: …» with every source (of the articles read) linked."""
    sources = entry.sources
    total = max(entry.total_sources, len(sources))
    text = f"{reported_by(total)}: " + "; ".join(citation(h) for h in sources)
    if total > len(sources):
        text += f" и ещё {total - len(sources)} — /story {entry.id}"
    return text


def render_entry(number: int, entry: StoryEntry) -> str:
    """One story of /summary: title (cited), key sentences, main figure, every source."""
    story = f" · /story {entry.id}" if entry.id else ""  # 0: an article in no story yet
    lines = [
        f"<b>{number}. {esc(entry.title.title)}</b>",
        f"{citation(entry.title)}{story} · /article {entry.title.id}",
    ]
    lines += [render_line(line) for line in entry.lines]
    if entry.figure is not None:
        lines.append(f"Главная цифра: {render_figure_entry(entry.figure)}")
    lines.append(render_sources(entry))
    return "\n".join(lines)


def render_story_briefing(briefing: StoryBriefing) -> list[str]:
    """Blocks of /summary: heading, one block per story."""
    title = "Брифинг"
    if briefing.theme:
        title += f": {esc(briefing.theme.name)}"
    if briefing.period:
        title += f" {PERIOD_TITLES[briefing.period]}"
    if not briefing.entries:
        return [f"<b>{title}</b>\n{_nothing(briefing)}"]
    heading = f"<b>{title}</b> — {count_of(len(briefing.entries), STORIES)}"
    if briefing.since:
        heading += f", с {format_date(briefing.since)}"
    return [heading, *(render_entry(n, e) for n, e in enumerate(briefing.entries, start=1))]


def _nothing(briefing: StoryBriefing) -> str:
    if briefing.period:
        return "За этот период материалов нет. Попробуйте /summary месяц или /summary."
    if briefing.theme:
        return (
            f"По теме {quoted(esc(briefing.theme.name))} материалов пока нет. Все темы — /topics"
        )
    return NO_ARTICLES


def story_keyboard(briefing: StoryBriefing) -> InlineKeyboardMarkup | None:
    """A button per story: «1. Токаев и Си…» opens /story N."""
    buttons = [
        InlineKeyboardButton(
            text=f"{n}. {shorten(e.title.title, BUTTON_TITLE)}",
            callback_data=StoryCallback(id=e.id).pack(),
        )
        for n, e in enumerate(briefing.entries, start=1)
    ]
    if not buttons:
        return None
    rows = [buttons[i : i + 1] for i in range(len(buttons))]  # titles are long: one per row
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _period(entry: StoryEntry) -> str:
    dates = sorted(h.published for h in entry.heads if h.published)
    if not dates:
        return format_date(None)
    if dates[0] == dates[-1]:
        return format_date(dates[0])
    return f"с {format_date(dates[0])} по {format_date(dates[-1])}"


def render_story(view: StoryView) -> list[str]:
    """/story N: every article, all key sentences, figures merged across sources."""
    entry = view.entry
    sources = len(entry.sources)
    blocks = [
        f"<b>Сюжет №{entry.id}: {esc(entry.title.title)}</b>\n{citation(entry.title)}\n"
        f"{_period(entry)} · {count_of(len(entry.heads), MATERIALS)}, "
        f"{count_of(sources, SOURCES)}"
    ]
    articles = ["<b>Материалы</b>"]
    articles += [
        f"• {link(h.url, shorten(h.title, 200))} — {source_link(h)}, "
        f"{format_date(h.published)} · /article {h.id}"
        for h in entry.heads
    ]
    blocks.append("\n".join(articles))
    if entry.lines:
        blocks.append("\n".join(["<b>Главное</b>", *(render_line(x) for x in entry.lines)]))
    if view.figures:
        lines = ["<b>Цифры</b>"]
        # One line per metric: the same figure from several sources is one entry with all
        # of them; different values of the metric stand side by side, never averaged.
        lines += [
            "• " + " | ".join(render_figure_entry(e) for e in group) for group in view.figures
        ]
        blocks.append("\n".join(lines))
    blocks.append(render_sources(entry))
    return blocks


def render_follow_up(
    head: ArticleHead, story_id: int, story_title: str, theme: str | None
) -> list[str]:
    """An alert for a new article of a story the chat was already alerted about: it says
    «ещё один источник» and points to the story instead of repeating the event."""
    header = bold("Ещё один источник") + (f" · тема {quoted(esc(theme))}" if theme else "")
    text = (
        f"{header}: {link(head.url, head.title)}\n{citation(head)}\n"
        f"Сюжет {quoted(esc(shorten(story_title, 120)))} целиком: /story {story_id}"
    )
    return split_messages([text])


def render_digest(day: dt.date, entries: Sequence[StoryEntry], theme: str | None) -> list[str]:
    """The daily digest by story: each story of the day once, as /summary lists it (title
    cited, the day's key sentence, every source, /story N), in messages of at most 4096."""
    what = f"тема {quoted(esc(theme))}" if theme else "все материалы"
    title = bold(f"Дайджест за {format_date(day)}")
    blocks = [f"{title} · {what}: {count_of(len(entries), STORIES)}"]
    blocks += [render_entry(n, e) for n, e in enumerate(entries, start=1)]
    return split_messages(blocks)
