"""Property tests: arbitrary text and arguments at every command, button and inline query.

Whatever arrives, the bot answers without an exception, in valid Telegram HTML of at most
4096 characters (the fake Bot API rejects anything else), and a flood gets one notice.
"""

import itertools
from collections.abc import AsyncIterator, Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import texts
from bot.config import Settings
from bot.ingest.models_loader import LazyModels
from bot.store import Store
from bot.telegram.app import create_bot, create_dispatcher
from bot.telegram.ratelimit import Limits, RateLimiter
from handlers import create_routers
from tests.briefing_updates import callback, inline_query
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram

# Every command of the menu, /start, and one the bot does not know; written as users do.
NAMES = ("start", *(info.name for info in texts.COMMANDS), "nonsense")
CASES = (str, str.upper, str.capitalize)  # /summary, /SUMMARY, /Summary
MENTIONS = ("", "@dipbrief_bot", "@DipBrief_Bot")  # usernames are case-insensitive
# Emoji, RTL mark, RTL override, zero-width joiner, NUL, bell, punctuation, HTML specials.
NASTY = "🙂\u200f\u202e\u200d\x00\x07!?.,«»<>&\"'"
WORDS = (
    "кибербезопасность",
    "неделя",
    "месяц",
    "3",
    "0",
    "999",
    "торговля",
    "кибер",
    "ШОС",
    "все",
    "08:30",
    "9.00",
    "25:00",
)
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    # The app is built once per test; every example uses fresh user and chat ids instead.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

arguments = st.one_of(
    st.text(max_size=40),
    st.text(min_size=190, max_size=260),
    st.sampled_from(WORDS),
    st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join),
    st.text(alphabet=st.sampled_from(NASTY), max_size=20),
)
chats = st.sampled_from([("private", None), ("group", None), ("supergroup", 11)])


@pytest.fixture
async def fast_app(
    settings: Settings, store: Store, telegram: FakeTelegram, clock: object, models: LazyModels
) -> AsyncIterator[TestApp]:
    """The app with the outgoing rate limiter opened up: examples send hundreds of messages."""
    dp = create_dispatcher(settings, store, clock, create_routers(), models)  # type: ignore[arg-type]
    limits = Limits(per_second=1e9, chat_interval=0.0, group_per_minute=10**9, margin=0.0)
    bot = create_bot(settings, limiter=RateLimiter(limits))
    yield TestApp(bot, dp, telegram, clock)  # type: ignore[arg-type]
    await bot.session.close()


ids = itertools.count(1000)


@settings(PROPERTY_SETTINGS, max_examples=200)  # 15 commands x 3 cases x 3 kinds of chat
@given(
    command=st.tuples(st.sampled_from(NAMES), st.sampled_from(CASES)),
    args=arguments,
    mention=st.sampled_from(MENTIONS),
    chat=chats,
)
async def test_any_command_gets_valid_bounded_answers(
    fast_app: TestApp,
    command: tuple[str, Callable[[str], str]],
    args: str,
    mention: str,
    chat: tuple[str, int | None],
) -> None:
    name, case = command
    n = next(ids)
    chat_type, thread = chat
    chat_id = n if chat_type == "private" else -n
    telegram = fast_app.telegram
    if chat_type != "private":  # an admin, so /subscribe and /unsubscribe do their work
        telegram.set_chat_member(chat_id, n, "administrator")
    text = f"/{case(name)}{mention} {args}"
    await fast_app.send_text(
        text, chat_id=chat_id, user_id=n, chat_type=chat_type, thread_id=thread
    )
    assert telegram.rejected == []
    replies = telegram.texts(chat_id=chat_id)
    if chat_type == "private" or name != "nonsense":
        assert replies, f"no answer to {text!r}"
    assert all(texts.visible_length(r) <= texts.MESSAGE_LIMIT for r in replies)
    assert all("Traceback" not in r for r in replies)
    # A crashing handler answers with the apology, which is valid HTML: it is a failure too.
    assert texts.INTERNAL_ERROR not in replies, f"a handler crashed on {text!r}"


# Forged data of our own prefixes: huge, negative and odd numbers, long keys (issue 9, item 15).
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=2**63),  # past what SQLite binds
    st.sampled_from(["99999999999999999999", "-1", "1e9", "٣", " 1", ""]),
).map(str)
forged = st.one_of(
    st.builds(lambda k, n: f"page:people:{k}:{n}", st.text(max_size=8), NUMBERS),
    st.builds(lambda k, n: f"page:topic:{k}:{n}", st.sampled_from(["trade", "x" * 50]), NUMBERS),
    st.builds(lambda s: f"topic:{s}", st.text(max_size=50)),
)
button_data = st.one_of(st.text(max_size=64), forged).filter(lambda d: len(d.encode()) <= 64)


@PROPERTY_SETTINGS
@given(data=button_data)
@example(data="page:people::99999999999999999999")  # the one from the issue, always tried
async def test_any_button_gets_one_polite_answer(fast_app: TestApp, data: str) -> None:
    before = len(fast_app.telegram.sent("answerCallbackQuery"))
    await fast_app.feed(callback(fast_app, data, user_id=next(ids)))
    answers = fast_app.telegram.sent("answerCallbackQuery")
    assert len(answers) == before + 1
    assert answers[-1].get("text") != texts.INTERNAL_ERROR, f"a handler crashed on {data!r}"
    # A valid page pressed twice edits the message to what it shows: Telegram refuses, the
    # handler knows it is no error. Anything else refused is a bug.
    refused = [c for c in fast_app.telegram.rejected if "not modified" not in (c.error or "")]
    assert refused == []


@PROPERTY_SETTINGS
@given(query=st.one_of(st.text(max_size=256), st.sampled_from(WORDS)))
async def test_any_inline_query_gets_valid_results(fast_app: TestApp, query: str) -> None:
    before = len(fast_app.telegram.sent("answerInlineQuery"))
    await fast_app.feed(inline_query(fast_app, query, user_id=next(ids)))
    assert len(fast_app.telegram.sent("answerInlineQuery")) == before + 1
    assert fast_app.telegram.rejected == []


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    commands=st.integers(1, 45).flatmap(
        lambda n: st.lists(st.sampled_from(NAMES[:9]), min_size=n, max_size=n)
    )
)
async def test_flood_gets_at_most_one_notice(fast_app: TestApp, commands: list[str]) -> None:
    user = next(ids)
    replies: list[str] = []
    for command in commands:
        replies += await fast_app.send_text(f"/{command}", user_id=user, chat_id=next(ids))
    notices = replies.count(texts.FLOOD_NOTICE)
    assert notices == (1 if len(commands) > 20 else 0)
