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
  "since the beginning of this year" runs from January to the reference month;
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
- days joined by "and" ("March 3 and 4") are a range only when consecutive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from briefings.text.dates.grammar import (
    _DIGITS,
    _MONTH_ANY,
    _WEEKDAY_FULL,
    DatePhrase,
    _Hit,
    _Rule,
)
from briefings.text.dates.rules import _RULES, _SEASON_WORDS

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
    accepted phrase claims its span, so "May 4–6, 2031" is one range and never also a month-day
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
