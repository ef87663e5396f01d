"""Inline keyboards and their callback data (always under Telegram's 64-byte limit).

Callback data is ``<section>:<summit token>:<page>`` (e.g. ``q:1a2b3c4d:2``), with the year
span of a filtered timeline after it (``t:1a2b3c4d:2:1900-2100``), ``Q:<page>:<words>`` for a
page of quotes found across the archive, or ``d:<article id>`` for one article's digest.  Tokens
are short hashes, so data stays small and a button pointing at a summit that no longer exists is
recognised as stale.  Words too long for the 64 bytes are kept by the bot under a short key
(``Q:<page>#<key>``), in memory and in the bot's database (``filter:<key>`` in its state), so
the button works after a restart and on any replica; one whose key is found nowhere says it
expired.
The Subscribe button's data is :data:`SUBSCRIBE_DATA`.  Every callback data is packed and
parsed in this module, nowhere else.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views import Page

SECTIONS = {"s": "Summary", "q": "Quotes", "t": "Timeline"}
_SECTION_DATA = re.compile(r"^([sqt]):([0-9a-f]{8}):([0-9]{1,4})(?::([0-9]{4})-([0-9]{4}))?$")
_QUOTES_DATA = re.compile(r"^Q:([0-9]{1,4})(?::(.+)|#([0-9a-f]{12}))$", re.DOTALL)
_DIGEST_DATA = re.compile(r"^d:([0-9a-f]{6,32})$")
MAX_CALLBACK_BYTES = 64
#: The Subscribe button: routed on its own (:func:`is_subscribe`), not by :func:`parse_callback`.
SUBSCRIBE_DATA: Final = "sub:new"


@dataclass(frozen=True, slots=True)
class SectionRequest:
    """A parsed section/page button."""

    section: str
    summit: str
    page: int
    #: The timeline's year span, when the view was filtered by one.
    span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class QuotesSearchRequest:
    """A page of the quotes found across the archive by ``words`` (``None``: a stored filter
    this process does not know; ``key`` says which, to look up in the database)."""

    words: str | None
    page: int
    key: str | None = None


@dataclass(frozen=True, slots=True)
class DigestRequest:
    """A parsed "open this article" button."""

    article_id: str


class FilterMemo:
    """Search words too long for a button's 64 bytes, under a short key derived from them.

    Bounded (the oldest are forgotten first) in memory; keys made since the last
    :meth:`take_unsaved` are handed to the caller to keep in the bot's database too, so that a
    replica that did not draw the button can still answer it (behind a load balancer the press
    reaches any replica).  A key found nowhere makes the button answer that it expired, never
    show another filter's results.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._words: OrderedDict[str, str] = OrderedDict()
        self._unsaved: dict[str, str] = {}

    def key_for(self, words: str) -> str:
        key = hashlib.sha256(words.encode("utf-8")).hexdigest()[:12]
        if key not in self._words:
            self._unsaved[key] = words
        self.remember(key, words)
        return key

    def remember(self, key: str, words: str) -> None:
        """Keep ``words`` under ``key`` (read back from the database by another replica)."""
        self._words[key] = words
        self._words.move_to_end(key)
        while len(self._words) > self._size:
            self._words.popitem(last=False)

    def words(self, key: str) -> str | None:
        return self._words.get(key)

    def take_unsaved(self) -> dict[str, str]:
        """The keys made since the last call, with their words (to store; then forgotten)."""
        unsaved, self._unsaved = self._unsaved, {}
        return unsaved


#: The bot's one memo of long filters (shared by every chat; only the words are kept).
FILTERS = FilterMemo()


def is_subscribe(data: str | None) -> bool:
    """Whether callback data is the Subscribe button's."""
    return data == SUBSCRIBE_DATA


def _subscribe_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton("Subscribe", callback_data=SUBSCRIBE_DATA)]


def parse_callback(
    data: str | None,
) -> SectionRequest | QuotesSearchRequest | DigestRequest | None:
    """Validate callback data; anything forged or malformed is None."""
    if not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        return None
    if match := _SECTION_DATA.fullmatch(data):
        section, token, page, first, last = match.groups()
        span = None
        if first is not None:
            if section != "t" or int(first) > int(last):
                return None
            span = (int(first), int(last))
        return SectionRequest(section, token, int(page), span)
    if match := _QUOTES_DATA.fullmatch(data):
        page, words, key = match.groups()
        if words is not None:
            return QuotesSearchRequest(words, int(page)) if words.strip() else None
        return QuotesSearchRequest(FILTERS.words(key), int(page), key)
    if match := _DIGEST_DATA.fullmatch(data):
        return DigestRequest(match.group(1))
    return None


def quotes_search_keyboard(words: str, page: Page) -> InlineKeyboardMarkup | None:
    """‹ Prev · n/N · Next › for quotes found across the archive, the words kept in the data."""
    if page.count <= 1:
        return None

    def data(number: int) -> str:
        inline = f"Q:{number}:{words}"
        if len(inline.encode("utf-8")) <= MAX_CALLBACK_BYTES:
            return inline
        return f"Q:{number}#{FILTERS.key_for(words)}"

    return InlineKeyboardMarkup([_nav_row(page.number, page.count, data)])


def _nav_row(number: int, count: int, data: Callable[[int], str]) -> list[InlineKeyboardButton]:
    nav = []
    if number > 1:
        nav.append(InlineKeyboardButton("‹ Prev", callback_data=data(number - 1)))
    nav.append(InlineKeyboardButton(f"{number}/{count}", callback_data=data(number)))
    if number < count:
        nav.append(InlineKeyboardButton("Next ›", callback_data=data(number + 1)))
    return nav


def section_keyboard(
    token: str,
    current: str,
    page: Page | None = None,
    *,
    subscribe: bool = False,
    span: tuple[int, int] | None = None,
) -> InlineKeyboardMarkup:
    """Summary | Quotes | Timeline, plus ‹ › paging for the current section when needed
    (keeping a timeline's year ``span`` in the paging buttons)."""
    number, count = (page.number, page.count) if page is not None and page.count > 1 else (0, 0)
    return _section_keyboard(token, current, number, count, subscribe, span)


@lru_cache(maxsize=4096)
def _section_keyboard(
    token: str,
    current: str,
    number: int,
    count: int,
    subscribe: bool,
    span: tuple[int, int] | None = None,
) -> InlineKeyboardMarkup:
    """The keyboard itself (``count`` 0: no paging row).

    Cached: a keyboard depends on these five values only, and PTB's markup and buttons are
    immutable, so one object can be sent any number of times.  Building the buttons afresh for
    every reply cost about as much as the view of a short section.
    """
    rows: list[list[InlineKeyboardButton]] = []
    suffix = f":{span[0]}-{span[1]}" if span is not None and current == "t" else ""
    if count > 1:
        rows.append(_nav_row(number, count, lambda n: f"{current}:{token}:{n}{suffix}"))
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
        rows.append(_subscribe_row())
    return InlineKeyboardMarkup(rows)


def sources_keyboard(items: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per article: (label, article id)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label[:60], callback_data=f"d:{article_id}")]
            for label, article_id in items
        ]
    )
