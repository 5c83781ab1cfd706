"""Inline mode end to end: `@dipbrief_bot кибер` offers articles to share."""

from bot import texts
from tests.briefing_updates import inline_query
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram, parse_html
from tests.test_summary import FINTEL, LADA


async def test_inline_theme_prefix_offers_matching_articles(
    app: TestApp, telegram: FakeTelegram
) -> None:
    await app.feed(inline_query(app, "кибер"))
    results = telegram.last("answerInlineQuery")["results"]
    assert [r["url"] for r in results] == [FINTEL, LADA]
    first = results[0]
    assert first["title"] == "Как Казахстан предлагает наладить взаимодействие с Китаем?"
    assert first["description"].startswith("Fintel.kz, 26\u00a0июня 2025. Казахстан")
    content = first["input_message_content"]
    assert f'<a href="{FINTEL}">Fintel.kz</a>' in content["message_text"]
    assert content["link_preview_options"] == {"is_disabled": False, "url": FINTEL}
    assert len(parse_html(content["message_text"]).text) <= texts.MESSAGE_LIMIT


async def test_inline_empty_query_offers_latest(app: TestApp, telegram: FakeTelegram) -> None:
    await app.feed(inline_query(app, ""))
    results = telegram.last("answerInlineQuery")["results"]
    assert [r["id"] for r in results] == ["5", "3", "1", "2", "4"]


async def test_inline_words_fall_back_to_search(app: TestApp, telegram: FakeTelegram) -> None:
    await app.feed(inline_query(app, "сотрудничеству"))
    results = telegram.last("answerInlineQuery")["results"]
    assert {r["id"] for r in results} == {"1", "2", "3", "4", "5"}


async def test_inline_garbage_offers_nothing(app: TestApp, telegram: FakeTelegram) -> None:
    await app.feed(inline_query(app, "\u202e🙂"))
    assert telegram.last("answerInlineQuery")["results"] == []
    assert telegram.rejected == []
