"""/story N and the story buttons, end to end through the real Bot and the fake Bot API."""

import html
import re

from bot import texts
from bot.store import Store
from bot.texts.stories import STORY_USAGE
from tests.briefing_updates import callback
from tests.conftest import TestApp
from tests.fake_telegram import FakeTelegram

LADA = "https://www.lada.kz/kazakhstan-news/142817-tokaev-vystupil-na-sammite-shos-v-kitae.html"
CENTRALASIA = "https://centralasia.media/news:2320317"
NBSP = "\u00a0"


async def sco_story(store: Store) -> int:
    return (await store.stories_of([5]))[5]


async def test_story_shows_every_article_with_source_date_link(app: TestApp, store: Store) -> None:
    number = await sco_story(store)
    [reply] = await app.send_text(f"/story {number}")
    assert reply.startswith(f"<b>Сюжет №{number}: ")
    assert f"2{NBSP}материала, 2{NBSP}источника" in reply
    for url, article, date in ((CENTRALASIA, 3, "30"), (LADA, 5, "1")):
        [line] = [ln for ln in reply.split("\n") if ln.endswith(f"/article {article}")]
        assert f'<a href="{url}">' in line and f"{date}{NBSP}" in line


async def test_story_key_sentences_are_verbatim_and_cited(app: TestApp, store: Store) -> None:
    number = await sco_story(store)
    [reply] = await app.send_text(f"/story {number}")
    bodies = {a: (await store.get_article(a)).body for a in (3, 5)}  # type: ignore[union-attr]
    main = reply.split("<b>Главное</b>\n")[1].split("\n\n")[0].split("\n")
    assert len(main) >= 3
    for line in main:
        sentence = html.unescape(line[2:].split(" — <a href=")[0]).replace(NBSP, " ")
        assert any(sentence in body for body in bodies.values()), sentence
        assert "<a href=" in line


async def test_story_figures_merged_across_sources(app: TestApp, store: Store) -> None:
    number = await sco_story(store)
    [reply] = await app.send_text(f"/story {number}")
    figures = reply.split("<b>Цифры</b>\n")[1].split("\n\n")[0]
    assert f"<b>$44{NBSP}млрд</b>" in figures
    assert "вторая встреча" not in figures  # ordinals say nothing about the event


async def test_story_unknown_number_and_usage(app: TestApp) -> None:
    assert await app.send_text("/story 999") == ["Сюжета №999 нет. Свежие сюжеты — /summary"]
    assert await app.send_text("/story") == [STORY_USAGE]
    assert await app.send_text("/story абв") == [texts.render_bad_input("number", "/story 1")]


async def test_story_with_a_bad_number_asks_for_a_story_number(app: TestApp) -> None:
    for bad in ("abc", "0", "99999999999999999999"):
        [reply] = await app.send_text(f"/story {bad}")
        assert reply == "Укажите номер числом. Например: /story 1"  # not «номер материала»


async def test_story_button_opens_the_story(
    app: TestApp, telegram: FakeTelegram, store: Store
) -> None:
    await app.send_text("/summary")
    keyboard = telegram.last()["reply_markup"]["inline_keyboard"]
    data = keyboard[0][0]["callback_data"]
    before = len(telegram.texts())
    await app.feed(callback(app, data))
    [reply] = telegram.texts()[before:]
    assert reply.startswith(f"<b>Сюжет №{await sco_story(store)}: ")
    assert telegram.sent("answerCallbackQuery")


async def test_story_stale_button_is_answered(app: TestApp, telegram: FakeTelegram) -> None:
    await app.feed(callback(app, "story:999999"))
    [answer] = telegram.sent("answerCallbackQuery")
    assert answer["text"] == texts.STALE_BUTTON
    assert not re.search("Сюжет", " ".join(telegram.texts()))
