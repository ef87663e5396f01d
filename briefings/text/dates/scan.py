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
the clause); :mod:`briefings.stages.timeline` decides which anchor applies.

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
from collections.abc import Iterator

from briefings.text.dates.explicit import (
    _build_day_range,
    _build_decade,
    _build_end_of,
    _build_first_months,
    _build_full,
    _build_iso,
    _build_month_day,
    _build_month_of_year,
    _build_month_range,
    _build_month_year,
    _build_numeric,
    _build_part_of_year,
    _build_season,
    _build_since_start,
    _build_year,
    _build_year_range,
    _build_yearless_month_range,
)
from briefings.text.dates.grammar import (
    _DIGITS,
    _MONTH_ANY,
    _NUMBER,
    _P_AGO,
    _P_AT_THE,
    _P_BY_N,
    _P_CUE,
    _P_DATE,
    _P_DAYWORD,
    _P_DURING,
    _P_END_OF,
    _P_MONTH_YEAR,
    _P_PART,
    _P_RANGE,
    _P_SEASON,
    _P_THE,
    _P_THE_DAY,
    _P_TIME,
    _P_UNIT,
    _P_WEEKDAY,
    _P_YEAR,
    _SEP,
    _WEEKDAY_FULL,
    DatePhrase,
    _day,
    _Hit,
    _month,
    _Rule,
    _variants,
    _year,
)
from briefings.text.dates.relative import (
    _anaphor,
    _build_ago,
    _build_bare_month,
    _build_deictic_day,
    _build_in_units,
    _build_period,
    _build_unit,
    _build_weekday,
    _build_weekend,
    _unanchored,
)

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
