"""Issue 12, «меньше шума»: a per-subscription setting, by button and by /quiet, that skips
follow-ups on a story the chat was already alerted about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.services.subscriptions import QuietRequest, parse_quiet_args
from bot.texts import STALE_BUTTON, noise
from tests.briefing_updates import callback
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram
from tests.rigs import CYBER_ARTICLE, Rig
from tests.test_story_digest import add_other_source

GROUP, ADMIN, MEMBER = -1001234, 7, 8


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (None, QuietRequest(None, True)),
        ("все", QuietRequest(None, True)),
        ("выкл", QuietRequest(None, False)),
        ("Выкл кибербезопасность", QuietRequest("кибербезопасность", False)),
        ("торговля вкл", QuietRequest("торговля", True)),
        ("off", QuietRequest(None, False)),
    ],
)
def test_parse_quiet_args(args: str | None, expected: QuietRequest) -> None:
    assert parse_quiet_args(args) == expected


async def show_subscriptions(app: TestApp, telegram: FakeTelegram, **kwargs: Any) -> Any:
    """/subscriptions; the message sent (its id, text and buttons)."""
    await app.send_text("/subscriptions", **kwargs)
    return [c for c in telegram.calls if c.method == "sendMessage" and c.ok][-1]


async def press(app: TestApp, sent: Any, data: str, **kwargs: Any) -> None:
    update = callback(app, data, **kwargs)
    update["callback_query"]["message"]["message_id"] = sent.result["message_id"]
    await app.feed(update)


def buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    rows = params["reply_markup"]["inline_keyboard"]
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def test_quiet_button_under_subscriptions_turns_it_on_and_off(
    app: TestApp, telegram: FakeTelegram
) -> None:
    await app.send_text("/subscribe")
    [sub] = await app.dp["store"].chat_subscriptions(42)
    sent = await show_subscriptions(app, telegram)
    assert noise.QUIET_HINT in sent.params["text"]
    assert buttons(sent.params) == [("🔔 Меньше шума: выкл · все материалы", f"quiet:{sub.id}:1")]
    await press(app, sent, f"quiet:{sub.id}:1")
    assert telegram.last("answerCallbackQuery")["text"] == noise.TOAST_ON
    edited = telegram.last("editMessageText")
    assert "• все материалы: сразу и дайджестом в 09:00 · меньше шума" in edited["text"]
    assert buttons(edited) == [("🔕 Меньше шума: вкл · все материалы", f"quiet:{sub.id}:0")]
    [sub] = await app.dp["store"].chat_subscriptions(42)
    assert sub.quiet
    await press(app, sent, f"quiet:{sub.id}:0")
    [sub] = await app.dp["store"].chat_subscriptions(42)
    assert not sub.quiet
    assert telegram.last("answerCallbackQuery")["text"] == noise.TOAST_OFF


async def test_quiet_button_in_a_group_is_for_admins_only(
    app: TestApp, telegram: FakeTelegram
) -> None:
    telegram.set_chat_member(GROUP, ADMIN, "administrator")
    telegram.set_chat_member(GROUP, MEMBER, "member")
    await app.send_text("/subscribe", chat_id=GROUP, user_id=ADMIN, chat_type="supergroup")
    [sub] = await app.dp["store"].chat_subscriptions(GROUP)
    sent = await show_subscriptions(app, telegram, chat_id=GROUP, user_id=MEMBER)
    await press(app, sent, f"quiet:{sub.id}:1", chat_id=GROUP, user_id=MEMBER)
    answer = telegram.last("answerCallbackQuery")
    assert answer["text"] == noise.BUTTON_NOT_ADMIN and answer["show_alert"] is True
    assert not (await app.dp["store"].chat_subscriptions(GROUP))[0].quiet
    await press(app, sent, f"quiet:{sub.id}:1", chat_id=GROUP, user_id=ADMIN)
    assert (await app.dp["store"].chat_subscriptions(GROUP))[0].quiet


async def test_quiet_button_of_another_chat_changes_nothing(
    app: TestApp, telegram: FakeTelegram
) -> None:
    await app.send_text("/subscribe", chat_id=43, user_id=43)
    [other] = await app.dp["store"].chat_subscriptions(43)
    await app.send_text("/subscribe")
    sent = await show_subscriptions(app, telegram)
    await press(app, sent, f"quiet:{other.id}:1")  # forged data: chat 42 presses 43's id
    assert not (await app.dp["store"].chat_subscriptions(43))[0].quiet
    assert telegram.last("answerCallbackQuery")["text"] == STALE_BUTTON


async def test_quiet_command_sets_every_subscription_or_one_theme(app: TestApp) -> None:
    await app.send_text("/subscribe")
    await app.send_text("/subscribe кибербезопасность")
    [reply] = await app.send_text("/quiet")
    assert reply.startswith("Меньше шума: включено для всех подписок чата.")
    assert all(s.quiet for s in await app.dp["store"].chat_subscriptions(42))
    [reply] = await app.send_text("/quiet выкл кибер")
    assert reply.startswith("Меньше шума: выключено для подписки на тему «кибербезопасность».")
    quiet = {s.theme: s.quiet for s in await app.dp["store"].chat_subscriptions(42)}
    assert quiet == {None: True, "cybersecurity": False}
    [listing] = await app.send_text("/subscriptions")
    assert "• все материалы: сразу и дайджестом в 09:00 · меньше шума" in listing
    [reply] = await app.send_text("/quiet энергетика")
    assert reply.startswith("Этот чат не подписан на тему «энергетика».")


async def test_quiet_command_in_a_group_is_for_admins_only(
    app: TestApp, telegram: FakeTelegram
) -> None:
    telegram.set_chat_member(GROUP, MEMBER, "member")
    [reply] = await app.send_text("/quiet", chat_id=GROUP, user_id=MEMBER, chat_type="supergroup")
    assert "только её администраторы" in reply


# --- delivery ----------------------------------------------------------------------------------


def alerts(rig: Rig, chat_id: int) -> list[str]:
    """What the sender delivered to the chat (the /quiet reply left out)."""
    return [t for t in rig.delivered(chat_id) if t.startswith("<b>")]


async def test_quiet_chat_gets_no_follow_up_on_a_known_story(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(101)
    await rig.subscribe(102)
    [reply] = await rig.app.send_text("/quiet", chat_id=101, user_id=101)
    assert reply.startswith("Меньше шума: включено")
    await rig.drop_article(articles_dir)
    await rig.deliver()
    await add_other_source(rig, articles_dir)
    await rig.deliver()
    [alert] = alerts(rig, 101)  # the story once; the second source is not sent
    assert alert.startswith("<b>Новый материал</b>")
    alert, follow_up = alerts(rig, 102)  # off (the default): «ещё один источник»
    assert follow_up.startswith("<b>Ещё один источник</b>: ")
    assert await rig.store.unmatched_articles() == []  # matched, not left waiting


async def test_quiet_chat_still_gets_a_new_story(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(101)
    await rig.app.send_text("/quiet", chat_id=101, user_id=101)
    [first] = await rig.drop_article(articles_dir)
    await rig.deliver()
    other = CYBER_ARTICLE.replace("published: '2025-09-02'", "published: null")
    (articles_dir / "undated.md").write_text(other + "\nИной абзац.\n", "utf-8")
    [second] = (await rig.app.dp["ingestor"].ingest([articles_dir])).added
    stories = await rig.store.stories_of([first, second])
    assert stories[first] != stories[second]  # undated: a story of its own
    await rig.deliver()
    sent = alerts(rig, 101)
    assert len(sent) == 2 and all(m.startswith("<b>Новый материал</b>") for m in sent)


async def test_story_follow_up_within_one_batch(rig: Rig, articles_dir: Path) -> None:
    await rig.subscribe(101)
    await rig.subscribe(102)
    await rig.app.send_text("/quiet", chat_id=102, user_id=102)
    (articles_dir / "cyber.md").write_text(CYBER_ARTICLE, "utf-8")
    await add_other_source(rig, articles_dir)  # both reports arrive in one batch
    await rig.deliver()
    alert, follow_up = alerts(rig, 101)
    assert alert.startswith("<b>Новый материал</b>")
    assert follow_up.startswith("<b>Ещё один источник</b>: ")
    [alert] = alerts(rig, 102)
    assert alert.startswith("<b>Новый материал</b>")
