"""Every word the bot says comes from a Jinja2 template rendered to Telegram HTML.

Autoescaping is on for every template (article text and user arguments may contain ``<``, ``&``
and quotes), undefined variables are errors (``StrictUndefined``), and whitespace control is on
because Telegram keeps every space and newline.  Messages longer than Telegram's limit (4096
UTF-16 code units) are split at paragraph, line or sentence boundaries without breaking a tag.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from briefings.summits import SummitKey

#: Telegram's limit on a message's text, in UTF-16 code units.
MESSAGE_LIMIT = 4096
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)([^>]*)>")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_BLANK_RUN = re.compile(r"\n{3,}")
#: What a quotation cut before its attribution ends with ("…support,” he said): separators,
#: possibly followed by stray dots (",..").  Shown alone, they read as a typo.
_QUOTE_TAIL = re.compile(r"\s*[,;:][\s,;:.]*$")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (characters outside the BMP count twice)."""
    return len(text.encode("utf-16-le")) // 2


_BOUNDS = {">": "over ", "<": "up to ", "~": "about "}


def claim_value(value: str, kind: str) -> str:
    """A claim's value as a reader says it: a year as a date, a count with its bound
    (">1600" -> "over 1,600"), a name or place as it is."""
    if kind == "year":
        return date_label(value)
    if kind != "count":
        return value
    bound = _BOUNDS.get(value[:1], "")
    number = value[1:] if bound else value
    return f"{bound}{int(number):,}" if number.isdigit() else value


def date_label(date: str) -> str:
    """Show a normalized date with exactly its precision: 1992, Oct 2025, 10 Oct 2025, ranges."""
    if "/" in date:
        start, end = date.split("/", 1)
        return f"{date_label(start)}–{date_label(end)}"
    parts = date.split("-")
    try:
        if len(parts) == 1:
            return parts[0]
        month = _MONTHS[int(parts[1]) - 1]
        if len(parts) == 2:
            return f"{month} {parts[0]}"
        return f"{int(parts[2])} {month} {parts[0]}"
    except (ValueError, IndexError):
        return date


def when_label(value: float | dt.datetime | None, tz: dt.tzinfo | None = None) -> str:
    """A timestamp as "22 Nov 2026 13:05 UTC"."""
    if value is None:
        return "never"
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromtimestamp(value, dt.UTC)
    moment = moment.astimezone(tz or dt.UTC)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year} {moment:%H:%M %Z}".strip()


def plural(word: str, count: int, many: str | None = None) -> str:
    """``word`` for one, ``many`` (default ``word + "s"``) otherwise: "1 summit", "2 summits".

    The words themselves stay in the templates; this only picks the form.
    """
    return word if count == 1 else (many if many is not None else word + "s")


def quote_text(text: str) -> str:
    """A quotation as shown alone: without the separator that tied it to its attribution."""
    return _QUOTE_TAIL.sub("", text) or text


def summit_name(key: str) -> str:
    """Readable name of a stored summit key."""
    return SummitKey.decode(key).name


@cache
def environment() -> Environment:
    """The template environment (built once)."""
    env = Environment(
        loader=PackageLoader("bot", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # The templates ship with the package and never change while the bot runs: without
        # this, every render (and every ``{% from "_macros…" import %}`` inside one) stats the
        # template file to check whether it changed.
        auto_reload=False,
    )
    env.filters["date_label"] = date_label
    env.filters["when"] = when_label
    env.filters["summit_name"] = summit_name
    env.filters["plural"] = plural
    env.filters["quote_text"] = quote_text
    env.filters["claim_value"] = claim_value
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>.html.j2`` to Telegram HTML, trimmed."""
    text = environment().get_template(f"{template}.html.j2").render(**context)
    if "\n\n\n" in text:  # a plain substring search is far cheaper than the regex scan
        text = _BLANK_RUN.sub("\n\n", text)
    return text.strip()


def strip_html(text: str) -> str:
    """Plain text of a rendered message (for the terminal demo and logs)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split rendered HTML into messages of at most ``limit`` UTF-16 units.

    Cuts at a blank line if one fits, else at a line break, else after a sentence, else anywhere
    outside a tag or entity.  Tags open at a cut are closed before it and reopened after it, so
    every part is valid Telegram HTML on its own.
    """
    parts: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        cut = _find_cut(rest, limit)
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        open_tags = _open_tags(head)
        closing = "".join(f"</{name}>" for name, _ in reversed(open_tags))
        reopening = "".join(f"<{name}{attrs}>" for name, attrs in open_tags)
        parts.append(head + closing)
        rest = reopening + rest
    if rest:
        parts.append(rest)
    return parts


def _find_cut(text: str, limit: int) -> int:
    """The best index to cut ``text`` so that the head fits in ``limit`` (with closing tags)."""
    budget = limit - 64  # room for closing tags added to the head
    window_end = 0
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > budget:
            break
        window_end = index + 1
    window = text[:window_end]
    for separator in ("\n\n", "\n"):
        position = window.rfind(separator)
        if position > budget // 3:
            return position + len(separator)
    sentence_cuts = [m.end() for m in _SENTENCE_END.finditer(window)]
    safe = [c for c in sentence_cuts if _is_outside_markup(window, c) and c > budget // 3]
    if safe:
        return safe[-1]
    position = window_end
    while position > 1 and not _is_outside_markup(window, position):
        position -= 1
    space = window.rfind(" ", 0, position)
    return space + 1 if space > budget // 3 and _is_outside_markup(window, space + 1) else position


def _is_outside_markup(text: str, position: int) -> bool:
    """True when ``position`` is not inside a tag ``<…>`` or an entity ``&…;``."""
    last_lt, last_gt = text.rfind("<", 0, position), text.rfind(">", 0, position)
    last_amp, last_semi = text.rfind("&", 0, position), text.rfind(";", 0, position)
    in_tag = last_lt > last_gt
    in_entity = last_amp > last_semi and position - last_amp <= 10
    return not (in_tag or in_entity)


def _open_tags(fragment: str) -> list[tuple[str, str]]:
    """Tags opened in ``fragment`` and not closed in it, outermost first."""
    stack: list[tuple[str, str]] = []
    for closing, name, attrs in _TAG.findall(fragment):
        if closing:
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == name:
                    del stack[i:]
                    break
        else:
            stack.append((name, attrs))
    return stack
