"""Corrections: what a subscriber is told when an announced article is updated in place.

A source may edit an article after it was announced (same file, new text).  The bot re-digests
it; subscribers hear of it only when the edit is a *correction* of what they were shown: a quote
whose words or speaker changed, a quote that was removed, or a date of the timeline that changed
or went away.  Any other edit (a typo fixed in an ordinary sentence, a paragraph added) changes
nothing they relied on and sends nothing.  Compared here on the stored digests, before and after.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.render import render
from briefings.library import Library
from briefings.models import Digest, Quote

#: Quote marks of any style and runs of spaces do not make a different quote.
_MARKS = re.compile(r"[\"'“”‘’«»„‚]")
_SPACES = re.compile(r"\s+")
#: At most this many changes are listed; the message says how many more there are.
MAX_LISTED = 3


@dataclass(frozen=True, slots=True)
class QuoteChange:
    """One quote as subscribers saw it, and what it is now (None: removed)."""

    old: Quote
    new: Quote | None


@dataclass(frozen=True, slots=True)
class Correction:
    """The real corrections of one updated article."""

    file: str
    title: str
    #: The new text's hash: one correction message per text, however often it is built.
    content_hash: str
    quotes: tuple[QuoteChange, ...]
    #: Timeline dates before and after (a date gone has None after).
    dates: tuple[tuple[str, str | None], ...]


def _norm(text: str) -> str:
    return _SPACES.sub(" ", _MARKS.sub("", text)).strip().casefold()


def _same_quote(one: Quote, other: Quote) -> bool:
    return _norm(one.text) == _norm(other.text) and (one.speaker or "") == (other.speaker or "")


def compare(old: Digest, new: Digest) -> Correction | None:
    """The corrections between two digests of one article, or None when there is none.

    A quote of ``old`` with no identical quote (words and speaker) in ``new`` was corrected:
    it is paired, in order, with a quote of ``new`` that is not in ``old`` (its new wording or
    speaker), else it was removed.  Quotes only added are not corrections.  Dates likewise: a
    timeline date of ``old`` absent from ``new`` was changed (paired, in order, with a date
    only ``new`` has) or removed.
    """
    gone = [q for q in old.quotes if not any(_same_quote(q, n) for n in new.quotes)]
    fresh = [n for n in new.quotes if not any(_same_quote(q, n) for q in old.quotes)]
    quotes = tuple(
        QuoteChange(q, fresh[i] if i < len(fresh) else None) for i, q in enumerate(gone)
    )
    old_dates = list(dict.fromkeys(e.date for e in old.timeline))
    new_dates = list(dict.fromkeys(e.date for e in new.timeline))
    lost = [d for d in old_dates if d not in new_dates]
    added = [d for d in new_dates if d not in old_dates]
    dates = tuple((d, added[i] if i < len(added) else None) for i, d in enumerate(lost))
    if not quotes and not dates:
        return None
    return Correction(new.file, new.meta.title or new.file, new.content_hash, quotes, dates)


def render_corrections(corrections: Sequence[Correction]) -> list[str]:
    """One short message per corrected article (template ``correction``)."""
    return [
        render(
            "correction",
            correction=c,
            quotes=c.quotes[:MAX_LISTED],
            dates=c.dates[:MAX_LISTED],
            more=max(0, len(c.quotes) - MAX_LISTED) + max(0, len(c.dates) - MAX_LISTED),
        )
        for c in corrections
    ]


def old_digests(library: Library | None, names: Sequence[str]) -> dict[str, Digest]:
    """The digests of ``names`` as subscribers were shown them: read before the build replaces
    them (a few files per build; in a worker thread)."""
    if library is None:
        return {}
    found = {name: library.digest(name) for name in names}
    return {name: digest for name, digest in found.items() if digest is not None}


def corrections_of(
    before: dict[str, Digest], library: Library, announced: set[str]
) -> list[Correction]:
    """The real corrections of the announced articles among ``before`` whose text changed."""
    found = []
    for name, old in sorted(before.items()):
        if name not in announced:
            continue
        new = library.digest(name)
        if new is None or new.content_hash == old.content_hash:
            continue
        correction = compare(old, new)
        if correction is not None:
            found.append(correction)
    return found
