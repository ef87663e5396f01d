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
from difflib import SequenceMatcher

from bot.render import render
from briefings.library import Library
from briefings.models import Digest, Quote

#: Quote marks of any style and runs of spaces do not make a different quote.
_MARKS = re.compile(r"[\"'“”‘’«»„‚]")
_SPACES = re.compile(r"\s+")
#: Two sentences this similar (difflib ratio) are one sentence reworded, not two sentences.
SIMILAR = 0.6
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


def _pair(gone: Sequence[str], fresh: Sequence[str]) -> list[int | None]:
    """For each text of ``gone``, the index of the most similar unused text of ``fresh`` (the
    same sentence reworded: :data:`SIMILAR` or more), else None (it went away)."""
    used: set[int] = set()
    pairs: list[int | None] = []
    for text in gone:
        scores = [
            (SequenceMatcher(None, _norm(text), _norm(other)).ratio(), index)
            for index, other in enumerate(fresh)
            if index not in used
        ]
        best = max(scores, default=(0.0, -1))
        if best[0] >= SIMILAR:
            used.add(best[1])
            pairs.append(best[1])
        else:
            pairs.append(None)
    return pairs


def compare(old: Digest, new: Digest) -> Correction | None:
    """The corrections between two digests of one article, or None when there is none.

    A quote of ``old`` with no identical quote (words and speaker) in ``new`` was corrected:
    its new form is the most similar quote only ``new`` has (a speaker changed, a few words
    changed); with none similar enough it was removed.  Quotes only added are not corrections
    (a quote added to the article is news of its own, not a fix of what was shown).  A
    timeline date of ``old`` that ``new`` lacks was changed when ``new`` has an event whose
    evidence sentence is that one reworded, else removed.  Nothing else counts.
    """
    gone = [q for q in old.quotes if not any(_same_quote(q, n) for n in new.quotes)]
    fresh = [n for n in new.quotes if not any(_same_quote(q, n) for q in old.quotes)]
    paired = _pair([q.text for q in gone], [q.text for q in fresh])
    quotes = tuple(
        QuoteChange(q, None if i is None else fresh[i]) for q, i in zip(gone, paired, strict=True)
    )
    new_dates = {e.date for e in new.timeline}
    old_dates = {e.date for e in old.timeline}
    lost = list({e.date: e for e in old.timeline if e.date not in new_dates}.values())
    added = [e for e in new.timeline if e.date not in old_dates]
    dated = _pair([e.evidence for e in lost], [e.evidence for e in added])
    dates = tuple(
        (e.date, None if i is None else added[i].date) for e, i in zip(lost, dated, strict=True)
    )
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
