"""Summits across articles: which summit an article reports on, and the merged briefing.

An article is tied to a summit by what it says: the organisation ("CIS", "NATO", "G-8"), the host
city ("summit in Dushanbe") and the year.  An article whose summit is unclear goes under its
organisation, and joins that organisation's summit when there is exactly one to join.  A summit
briefing merges its articles: one timeline in date order, duplicate quotes merged with all their
sources, and conflicts flagged where two sources date the same thing differently.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from briefings.lexicon import CONFLICT_STOP_WORDS as _CONFLICT_STOP
from briefings.lexicon import MONTH_NAMES as _MONTHS
from briefings.models import (
    ArticleMeta,
    ArticleStamp,
    Conflict,
    Digest,
    Entities,
    MergedEvent,
    MergedQuote,
    SourcedClaim,
    Summit,
    SummitHead,
    TimelineEvent,
)
from briefings.summits.card import build_card
from briefings.summits.claims import claims_of_digest, find_disagreements
from briefings.summits.identity import detect_meeting

_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]+")


@dataclass(frozen=True, slots=True)
class SummitKey:
    """Which meeting: organisation or format, host city, ``YYYY-MM`` (or year); any may be
    unknown.  ``alone`` names the one article of a summit whose meeting is unclear, so that it
    stands apart instead of joining strangers."""

    organization: str | None
    city: str | None = None
    year: str | None = None
    alone: str | None = None

    def encode(self) -> str:
        """Stored form, e.g. ``CIS|Dushanbe|2025-10`` (``|file`` appended when alone)."""
        parts = [self.organization, self.city, self.year]
        if self.alone:
            parts.append(self.alone)
        return "|".join(part or "" for part in parts)

    @classmethod
    def decode(cls, value: str | None) -> SummitKey:
        """Inverse of :meth:`encode`; ``None`` is the unknown summit."""
        parts = [*(value or "").split("|", 3), "", "", "", ""]
        return cls(parts[0] or None, parts[1] or None, parts[2] or None, parts[3] or None)

    @property
    def clear(self) -> bool:
        """Enough is known to merge with other articles: the format and the month, or the
        format, the place and the year."""
        return bool(self.organization and self.year and (len(self.year) == 7 or self.city))

    @property
    def name(self) -> str:
        """Readable name: "CIS summit, Dushanbe, October 2025"."""
        when = self.year
        if when and len(when) == 7 and when[5:].isdigit() and 1 <= int(when[5:]) <= 12:
            when = f"{_MONTHS[int(when[5:]) - 1]} {when[:4]}"
        if not self.organization:
            return f"Unattributed article: {self.alone}" if self.alone else "Unattributed articles"
        parts = [f"{self.organization} summit", self.city, when]
        name = ", ".join(p for p in parts if p)
        if self.alone and not self.clear:
            return f"{name} (which meeting is unclear): {self.alone}"
        return name


def detect_summit(
    title: str | None,
    text: str,
    entities: Entities,
    published: str | None,
    *,
    place: str | None = None,
    timeline: Iterable[TimelineEvent] = (),
    source: str | None = None,
) -> SummitKey:
    """Say which meeting an article reports on (see :mod:`briefings.meetings`)."""
    meeting = detect_meeting(
        title, text, entities, published, place=place, timeline=timeline, source=source
    )
    return SummitKey(meeting.organization, meeting.city, meeting.date)


class _Article(Protocol):
    """What grouping needs of an article: a digest or its stamp."""

    @property
    def file(self) -> str: ...
    @property
    def summit(self) -> str | None: ...


_A = TypeVar("_A", bound=_Article)


class _Dated(Protocol):
    @property
    def file(self) -> str: ...
    @property
    def meta(self) -> ArticleMeta: ...


_M = TypeVar("_M", bound=_Dated)


def _agree(a: SummitKey, b: SummitKey) -> bool:
    """One meeting: the same format, the same place (or one unknown), and the same or adjacent
    month (a meeting is reported before, during and after it); a date known only to the year
    agrees only where both name the same place."""
    if (a.organization or "").lower() != (b.organization or "").lower() or not a.year:
        return False
    if not b.year or (a.year[:4] != b.year[:4] and len(a.year) + len(b.year) < 14):
        return False
    if a.city and b.city:
        if a.city.lower() != b.city.lower():
            return False
    elif len(a.year) != 7 or len(b.year) != 7:
        return False
    if len(a.year) != 7 or len(b.year) != 7:
        return True
    months = abs(
        (int(a.year[:4]) * 12 + int(a.year[5:])) - (int(b.year[:4]) * 12 + int(b.year[5:]))
    )
    return months <= 1


def _year(key: SummitKey) -> int:
    return int(key.year[:4]) if key.year and key.year[:4].isdigit() else 0


def _adjacent_months(month: str) -> tuple[str, ...]:
    """``YYYY-MM`` and the months before and after it."""
    number = int(month[:4]) * 12 + int(month[5:7]) - 1
    return tuple(f"{n // 12:04d}-{n % 12 + 1:02d}" for n in (number - 1, number, number + 1))


def group_digests(digests: Iterable[_A]) -> dict[SummitKey, list[_A]]:
    """Group digests (or stamps) by meeting.

    Articles join when they name the same format and place (or one names no place) and months
    that are the same or adjacent; an article with a format and place but no month joins the one
    meeting of that format in that place, if there is exactly one.  Any other article stands
    alone under its organisation, labelled as unclear: never with strangers.
    """
    ordered = sorted(digests, key=lambda d: (SummitKey.decode(d.summit).year or "", d.file))
    clusters: list[tuple[SummitKey, list[_A]]] = []
    # Indexes of the clusters, so that each article is compared only with the few meetings it
    # could be (a 10,000-article archive is grouped in well under a second, not quadratically).
    by_place: dict[tuple[str, str, int], list[int]] = defaultdict(list)  # (format, city, year)
    everywhere: dict[tuple[str, str], list[int]] = defaultdict(list)  # (format, city)
    by_month: dict[tuple[str, str], list[int]] = defaultdict(list)  # (format, YYYY-MM)
    placeless: dict[tuple[str, str], list[int]] = defaultdict(list)  # same, with no city yet
    undated: list[tuple[SummitKey, _A]] = []
    alone: list[tuple[SummitKey, _A]] = []
    for digest in ordered:
        key = SummitKey.decode(digest.summit)
        if not key.clear:
            (undated if key.organization and key.city else alone).append((key, digest))
            continue
        org, city, when = (key.organization or "").lower(), (key.city or "").lower(), key.year
        year = int(when[:4]) if when and when[:4].isdigit() else 0
        lists = [by_place[(org, city, y)] for y in (year - 1, year, year + 1)] if city else []
        if when and len(when) == 7:
            months = placeless if city else by_month
            lists += [months[(org, month)] for month in _adjacent_months(when)]
        for i in heapq.merge(*lists):  # every list is in cluster order: the oldest first
            group, members = clusters[i]
            if not _agree(group, key):
                continue
            if not group.city and key.city:
                clusters[i] = (SummitKey(group.organization, key.city, group.year), members)
                bisect.insort(by_place[(org, city, _year(group))], i)
                everywhere[(org, city)].append(i)
                placeless[(org, group.year or "")].remove(i)
            members.append(digest)
            break
        else:
            clusters.append((SummitKey(key.organization, key.city, key.year), [digest]))
            number = len(clusters) - 1
            if city:
                by_place[(org, city, year)].append(number)
                everywhere[(org, city)].append(number)
            if when and len(when) == 7:
                by_month[(org, when)].append(number)
                if not city:
                    placeless[(org, when)].append(number)
    for key, digest in undated:
        matches = everywhere.get(((key.organization or "").lower(), (key.city or "").lower()), [])
        if len(matches) == 1:
            clusters[matches[0]][1].append(digest)
        else:
            alone.append((key, digest))
    groups: dict[SummitKey, list[_A]] = {}
    for group, members in clusters:
        if group in groups:  # two meetings a month apart in one place: keep them apart
            group = SummitKey(group.organization, group.city, group.year, members[0].file)
        groups[group] = members
    for key, digest in alone:
        groups[SummitKey(key.organization, key.city, key.year, digest.file)] = [digest]
    return groups


def build_summits(digests: Iterable[Digest]) -> list[Summit]:
    """Merge all digests into summit briefings, newest summit first (see also
    :func:`briefings.summit_index.refresh_summits`, which does this incrementally in a store).

    Disagreements are found across all the digests, and each summit shows those it takes part in.
    """
    everything = list(digests)
    disputes = ConflictIndex(find_conflicts(everything))
    summits = [
        merge_summit(key, members, conflicts=disputes.touching(d.file for d in members))
        for key, members in group_digests(everything).items()
    ]
    return sorted(summits, key=summit_order, reverse=True)


def summit_order(summit: Summit | SummitHead) -> tuple[str, str]:
    """Sort key of summits; reversed, it lists the most recent first."""
    return (summit.latest_published or "", summit.name)


#: A briefing merges at most this many of a summit's articles, the most recent first.  Merging
#: and conflict detection compare articles pairwise, and a group that only names its
#: organisation keeps growing with the archive; a chat briefing of more sources is unreadable
#: anyway (every article stays listed, digested and searchable).
MAX_MERGED_ARTICLES = 50


def newest_first(articles: Iterable[_M]) -> list[_M]:
    """Articles (digests or cards) in the order a briefing cites them: newest first."""
    return sorted(articles, key=lambda d: (d.meta.published or "", d.file), reverse=True)


def stamps_newest_first(stamps: Iterable[ArticleStamp]) -> list[ArticleStamp]:
    """:func:`newest_first` for stamps (the same order)."""
    return sorted(stamps, key=lambda s: (s.published or "", s.file), reverse=True)


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
    """Disagreements among these digests' claims (see :mod:`briefings.claims`); a store's
    summits use the whole archive's instead (:func:`briefings.summit_index.refresh_summits`)."""
    return find_disagreements(c for d in digests for c in claims_of_digest(d))


#: A summit shows at most this many sources for each value of a disagreement (its own first):
#: a claim repeated by thousands of articles must not make every briefing that large.
SOURCES_PER_VALUE = 3
#: ... and at most this many values besides its own.
OTHER_VALUES = 4


def conflicts_touching(
    conflicts: Iterable[Conflict], files: Iterable[str]
) -> tuple[Conflict, ...]:
    """The disagreements in which one of ``files`` takes part (see :class:`ConflictIndex`)."""
    return ConflictIndex(conflicts).touching(files)


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
