"""The article's lines as ingest reads them: what each line looks like, and its duplicate key.

Boilerplate removal (:mod:`briefings.ingest.boilerplate`) classifies the lines and metadata
detection (:mod:`briefings.ingest.metadata`) reads them; both use these shapes, so the shapes
live here and the two modules do not import each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

StampKind = Literal["published", "updated", "other", "plain"]


@dataclass(frozen=True, slots=True)
class Stamp:
    """A short line that states a date (and maybe a time and zone): a dateline or a footer."""

    date: str
    time: str | None
    tz: str | None
    kind: StampKind
    #: A place the date line names beside the date ("May 4, 2021, Minsk"): a dateline.
    place: str | None = None


@dataclass(frozen=True, slots=True)
class Clock:
    """A line that is only a clock time (the Kremlin prints "15:40" under the date)."""

    time: str
    tz: str | None


@dataclass(slots=True)
class Line:
    """One non-blank line of the article and what it looks like."""

    #: Position among the article's non-blank lines.
    pos: int
    #: The stripped line, a verbatim slice of the text.
    text: str
    #: Normalised text for duplicate tests.
    key: str
    #: Number of tokens that contain a letter.
    words: int
    #: Ends with sentence punctuation (. ! ? … : ; , possibly before a closing quote).
    terminal: bool
    #: Reads like running text: a terminated line of 2+ words, or 12+ words in any case.
    prose: bool
    #: Why the line is known page furniture, or ``None``.
    furniture: str | None
    stamp: Stamp | None
    clock: Clock | None


def key_of(text: str) -> str:
    """Normalise a line for duplicate tests: case, spacing and quote style do not count.

    Page copies repeat headlines and bylines with different quotes or spacing; comparing keys
    rather than raw text catches those repeats, and the article id is built from keys so that
    re-saving a file with other line endings or quotes keeps its id.

    Args:
        text: A line.

    Returns:
        The casefolded line with straight quotes and single spaces.
    """
    if _CURLY.search(text):
        text = _SINGLE_QUOTES.sub("'", _DOUBLE_QUOTES.sub('"', text))
    return " ".join(text.casefold().split())


_DOUBLE_QUOTES = re.compile("[“”„«»]")
_SINGLE_QUOTES = re.compile("[‘’]")
_CURLY = re.compile("[“”„«»‘’]")
