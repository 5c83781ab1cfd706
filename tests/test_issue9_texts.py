"""Issue 9, item 21: titles shown as one clean line, capped key sentences, a safe splitter."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.files import parse_article
from bot.models import ArticleHead, KeySentence, Span
from bot.texts.briefing import KEY_SENTENCE_WIDTH
from bot.texts.markup import esc, plain_text, split_messages, visible_length
from tests.conftest import TestApp
from tests.fake_telegram import parse_html

BIDI = "\u202e\u2066\u200f"
CONTROL = "\x07\x1b"


def test_issue9_21_front_matter_title_is_one_clean_line() -> None:
    raw = (
        "---\ntitle: |\n  Казахстан и Китай\n  подписали\u202e соглашение\n"
        f"source: Агентство{BIDI}\n---\nТекст статьи о Китае.\n"
    ).encode()
    article = parse_article("a.md", raw)
    assert article.title == "Казахстан и Китай подписали соглашение"
    assert article.source == "Агентство"


async def test_issue9_21_stored_title_with_bidi_is_neutralised_on_display(
    app: TestApp, db_path: Path
) -> None:
    # A row written before titles were cleaned at ingest.
    with sqlite3.connect(db_path) as db:
        db.execute(
            "UPDATE articles SET title = ?, source = ? WHERE id = 5",
            (f"Первая строка{BIDI}\nвторая{CONTROL} строка", f"Источник{BIDI}"),
        )
    db.close()
    for command in ("/summary", "/article 5"):  # a story's sources; the article's own title
        reply = "\n".join(await app.send_text(command))
        assert "Источник" in reply
        assert not set(BIDI + CONTROL) & set(reply)
        for bold in re.findall(r"<b>(.*?)</b>", reply, re.DOTALL):
            assert "\n" not in bold
    assert "Первая строка вторая строка" in reply


def head(number: int) -> ArticleHead:
    return ArticleHead(
        id=number,
        key=f"{number}.md",
        title=f"Новость {number}",
        source="Тест",
        url=f"https://example.org/{number}",
        published=dt.date(2025, 9, 1),
        lang="ru",
    )


def test_issue9_21_story_key_sentence_is_capped_at_a_word() -> None:
    from bot.services.views import StoryLine
    from bot.texts.stories import render_line

    text = " ".join(["встреча", "министров", "в", "Астане"] * 200)  # one run-on sentence
    sentence = KeySentence(span=Span(start=0, stop=len(text), text=text), score=1.0, lemmas=())
    shown = plain_text(render_line(StoryLine(sentence, head(1)))).removeprefix("— ")
    shown = shown.split(" — ")[0]
    assert shown.endswith("…") and len(shown) <= KEY_SENTENCE_WIDTH + 1
    assert text.startswith(shown.removesuffix("…"))


# Blocks whose tags span line breaks and that are far longer than a message: the splitter
# must cut them, and every piece must still be valid HTML.
TAGS = st.sampled_from(["b", "i", "blockquote", "code"])
LINE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"),
    min_size=0,
    max_size=80,
)


@st.composite
def spanning_blocks(draw: st.DrawFn) -> str:
    lines = draw(st.lists(LINE, min_size=2, max_size=40))
    tag = draw(TAGS)
    inner = "\n".join(esc(line) for line in lines)
    outer = draw(st.sampled_from(["", "a"]))
    if outer:
        return f'<a href="https://example.org/x">{tag_wrap(tag, inner)}</a> хвост'
    return f"начало {tag_wrap(tag, inner)} хвост"


def tag_wrap(tag: str, inner: str) -> str:
    return f"<{tag}>{inner}</{tag}>"


@settings(max_examples=200, deadline=None)
@given(st.lists(spanning_blocks(), min_size=1, max_size=6), st.integers(60, 400))
def test_issue9_21_splitter_never_cuts_inside_a_tag_spanning_lines(
    blocks: list[str], limit: int
) -> None:
    messages = split_messages(blocks, limit=limit)
    for message in messages:
        assert visible_length(message) <= limit
        parse_html(message)  # raises like Telegram on an unclosed or stray tag

    # Nothing lost: the visible text is the same, but for the whitespace at the cuts.
    def squeeze(text: str) -> str:
        return re.sub(r"\s+", "", text)

    assert squeeze("".join(plain_text(m) for m in messages)) == squeeze(
        "".join(plain_text(b) for b in blocks)
    )


def test_issue9_21_splitter_cuts_a_long_quote_into_valid_pieces() -> None:
    quote = "<blockquote>" + "\n".join(f"строка {i}" for i in range(2000)) + "</blockquote>"
    messages = split_messages([quote])
    assert len(messages) > 1
    for message in messages:
        assert visible_length(message) <= 4096
        parse_html(message)
        assert message.startswith("<blockquote>") and message.endswith("</blockquote>")
