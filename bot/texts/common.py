"""Fixed replies: greeting, help, hints. Every Russian string a user sees lives in bot/texts."""

from __future__ import annotations

from typing import NamedTuple

from bot.texts.markup import esc


class CommandInfo(NamedTuple):
    name: str
    description: str  # for setMyCommands: the menu next to the input field
    example: str  # for /help


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo(
        "summary",
        "Брифинг по последним материалам",
        "/summary, /summary 3, /summary кибербезопасность, /summary неделя",
    ),
    CommandInfo("topic", "Материалы по теме", "/topic кибербезопасность"),
    CommandInfo("topics", "Все темы с числом материалов", "/topics"),
    CommandInfo("figures", "Ключевые цифры с источниками", "/figures, /figures торговля"),
    CommandInfo("people", "Персоны и организации", "/people"),
    CommandInfo("sources", "Источники и даты", "/sources"),
    CommandInfo("search", "Поиск по словам в любой форме", "/search инвестиции"),
    CommandInfo("article", "Один материал целиком", "/article 2"),
    CommandInfo("story", "Один сюжет: все источники и цифры", "/story 1"),
    CommandInfo(
        "subscribe",
        "Подписка на новые материалы и дайджест",
        "/subscribe, /subscribe кибербезопасность 08:30",
    ),
    CommandInfo(
        "unsubscribe", "Отменить подписку", "/unsubscribe кибербезопасность, /unsubscribe все"
    ),
    CommandInfo("subscriptions", "Что получает этот чат", "/subscriptions"),
    CommandInfo("quiet", "Меньше шума: без повторов по известным сюжетам", "/quiet, /quiet выкл"),
    CommandInfo("resume", "Возобновить приостановленные подписки", "/resume"),
    CommandInfo("help", "Справка по командам", "/help"),
)

GREETING = (
    "<b>Дипбриф</b> — брифинги по казахстанско-китайским отношениям: саммиты, ШОС, торговля, "
    "безопасность, культура. Отвечаю по-русски и даю ссылку на источник к каждому факту; "
    "предложения в сводках — дословные цитаты из материалов."
)
INTERNAL_ERROR = "Не получилось ответить из-за внутренней ошибки. Попробуйте ещё раз чуть позже."
UNKNOWN_COMMAND = "Такой команды нет. Список команд — /help"
PLAIN_TEXT_HINT = (
    "Я отвечаю на команды. Например: /summary — брифинг, /topic торговля — материалы по теме. "
    "Все команды — /help"
)
CONSOLE_BANNER = "Дипбриф, консольный режим. Введите команду, например /help; выход — Ctrl+D."


def render_start(first_name: str | None) -> str:
    """/start: a greeting (by name where Telegram gives one), then what the bot does."""
    name = (first_name or "").strip()
    hello = f"Здравствуйте, {esc(name)}!" if name else "Здравствуйте!"
    return f"{hello}\n{render_help()}"


def render_help() -> str:
    """The greeting and every command with an example of use."""
    lines = [GREETING, "", "<b>Команды</b>"]
    for command in COMMANDS:
        lines.append(f"/{command.name} — {command.description.lower()}. Пример: {command.example}")
    lines += ["", "В группах команды можно писать с именем бота: /summary@имя_бота."]
    return "\n".join(lines)
