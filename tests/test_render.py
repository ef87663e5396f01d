"""Templates: escaping, date precision, and splitting long messages safely."""

from __future__ import annotations

import re

import pytest

from bot.render import (
    MESSAGE_LIMIT,
    date_label,
    environment,
    render,
    split_message,
    strip_html,
    utf16_len,
)

ALLOWED = re.compile(r"</?(b|i|u|s|a|code|pre|blockquote)(\s[^>]*)?>")


def _balanced(fragment: str) -> bool:
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-z]+)[^>]*>", fragment):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


@pytest.mark.parametrize(
    ("date", "label"),
    [
        ("1992", "1992"),
        ("2025-10", "Oct 2025"),
        ("2025-10-10", "10 Oct 2025"),
        ("2023/2025", "2023–2025"),
        ("2000-03/2000-05", "Mar 2000–May 2000"),
        ("junk", "junk"),
    ],
)
def test_dates_keep_their_precision(date: str, label: str) -> None:
    assert date_label(date) == label


def test_every_template_autoescapes_user_text() -> None:
    env = environment()
    assert env.autoescape is not False
    text = render("message", text="<b>not bold</b> & “quoted” </i>")
    assert text == "&lt;b&gt;not bold&lt;/b&gt; &amp; “quoted” &lt;/i&gt;"


def test_undefined_variables_are_errors() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        render("message")


def test_short_message_is_one_part() -> None:
    assert split_message("<b>Hello</b>\n\nworld") == ["<b>Hello</b>\n\nworld"]


def test_long_message_splits_at_paragraphs_within_the_limit() -> None:
    paragraphs = [f"<b>Item {i}</b> " + "word " * 60 for i in range(80)]
    parts = split_message("\n\n".join(paragraphs))
    assert len(parts) > 1
    assert all(utf16_len(p) <= MESSAGE_LIMIT for p in parts)
    assert all(_balanced(p) for p in parts)
    assert strip_html("".join(parts)).count("Item") == 80


def test_long_tagged_paragraph_is_closed_and_reopened() -> None:
    text = "<blockquote>" + "A sentence that goes on. " * 400 + "</blockquote>"
    parts = split_message(text)
    assert len(parts) > 1
    for part in parts:
        assert utf16_len(part) <= MESSAGE_LIMIT
        assert part.startswith("<blockquote>") and part.endswith("</blockquote>")


def test_emoji_count_double_and_entities_are_never_cut() -> None:
    text = "😀&amp;" * 1500
    parts = split_message(text)
    assert all(utf16_len(p) <= MESSAGE_LIMIT for p in parts)
    assert all(not re.search(r"&[a-z]*$", p) and not re.match(r"^[a-z]*;", p) for p in parts)
    assert "".join(parts) == text


def test_list_headings_stay_on_their_own_line() -> None:
    """The count after a heading is optional: the list must still start on the next line."""
    from types import SimpleNamespace

    summits = [SimpleNamespace(name=f"Summit {i}", files=("a.txt",)) for i in range(12)]
    card = SimpleNamespace(meta=SimpleNamespace(title="T", source=None, published=None), file="f")
    for text in (
        render("start", summits=summits[:1]),
        render("start", summits=summits),
        render("sources", digests=[card], errors=()),
        render("sources", digests=[card], total=50, errors=()),
    ):
        heading = next(
            line for line in text.split("\n") if "Summits I know" in line or "Sources" in line
        )
        assert "•" not in heading and "1." not in heading, heading
