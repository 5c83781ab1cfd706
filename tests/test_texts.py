"""Russian grammar helpers and the Telegram message splitter."""

import datetime as dt

import pymorphy3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.texts import (
    NBSP,
    briefing,
    count_of,
    esc,
    format_date,
    plural,
    reading,
    split_messages,
    subscriptions,
)
from bot.texts.markup import visible_length
from tests.fake_telegram import parse_html

MATERIAL = ("материал", "материала", "материалов")


# Number agreement: 1, 21, 101 take the singular; 2-4 the paucal; 11-14 and 5-20 the plural.
@pytest.mark.parametrize(
    ("count", "form"),
    [
        (1, "материал"),
        (21, "материал"),
        (101, "материал"),
        (2, "материала"),
        (3, "материала"),
        (24, "материала"),
        (5, "материалов"),
        (11, "материалов"),
        (12, "материалов"),
        (14, "материалов"),
        (111, "материалов"),
        (0, "материалов"),
    ],
)
def test_plural_agrees_with_count(count: int, form: str) -> None:
    assert plural(count, MATERIAL) == form


def test_count_of_binds_number_with_nbsp() -> None:
    assert count_of(2, MATERIAL) == f"2{NBSP}материала"


def agreement_forms() -> list[tuple[str, str, str]]:
    """Every (1, 2, 5) noun-forms tuple the renderers count with."""
    found = []
    for module in (briefing, reading, subscriptions):
        for value in vars(module).values():
            if (
                isinstance(value, tuple)
                and len(value) == 3
                and all(isinstance(v, str) and v.isalpha() for v in value)
            ):
                found.append(value)
    return found


def test_plural_forms_agree_with_pymorphy_for_every_count() -> None:
    # pymorphy3 is the oracle: the fixed forms must match its agreement for any number.
    morph = pymorphy3.MorphAnalyzer()
    forms_list = agreement_forms()
    assert len(forms_list) >= 3
    for forms in forms_list:
        noun = morph.parse(forms[0])[0]
        for count in range(250):
            assert plural(count, forms) == noun.make_agree_with_number(count).word, (forms, count)


def test_format_date_in_russian_and_unknown() -> None:
    assert format_date(dt.date(2025, 8, 30)) == f"30{NBSP}августа 2025"
    assert format_date(None) == "дата не указана"


def test_split_keeps_every_block_and_respects_limit() -> None:
    blocks = [f"<b>{i}</b> " + esc("текст & <теги> ") * 40 for i in range(60)]
    messages = split_messages(blocks, limit=1000)
    assert len(messages) > 1
    assert all(visible_length(m) <= 1000 for m in messages)
    assert "\n\n".join(messages) == "\n\n".join(blocks)  # nothing lost, order kept


def test_split_cuts_one_giant_line_as_plain_text() -> None:
    messages = split_messages(["<i>" + "я" * 9000 + "</i>"])
    assert [visible_length(m) for m in messages] == [4096, 4096, 808]
    assert "".join(messages) == "я" * 9000
    emoji = split_messages(["😀" * 3000])  # two UTF-16 units each
    assert [visible_length(m) for m in emoji] == [4096, 1904]


@given(st.lists(st.text(min_size=1, max_size=600), min_size=1, max_size=30))
def test_split_always_gives_valid_html_within_limit(paragraphs: list[str]) -> None:
    blocks = [f"<b>{esc(p)}</b>" for p in paragraphs]
    for message in split_messages(blocks, limit=700):
        assert visible_length(message) <= 700
        parse_html(message)  # raises like Telegram on invalid markup
