"""Inline keyboards and their callback data (always under Telegram's 64-byte limit).

Callback data is ``<section>:<summit token>:<page>`` (e.g. ``q:1a2b3c4d:2``) or
``d:<article id>`` for one article's digest.  Tokens are short hashes, so data stays small and a
button pointing at a summit that no longer exists is recognised as stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views import Page

SECTIONS = {"s": "Summary", "q": "Quotes", "t": "Timeline"}
_SECTION_DATA = re.compile(r"^([sqt]):([0-9a-f]{8}):(\d{1,4})$")
_DIGEST_DATA = re.compile(r"^d:([0-9a-f]{6,32})$")
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True, slots=True)
class SectionRequest:
    """A parsed section/page button."""

    section: str
    summit: str
    page: int


@dataclass(frozen=True, slots=True)
class DigestRequest:
    """A parsed "open this article" button."""

    article_id: str


def parse_callback(data: str | None) -> SectionRequest | DigestRequest | None:
    """Validate callback data; anything forged or malformed is None."""
    if not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        return None
    if match := _SECTION_DATA.fullmatch(data):
        return SectionRequest(match.group(1), match.group(2), int(match.group(3)))
    if match := _DIGEST_DATA.fullmatch(data):
        return DigestRequest(match.group(1))
    return None


def section_keyboard(
    token: str, current: str, page: Page | None = None, *, subscribe: bool = False
) -> InlineKeyboardMarkup:
    """Summary | Quotes | Timeline, plus ‹ › paging for the current section when needed."""
    number, count = (page.number, page.count) if page is not None and page.count > 1 else (0, 0)
    return _section_keyboard(token, current, number, count, subscribe)


@lru_cache(maxsize=4096)
def _section_keyboard(
    token: str, current: str, number: int, count: int, subscribe: bool
) -> InlineKeyboardMarkup:
    """The keyboard itself (``count`` 0: no paging row).

    Cached: a keyboard depends on these five values only, and PTB's markup and buttons are
    immutable, so one object can be sent any number of times.  Building the buttons afresh for
    every reply cost about as much as the view of a short section.
    """
    rows: list[list[InlineKeyboardButton]] = []
    if count > 1:
        nav = []
        if number > 1:
            nav.append(
                InlineKeyboardButton("‹ Prev", callback_data=f"{current}:{token}:{number - 1}")
            )
        nav.append(
            InlineKeyboardButton(f"{number}/{count}", callback_data=f"{current}:{token}:{number}")
        )
        if number < count:
            nav.append(
                InlineKeyboardButton("Next ›", callback_data=f"{current}:{token}:{number + 1}")
            )
        rows.append(nav)
    rows.append(
        [
            InlineKeyboardButton(
                ("· " + label + " ·") if key == current else label,
                callback_data=f"{key}:{token}:1",
            )
            for key, label in SECTIONS.items()
        ]
    )
    if subscribe:
        rows.append([InlineKeyboardButton("Subscribe", callback_data="sub:new")])
    return InlineKeyboardMarkup(rows)


def sources_keyboard(items: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per article: (label, article id)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label[:60], callback_data=f"d:{article_id}")]
            for label, article_id in items
        ]
    )
