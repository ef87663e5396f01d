"""Date stamps in a page copy: dateline and footer dates, clock lines, time zones, front-matter
date values, and the date an anniversary line implies.

Split from :mod:`briefings.ingest.metadata` (which decides which stamp is the publication date).
Date parsing is hand-written rather than ``dateutil``'s fuzzy parser on purpose: fuzzy parsing
finds a "date" in almost any line, and here the *absence* of a date must stay visible.
"""

from __future__ import annotations

import re
from datetime import date

from briefings.ingest.lines import Clock, Stamp, StampKind
from briefings.ingest.names import _LETTER_TOKEN, _is_place_like, _letter_words
from briefings.lexicon import MONTH_NUMBERS as _MONTHS
from briefings.lexicon import YEARS_AGO_NUMBER_WORDS as _NUMBER_WORDS
from briefings.text.dates.normalize import make_date

_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"

# Full dates only (day, month and year): a stamp without a year is not a publication date.
_DATE_PATTERNS = (
    re.compile(r"(?<![\d-])(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}(?!\d)", re.IGNORECASE),
    re.compile(rf"(?<!\d){_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}(?!\d)", re.IGNORECASE),
    re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>(?:19|20)\d{2})(?!\d)"),
)
_YEAR_HINT = re.compile(r"(?:19|20)\d\d")
_TIME = re.compile(
    r"(?<![\d:])(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2}(?:\.\d+)?)?"
    r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?)(?![a-z]))?(?![\d:])",
    re.IGNORECASE,
)
_TZ = re.compile(
    r"(?P<tz>(?:UTC|GMT)\s?[+−–-]\s?\d{1,2}(?::?\d{2})?"
    r"|\b(?:UTC|GMT|[ECMP][SD]T|BST|CES?T|EES?T|MSK|JST|KST|AZT|IST|SGT|HKT|AE[SD]T|WIB|PKT|TRT)\b"
    r"|(?<=\d)Z\b|[+−-]\d{2}:?\d{2}\b)"
)
_LABEL = re.compile(
    r"^(?P<label>(?:date\s+)?(?:first\s+)?published(?:\s+(?:on|at))?|posted(?:\s+(?:on|at))?"
    r"|publication\s+date|date\s+of\s+publication|pub(?:lished)?\s+date|released|issued"
    r"|dated?|(?:last\s+)?(?:updated|modified)(?:\s+(?:on|at))?)\b\s*[:|–—-]?\s*",
    re.IGNORECASE,
)
_CONNECTORS = frozenset({"at", "on", "by", "the", "of", "and", "in"})

_YEARS_AGO_TODAY = re.compile(
    r"\b(?P<n>\d{1,3}|[a-z]+(?:[- ][a-z]+)?)\s+years\s+ago\s+today\b", re.IGNORECASE
)


# --------------------------------------------------------------------------------------- dates


def _valid_date(year: int, month: int, day: int) -> str | None:
    found = make_date(year, month, day)
    return found.isoformat() if found else None


def _month_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    return _MONTHS.get(token.lower()[:3], 0)


def find_date(text: str) -> tuple[str, int, int] | None:
    """Find the first full calendar date in ``text``.

    Args:
        text: Any text; only dates with a day, a month and a four-digit year count.

    Returns:
        ``(YYYY-MM-DD, start, end)`` for the earliest valid date, or ``None``.  Invalid dates
        ("February 30, 2020") are skipped rather than guessed.
    """
    best: tuple[str, int, int] | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if best is not None and match.start() >= best[1]:
                break
            iso = _valid_date(int(match["year"]), _month_number(match["month"]), int(match["day"]))
            if iso is not None:
                best = (iso, match.start(), match.end())
                break
    return best


def _clock(match: re.Match[str]) -> str | None:
    hour, minute = int(match["hour"]), int(match["minute"])
    ampm = (match["ampm"] or "").replace(".", "").replace(" ", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _zone(text: str) -> tuple[str, int, int] | None:
    match = _TZ.search(text)
    if match is None:
        return None
    tz = match["tz"].replace("−", "-").replace("–", "-").replace(" ", "")
    return ("UTC" if tz == "Z" else tz), match.start(), match.end()


def _cut(text: str, start: int, end: int) -> str:
    return text[:start] + " " + text[end:]


def parse_stamp(line: str) -> Stamp | None:
    """Read a line that is a date stamp: a date plus at most a label, time, zone and a few words.

    Args:
        line: One stripped line of the article.

    Returns:
        The stamp, or ``None`` when the line does not state a full date or says more than a
        stamp does (a sentence that merely contains a date is body text, not a dateline).
    """
    if len(line) > 120 or _YEAR_HINT.search(line) is None:
        return None
    found = find_date(line)
    if found is None:
        return None
    iso, start, end = found
    rest = _cut(line, start, end)
    time: str | None = None
    time_match = _TIME.search(rest)
    if time_match is not None:
        time = _clock(time_match)
        rest = _cut(rest, time_match.start(), time_match.end())
    tz: str | None = None
    if time is not None:
        zone = _zone(rest)
        if zone is not None:
            tz = zone[0]
            rest = _cut(rest, zone[1], zone[2])
    kind: StampKind = "plain"
    label = _LABEL.match(rest.strip(" ,|·•-–—:\t"))
    if label is not None:
        word = label["label"].lower()
        kind = "updated" if ("updated" in word or "modified" in word) else "published"
        rest = rest.strip(" ,|·•-–—:\t")[label.end() :]
    rest = re.sub(rf"\b{_WEEKDAY}(?![a-z])", " ", rest, flags=re.IGNORECASE)
    leftover = [
        token
        for token in re.split(r"[\s,|·•()\[\]/:;–—-]+", rest)
        if _LETTER_TOKEN.search(token) and token.lower() not in _CONNECTORS
    ]
    if len(leftover) > 3:
        return None
    place: str | None = None
    if leftover and kind == "plain":
        # "May 4, 2021, Minsk" / "MINSK, May 4, 2021": a date line with its place is the
        # article's dateline; any other words beside a date make it some other stamp.
        place = _place_beside_date(line, start, end, leftover)
        kind = "plain" if place is not None else "other"
    return Stamp(iso, time, tz, kind, place)


def _place_beside_date(line: str, start: int, end: int, leftover: list[str]) -> str | None:
    """The place of a date line: capitalised words (one to three) right before or after the
    date, set off by a comma or a dash, and shaped like a place, not a label or a name."""
    before, after = line[:start].strip(), line[end:].strip()
    before = re.sub(rf"(?i)(?:^|(?<=[,–—-]))\s*{_WEEKDAY}\s*,?\s*$", "", before).strip()
    side = before if before and not after else after if after and not before else None
    if side is None:
        return None
    text = side.strip(" ,–—-|·•")
    if text.lower().startswith(("on ", "at ", "in ")):
        return None
    if (before and not before.endswith((",", "–", "—", "-", "|"))) or (
        after and not after.startswith((",", "–", "—", "-", "|"))
    ):
        return None
    shaped = text.title() if text.isupper() else text
    if len(_letter_words(text)) != len(leftover) or not _is_place_like(shaped):
        return None
    # A label ("Announcement, May 4, 2021") is shaped like a place too: the gazetteer decides.
    from briefings.text.gazetteer import is_city, is_known_place  # deferred: loads GeoNames

    parts = [p.strip() for p in shaped.split(",") if p.strip()]
    if not any(is_known_place(p) or is_city(p) for p in parts):
        return None
    return text


_CLOCK_LINE = re.compile(
    r"^(?:at\s+)?(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?)?)\s*"
    r"(?:\(?\s*(?P<zone>[^()]{1,12}?)\s*\)?)?\s*$",
    re.IGNORECASE,
)


def parse_clock_line(line: str) -> Clock | None:
    """Read a line that holds nothing but a clock time (and maybe a zone), e.g. ``15:40``.

    The Kremlin prints the time on its own line under the date; recognising it lets the time
    join the publication date and keeps the bare number out of the body.

    Args:
        line: One stripped line.

    Returns:
        The 24-hour time and zone, or ``None`` if the line is anything else (player text such
        as ``0:00 0:03:34`` included) or the time is impossible.
    """
    match = _CLOCK_LINE.match(line)
    if match is None:
        return None
    time_match = _TIME.search(match["clock"])
    if time_match is None:
        return None
    time = _clock(time_match)
    if time is None:
        return None
    tz: str | None = None
    if match["zone"]:
        zone = _zone(match["zone"])
        if zone is None:
            return None
        tz = zone[0]
    return Clock(time, tz)


def parse_datetime_value(value: str) -> tuple[str, str | None, str | None] | None:
    """Parse a machine-ish date value from HTML meta tags or Markdown front matter.

    Args:
        value: ``2031-03-02T09:15:00+01:00``, ``2031-03-02``, ``March 2, 2031 09:15`` ...

    Returns:
        ``(YYYY-MM-DD, HH:MM or None, zone or None)``, or ``None`` if no full date is stated.
    """
    value = value.strip()[:200]
    found = find_date(value)
    if found is None:
        return None
    iso, _start, end = found
    rest = value[end:]
    time: str | None = None
    tz: str | None = None
    time_match = _TIME.search(rest)
    if time_match is not None and time_match.start() <= 3:
        time = _clock(time_match)
        zone = _zone(rest[time_match.end() : time_match.end() + 12])
        if zone is not None and time is not None:
            tz = zone[0]
    return iso, time, tz


def _number(text: str) -> int | None:
    text = text.lower().strip()
    if text.isdigit():
        return int(text)
    total = 0
    for part in re.split(r"[- ]", text):
        if part not in _NUMBER_WORDS:
            return None
        total += _NUMBER_WORDS[part]
    return total or None


def date_from_anniversary(text: str) -> str | None:
    """Date an article from "Forty years ago today, on June 12, 1985, …".

    Such a lead states its own publication date exactly (the anniversary day), so it is read
    rather than inferred; anything looser ("years ago", without "today") is left alone.

    Args:
        text: The first paragraphs of the body.

    Returns:
        ``YYYY-MM-DD`` of the anniversary, or ``None`` (also when that day does not exist).
    """
    match = _YEARS_AGO_TODAY.search(text)
    if match is None:
        return None
    years = _number(match["n"])
    found = find_date(text[match.end() : match.end() + 40])
    if years is None or found is None:
        return None
    then = date.fromisoformat(found[0])
    return _valid_date(then.year + years, then.month, then.day)
