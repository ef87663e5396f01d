"""The date grammar: what a date phrase is, the regex fragments rules are built from, a rule and
a rule's match.

Split from :mod:`briefings.text.dates.scan` (which holds the rule table and the scan itself) so
the phrase builders (:mod:`~briefings.text.dates.explicit`, :mod:`~briefings.text.dates.relative`)
can read the grammar without the scan.  The conventions of the whole grammar are in the scan's
docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from briefings.lexicon import MONTH_ABBR as _MONTH_ABBR
from briefings.lexicon import MONTH_NAMES as _MONTH_NAMES
from briefings.lexicon import WEEKDAYS as _WEEKDAYS
from briefings.text.dates.normalize import (
    Anchor,
    fmt_day,
    make_date,
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
    #: ``yearless``: needs a year ("on June 12").  ``unanchored``: can never be resolved
    #: from the text ("by three more years"); ``reason`` says why.
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
