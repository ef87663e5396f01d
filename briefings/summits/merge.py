"""Summits across articles: the merged briefing of each group of articles (the grouping is in
:mod:`briefings.summits.grouping`).

An article is tied to a summit by what it says: the organisation ("CIS", "NATO", "G-8"), the host
city ("summit in Oslo") and the year.  An article whose summit is unclear goes under its
organisation, and joins that organisation's summit when there is exactly one to join.  A summit
briefing merges its articles: one timeline in date order, duplicate quotes merged with all their
sources, and conflicts flagged where two sources date the same thing differently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from briefings.lexicon import CONFLICT_STOP_WORDS as _CONFLICT_STOP
from briefings.models import (
    ArticleStamp,
    Conflict,
    Digest,
    MergedEvent,
    MergedQuote,
    SourcedClaim,
    Summit,
    TimelineEvent,
)
from briefings.summits.card import build_card
from briefings.summits.claims import claims_of_digest, find_disagreements
from briefings.summits.grouping import (
    MAX_MERGED_ARTICLES,
    SummitKey,
    group_digests,
    newest_first,
    stamps_newest_first,
    summit_order,
)

_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]+")


def build_summits(digests: Iterable[Digest]) -> list[Summit]:
    """Merge all digests into summit briefings, newest summit first (see also
    :func:`briefings.store.summit_index.refresh_summits`, which does this incrementally in a
    store).

    Disagreements are found across all the digests, and each summit shows those it takes part in.
    """
    everything = list(digests)
    disputes = ConflictIndex(find_conflicts(everything))
    summits = [
        merge_summit(key, members, conflicts=disputes.touching(d.file for d in members))
        for key, members in group_digests(everything).items()
    ]
    return sorted(summits, key=summit_order, reverse=True)


def merge_summit(
    key: SummitKey,
    digests: Sequence[Digest],
    *,
    members: Sequence[ArticleStamp] = (),
    conflicts: Sequence[Conflict] | None = None,
) -> Summit:
    """Merge the digests of one summit into its briefing (its most recent articles).

    ``members``: every article of the summit, when ``digests`` holds only the most recent
    :data:`MAX_MERGED_ARTICLES` of them (so the others need not be read from the store).
    ``conflicts``: the archive's disagreements this summit takes part in (by default, those
    among its own articles).
    """
    ordered = newest_first(digests)
    if members:
        everyone = [(m.file, m.published) for m in stamps_newest_first(members)]
    else:
        everyone = [(d.file, d.meta.published) for d in ordered]
    published = [date for _, date in everyone if date]
    recent = ordered[:MAX_MERGED_ARTICLES]
    conflicts = tuple(find_conflicts(recent) if conflicts is None else conflicts)
    return Summit(
        key=key.encode(),
        name=key.name,
        files=tuple(file for file, _ in everyone),
        summary=_merge_summary(recent),
        quotes=_merge_quotes(recent),
        timeline=_merge_timeline(recent, conflicts),
        conflicts=conflicts,
        latest_published=max(published) if published else None,
        # Date phrases the articles use but that cannot be pinned down ("next year" in an
        # undated article): the bot says their date is unknown instead of leaving them out.
        extra={
            "unresolved": [[u.evidence, d.file] for d in recent for u in d.unresolved_dates],
            "card": [
                line.to_dict() for line in build_card(key.name, key.organization, key.city, recent)
            ],
        },
    )


def _merge_summary(digests: Sequence[Digest], limit: int = 5) -> tuple[tuple[str, str], ...]:
    """Round-robin over the articles (newest first) so every source is heard."""
    picked: list[tuple[str, str]] = []
    seen: list[frozenset[str]] = []
    columns = [list(d.summary) for d in digests]
    for rank in range(max((len(c) for c in columns), default=0)):
        for digest, column in zip(digests, columns, strict=True):
            if rank >= len(column) or len(picked) >= limit:
                continue
            words = _words(column[rank])
            if any(len(words & other) > 0.7 * min(len(words), len(other)) for other in seen):
                continue
            seen.append(words)
            picked.append((column[rank], digest.file))
    return tuple(picked)


def _norm_quote(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _last(name: str) -> str:
    return name.split()[-1].lower() if name.split() else ""


def _merge_quotes(digests: Sequence[Digest]) -> tuple[MergedQuote, ...]:
    merged: list[MergedQuote] = []
    norms: list[str] = []  # _norm_quote of each merged quote's text, kept in step
    for digest in digests:
        for quote in digest.quotes:
            key = _norm_quote(quote.text)
            for i, existing in enumerate(merged):
                other = norms[i]
                if key and (key in other or other in key):
                    keep = len(other) >= len(key)
                    longer = existing.text if keep else quote.text
                    files = existing.files + (
                        (digest.file,) if digest.file not in existing.files else ()
                    )
                    others = existing.other_speakers
                    if (
                        existing.speaker
                        and quote.speaker
                        and _last(quote.speaker)
                        not in {_last(n) for n in (existing.speaker, *others)}
                    ):
                        others = (*others, quote.speaker)
                    merged[i] = MergedQuote(
                        longer, existing.speaker or quote.speaker, existing.kind, files, others
                    )
                    norms[i] = other if keep else key
                    break
            else:
                merged.append(MergedQuote(quote.text, quote.speaker, quote.kind, (digest.file,)))
                norms.append(key)
    return tuple(merged)


def date_sort_key(date: str) -> tuple[str, int]:
    """Chronological key for ``YYYY``/``YYYY-MM``/``YYYY-MM-DD``/``A/B``; coarser dates first."""
    start = date.split("/")[0]
    parts = [*start.split("-"), "00", "00"][:3]
    return ("-".join(p.zfill(2) for p in parts), len(start))


def _merge_timeline(
    digests: Sequence[Digest], conflicts: Sequence[Conflict] | None = None
) -> tuple[MergedEvent, ...]:
    merged: list[MergedEvent] = []
    merged_words: list[frozenset[str]] = []  # _words of each merged event, computed once
    disputed: dict[str, list[SourcedClaim]] = defaultdict(list)
    for conflict in find_conflicts(digests) if conflicts is None else conflicts:
        for claim in conflict.claims:
            disputed[claim.file].append(claim)
    for digest in digests:
        for event in digest.timeline:
            words = _words(event.event)
            flag = any(_states(event, claim) for claim in disputed.get(digest.file, ()))
            for i, existing in enumerate(merged):
                if existing.date == event.date and _similar(words, merged_words[i]):
                    if digest.file not in existing.files:
                        merged[i] = MergedEvent(
                            existing.date,
                            existing.event,
                            existing.evidence,
                            (*existing.files, digest.file),
                            existing.disputed or flag,
                        )
                    break
            else:
                merged.append(
                    MergedEvent(event.date, event.event, event.evidence, (digest.file,), flag)
                )
                merged_words.append(words)
    return tuple(sorted(merged, key=lambda e: date_sort_key(e.date)))


def _states(event: TimelineEvent, claim: SourcedClaim) -> bool:
    """Is this timeline entry the disputed claim (its sentence, and its year if a year)?"""
    text = event.event.strip("… ")
    if not text or (text not in claim.evidence and claim.evidence not in text):
        return False
    return not claim.value.isdigit() or claim.value in (event.date[:4], event.evidence)


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text) if w.lower() not in _CONFLICT_STOP)


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return len(a & b) >= 0.6 * max(1, min(len(a), len(b)))


def find_conflicts(digests: Sequence[Digest]) -> tuple[Conflict, ...]:
    """Disagreements among these digests' claims (see :mod:`briefings.summits.claims`); a
    store's summits use the whole archive's instead
    (:func:`briefings.store.summit_index.refresh_summits`)."""
    return find_disagreements(c for d in digests for c in claims_of_digest(d))


#: A summit shows at most this many sources for each value of a disagreement (its own first):
#: a claim repeated by thousands of articles must not make every briefing that large.
SOURCES_PER_VALUE = 3
#: ... and at most this many values besides its own.
OTHER_VALUES = 4


class ConflictIndex:
    """The archive's disagreements, indexed by the articles taking part, so that each summit
    finds its own in time proportional to its articles, and shows its own sources first with at
    most :data:`SOURCES_PER_VALUE` sources per value (a claim repeated by thousands of articles
    must not make every briefing, or every refresh, that large)."""

    def __init__(self, conflicts: Iterable[Conflict]) -> None:
        self._conflicts = list(conflicts)
        #: file -> {conflict number: that file's claims in it}
        self._by_file: dict[str, dict[int, list[SourcedClaim]]] = defaultdict(dict)
        self._shown: list[list[SourcedClaim]] = []
        for number, conflict in enumerate(self._conflicts):
            shown: dict[str, list[SourcedClaim]] = defaultdict(list)
            for claim in conflict.claims:
                self._by_file[claim.file].setdefault(number, []).append(claim)
                if len(shown[claim.value]) < SOURCES_PER_VALUE:
                    shown[claim.value].append(claim)
            self._shown.append([c for group in shown.values() for c in group])

    def touching(self, files: Iterable[str]) -> tuple[Conflict, ...]:
        """The disagreements in which one of ``files`` takes part, in the archive's order."""
        mine: dict[int, list[SourcedClaim]] = defaultdict(list)
        for file in sorted(set(files)):
            for number, claims in self._by_file.get(file, {}).items():
                mine[number] += claims
        result = []
        for number in sorted(mine):
            shown: dict[str, list[SourcedClaim]] = {}
            for claim in [*mine[number], *self._shown[number]]:
                if claim.value not in shown:
                    if len(shown) >= len({c.value for c in mine[number]}) + OTHER_VALUES:
                        continue
                    shown[claim.value] = []
                group = shown[claim.value]
                if len(group) < SOURCES_PER_VALUE and all(c is not claim for c in group):
                    group.append(claim)
            claims = sorted(
                (c for g in shown.values() for c in g), key=lambda c: (c.file, c.value)
            )
            result.append(Conflict(self._conflicts[number].topic, tuple(claims)))
        return tuple(result)
