"""Date phrases that need the reference day: "today", "the same day", "last week", "three years
ago", "in four months", weekdays and bare months, and the phrases no day can ever be given.

Builders as in :mod:`briefings.text.dates.explicit`; the rule table is in
:mod:`briefings.text.dates.scan`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from briefings.lexicon import WEEKDAYS as _WEEKDAYS
from briefings.text.dates.grammar import DatePhrase, Grain, _Hit, _needs
from briefings.text.dates.normalize import (
    Anchor,
    fmt_day,
    fmt_month,
    fmt_range,
    make_date,
    month_number,
    nearest_month_year,
    parse_number,
    shift_month,
    week_range,
    weekday_date,
)

# --- relative expressions


def _build_deictic_day(h: _Hit) -> DatePhrase | None:
    word = h.get("word").lower()
    offset = 0
    if "yesterday" in word:
        offset = -1
    elif "tomorrow" in word:
        offset = 1
    if h.pre is not None:  # the day before yesterday / after tomorrow
        offset *= 2
    phrase = _needs(
        h, "relative", "day", lambda a: fmt_day(a.day + timedelta(days=offset)), deictic=True
    )
    if _POSSESSIVE_AFTER.match(h.text, h.end):
        return replace(phrase, possessive=True)
    return phrase


_POSSESSIVE_AFTER = re.compile(r"['’]s?\b")


def _anaphor(kind: str) -> Callable[[_Hit], DatePhrase | None]:
    """A phrase that refers back to a date of the story ("the same day", "the previous
    year"); the timeline resolves it against that date, or the reference day."""

    def build(h: _Hit) -> DatePhrase | None:
        if kind == "day" and not (h["cue"] or (h["same"] and h["prep"])):
            return None  # "the day" alone: "the day of the vote", "one day".
        if kind == "day" and (_DAY_NOT_ANAPHOR if h["same"] else _DAY_OWNED).match(h.text, h.end):
            return None  # "the same day as", "that day's", "the day before".
        if kind == "day" and _IDIOM_END.search(
            h.text, max(0, h.core.start() - 20), h.core.start()
        ):
            return None  # "at the end of the day": an idiom ("in the end").
        start = h.core.start() if kind == "day" else h.start
        grain: Grain = "day" if kind == "day" else "month" if kind == "year-earlier" else "year"
        return DatePhrase(
            start, h.end, h.text[start : h.end], "relative", grain, anaphor=kind,
            resolver=lambda a: None,
        )  # fmt: skip

    return build


_IDIOM_END = re.compile(r"(?i)\b(?:at|by)\s+the\s+end\s+of\s+$")
_DAY_OWNED = re.compile(r"['’]|[^\S\n]+of\b")
_DAY_NOT_ANAPHOR = re.compile(r"['’]|[^\S\n]+(?:before|after|of|as|when|that|which)\b", re.I)


def _build_unit(h: _Hit) -> DatePhrase | None:
    which, unit = h.get("which").lower(), h.get("unit").lower()
    if h["the"] and which not in {"coming", "current"}:
        return None  # "the last year of his term", "the next year": not calendar-relative.
    step = {"this": 0, "current": 0, "last": -1, "next": 1, "coming": 1}[which]
    if unit == "year":
        return _needs(h, "relative", "year", lambda a: str(a.day.year + step))
    if unit == "month":
        return _needs(
            h,
            "relative",
            "month",
            lambda a: fmt_month(*shift_month(a.day.year, a.day.month, step)),
        )
    return _needs(
        h,
        "relative",
        "week",
        lambda a: week_range(a.day + timedelta(days=7 * step)),
        deictic=True,
    )


def _build_weekend(h: _Hit) -> DatePhrase | None:
    """A weekend is its Saturday and Sunday: "last"/"next" say which, else the clause's tense
    (the nearest one when it has none)."""
    which = h.get("which").lower()
    step = {"last": "last", "next": "next", "coming": "next"}.get(which)

    def resolve(anchor: Anchor) -> str:
        if anchor.day.weekday() >= 5 and step is None:
            saturday = anchor.day - timedelta(days=anchor.day.weekday() - 5)
        else:
            saturday = weekday_date(anchor, 5, step)
        return fmt_range(fmt_day(saturday), fmt_day(saturday + timedelta(days=1)))

    return _needs(h, "relative", "day", resolve, deictic=True)


def _offset_value(anchor: Anchor, count: int, unit: str, sign: int, day_exact: bool) -> str:
    if unit.startswith("year"):
        year = anchor.day.year + sign * count
        if day_exact:
            found = make_date(year, anchor.day.month, anchor.day.day)
            return fmt_day(found or date(year, anchor.day.month, 28))
        return str(year)
    if unit.startswith("month"):
        return fmt_month(*shift_month(anchor.day.year, anchor.day.month, sign * count))
    days = count * (7 if unit.startswith("week") else 1)
    return fmt_day(anchor.day + timedelta(days=sign * days))


def _build_ago(h: _Hit) -> DatePhrase | None:
    count = parse_number(h.get("n"))
    if count is None or count == 0:
        return None
    unit = h.get("unit").lower()
    exact = h["today"] is not None  # "Forty years ago today": the same calendar day.
    grain: Grain = (
        "day"
        if exact or unit.startswith(("day", "week"))
        else ("year" if unit.startswith("year") else "month")
    )
    return _needs(h, "relative", grain, lambda a: _offset_value(a, count, unit, -1, exact))


def _build_in_units(h: _Hit) -> DatePhrase | None:
    count = parse_number(h.get("n"))
    if count is None or count == 0 or h["time"]:
        return None  # "for the first time in 30 years" is a duration.
    unit = h.get("unit").lower()
    grain: Grain = "year" if unit.startswith("year") else "month" if unit[0] == "m" else "day"
    return _needs(
        h,
        "relative",
        grain,
        lambda a: _offset_value(a, count, unit, 1, False),
        future_only=True,
    )


def _build_period(h: _Hit) -> DatePhrase | None:
    count = parse_number(h.get("n"))
    if count is None or count < 2:
        return None
    sign = 1 if h.get("which").lower() in {"next", "coming"} else -1
    unit = h.get("unit").lower()

    def resolve(anchor: Anchor) -> str:
        if unit.startswith("year"):
            ends = sorted((anchor.day.year, anchor.day.year + sign * count))
            return fmt_range(str(ends[0]), str(ends[1]))
        here = (anchor.day.year, anchor.day.month)
        there = shift_month(*here, sign * count)
        first, last = sorted((here, there))
        return fmt_range(fmt_month(*first), fmt_month(*last))

    return _needs(h, "relative", "month", resolve)


_HOLIDAY_BEFORE = re.compile(
    r"\b(?:Good|Black|Super|Cyber|Ash|Holy|Maundy|Bloody|Easter|Palm)[^\S\n]+$"
)
_PAPER_AFTER = re.compile(r"[^\S\n]+(?:Times|Telegraph|Express|Mirror|Herald|Post|Mail)\b")


def _build_weekday(h: _Hit) -> DatePhrase | None:
    start = h.core.start()
    if _HOLIDAY_BEFORE.search(h.text, max(0, start - 12), start) or _PAPER_AFTER.match(
        h.text, h.end
    ):
        return None  # "Good Friday", "Super Tuesday", "the Sunday Times".
    weekday = [w.lower() for w in _WEEKDAYS].index(h.core.group("wd").lower())
    which = h.get("which").lower() or None
    if which in {"this", "coming"}:
        which = "next" if which == "coming" else None
    return _needs(h, "relative", "day", lambda a: fmt_day(weekday_date(a, weekday, which)))


# Cues before "May" that often precede the name (Theresa May) rather than the month.
_WEAK_MAY_CUES = frozenset({"by", "for", "from", "after", "before", "the", "this", "through"})


def _build_bare_month(h: _Hit) -> DatePhrase | None:
    cue = re.sub(r"[\s-]+", " ", h.get("cue")).strip().lower()
    name = h.get("m").lower()
    if (name == "may" and cue in _WEAK_MAY_CUES) or (name == "march" and cue == "the"):
        return None
    month = month_number(name)
    which = cue if cue in {"last", "next", "this"} else None
    return _needs(
        h,
        "yearless",
        "month",
        lambda a: fmt_month(nearest_month_year(a, month, which), month),
    )


def _unanchored(reason: str) -> Callable[[_Hit], DatePhrase | None]:
    def build(h: _Hit) -> DatePhrase | None:
        return DatePhrase(
            h.start, h.end, h.text[h.start : h.end], "unanchored", "year", reason=reason
        )

    return build
