"""Shape tests on a line of a page: is it a person's name (a byline), a place (a dateline's
city), a cleaned author name.

Split from :mod:`briefings.ingest.metadata`; the date stamps (:mod:`briefings.ingest.stamps`)
use the place test too.  These are *shape* tests on short lines; the speakers of quotations
are read by :mod:`briefings.stages.speakers` from running text.
"""

from __future__ import annotations

import re

_LETTER_TOKEN = re.compile(r"[^\W\d_]", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-zà-ÿ'’]+(?:-[A-Z]?[a-zà-ÿ'’]+)*|[A-Z]\.|[A-Z][A-Z'’-]+)$")
_PARTICLES = frozenset({"de", "van", "von", "der", "da", "bin", "al", "el", "la", "le", "di"})
# Words that make a short capitalised line furniture or a heading, never a person's name.
_NOT_NAME = _words(
    """news breaking latest more read home world politics business economy video videos photo
    photos live opinion analysis editorial summit summits print share comments subscribe menu
    search login top stories related press release statement transcript remarks council ministry
    office department president secretary minister kremlin government state states united nations
    international national foreign affairs region europe asia africa america middle east west north
    south today yesterday links accessibility text version publication status direct link section
    sections thank you loading see all follow us contact about privacy policy terms advertisement
    sport sports culture science technology health weather most popular tags topics author authors
    editor staff reporter correspondent agency service media center centre committee union
    organization organisation meeting conference forum talks agenda monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september
    october november december radio television tv online daily times post herald journal"""
)
_COMPASS = frozenset({"north", "south", "east", "west"})
_PLACE_CONNECTORS = frozenset({"of", "on", "upon", "de", "del", "la", "am", "an", "der", "sur"})


def _letter_words(text: str) -> list[str]:
    return [t for t in text.split() if _LETTER_TOKEN.search(t)]


def is_name_like(text: str) -> bool:
    """Tell whether a line is shaped like a person's name: two or three capitalised words.

    Bylines are printed as bare names ("Nazrin Abdul"); the shape test plus a list of words
    that never occur in names ("Breaking News", "Secretary of State") separates them from menu
    entries and headings.

    Args:
        text: A stripped line.

    Returns:
        ``True`` for name-shaped lines (particles such as "de" or "bin" allowed).
    """
    if len(text) > 40 or any(c.isdigit() for c in text) or text[-1:] in ".,;:!?":
        return False
    words = text.split()
    if not 2 <= len(words) <= 4:
        return False
    names = [w for w in words if w.lower() not in _PARTICLES]
    if not 2 <= len(names) <= 3:
        return False
    return all(_NAME_TOKEN.match(w) and w.lower() not in _NOT_NAME for w in names)


def _is_place_like(text: str) -> bool:
    if len(text) > 40 or any(c.isdigit() for c in text) or text[-1:] in '.;:!?"”':
        return False
    words = [w.strip(",") for w in text.split()]
    if not 1 <= len(words) <= 4:
        return False
    for word in words:
        if word.lower() in _PLACE_CONNECTORS:
            continue
        if not word[:1].isupper() or (word.lower() in _NOT_NAME - _COMPASS):
            return False
    return True


def _clean_name(raw: str) -> str | None:
    name = re.split(r"\s*(?:[,|;/(]|\s[-–—]\s|\s(?:for|in|at|from)\s)", raw.strip(), maxsplit=1)[0]
    name = name.strip(" .")
    parts = re.split(r"\s+(?:and|&)\s+", name)
    if all(is_name_like(part) for part in parts) and len(parts) <= 3:
        return name
    return None
