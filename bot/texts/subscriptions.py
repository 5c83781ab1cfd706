"""Replies of /subscribe, /unsubscribe, /subscriptions, /resume; alerts and digests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.models import ArticleHead, KeySentence
from bot.services.requests import MAX_SUMMARY
from bot.services.views import (
    DeliveryTexts,
    NothingToResume,
    Overview,
    Resumed,
    Subscribed,
    Unsubscribed,
)
from bot.texts.briefing import citation
from bot.texts.grammar import MATERIALS, count_of, quoted
from bot.texts.markup import bold, esc, link, split_messages
from bot.texts.stories import render_digest, render_follow_up

if TYPE_CHECKING:
    from bot.analysis.themes import Theme

ALERT_SENTENCES = 2  # an alert quotes the article's two most central sentences

NOT_ADMIN = (
    "Подписки группы меняют только её администраторы: так никто не подпишет весь чат на "
    "рассылку без их ведома. Посмотреть, что получает чат, может любой: /subscriptions"
)
CHANNEL_SENDER = (
    "Команды от имени канала не меняют подписки группы. Отправьте команду от своего имени "
    "(нужны права администратора) или анонимно от имени группы."
)
ADMIN_CHECK_FAILED = (
    "Не удалось проверить, администратор ли вы: Telegram не ответил. Попробуйте через минуту."
)
BAD_TIME = "Не понял время {value}. Укажите часы и минуты, например: /subscribe 08:30"
UNSUBSCRIBE_WHICH = (
    "У этого чата несколько подписок. Укажите, какую отменить: /unsubscribe {example} — "
    "или все сразу: /unsubscribe все"
)
UNSUBSCRIBE_WHICH_ALL = (
    "У этого чата несколько подписок. Отменить все сразу: /unsubscribe все; список — "
    "/subscriptions"
)
NO_SUBSCRIPTIONS = (
    "Этот чат ни на что не подписан. Подписаться: /subscribe — на все материалы, "
    "/subscribe кибербезопасность 08:30 — на тему с дайджестом в 08:30."
)
NOTHING_TO_RESUME = "Подписки этого чата и так работают. Что он получает — /subscriptions"
NOTHING_TO_RESUME_EMPTY = (
    "Возобновлять нечего: этот чат ни на что не подписан. Подписаться — /subscribe"
)
QUIET_MARK = " · меньше шума"  # issue 12: no «ещё один источник» (bot/texts/noise.py)
PAUSE_REASONS = {
    "removed": "бота удалили из чата",
    "blocked": "бота заблокировали",
    "chat not found": "Telegram не нашёл чат",
}


def theme_label(name: str | None) -> str:
    """«тема «торговля»» or «все материалы» for a subscription without a theme."""
    return f"тема {quoted(name)}" if name else "все материалы"


def _name(theme: Theme | None) -> str | None:
    return theme.name if theme else None


def render_bad_time(value: str) -> str:
    return BAD_TIME.format(value=quoted(esc(value)))


# Digest times are in BOT_TIMEZONE; users read a city, not an IANA identifier.
ZONE_CITIES = {
    "Asia/Almaty": "Алматы",
    "Asia/Qostanay": "Костаная",
    "Asia/Aqtobe": "Актобе",
    "Asia/Aqtau": "Актау",
    "Asia/Oral": "Уральска",
    "Asia/Atyrau": "Атырау",
    "Asia/Shanghai": "Пекина",
    "Asia/Urumqi": "Урумчи",
    "Asia/Bishkek": "Бишкека",
    "Asia/Tashkent": "Ташкента",
    "Europe/Moscow": "Москвы",
    "UTC": "UTC",
}


def zone_label(tz: str, at: dt.datetime) -> str:
    """«по времени Алматы» for a known zone, else its UTC offset at `at`: «по времени UTC+5».

    An IANA identifier is no help to a reader, and «Etc/GMT-5» even reads backwards: POSIX
    signs are inverted, that zone is five hours ahead of UTC.
    """
    city = ZONE_CITIES.get(tz)
    return f"по времени {city or utc_offset(ZoneInfo(tz), at)}"


def utc_offset(tz: ZoneInfo, at: dt.datetime) -> str:
    """«UTC», «UTC+5», «UTC+5:30», «UTC−3» (a minus sign, not a hyphen) at the moment `at`."""
    offset = at.astimezone(tz).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def render_subscribed(result: Subscribed, tz: str) -> str:
    """What /subscribe set up."""
    sub = result.subscription
    what = "на все новые материалы"
    if result.theme:
        what = f"на тему {quoted(esc(result.theme.name))}"
    where = " в эту тему форума" if sub.thread_id else " сюда"
    zone = zone_label(tz, sub.next_digest_at)
    head = "Готово: подписка" if result.created else "Подписка обновлена:"
    lines = [
        f"{head} {what}.",
        f"Каждый новый материал{' по теме' if result.theme else ''} придёт{where} сразу, "
        f"а дайджест за сутки — ежедневно в {sub.digest_time:%H:%M} {zone}, "
        "если за сутки что-то вышло.",
    ]
    if result.resumed is not None:
        lines.append(render_resumed(result.resumed))
    lines.append("Все подписки чата — /subscriptions, отписаться — /unsubscribe")
    return "\n".join(lines)


def render_unknown_theme(query: str, suggestions: Sequence[Theme]) -> str:
    """The theme did not resolve: suggest close ones, or point to /topics."""
    text = f"Не знаю темы {quoted(esc(query))}."
    if suggestions:
        names = ", ".join(quoted(esc(theme.name)) for theme in suggestions)
        text += f" Возможно, вы имели в виду: {names}."
    return text + " Все темы — /topics"


def render_unsubscribed(result: Unsubscribed) -> str:
    """What /unsubscribe removed, or that there was nothing to remove."""
    if not result.removed:
        if result.themes and result.themes[0] is not None:
            return (
                f"Этот чат не подписан на тему {quoted(esc(result.themes[0].name))}. "
                "Подписки чата — /subscriptions"
            )
        return NO_SUBSCRIPTIONS
    if not result.themes:
        removed = count_of(result.removed, ("подписка", "подписки", "подписок"))
        return f"Отменено: {removed}. Больше этот чат ничего не получает."
    return f"Подписка отменена: {esc(theme_label(_name(result.themes[0])))}."


def render_unsubscribe_which(example: str | None) -> str:
    if example is None:
        return UNSUBSCRIBE_WHICH_ALL
    return UNSUBSCRIBE_WHICH.format(example=esc(example))


def render_subscriptions(overview: Overview, tz: str) -> str:
    """/subscriptions: every subscription with its digest time and topic; paused or not."""
    if not overview.items:
        return NO_SUBSCRIPTIONS
    lines = [bold("Подписки этого чата")]
    for theme, sub in overview.items:
        where = f", в тему форума №{sub.thread_id}" if sub.thread_id else ""
        label = esc(theme_label(_name(theme)))
        quiet = QUIET_MARK if sub.quiet else ""
        lines.append(f"• {label}: сразу и дайджестом в {sub.digest_time:%H:%M}{where}{quiet}")
    lines.append(f"Часы указаны {zone_label(tz, overview.items[0][1].next_digest_at)}.")
    if overview.paused:
        lines.append(render_paused_note(overview.paused[1]))
    return "\n".join(lines)


def render_paused_note(reason: str) -> str:
    why = PAUSE_REASONS.get(reason, reason)
    return (
        f"Сейчас доставка приостановлена: {esc(why)}. Подписки сохранены; возобновить — /resume "
        "(в группе — администратор)."
    )


def render_comeback(themes: Sequence[Theme | None], *, private: bool) -> str:
    """The bot is back in a chat whose subscriptions were paused: how to resume them."""
    hello = "Снова на связи." if private else "Спасибо, что вернули бота."
    names = ", ".join(theme_label(_name(theme)) for theme in themes)
    who = "" if private else " (администратор группы)"
    return (
        f"{hello} Подписки этого чата сохранены, но приостановлены: {esc(names)}. "
        f"Чтобы снова получать материалы, отправьте{who} /resume"
    )


def render_resumed(resumed: Resumed) -> str:
    """How many articles the chat missed while paused; they are not sent as a flood."""
    if not resumed.missed:
        return "Доставка возобновлена. Пока она стояла, новых материалов не было."
    return (
        f"Доставка возобновлена. Пока она стояла, вышло {count_of(resumed.missed, MATERIALS)}: "
        "присылать их по одному не буду, чтобы не засыпать чат. "
        f"Кратко о последних — /summary {resumed.summary_count}"
    )


def render_resume_result(result: Resumed | NothingToResume) -> str:
    """/resume: how much was missed, or why there was nothing to resume."""
    if isinstance(result, Resumed):
        return render_resumed(result)
    return NOTHING_TO_RESUME if result.subscribed else NOTHING_TO_RESUME_EMPTY


def render_alert(
    head: ArticleHead, sentences: Sequence[KeySentence], theme: str | None
) -> list[str]:
    """A new article for a subscription: title link, source, date, key sentences."""
    header = bold("Новый материал") + (f" · {esc(theme_label(theme))}" if theme else "")
    blocks = [f"{header}\n{link(head.url, head.title)}\n{citation(head, linked=False)}"]
    quote = " ".join(esc(s.span.text) for s in sentences[:ALERT_SENTENCES])
    if quote:
        blocks.append(f"<blockquote>{quote}</blockquote>")
    blocks.append(f"Целиком: /article {head.id}")
    return split_messages(blocks)


ROUNDUP_ITEMS = 20  # articles listed in a roundup; the rest are counted
NEW_MATERIALS = ("новый материал", "новых материала", "новых материалов")


def render_roundup(heads: Sequence[ArticleHead]) -> list[str]:
    """Many new articles at once (an import, a new source): one message, each cited."""
    blocks = [bold(count_of(len(heads), NEW_MATERIALS)) + ":"]
    for number, head in enumerate(heads[:ROUNDUP_ITEMS], start=1):
        blocks.append(
            f"{number}. {link(head.url, head.title)}\n"
            f"{citation(head, linked=False)} · /article {head.id}"
        )
    rest = len(heads) - ROUNDUP_ITEMS
    if rest > 0:
        blocks.append(
            f"…и ещё {count_of(rest, MATERIALS)}. Кратко о последних — /summary {MAX_SUMMARY}"
        )
    return split_messages(blocks)


# issue 12: a new source on a story already alerted about is a short «ещё один источник»;
# the digest is by story.
DELIVERY_TEXTS = DeliveryTexts(
    alert=render_alert, digest=render_digest, roundup=render_roundup, follow_up=render_follow_up
)
