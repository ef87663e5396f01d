"""Telegram's ``parse_mode="HTML"`` checked the way the Bot API checks it.

The scanner follows the logic of TDLib's ``parse_html`` (the code behind the Bot API) and
produces the same error texts (``Unsupported start tag "div" at byte offset 0``, ...), with
one deliberate difference: a ``&`` that does not start ``&lt;``, ``&gt;``, ``&amp;``,
``&quot;`` or a numeric reference is an error here, while Telegram lets it through. Being
stricter catches missing escaping before it reaches users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

JSONDict = dict[str, Any]

#: Characters TDLib treats as spaces inside tags.
_TAG_SPACE = " \t\r\n\v\f"
#: What Telegram strips from both ends of a message text.
_TRIM = "".join(chr(code) for code in range(33))

_SPECIAL = re.compile(r"[<&]")
_ENTITY = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z][A-Za-z0-9]*));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")

_ALLOWED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
        "span", "tg-spoiler", "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(error)`` is Telegram's explanation."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of all Telegram limits and offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(slots=True)
class _Open:
    tag: str
    offset: int
    argument: str
    expandable: bool
    language: str = ""


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_reference(source: str, index: int) -> tuple[str, int] | None:
    """Decodes the character reference starting at ``source[index] == "&"``."""
    match = _ENTITY.match(source, index)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = _NAMED.get(name)
        if char is None:
            return None
        return char, match.end()
    code = int(decimal, 10) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _attribute_value(source: str, index: int, begin: int) -> tuple[str, int]:
    """Reads a quoted or bare attribute value; returns it and the index after it."""
    size = len(source)
    if index < size and source[index] in "'\"":
        quote = source[index]
        index += 1
        chars: list[str] = []
        while index < size and source[index] != quote:
            if source[index] == "&":
                decoded = _decode_reference(source, index)
                if decoded is not None:
                    chars.append(decoded[0])
                    index = decoded[1]
                    continue
            chars.append(source[index])
            index += 1
        if index >= size:
            raise EntityParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        return "".join(chars), index + 1
    token = _NAME_TOKEN.match(source, index)
    end = token.end() if token else index
    if end >= size or (source[end] not in _TAG_SPACE and source[end] != ">"):
        raise EntityParseError(
            f"Unexpected end of name token at byte offset {_byte_offset(source, index)}"
        )
    return source[index:end].lower(), end


def _start_tag(source: str, begin: int) -> tuple[_Open, int]:
    """Parses ``<tag attr=...>`` at ``begin``; returns the open tag and the index after ``>``."""
    size = len(source)
    index = begin + 1
    while index < size and source[index] not in _TAG_SPACE and source[index] != ">":
        index += 1
    if index >= size:
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
    tag = source[begin + 1 : index].lower()
    if tag not in _ALLOWED_TAGS:
        raise EntityParseError(
            f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
        )
    argument = ""
    span_class = ""
    expandable = False
    while True:
        while index < size and source[index] in _TAG_SPACE:
            index += 1
        if index >= size:
            raise EntityParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        if source[index] == ">":
            break
        name_start = index
        while index < size and source[index] not in _TAG_SPACE and source[index] not in "=>":
            index += 1
        name = source[name_start:index].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
        while index < size and source[index] in _TAG_SPACE:
            index += 1
        if index >= size or source[index] != "=":
            if tag == "blockquote" and name == "expandable":
                expandable = True
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_byte_offset(source, begin)}"
            )
        index += 1
        while index < size and source[index] in _TAG_SPACE:
            index += 1
        value, index = _attribute_value(source, index, begin)
        if tag == "a" and name == "href":
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and name == "class":
            span_class = value
        elif tag == "tg-emoji" and name == "emoji-id":
            argument = value
        elif tag == "blockquote" and name == "expandable":
            expandable = True
    if tag == "span" and span_class != "tg-spoiler":
        raise EntityParseError('Tag "span" must have class "tg-spoiler"')
    if tag == "tg-emoji" and not argument.isdigit():
        raise EntityParseError("Custom emoji entity must contain a valid custom emoji identifier")
    return _Open(tag, 0, argument, expandable), index + 1


def _entity(opened: _Open, end: int) -> JSONDict | None:
    length = end - opened.offset
    if length <= 0:
        return None
    entity: JSONDict = {"offset": opened.offset, "length": length}
    tag = opened.tag
    if tag in _SIMPLE:
        entity["type"] = _SIMPLE[tag]
    elif tag == "a":
        if not opened.argument:
            return None
        entity["type"] = "text_link"
        entity["url"] = opened.argument
    elif tag == "code":
        entity["type"] = "code"
    elif tag == "pre":
        entity["type"] = "pre"
        if opened.language:
            entity["language"] = opened.language
    elif tag == "blockquote":
        entity["type"] = "expandable_blockquote" if opened.expandable else "blockquote"
    else:  # tg-emoji
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = opened.argument
    return entity


def parse_html(source: str) -> tuple[str, list[JSONDict]]:
    """Parses Telegram HTML into plain text and ``MessageEntity`` dicts.

    Offsets and lengths are in UTF-16 code units. The text is not trimmed; see
    :func:`trim_text`.

    Args:
        source: The ``text`` as sent with ``parse_mode="HTML"``.

    Returns:
        The plain text and its entities sorted by offset.

    Raises:
        EntityParseError: On anything Telegram would answer with "can't parse entities"
            (and on unescaped ``&``, see the module docstring).
    """
    out: list[str] = []
    position = 0  # in UTF-16 units
    stack: list[_Open] = []
    entities: list[JSONDict] = []
    index = 0
    size = len(source)
    while index < size:
        match = _SPECIAL.search(source, index)
        stop = match.start() if match else size
        if stop > index:
            chunk = source[index:stop]
            out.append(chunk)
            position += utf16_len(chunk)
        if match is None:
            break
        index = stop
        if source[index] == "&":
            decoded = _decode_reference(source, index)
            if decoded is None:
                offset = _byte_offset(source, index)
                named = _ENTITY.match(source, index)
                if named is not None:
                    raise EntityParseError(
                        f'Unsupported HTML entity "{named.group()}" at byte offset {offset}; '
                        "only &lt; &gt; &amp; &quot; and numeric references are allowed"
                    )
                raise EntityParseError(
                    f'Unescaped "&" at byte offset {offset}: write "&amp;" for a literal "&"'
                )
            out.append(decoded[0])
            position += utf16_len(decoded[0])
            index = decoded[1]
            continue
        begin = index
        if index + 1 < size and source[index + 1] == "/":
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, begin)}"
                )
            index = begin + 2
            while index < size and source[index] not in _TAG_SPACE and source[index] != ">":
                index += 1
            end_name = source[begin + 2 : index].lower()
            while index < size and source[index] in _TAG_SPACE:
                index += 1
            if index >= size or source[index] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(source, begin)}"
                )
            opened = stack.pop()
            if end_name and end_name != opened.tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
                    f'expected "</{opened.tag}>", found "</{end_name}>"'
                )
            index += 1
            if opened.tag == "code" and stack and stack[-1].tag == "pre":
                if opened.argument:
                    stack[-1].language = opened.argument
                continue
            entity = _entity(opened, position)
            if entity is not None:
                entities.append(entity)
            continue
        opened, index = _start_tag(source, begin)
        opened.offset = position
        stack.append(opened)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda item: (item["offset"], -item["length"]))
    return "".join(out), entities


def trim_text(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Strips leading/trailing whitespace like Telegram does and shifts the entities.

    Args:
        text: Message text.
        entities: Entities with UTF-16 offsets into ``text``.

    Returns:
        The trimmed text and the entities that still cover at least one character.
    """
    left_trimmed = text.lstrip(_TRIM)
    trimmed = left_trimmed.rstrip(_TRIM)
    if trimmed == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(left_trimmed)])
    total = utf16_len(trimmed)
    kept: list[JSONDict] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return trimmed, kept
