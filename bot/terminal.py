"""A bot message as a Telegram client displays it, for a terminal (the offline demo).

The message is parsed from the Telegram HTML the bot *sent*, with the fake Bot API's own parser
(:func:`fakeapi.parse_html`, which follows the Bot API), into plain text and entities, so
the terminal shows what a person would read: tags become styles, ``&lt;`` becomes ``<``, and a
user's ``<b>`` typed into a command stays literally ``<b>``.  Styling uses rich (already a
dependency of spaCy's CLI): it writes ANSI codes only to a terminal, plain text to a pipe or a
file, and honours ``NO_COLOR``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.style import Style
from rich.text import Text

from fakeapi import EntityParseError, parse_html, trim_text

#: How each Telegram entity type looks in a terminal.
_STYLES: dict[str, Style] = {
    "bold": Style(bold=True),
    "italic": Style(italic=True),
    "underline": Style(underline=True),
    "strikethrough": Style(strike=True),
    "spoiler": Style(reverse=True),
    "code": Style(color="cyan"),
    "pre": Style(color="cyan"),
    "blockquote": Style(italic=True),
    "expandable_blockquote": Style(italic=True),
}
_QUOTE_BAR = Text.assemble(("▍ ", Style(color="green")))  # a span, not the base style
_BUTTON = Style(color="cyan", bold=True)
_PREFIX = "bot> "
_EDITED_PREFIX = "bot (edited)> "
_INDENT = " " * len(_PREFIX)


def make_console(file: Any = None) -> Console:
    """A console that styles only when writing to a terminal, and never re-wraps or guesses.

    ``soft_wrap``: the terminal wraps long lines itself, so a copied line stays one line;
    ``highlight``/``markup``/``emoji`` off: the text is shown exactly as the bot sent it.
    """
    return Console(file=file, highlight=False, markup=False, emoji=False, soft_wrap=True)


def displayed(raw_text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of a message, as the Bot API turns what was sent into them."""
    if (parse_mode or "").upper() != "HTML":
        return raw_text, []
    try:
        text, entities = parse_html(raw_text)
    except EntityParseError:  # Telegram would have refused it; show what was sent
        return raw_text, []
    return trim_text(text, entities)


def _utf16_to_index(text: str) -> list[int]:
    """``index[u]`` = the ``str`` index of UTF-16 offset ``u`` (entities count in UTF-16)."""
    index: list[int] = []
    for position, char in enumerate(text):
        index.extend([position] * (2 if ord(char) > 0xFFFF else 1))
    index.append(len(text))
    return index


def styled(text: str, entities: Sequence[dict[str, Any]]) -> Text:
    """``text`` with each entity's style; blockquoted lines get a bar, as in Telegram."""
    index = _utf16_to_index(text)
    rich_text = Text(text)
    quoted: list[tuple[int, int]] = []
    for entity in entities:
        start = index[min(entity["offset"], len(index) - 1)]
        end = index[min(entity["offset"] + entity["length"], len(index) - 1)]
        kind = entity.get("type", "")
        if kind == "text_link":
            style = Style(color="blue", underline=True, link=entity.get("url"))
        else:
            style = _STYLES.get(kind, Style())
        rich_text.stylize(style, start, end)
        if kind.endswith("blockquote"):
            quoted.append((start, end))
    if not quoted:
        return rich_text
    lines: list[Text] = []
    position = 0
    for line in rich_text.split("\n", allow_blank=True):
        inside = any(start <= position < end for start, end in quoted)
        lines.append(_QUOTE_BAR + line if inside else line)
        position += len(line.plain) + 1
    return Text("\n").join(lines)


def message_lines(
    raw_text: str,
    parse_mode: str | None,
    *,
    edited: bool = False,
    buttons: Sequence[tuple[int, str]] = (),
) -> Text:
    """A whole message for the chat transcript: "bot> " first line, the rest indented, then
    the buttons numbered (type the number to press one)."""
    body = styled(*displayed(raw_text, parse_mode))
    prefix = _EDITED_PREFIX if edited else _PREFIX
    lines = body.split("\n", allow_blank=True) or [Text("")]
    out = [Text(prefix) + lines[0]]
    out += [Text(_INDENT) + line if line.plain else line for line in lines[1:]]
    if buttons:
        row = Text(_INDENT)
        for position, (number, label) in enumerate(buttons):
            if position:
                row.append("  ")
            row.append(f"[{number}] {label}", style=_BUTTON)
        out.append(row)
    return Text("\n").join(out)
