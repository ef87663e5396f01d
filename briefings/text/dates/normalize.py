"""Calendar arithmetic for date phrases: numbers, month names, and which occurrence is meant.

Split from :mod:`briefings.text.dates.scan` (the grammar) because it is plain arithmetic on dates:
the nearest or tense-chosen occurrence of a month, a month-day or a weekday, week and season spans,
and the normalized forms (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``A/B``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from briefings.lexicon import MONTH_NUMBERS as _ABBR_INDEX
from briefings.lexicon import NUMBER_TENS as _TENS
from briefings.lexicon import NUMBER_UNITS as _UNITS
from briefings.lexicon import SEASONS

Tense = Literal["past", "future"]


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a relative phrase is resolved against: a reference day and the clause's tense."""

    day: date
    tense: Tense | None = None


# --------------------------------------------------------------------------- normalization


def month_number(name: str) -> int:
    """Month number of a month name or abbreviation ("Sept." -> 9)."""
    return _ABBR_INDEX[name.rstrip(".").lower()[:3]]


def parse_number(words: str) -> int | None:
    """Integer value of "75", "seventy-five", "a", "twelve"; ``None`` when not a number."""
    words = words.strip().lower()
    if words.isdigit():
        return int(words)
    if words in {"a hundred", "one hundred"}:
        return 100
    parts = re.split(r"[-\s]+", words)
    if len(parts) == 1:
        return _UNITS.get(parts[0], _TENS.get(parts[0]))
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    return None


def fmt_day(day: date) -> str:
    """``YYYY-MM-DD``."""
    return day.isoformat()


def fmt_month(year: int, month: int) -> str:
    """``YYYY-MM``."""
    return f"{year:04d}-{month:02d}"


def fmt_range(first: str, last: str) -> str:
    """``A/B``, or just ``A`` when both ends are the same."""
    return first if first == last else f"{first}/{last}"


def shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    """The (year, month) ``months`` months after (or before, when negative) the given one."""
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def make_date(year: int, month: int, day: int) -> date | None:
    """``date(year, month, day)`` or ``None`` when no such day exists."""
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _pick(offsets: Iterable[tuple[int, int]], tense: Tense | None, reference_year: int) -> int:
    """Pick among (offset, year) candidates: next on future, last on past, else nearest."""
    candidates = sorted(offsets)
    if tense == "future":
        ahead = [c for c in candidates if c[0] >= 0]
        if ahead:
            return ahead[0][1]
    elif tense == "past":
        behind = [c for c in candidates if c[0] <= 0]
        if behind:
            return behind[-1][1]
    return min(candidates, key=lambda c: (abs(c[0]), c[1] != reference_year))[1]


def nearest_month_year(anchor: Anchor, month: int, which: str | None = None) -> int:
    """Year of a month named without one ("in July", "last March").

    News names a bare month when it is close to the writing date, so the nearest occurrence
    wins (a six-month tie stays in the reference year); a future clause takes the next
    occurrence and a past clause the last, because "will meet in January" written in December
    means the coming January.

    Args:
        anchor: Reference day and the tense of the clause.
        month: 1-12.
        which: ``"last"``, ``"next"`` or ``"this"`` when the text says so, else ``None``.

    Returns:
        The year.
    """
    ref = anchor.day.year * 12 + anchor.day.month - 1
    years = range(anchor.day.year - 1, anchor.day.year + 2)
    offsets = [(year * 12 + month - 1 - ref, year) for year in years]
    if which == "last":
        return max((c for c in offsets if c[0] < 0), default=offsets[0])[1]
    if which == "next":
        return min((c for c in offsets if c[0] > 0), default=offsets[-1])[1]
    if which == "this":
        return anchor.day.year
    return _pick(offsets, anchor.tense, anchor.day.year)


def nearest_day(anchor: Anchor, month: int, day: int) -> date | None:
    """The date of a month-day named without a year ("on October 24").

    Same rule as :func:`nearest_month_year`, counted in days.

    Args:
        anchor: Reference day and the tense of the clause.
        month: 1-12.
        day: Day of the month.

    Returns:
        The date, or ``None`` when no year has that day (February 30).
    """
    offsets: list[tuple[int, int]] = []
    for year in range(anchor.day.year - 1, anchor.day.year + 2):
        candidate = make_date(year, month, day)
        if candidate is not None:
            offsets.append(((candidate - anchor.day).days, year))
    if not offsets:
        return None
    return make_date(_pick(offsets, anchor.tense, anchor.day.year), month, day)


def weekday_date(anchor: Anchor, weekday: int, which: str | None = None) -> date:
    """The date of a weekday named in the text ("on Tuesday", "last Friday").

    A bare weekday in news is within a few days of the story, so the nearest one wins (at
    most three days away); the tense moves it to the coming one ("will meet on Thursday") or the
    past one ("met on Thursday"), and "last"/"next" say so outright.

    Args:
        anchor: Reference day and the tense of the clause.
        weekday: Monday is 0.
        which: ``"last"`` or ``"next"`` when the text says so, else ``None``.

    Returns:
        The date.
    """
    ahead = (weekday - anchor.day.weekday()) % 7
    if which == "last":
        offset = ahead - 7 if ahead else -7
    elif which == "next":
        offset = ahead if ahead else 7
    elif anchor.tense == "future":
        offset = ahead
    elif anchor.tense == "past":
        offset = ahead - 7 if ahead else 0
    else:
        offset = ahead if ahead <= 3 else ahead - 7
    return anchor.day + timedelta(days=offset)


def week_range(day: date) -> str:
    """The Monday-to-Sunday week that contains ``day``, as a day range (TIMEX3's reading of
    "this week" and "last week")."""
    monday = day - timedelta(days=day.weekday())
    return fmt_range(fmt_day(monday), fmt_day(monday + timedelta(days=6)))


def season_range(year: int, season: str) -> str:
    """Month range of a season; the winter of ``year`` starts in December of that year."""
    first = SEASONS[season]
    end_year, end_month = shift_month(year, first, 2)
    return fmt_range(fmt_month(year, first), fmt_month(end_year, end_month))


def relative_season(anchor: Anchor, season: str, which: str) -> str:
    """This/last/next season as seen from the anchor."""
    first = SEASONS[season]
    ref = anchor.day.year * 12 + anchor.day.month - 1
    spans = [
        (y * 12 + first - 1, y * 12 + first + 1, y)
        for y in range(anchor.day.year - 2, anchor.day.year + 2)
    ]
    if which == "last":
        year = max(s for s in spans if s[1] < ref)[2]
    elif which in {"next", "coming"}:
        year = min(s for s in spans if s[0] > ref)[2]
    else:
        current = [s for s in spans if s[0] <= ref <= s[1]]
        year = current[0][2] if current else anchor.day.year
    return season_range(year, season)
