"""Which articles form a summit: the summit key an article's meeting gives, when two keys are the
same meeting (same format and place, same or adjacent month), the grouping of an archive, and
the order articles and summits are listed in.

Split from :mod:`briefings.summits.merge`, which builds the merged briefing of each group.
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from briefings.lexicon import MONTH_NAMES as _MONTHS
from briefings.models import (
    ArticleMeta,
    ArticleStamp,
    Entities,
    Summit,
    SummitHead,
    TimelineEvent,
)
from briefings.summits.identity import detect_meeting


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
    """Say which meeting an article reports on (see :mod:`briefings.summits.identity`)."""
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
