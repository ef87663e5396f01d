"""Date phrases in running text: matched with explicit regexes, normalized only where matched.

Why not ``dateparser.search_dates``: on news prose it reads "may", "now", "3rd", "1,600" or a
clock time as dates.  Here a date is a match of a small grammar (month names, weekdays, years in
context, a closed list of relative expressions) and normalization is a table lookup, so a phrase
that does not look like a date never becomes one.  Numbers that look like years but are not
(clock times, resolution numbers, money, counts, copyright lines, URLs) are claimed first by
*blockers* so no later rule can read them.

Normalized forms follow :mod:`briefings.models`: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``A/B``
for a range, and the precision of the phrase is kept ("1992" never becomes 1 January 1992, "this
summer" is a month range).  Phrases that need the publication date ("next year", "on Tuesday",
"in July") carry a resolver that is called with an :class:`Anchor` (reference day and the tense of
the clause); :mod:`briefings.timeline` decides which anchor applies.

Conventions (the gold corpus README's, plus the rules chosen here where it is silent):

- seasons are month ranges: spring 03-05, summer 06-08, autumn/fall 09-11, winter 12-02 (the
  winter "of YEAR" starts in December of that year);
- "until 2025", "by 2015" give the end year; "the first 10 months of 2017" is ``2017-01/2017-10``;
  "since the start of the year" runs from January to the reference month;
- a month or a month-day without a year is the occurrence nearest the reference day (so within
  six months of it; a tie goes to the reference year), unless the clause is clearly future (the
  next occurrence) or past (the last one);
- a weekday is the nearest such day (within three days), again unless the tense says otherwise;
- "this week" / "last week" / "next week" are the Monday-to-Sunday day range (TIMEX3);
- a quarter or half without a year ("the fourth quarter", "third-quarter results") is the one
  the tense points to, like a bare month; "the last quarter" alone is the one before the
  reference day's quarter; "the final quarter" is the fourth;
- a decade ("the 1990s", "the '70s") is a year range;
- "in four months" is a date only in a future clause ("the first time in 30 years" is not);
- days joined by "and" ("September 15 and 16") are a range only when consecutive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from briefings.lexicon import MONTH_ABBR as _MONTH_ABBR
from briefings.lexicon import MONTH_NAMES as _MONTH_NAMES
from briefings.lexicon import SEASONS as _SEASONS
from briefings.lexicon import WEEKDAYS as _WEEKDAYS
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
    week_range,
    weekday_date,
)

Grain = Literal["day", "week", "month", "year"]
Kind = Literal["absolute", "relative", "yearless", "unanchored"]


Resolver = Callable[[Anchor], "str | None"]


@dataclass(frozen=True, slots=True)
class DatePhrase:
    """One date phrase found in a text, as an exact ``text[start:end]`` slice."""

    start: int
    end: int
    text: str
    #: ``absolute``: ``value`` is set.  ``relative``: needs the reference day ("next year").
    #: ``yearless``: needs a year ("on October 24").  ``unanchored``: can never be resolved
    #: from the text ("by two more years"); ``reason`` says why.
    kind: Kind
    grain: Grain
    value: str | None = None
    resolver: Resolver | None = None
    #: The meaning is the day the words were said ("today", "this week").
    deictic: bool = False
    #: A date only in a future clause ("in four months").
    future_only: bool = False
    reason: str | None = None
    #: Refers back to a date the story already gave: ``"day"`` ("the same day", "ended the
    #: day"), ``"year-before"`` ("the previous year"), ``"year-earlier"`` ("the same month a
    #: year ago": that period, a year before).  The timeline finds what it refers to.
    anaphor: str | None = None
    #: "today's": a description of the present, not an event of the day.
    possessive: bool = False


# ------------------------------------------------------------------------------ grammar
#
# Every rule is a *core* regex that starts with a literal alternation (a month, a weekday, a
# digit, a keyword), so the regex engine can skip ahead fast, plus an optional *prefix* regex
# that is only tried on the 60 characters before a core match ("in", "on", "the", "mid-",
# "nearly two years" before "ago").  Word boundaries before the core are checked in code for
# the same reason: a leading look-behind or optional group makes a search several times slower.

_S = r"[^\S\n]+"  # Spaces within one paragraph.


def _variants(*words: str) -> str:
    """Alternation of words as written, capitalized and upper-case (keywords are title-cased
    at a sentence start and upper-cased in headlines)."""
    forms: list[str] = []
    for word in words:
        for form in (word, word[:1].upper() + word[1:], word.upper()):
            if form not in forms:
                forms.append(form)
    return "|".join(forms)


# One flat alternation per group: nesting it makes the engine's first-character scan give up.
_MONTH_FULL = _variants(*_MONTH_NAMES)
_MONTH_ANY = "|".join([_MONTH_FULL, *(a + r"\.?" for a in _variants(*_MONTH_ABBR).split("|"))])
_WEEKDAY_FULL = rf"(?:{_variants(*_WEEKDAYS)})(?![A-Za-z])"
_NUMBER = (
    r"(?i:\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine)(?![a-z]))?"
    r"|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|a\s+hundred|an?)"
)
_SEP = r"\s*(?P<sep>[–—-]|\bto\b|\band\b|\bthrough\b|\buntil\b|\btill\b)\s*"
_PREP = (
    rf"(?:\b(?P<prep>in|on|for|by|until|till|since|from|during|through|before|after"
    rf"|as{_S}of|of){_S})?"
)


def _month(name: str, full: bool = False) -> str:
    return rf"(?P<{name}>{_MONTH_FULL if full else _MONTH_ANY})(?![A-Za-z])"


def _day(name: str, first: bool = False) -> str:
    guard = "" if first else r"(?<![\d,.:])"
    return rf"{guard}(?P<{name}>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:])"


def _year(name: str) -> str:
    return rf"(?P<{name}>1\d\d\d|20\d\d|21\d\d)(?!\d)"


def _before(pattern: str) -> re.Pattern[str]:
    """A prefix regex: it must end where the core starts."""
    return re.compile(pattern + "$", re.IGNORECASE)


_WD_BEFORE = (
    rf"(?:(?P<wd>(?-i:{_variants(*_WEEKDAYS)}|(?:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\.?))"
    rf",?{_S})?"
)
_P_DATE = _before(_PREP + _WD_BEFORE + rf"(?:(?P<the>the){_S})?")
_P_RANGE = _before(rf"(?:\b(?P<prep>from|between|on|in|for|during|of){_S})?(?:(?P<the>the){_S})?")
_P_MONTH_YEAR = _before(
    _PREP + rf"(?:(?:the{_S})?(?:early|mid|late|end{_S}of|beginning{_S}of|start{_S}of"
    rf"|middle{_S}of)(?:-|{_S}))?"
)
_P_SEASON = _before(
    _PREP + rf"(?:(?P<the>the){_S}|\b(?P<det>their|its|his|her|our){_S})?"
    rf"(?:\b(?P<which>this|last|next|coming){_S})?"
)
_P_YEAR = _before(_PREP + rf"(?:(?P<the>the){_S}|\b(?P<mid>mid|early|late|pre|post)-)?")
_P_UNIT = _before(_PREP + rf"(?:\b(?:earlier|later){_S})?(?:(?P<the>the){_S})?")
_P_AGO = _before(
    rf"(?:\b(?:nearly|almost|about|some|more{_S}than|over|around|roughly|just){_S})?"
    rf"\b(?P<n>{_NUMBER}){_S}(?P<unit>days?|weeks?|months?|years?){_S}"
)
_P_THE = _before(rf"(?:\b(?:for|over|during|in|within){_S})?\bthe{_S}")
_P_DURING = _before(rf"(?:\b(?:for|over|during|in|within|since|by){_S})?")
_P_PART = _before(rf"(?:\b(?:for|over|during|in|within|since|by|of){_S})?(?:the{_S})?")
_P_TIME = _before(rf"(?P<time>\btimes?{_S})?")
_P_DAYWORD = _before(rf"(?:\bthe{_S}day{_S}(?:before|after){_S})?")
_P_WEEKDAY = _before(
    rf"(?:\b(?P<prep>on|by|until|since|from|before|after){_S})?"
    rf"(?:\b(?P<which>last|next|this|coming){_S})?"
)
_P_CUE = _before(
    rf"\b(?P<cue>in|since|until|till|by|from|during|through|before|after|for|early|late|mid"
    rf"|last|next|this|as{_S}of|the{_S}(?:end|beginning|start|middle){_S}of|the)(?:-|{_S})"
)
_P_THE_DAY = _before(
    rf"(?:\b(?P<cue>(?:end|ends|ended|ending|close|closes|closed|closing|finish|finished"
    rf"|finishing|start|started|begin|began|open|opened)(?:{_S}of)?|for|during"
    rf"|(?:late|early|earlier|later)(?:{_S}in)?|(?:at|by){_S}the{_S}(?:start|close){_S}of)"
    rf"|\b(?P<prep>on|of|in|by|from|for|until|since|after|before))"
    rf"{_S}"
)
_P_END_OF = _before(rf"(?:\b(?:by|at|until|before|towards?){_S})?")
_P_BY_N = _before(rf"\bby{_S}(?P<n>{_NUMBER}){_S}")
_P_AT_THE = _before(rf"\b(?:at|since|after|before|during|until|from){_S}the{_S}")

_DIGITS = "0123456789"
_LEADING_OF = re.compile(r"(?i)of[^\S\n]+")


@dataclass(frozen=True, slots=True)
class _Rule:
    core: re.Pattern[str]
    build: Callable[[_Hit], DatePhrase | tuple[DatePhrase, ...] | None] | None
    before: re.Pattern[str] | None = None
    #: The prefix must match (e.g. the number before "years ago").
    required: bool = False
    #: Characters that must not stand right before the core.
    bad_left: str = ""
    #: The core must start a word.
    word: bool = True
    #: Try the core only where this kind of token starts (see ``_ANCHORS``), not everywhere.
    anchor: str = ""


class _Hit:
    """A core match with its prefix: group lookup over both, and the phrase span."""

    __slots__ = ("core", "end", "pre", "start", "text")

    def __init__(self, core: re.Match[str], pre: re.Match[str] | None, text: str) -> None:
        self.core = core
        self.pre = pre
        self.text = text
        self.start = pre.start() if pre is not None else core.start()
        self.end = core.end()
        # "of" serves as a cue ("the ruling of 22 July 2010") but reads badly as evidence.
        if pre is not None and (lead := _LEADING_OF.match(text, self.start, core.start())):
            self.start = lead.end()

    def __getitem__(self, name: str) -> str | None:
        if name in self.core.re.groupindex and self.core.group(name) is not None:
            return self.core.group(name)
        if self.pre is not None and name in self.pre.re.groupindex:
            return self.pre.group(name)
        return None

    def get(self, name: str) -> str:
        """The group's text, or "" when it did not take part."""
        return self[name] or ""

    def pos(self, name: str) -> int:
        """Start offset of a group (core or prefix)."""
        if name in self.core.re.groupindex and self.core.group(name) is not None:
            return self.core.start(name)
        assert self.pre is not None
        return self.pre.start(name)


def _absolute(
    h: _Hit, value: str | None, grain: Grain, start: int | None = None
) -> DatePhrase | None:
    if value is None:
        return None
    start = h.start if start is None else start
    return DatePhrase(start, h.end, h.text[start : h.end], "absolute", grain, value=value)


def _from_year(h: _Hit, group: str) -> int:
    """Evidence of "the 2007 agreement" starts at the year: the article is only a cue."""
    return h.pos(group) if h["the"] else h.start


def _needs(
    h: _Hit,
    kind: Kind,
    grain: Grain,
    resolver: Resolver,
    *,
    deictic: bool = False,
    future_only: bool = False,
) -> DatePhrase:
    return DatePhrase(
        h.start,
        h.end,
        h.text[h.start : h.end],
        kind,
        grain,
        resolver=resolver,
        deictic=deictic,
        future_only=future_only,
    )


def _day_value(year: int, month: int, day: int) -> str | None:
    found = make_date(year, month, day)
    return fmt_day(found) if found else None


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
    exact = h["today"] is not None  # "Seventy-five years ago today": the same calendar day.
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


_SEASON_WORDS = _variants("spring", "summer", "autumn", "fall", "winter")
_YEAR_TAIL = r"(?![\w%]|[.,:/]\d|[-–—]\d)"
_DAY_LEFT = _DIGITS + ",.:"

_RULES: tuple[_Rule, ...] = (
    # 2004-06-07, 25.01.2000, 25/01/2000.
    _Rule(
        re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])"),
        _build_iso, _P_DATE, bad_left=_DIGITS + "-", anchor="digit",
    ),
    _Rule(
        re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?!\.?\d)"),
        _build_iso, _P_DATE, bad_left=_DIGITS + ".", anchor="digit",
    ),
    _Rule(
        re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})(?![\d/])"),
        _build_numeric, _P_DATE, bad_left=_DIGITS + "/", anchor="digit",
    ),
    # June 30 – July 2, 2020 / 30 June – 2 July 2020.
    _Rule(
        re.compile(
            _month("m1") + r"\s+" + _day("d1") + r",?" + _SEP + _month("m2") + r"\s+"
            + _day("d2") + r"(?:,?\s+" + _year("y") + r")?"
        ),
        _build_day_range, _P_RANGE, anchor="month",
    ),
    _Rule(
        re.compile(
            _day("d1", first=True) + r"\s+(?:of\s+)?" + _month("m1") + _SEP + _day("d2")
            + r"\s+(?:of\s+)?" + _month("m2") + r"(?:,?\s+" + _year("y") + r")?"
        ),
        _build_day_range, _P_RANGE, bad_left=_DAY_LEFT, anchor="digit",
    ),
    # July 21–23, 2020 / September 15 and 16 / 15–16 September 2022.
    _Rule(
        re.compile(
            _month("m1") + r"\s+" + _day("d1") + _SEP + _day("d2") + r"(?P<m2>)(?:,?\s+"
            + _year("y") + r")?"
        ),
        _build_day_range, _P_RANGE, anchor="month",
    ),
    _Rule(
        re.compile(
            _day("d1", first=True) + _SEP + _day("d2") + r"\s+(?:of\s+)?" + _month("m1")
            + r"(?P<m2>)(?:,?\s+" + _year("y") + r")?"
        ),
        _build_day_range, _P_RANGE, bad_left=_DAY_LEFT, anchor="digit",
    ),
    # January 25, 2000 / Friday October 10 2025 / 10 October 2025 / the 4th of July, 1976.
    _Rule(
        re.compile(_month("m") + r"\s+" + _day("d") + r"(?:,?\s+|\s+of\s+)" + _year("y")),
        _build_full, _P_DATE, anchor="month",
    ),
    _Rule(
        re.compile(
            _day("d", first=True) + r"\s+(?:of\s+)?" + _month("m") + r",?\s+" + _year("y")
        ),
        _build_full, _P_DATE, bad_left=_DAY_LEFT, anchor="digit",
    ),
    # between March and May 2020 / March–May 2020 / from May 2019 to June 2020.
    _Rule(
        re.compile(
            _month("m1", full=True) + r"(?:\s+" + _year("y1") + r")?" + _SEP
            + _month("m2", full=True) + r",?\s+(?:of\s+)?" + _year("y")
        ),
        _build_month_range, _P_RANGE, anchor="month",
    ),
    # between April and June / from May to July (no year).
    _Rule(
        re.compile(
            _month("m1", full=True) + _SEP + _month("m2", full=True) + r"(?![,\s]*(?:of\s+)?\d)"
        ),
        _build_yearless_month_range, _P_RANGE, anchor="month",
    ),
    # October of next year / May of this year.
    _Rule(
        re.compile(
            _month("m", full=True) + r"\s+of\s+(?P<which>(?i:next|last|this|the\s+following"
            r"|the\s+previous))\s+year\b"
        ),
        _build_month_of_year, _P_MONTH_YEAR, anchor="month",
    ),
    # March 2002 / March of 2002 / early March 2002.
    _Rule(
        re.compile(_month("m") + r",?\s+(?:of\s+)?" + _year("y")),
        _build_month_year, _P_MONTH_YEAR, anchor="month",
    ),
    # (in) the spring of 2000 / this summer / last winter.
    _Rule(
        re.compile(
            rf"(?P<season>{_SEASON_WORDS})(?![\w-])(?:\s+(?:of\s+)?" + _year("y") + r")?"
        ),
        _build_season, _P_SEASON, anchor="season",
    ),
    # the first 10 months of 2017 / of the year; the first half of 2020.
    _Rule(
        re.compile(
            rf"(?:{_variants('the')})\s+(?:{_variants('first')})\s+(?P<n>{_NUMBER})\s+months"
            r"(?:\s+of\s+(?:(?P<which>the|this|next|last)\s+year\b|" + _year("y") + r"))?"
            r"(?![\w-])"
        ),
        _build_first_months, _P_DURING,
    ),
    # the fourth quarter (of 2009) / third-quarter results / the last quarter / Q3 2009.
    _Rule(
        re.compile(
            r"(?:(?P<ord>(?i:first|second|third|fourth|final|last))[^\S\n-]*[\s-][^\S\n]*"
            r"(?P<part>(?i:half|quarter))|(?P<q>Q[1-4]))(?![\w-]|[\s-]+(?i:century|mile))"
            r"(?:\s+(?:of\s+)?(?:(?P<which>the|this|next|last)\s+year\b|" + _year("y") + r"))?"
        ),
        _build_part_of_year, _P_PART,
    ),
    # the 1990s / the '70s.
    _Rule(
        re.compile(r"(?P<dec>(?:1[5-9]|20)\d0|[3-9]0)['’]?s(?![\w'’])"),
        _build_decade, _P_YEAR, bad_left=_DIGITS, anchor="digit",
    ),
    _Rule(
        re.compile(rf"(?:{_variants('since')})\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)"
                   r"\s+year\b"),
        _build_since_start,
    ),
    _Rule(
        re.compile(
            rf"(?:{_variants('the')})\s+end\s+of\s+(?P<which>the|this|next|last)\s+"
            r"(?P<unit>year|month)\b"
        ),
        _build_end_of, _P_END_OF,
    ),
    # 2023–2025 / 2019-20 / from 2015 to 2020 / between 2015 and 2020.
    _Rule(
        re.compile(
            _year("y1") + r"(?:\s*(?P<sep>[–—/-])\s*|\s+(?P<wsep>to|and|through|until|till)\s+)"
            r"(?P<y2>\d{4}|\d{2})" + _YEAR_TAIL
        ),
        _build_year_range, _P_RANGE, bad_left="$€£#.,/:-–—", anchor="digit",
    ),
    # the same month a year ago / the same period last year: that period, a year before.
    _Rule(
        re.compile(
            rf"(?:{_variants('the')})\s+same\s+(?:period|month|quarter|week|day|time)\s+"
            r"(?:(?:of\s+)?last\s+year|a\s+year\s+(?:ago|earlier|before)|(?:of\s+)?the"
            r"\s+(?:previous|prior)\s+year|the\s+year\s+before)\b"
        ),
        _anaphor("year-earlier"), _P_DURING,
    ),
    # the previous year / the year before / a year earlier.
    _Rule(
        re.compile(
            rf"(?:{_variants('the')})\s+(?:previous|prior|preceding)\s+year\b"
            rf"|(?:{_variants('the')})\s+year\s+(?:before|previous|prior)\b(?!\s+(?:the|last|a|an)\b)"
            rf"|(?:{_variants('a')})\s+year\s+(?:earlier|before)\b"
        ),
        _anaphor("year-before"), _P_DURING,
    ),
    # the same day / that day / ended the day / late in the day: the day the story is at.
    _Rule(
        re.compile(
            rf"(?:(?P<same>(?:{_variants('the')})\s+same|{_variants('that')})|{_variants('the')})"
            r"\s+day\b"
        ),
        _anaphor("day"), _P_THE_DAY,
    ),
    # Seventy-five years ago (today) / nearly two years ago.
    _Rule(
        re.compile(rf"(?:{_variants('ago')})(?![A-Za-z])(?=(?P<today>\s+(?i:today)\b))?"),
        _build_ago, _P_AGO, required=True,
    ),
    # for the next 12 months / over the past two years.
    _Rule(
        re.compile(
            rf"(?P<which>{_variants('next', 'coming', 'past', 'last')})\s+(?P<n>{_NUMBER})\s+"
            r"(?P<unit>months|years)\b"
        ),
        _build_period, _P_THE, required=True,
    ),
    # in four months (future clauses only; not "the first time in 30 years").
    _Rule(
        re.compile(
            rf"(?:{_variants('in')})\s+(?P<n>{_NUMBER})\s+(?P<unit>days?|weeks?|months?|years?)"
            r"\b(?!\s+(?:of|ago)\b)"
        ),
        _build_in_units, _P_TIME,
    ),
    # this weekend / over the weekend / last weekend.
    _Rule(
        re.compile(
            rf"(?P<which>{_variants('this', 'last', 'next', 'the', 'coming')})\s+weekend\b"
        ),
        _build_weekend, _P_DURING,
    ),
    # next year / this month / last week / earlier this year / for next year.
    _Rule(
        re.compile(
            rf"(?P<which>{_variants('this', 'last', 'next', 'coming', 'current')})\s+"
            r"(?P<unit>week|month|year)\b"
        ),
        _build_unit, _P_UNIT,
    ),
    # today, tonight, yesterday evening, the day after tomorrow.
    _Rule(
        re.compile(
            rf"(?P<word>{_variants('today', 'tonight', 'yesterday', 'tomorrow')}"
            rf"|(?:{_variants('this')})\s+(?:morning|afternoon|evening))(?![A-Za-z])"
            r"(?:\s+(?:morning|afternoon|evening|night)\b)?"
        ),
        _build_deictic_day, _P_DAYWORD,
    ),
    # October 24 / on October 23 / the 24th of October (no year).
    _Rule(
        re.compile(_month("m") + r"\s+" + _day("d") + r"(?!,?\s*\d)"),
        _build_month_day, _P_DATE, anchor="month",
    ),
    _Rule(
        re.compile(_day("d", first=True) + r"\s+(?:of\s+)?" + _month("m") + r"(?!,?\s*\d)"),
        _build_month_day, _P_DATE, bad_left=_DAY_LEFT, anchor="digit",
    ),
    # on Tuesday / Tuesday evening / last Friday.
    _Rule(
        re.compile(
            rf"(?P<wd>{_WEEKDAY_FULL})(?:\s+(?P<part>morning|afternoon|evening|night)\b)?"
        ),
        _build_weekday, _P_WEEKDAY, anchor="weekday",
    ),
    # in July / since March / mid-July / the July summit.
    _Rule(
        re.compile(_month("m", full=True) + r"(?![\s,]*\d)"),
        _build_bare_month, _P_CUE, required=True, anchor="month",
    ),
    # in 1992 / the 2007 agreement / Until 2005 / mid-2020.
    _Rule(
        re.compile(_year("y") + _YEAR_TAIL),
        _build_year, _P_YEAR, bad_left="$€£#.,/:", anchor="digit",
    ),
    # Phrases that can never be pinned down from the text.
    _Rule(
        re.compile(r"more\s+(?:years|months)\b"),
        _unanchored("an extension counted from a start the text does not state"),
        _P_BY_N, required=True,
    ),
    _Rule(
        re.compile(
            rf"(?:{_variants('previous', 'last', 'next')})\s+(?:[A-Z][\w-]*\s+){{0,3}}"
            r"(?:summit|meeting|session|conference|forum)\b"
        ),
        _unanchored("refers to another event whose date the text does not give"),
        _P_AT_THE, required=True,
    ),
)  # fmt: skip

# Spans that must never be read as dates; each claims its text before any date rule runs.
_BLOCKERS: tuple[_Rule, ...] = tuple(
    _Rule(re.compile(pattern), None, bad_left=bad_left, word=word, anchor=anchor)
    for pattern, bad_left, word, anchor in (
        # Clock, player and video times: 13:43, 0:03:34, 1:45 am.
        (
            r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[aApP]\.?[mM]\.?(?![A-Za-z]))?(?![\d:])",
            ":",
            False,
            "digit",
        ),
        # UTC offsets: UTC+04:00, (UTC-5).
        (r"(?:UTC|GMT|utc|gmt)\s*[+\-−]\s*\d{1,2}(?::?\d{2})?\)?", "", True, ""),
        (r"#\s?\d+", "", False, ""),
        # Copyright lines in page furniture.
        (
            r"(?:©|\([cC]\)|Copyright|copyright|COPYRIGHT)\s*(?:\d{4}\s*[-–]\s*)?\d{4}",
            "",
            False,
            "",
        ),
        # URLs (host/path forms without a scheme are claimed through _URL_TAIL).
        (r"(?:https?://|www\.)\S+", "", False, ""),
        # Money, percentages, grouped and decimal numbers: $75 billion, 25 percent, 1,600, 2.5.
        (r"[$€£¥]\s?\d[\d,.]*", "", False, ""),
        (r"\d+(?:\.\d+)?\s*(?:%|(?:percent|per\s+cent|Percent)\b)", "", True, "digit"),
        (r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])", ".,", True, "digit"),
        (r"\d+\.\d+(?![\d.])", _DIGITS + ".,", True, "digit"),
    )
)
_URL_TAIL = re.compile(r"\.[a-z]{2,6}/\S*")


_ANCHORS = {
    "month": re.compile(rf"(?:{_MONTH_ANY})(?![A-Za-z])"),
    "digit": re.compile(r"[0-9]+"),
    "weekday": re.compile(_WEEKDAY_FULL),
    "season": re.compile(_SEASON_WORDS),
}


def _candidates(rule: _Rule, text: str, anchors: dict[str, list[int]]) -> Iterator[re.Match[str]]:
    """Core matches of a rule: at its anchor tokens, or (no anchor) by searching the text.

    Each candidate start is tried on its own, so a rejected match never hides a valid one that
    starts inside it.
    """
    if rule.anchor:
        match = rule.core.match
        for position in anchors[rule.anchor]:
            if (m := match(text, position)) is not None:
                yield m
        return
    pos = 0
    while (m := rule.core.search(text, pos)) is not None:
        yield m
        pos = m.start() + 1


def _scan(
    rule: _Rule,
    text: str,
    taken: bytearray,
    found: list[DatePhrase],
    anchors: dict[str, list[int]],
) -> None:
    """Run one rule over the text, claiming the spans it accepts."""
    bad_left = rule.bad_left
    for m in _candidates(rule, text, anchors):
        start, end = m.span()
        if start:
            left = text[start - 1]
            if left in bad_left or (rule.word and (left.isalnum() or left == "_")):
                continue
        if end == start or any(taken[start:end]):
            continue
        pre: re.Match[str] | None = None
        if rule.before is not None:
            pre = rule.before.search(text, max(0, start - 60), start)
            if pre is not None and (pre.end() == pre.start() or any(taken[pre.start() : start])):
                pre = None
            if pre is None and rule.required:
                continue
        if rule.build is None:
            phrase_start = start
        else:
            built = rule.build(_Hit(m, pre, text))
            if built is None:
                continue
            phrases = (built,) if isinstance(built, DatePhrase) else built
            found.extend(phrases)
            phrase_start = min(p.start for p in phrases)
        taken[phrase_start:end] = b"\x01" * (end - phrase_start)


def find_date_phrases(text: str) -> list[DatePhrase]:
    """Find every date phrase in ``text``, in text order, without overlaps.

    Rules run from the most specific (full dates, ranges) to the least (bare years), and each
    accepted phrase claims its span, so "July 21–23, 2020" is one range and never also a month-day
    and a year.  Blockers first claim clock times, resolution numbers, money and the like.

    Args:
        text: The article text (offsets in the result refer to it).

    Returns:
        The phrases sorted by start offset.
    """
    taken = bytearray(len(text) + 1)
    found: list[DatePhrase] = []
    for m in _URL_TAIL.finditer(text):
        start = max(text.rfind(" ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        taken[start : m.end()] = b"\x01" * (m.end() - start)
    anchors = {kind: [m.start() for m in pattern.finditer(text)] for kind, pattern in
               _ANCHORS.items()}  # fmt: skip
    for rule in _BLOCKERS + _RULES:
        _scan(rule, text, taken, found, anchors)
    found.sort(key=lambda p: p.start)
    return found
