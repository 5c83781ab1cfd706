"""Reading replies: /figures, /people, /sources, /article and inline-mode results."""

from __future__ import annotations

from bot.models import ArticleHead, Span, one_line
from bot.services.views import (
    FIGURES_RECENT,
    PEOPLE_RECENT,
    ArticleView,
    FigureBoard,
    FigureEntry,
    PeoplePage,
    PersonRow,
    SourceRow,
)
from bot.texts.briefing import (
    NO_SOURCE,
    SOURCES,
    citation,
    key_sentence,
    marked,
    nbsp_numbers,
    shorten,
)
from bot.texts.grammar import MATERIALS, count_of, format_date, quoted
from bot.texts.markup import MESSAGE_LIMIT, bold, esc, link, visible_length

MENTIONS = ("упоминание", "упоминания", "упоминаний")
FIGURE_CONTEXT = 160  # characters of the sentence around a figure
PERSON_LINKS = 3  # articles listed per person; the rest are counted
QUOTE_CHUNK = MESSAGE_LIMIT - 200  # the full text goes in blockquotes of at most this size
# A 1 MB file would be ~250 messages (13 minutes of a group's 20-a-minute limit): quote this
# many parts, then point to the original.
QUOTE_PARTS = 3
TEXT_CUT = "Дальше текст не поместился — полностью он на сайте источника."
INLINE_DESCRIPTION = 200
SOURCE_WIDTH = 60  # a source name in a list of links

FIGURE_GROUP_TITLES = {
    "money": "Деньги и торговля",
    "growth": "Доли и рост",
    "counts": "Количества",
    "dates": "Даты и юбилеи",
}
KIND_NOTES = {"ORG": " (организация)"}


def render_figures(board: FigureBoard) -> list[str]:
    """«Ключевые цифры» by group: value in bold in its context, every source linked."""
    title = "Ключевые цифры"
    if board.theme:
        title += f": {esc(board.theme.name)}"
    heading = f"<b>{title}</b> — по последним материалам (до {FIGURES_RECENT})"
    if not board.groups:
        return [f"<b>{title}</b>\nЦифр в последних материалах не нашлось."]
    blocks = [heading]
    for group, entries in board.groups:
        lines = [f"<b>{FIGURE_GROUP_TITLES[group]}</b>"]
        lines += [render_figure(entry) for entry in entries]
        blocks.append("\n".join(lines))
    return blocks


def render_figure(entry: FigureEntry) -> str:
    """• <b>$44 млрд</b> — …context from its sentence… — every source."""
    figure = entry.figure
    start = figure.phrase.start - figure.sentence.start
    context = marked(
        figure.sentence.text, [(start, start + len(figure.phrase.text))], FIGURE_CONTEXT
    )
    value = bold(nbsp_numbers(figure.phrase.text))
    sources = "; ".join(citation(h) for h in entry.heads)
    return f"• {value} — {context} — {sources}"


def render_people(page: PeoplePage | None) -> list[str]:
    """Persons and organisations, most mentioned first, with the articles they appear in."""
    heading = f"<b>Персоны и организации</b> — в последних материалах (до {PEOPLE_RECENT})"
    if page is not None and page.query:
        heading += f", по запросу {quoted(esc(page.query))}"
        if not page.rows:
            return [
                f"Среди персон и организаций последних материалов нет {quoted(esc(page.query))}. "
                "Весь список — /people"
            ]
    if page is None or not page.rows:
        return [f"{heading}\nИмён в материалах не нашлось."]
    if page.pages > 1:
        heading += f"\nСтраница {page.page + 1} из {page.pages}"
    return [heading, *(render_person(row) for row in page.rows)]


def render_person(row: PersonRow) -> str:
    """• <b>Имя</b> — 12 упоминаний в 3 материалах: Источник (/article 1), ..."""
    shown = row.heads[:PERSON_LINKS]
    articles = ", ".join(f"{_short_source(h)} (/article {h.id})" for h in shown)
    if len(row.heads) > len(shown):
        articles += f" и ещё {count_of(len(row.heads) - len(shown), MATERIALS)}"
    return (
        f"• {bold(one_line(row.name))}{KIND_NOTES.get(row.kind, '')} — "
        f"{count_of(row.mentions, MENTIONS)} в {_in_materials(len(row.heads))}: {articles}"
    )


def _short_source(head: ArticleHead) -> str:
    return link(head.url, shorten(head.source or NO_SOURCE, SOURCE_WIDTH))


def _in_materials(count: int) -> str:
    """«1 материале», «5 материалах» (prepositional case, after «в»)."""
    return count_of(count, ("материале", "материалах", "материалах"))


def render_sources(rows: tuple[SourceRow, ...], query: str = "") -> list[str]:
    if not rows and query:
        return [f"Источника {quoted(esc(query))} среди материалов нет. Все источники — /sources"]
    if not rows:
        return ["Источников пока нет: материалы ещё не загружены."]
    total = sum(r.articles for r in rows)
    heading = f"<b>Источники</b> — {count_of(len(rows), SOURCES)}, {count_of(total, MATERIALS)}"
    lines = [heading, ""]
    for row in rows:
        latest = format_date(row.latest, "дата не указана")
        name = esc(one_line(row.name) if row.name else NO_SOURCE)
        lines.append(f"• {name} — {count_of(row.articles, MATERIALS)}, последний: {latest}")
    return ["\n".join(lines)]


def render_article(view: ArticleView) -> list[str]:
    """Title, source, date, summary, figures, themes, the full text, the original link."""
    article = view.article
    blocks = [f"<b>{esc(article.title)}</b>\n{citation(article)} · материал №{article.id}"]
    if view.summary:
        lines = ["<b>Главное</b>", *(f"— {key_sentence(k)}" for k in view.summary)]
        blocks.append("\n".join(lines))
    if view.figures:
        seen: set[str] = set()
        lines = ["<b>Цифры</b>"]
        for figure in view.figures:
            if figure.phrase.text not in seen:
                seen.add(figure.phrase.text)
                lines.append(f"• {bold(nbsp_numbers(figure.phrase.text))}")
        blocks.append("\n".join(lines))
    if view.themes:
        names = ", ".join(esc(t.name) for t in view.themes)
        blocks.append(f"<b>Темы</b>: {names}")
    quotes = quote_blocks(article.body)
    blocks += quotes[:QUOTE_PARTS]
    if len(quotes) > QUOTE_PARTS:
        blocks.append(TEXT_CUT)
    if article.url:
        blocks.append(link(article.url, "Оригинал на сайте источника"))
    return blocks


def quote_blocks(body: str, limit: int = QUOTE_CHUNK) -> list[str]:
    """The full text in expandable blockquotes, each small enough for one message."""
    chunks: list[str] = []
    current = ""
    for line in _pieces(body, limit):
        candidate = f"{current}\n{line}" if current else line
        if current and visible_length(esc(candidate)) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return [f"<blockquote expandable>{esc(chunk)}</blockquote>" for chunk in chunks]


def _pieces(body: str, limit: int) -> list[str]:
    """Lines of the body, a line longer than the limit cut into halves of it."""
    step = limit // 2  # an emoji is two UTF-16 units: half the limit always fits
    pieces = []
    for line in body.strip().split("\n"):
        pieces += [line[i : i + step] for i in range(0, len(line), step)] or [""]
    return pieces


ARTICLE_USAGE_HINT = "Номера материалов видны в /summary и /topic; например: /article 1"


def article_not_found(number: int) -> str:
    return f"Материала №{number} нет. {ARTICLE_USAGE_HINT}"


ARTICLE_USAGE = f"Какой материал открыть? {ARTICLE_USAGE_HINT}"


def inline_title(head: ArticleHead) -> str:
    return head.title


def inline_description(head: ArticleHead, sentence: Span | None) -> str:
    """Plain text under an inline result: source, date, key sentence."""
    text = f"{head.source or NO_SOURCE}, {format_date(head.published)}"
    if sentence:
        text += f". {sentence.text}"
    return text[:INLINE_DESCRIPTION]


def render_share(head: ArticleHead, sentence: Span | None) -> str:
    """The message an inline result sends: title, key sentence, source link and date."""
    lines = [bold(head.title)]
    if sentence:
        lines.append(quoted(marked(sentence.text, [])))
    lines.append(citation(head))
    return "\n".join(lines)
