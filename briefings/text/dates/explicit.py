"""Date phrases that say their date: full and numeric dates, day and month ranges, months,
seasons, years, decades, quarters and halves of a year.

The builders turn a rule's match (:class:`~briefings.text.dates.grammar._Hit`) into a
:class:`~briefings.text.dates.grammar.DatePhrase`; a year-less or tense-dependent one carries a
resolver.  The rule table that calls them is in :mod:`briefings.text.dates.scan`.
"""

from __future__ import annotations

import re

from briefings.lexicon import MONTH_ABBR as _MONTH_ABBR
from briefings.lexicon import MONTH_NAMES as _MONTH_NAMES
from briefings.lexicon import SEASONS as _SEASONS
from briefings.lexicon import WEEKDAYS as _WEEKDAYS
from briefings.text.dates.grammar import (
    DatePhrase,
    Resolver,
    _absolute,
    _day_value,
    _from_year,
    _Hit,
    _needs,
)
from briefings.text.dates.normalize import (
    Anchor,
    fmt_day,
    fmt_month,
    fmt_range,
    make_date,
    month_number,
    nearest_day,
    nearest_month_year,
    parse_number,
    relative_season,
    season_range,
    shift_month,
)

# --- explicit dates


def _build_iso(h: _Hit) -> DatePhrase | None:
    return _absolute(h, _day_value(int(h.get("y")), int(h.get("m")), int(h.get("d"))), "day")


def _build_numeric(h: _Hit) -> DatePhrase | None:
    """25/01/2000 or 01/25/2000; 05/06/2000 is ambiguous and not read at all."""
    first, second, year = int(h.get("a")), int(h.get("b")), int(h.get("y"))
    if first > 12 >= second:
        return _absolute(h, _day_value(year, second, first), "day")
    if second > 12 >= first:
        return _absolute(h, _day_value(year, first, second), "day")
    return None


def _build_full(h: _Hit) -> DatePhrase | None:
    value = _day_value(int(h.get("y")), month_number(h.get("m")), int(h.get("d")))
    return _absolute(h, value, "day")


def _build_day_range(h: _Hit) -> DatePhrase | tuple[DatePhrase, ...] | None:
    months = (month_number(h.get("m1")), month_number(h["m2"] or h.get("m1")))
    days = (int(h.get("d1")), int(h.get("d2")))
    if make_date(2000, months[0], days[0]) is None or make_date(2000, months[1], days[1]) is None:
        return None  # No such day in any year (leap days are checked against the real year).
    joined = h.get("sep").strip().lower() == "and" and h.get("prep").lower() != "between"
    if joined and not (months[0] == months[1] and days[1] == days[0] + 1):
        # "September 15 and 20": two dates, not a range.
        return _split_days(h, months, days)
    if h["y"] is None:

        def resolve(anchor: Anchor) -> str | None:
            start = nearest_day(anchor, months[0], days[0])
            if start is None:
                return None
            end = make_date(start.year + (months[1] < months[0]), months[1], days[1])
            if end is None or end <= start:
                return None
            return fmt_range(fmt_day(start), fmt_day(end))

        return _needs(h, "yearless", "day", resolve)
    year = int(h.get("y"))
    start = make_date(year - (months[1] < months[0]), months[0], days[0])
    end = make_date(year, months[1], days[1])
    if start is None or end is None or end <= start:
        return None
    return _absolute(h, fmt_range(fmt_day(start), fmt_day(end)), "day")


def _split_days(
    h: _Hit, months: tuple[int, int], days: tuple[int, int]
) -> tuple[DatePhrase, ...] | None:
    """Two dates sharing a month (and year): "September 15 and 20, 2022" -> two phrases."""
    spans = ((h.start, h.core.end("d1")), (h.core.start("d2"), h.end))
    phrases: list[DatePhrase] = []
    for (start, end), month, day in zip(spans, months, days, strict=True):
        text = h.text[start:end]
        if h["y"]:
            value = _day_value(int(h.get("y")), month, day)
            if value is None:
                return None
            phrases.append(DatePhrase(start, end, text, "absolute", "day", value=value))
        else:
            phrases.append(
                DatePhrase(start, end, text, "yearless", "day", resolver=_yearless(month, day))
            )
    return tuple(phrases)


def _yearless(month: int, day: int) -> Resolver:
    """Resolver of a month-day without a year: the occurrence the anchor points to."""

    def resolve(anchor: Anchor) -> str | None:
        found = nearest_day(anchor, month, day)
        return fmt_day(found) if found else None

    return resolve


def _build_month_day(h: _Hit) -> DatePhrase | None:
    month, day = month_number(h.get("m")), int(h.get("d"))
    if make_date(2000, month, day) is None:
        return None
    return _needs(h, "yearless", "day", _yearless(month, day))


def _build_month_range(h: _Hit) -> DatePhrase | None:
    first, last = month_number(h.get("m1")), month_number(h.get("m2"))
    if h.get("sep").strip().lower() == "and" and h.get("prep").lower() != "between":
        return None
    year = int(h.get("y"))
    first_year = int(h.get("y1")) if h["y1"] else year - (last < first)
    if (first_year, first) >= (year, last):
        return None
    return _absolute(h, fmt_range(fmt_month(first_year, first), fmt_month(year, last)), "month")


def _build_yearless_month_range(h: _Hit) -> DatePhrase | None:
    """ "between April and June", "from May to July": months of the year the clause points to
    ("and" only after "between", "to" only after "from"/"between")."""
    first, last = month_number(h.get("m1")), month_number(h.get("m2"))
    sep, prep = h.get("sep").strip().lower(), h.get("prep").lower()
    if first == last or (sep == "and" and prep != "between"):
        return None
    if sep in {"to", "through", "until", "till"} and prep not in {"from", "between"}:
        return None

    def resolve(anchor: Anchor) -> str:
        year = nearest_month_year(anchor, last)
        return fmt_range(fmt_month(year - (last < first), first), fmt_month(year, last))

    return _needs(h, "yearless", "month", resolve)


_YEAR_WORD_STEP = {"next": 1, "the following": 1, "last": -1, "the previous": -1, "this": 0}


def _build_month_of_year(h: _Hit) -> DatePhrase | None:
    """ "October of next year": the month in the year the phrase names."""
    month = month_number(h.get("m"))
    step = _YEAR_WORD_STEP[re.sub(r"\s+", " ", h.get("which").lower())]
    return _needs(h, "relative", "month", lambda a: fmt_month(a.day.year + step, month))


def _build_month_year(h: _Hit) -> DatePhrase | None:
    return _absolute(h, fmt_month(int(h.get("y")), month_number(h.get("m"))), "month")


_NAME_BEFORE = re.compile(r"\b[A-Z][a-z]+[^\S\n]+$")


def _build_season(h: _Hit) -> DatePhrase | None:
    """A season: of a year ("the spring of 2000"), this/last/next one, or a bare one after a
    preposition or determiner ("in spring", "their autumn meetings"), resolved like a bare
    month.  "Arab Spring", "Spring Festival", "the fall of Rome" and "spring up" are no dates."""
    season = h.get("season").lower()
    capitalized = h.get("season")[0].isupper() and not h["which"] and not h["the"]
    start = h.pos("season")
    if capitalized and _NAME_BEFORE.search(h.text, max(0, start - 30), start):
        return None  # "Arab Spring", "Prague Spring": a name, not a season.
    if h["y"]:
        return _absolute(h, season_range(int(h.get("y")), season), "month")
    if h["which"]:
        which = h.get("which").lower()
        return _needs(h, "relative", "month", lambda a: relative_season(a, season, which))
    if not (h["prep"] or h["the"] or h["det"]) or _NEXT_WORD_OF.match(h.text, h.end):
        return None
    if season == "fall" and not h["the"]:
        return None  # "prices fall", "in fall" is rare; "in the fall" is read.
    if h.get("season")[0].isupper() and _CAPITAL_AFTER.match(h.text, h.end):
        return None  # "the Spring Festival": a name.
    first = _SEASONS[season]
    return _needs(
        h, "yearless", "month", lambda a: season_range(nearest_month_year(a, first), season)
    )


_CAPITAL_AFTER = re.compile(r"[^\S\n]+[A-Z]")


# "Resolution 1397", "Resolutions 242 and 1397", "No. 2015": a number, not a year.
_REFERENCE_BEFORE = re.compile(
    r"(?i)\b(?:resolutions?|decrees?|numbers?|articles?|sections?|chapters?|paragraphs?"
    r"|flights?|routes?|rooms?|pages?|orders?|laws?|codes?|items?|no\.|nos\.|pp\.)"
    r"\s*#?(?:\d+\s*(?:,|and|&|or)\s*)*$"
)
_APPROX_BEFORE = re.compile(
    r"(?i)\b(?:more\s+than|less\s+than|fewer\s+than|over|under|nearly|almost|some|roughly"
    r"|approximately|about|around|at\s+least|up\s+to|total\s+of|estimated|top)\s+$"
)


def _not_a_year(h: _Hit, group: str) -> bool:
    """ "some 2000 troops", "nearly 2000", "Resolution 1397": a count or a number, not a year."""
    start = h.pos(group)
    return (
        _APPROX_BEFORE.search(h.text, max(0, start - 20), start) is not None
        or _REFERENCE_BEFORE.search(h.text, max(0, start - 40), start) is not None
    )


def _build_year_range(h: _Hit) -> DatePhrase | None:
    first = int(h.get("y1"))
    tail = h.get("y2")
    last = int(tail) if len(tail) == 4 else first // 100 * 100 + int(tail)
    sep = (h["sep"] or h.get("wsep")).strip().lower()
    prep = h.get("prep").lower()
    if not first < last <= first + 100 or _not_a_year(h, "y1"):
        return None
    if sep == "and" and prep != "between":
        return None
    if sep in {"to", "through", "until", "till"} and prep not in {"from", "between"}:
        return None
    if sep == "/" and last != first + 1:
        return None
    return _absolute(h, fmt_range(str(first), str(last)), "year", _from_year(h, "y1"))


# Words after a four-digit number that make it a count ("2000 troops"), not a year.
_COUNT_NOUNS = frozenset({
    "people", "persons", "men", "women", "children", "troops", "soldiers", "officers",
    "athletes", "delegates", "delegations", "participants", "members", "residents", "refugees",
    "migrants", "workers", "journalists", "guests", "visitors", "spectators", "fans", "police",
    "policemen", "protesters", "students", "dollars", "euros", "rubles", "roubles", "manats",
    "yuan", "pounds", "tons", "tonnes", "barrels", "kilometers", "kilometres", "km", "miles",
    "meters", "metres", "feet", "hectares", "units", "cases", "deaths", "casualties", "victims",
    "jobs", "words", "pages", "copies", "votes", "seats", "companies", "firms", "projects",
    "vehicles", "tanks", "aircraft", "planes", "ships", "missiles", "rockets", "drones", "homes",
    "houses", "buildings", "beds", "flights", "times", "days", "hours", "minutes", "weeks",
    "months", "years", "hrs", "gmt", "utc", "local",
    # Measures: "in 2015 prices", "in 2010 dollars" give a base year, not an event.
    "prices", "terms", "values", "levels",
})  # fmt: skip
#: A capitalised word right before a year makes it part of a name ("Russell 2000", "Agenda
#: 2030"), unless that word is a month, a weekday or a title-cased preposition ("Until 2005").
_NAME_WORD_BEFORE = re.compile(r"(?<![.!?:\n]\s)(?<!^)\b([A-Z][a-z]+)[^\S\n]+$")
_NOT_NAME_WORDS = frozenset(
    {m.lower() for m in _MONTH_NAMES}
    | {m.lower() for m in _MONTH_ABBR}
    | {w.lower() for w in _WEEKDAYS}
    | set(
        """in on until till by since of from to for before after during through and or the
        early late mid summer spring autumn fall winter year fiscal between about circa
        christmas easter""".split()
    )
)
_NEXT_WORD = re.compile(r"[^\S\n]*([A-Za-z]+)")


def _build_year(h: _Hit) -> DatePhrase | None:
    year = int(h.get("y"))
    cue = h["prep"] or h["the"] or h["mid"]
    left = h.text[h.core.start() - 1] if h.core.start() else ""
    if left in "-–—" and left and not h["mid"]:
        return None
    if not (1000 <= year <= 2199) or (not cue and not 1900 <= year <= 2099):
        return None
    if _not_a_year(h, "y"):
        return None
    named = None if cue else _NAME_WORD_BEFORE.search(h.text, max(0, h.start - 30), h.start)
    if named and named.group(1).lower() not in _NOT_NAME_WORDS:
        return None
    after = _NEXT_WORD.match(h.text, h.end)
    if after and after.group(1).lower() in _COUNT_NOUNS:
        return None
    return _absolute(h, str(year), "year", _from_year(h, "y"))


# --- periods


_YEAR_STEP = {"the": 0, "this": 0, "next": 1, "last": -1}
_HALVES = {"first": (1, 6), "second": (7, 12), "final": (7, 12), "last": (7, 12)}
_QUARTERS = {
    "first": (1, 3), "second": (4, 6), "third": (7, 9), "fourth": (10, 12), "final": (10, 12),
    "last": (10, 12), "q1": (1, 3), "q2": (4, 6), "q3": (7, 9), "q4": (10, 12),
}  # fmt: skip


def _months_of_year(h: _Hit, first: int, last: int) -> DatePhrase | None:
    """Months ``first``..``last`` of the year named by YYYY or by "the/this/next/last year"."""
    if h["y"]:
        year = int(h.get("y"))
        return _absolute(h, fmt_range(fmt_month(year, first), fmt_month(year, last)), "month")
    step = _YEAR_STEP[h.get("which").lower()]
    return _needs(
        h,
        "relative",
        "month",
        lambda a: fmt_range(
            fmt_month(a.day.year + step, first), fmt_month(a.day.year + step, last)
        ),
    )


def _build_part_of_year(h: _Hit) -> DatePhrase | None:
    """A quarter or half: of a year the text names, else the one the clause's tense points to.

    "the last quarter" with no year is the quarter before the reference day's; "final" and
    "last" with a year are the year's last part.  "the second half of the meeting" is no date.
    """
    ordinal = (h["ord"] or h.get("q")).lower()
    table = _HALVES if h.get("part").lower() == "half" else _QUARTERS
    first, last = table.get(ordinal, (0, 0))
    if not first:
        return None
    if h["y"] or h["which"]:
        return _months_of_year(h, first, last)
    if _NEXT_WORD_OF.match(h.text, h.end):
        return None
    span = last - first + 1
    if ordinal == "last":

        def previous(anchor: Anchor) -> str:
            year, month = shift_month(anchor.day.year, anchor.day.month, -span)
            start = (month - 1) // span * span + 1
            return fmt_range(fmt_month(year, start), fmt_month(year, start + span - 1))

        return _needs(h, "relative", "month", previous)

    def resolve(anchor: Anchor) -> str:
        year = nearest_month_year(anchor, first)
        return fmt_range(fmt_month(year, first), fmt_month(year, last))

    return _needs(h, "yearless", "month", resolve)


_NEXT_WORD_OF = re.compile(r"[^\S\n]+of\b", re.IGNORECASE)


def _build_first_months(h: _Hit) -> DatePhrase | None:
    count = parse_number(h.get("n"))
    if count is None or not 1 <= count <= 12:
        return None
    if h["y"] or h["which"]:
        return _months_of_year(h, 1, count)
    if _NEXT_WORD_OF.match(h.text, h.end):
        return None  # "the first six months of his term"

    def resolve(anchor: Anchor) -> str:
        # "the first 10 months" reported after October is this year's; before, last year's.
        year = anchor.day.year if count < anchor.day.month else anchor.day.year - 1
        return fmt_range(fmt_month(year, 1), fmt_month(year, count))

    return _needs(h, "relative", "month", resolve)


_DECADE_BEFORE = re.compile(r"\d0['’]?s,?\s+(?:and|or|to|through)\s+['’]?$")


def _build_decade(h: _Hit) -> DatePhrase | None:
    """ "the 1990s", "the '70s", "the 80s": a year range.  A two-digit decade needs "the" or an
    apostrophe ("in his 70s" is an age)."""
    digits = h.get("dec")
    if len(digits) == 2:
        start = h.core.start()
        apostrophe = start > 0 and h.text[start - 1] in "'’"
        joined = _DECADE_BEFORE.search(h.text, max(0, start - 16), start)  # "the 70s and 80s"
        if not (apostrophe or joined) and h.text[max(0, start - 4) : start].lower() != "the ":
            return None
        digits = "19" + digits
    first = int(digits)
    return _absolute(h, fmt_range(str(first), str(first + 9)), "year")


def _build_since_start(h: _Hit) -> DatePhrase | None:
    return _needs(
        h,
        "relative",
        "month",
        lambda a: fmt_range(fmt_month(a.day.year, 1), fmt_month(a.day.year, a.day.month)),
    )


def _build_end_of(h: _Hit) -> DatePhrase | None:
    unit = h.get("unit").lower()
    step = {"this": 0, "the": 0, "next": 1, "last": -1}[h.get("which").lower()]
    if unit == "year":
        return _needs(h, "relative", "year", lambda a: str(a.day.year + step))
    return _needs(
        h, "relative", "month", lambda a: fmt_month(*shift_month(a.day.year, a.day.month, step))
    )
