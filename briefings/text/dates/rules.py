"""The rule table of the date grammar: every date phrase it reads, each a core regex, its
builder, the prefix it may take and where it may stand, tried in this order.

Split from :mod:`briefings.text.dates.scan`, which claims the numbers that are not dates first
(its blockers) and then runs these rules over a text.
"""

from __future__ import annotations

import re

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
    _day,
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
    # Forty years ago (today) / nearly two years ago.
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
