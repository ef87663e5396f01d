"""Metadata found in the article text itself: title, source, author, publication date and time.

Seeds are page copies, not feeds, so nothing arrives as a labelled field: the headline is the first
short line, the date is a stamp line ("10 October 2025 13:43 (UTC+04:00)", "Posted May 19th, 2012
at 1:45 am", a Kremlin footer "Publication date: ..."), the author is a short name line near the
headline.  Every rule here only *reads* what the text states and returns ``None`` when it is
unsure: a wrong publication date is worse than none, because relative dates ("on Tuesday") are
resolved against it downstream.

Date parsing is hand-written rather than ``dateutil``'s fuzzy parser on purpose: fuzzy parsing
finds a "date" in almost any line, and here the *absence* of a date must stay visible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from briefings.ingest.lines import Clock, Line, Stamp, StampKind, key_of
from briefings.lexicon import FUNCTION_WORDS as _FUNCTION_WORDS
from briefings.lexicon import MONTH_NUMBERS as _MONTHS
from briefings.lexicon import YEARS_AGO_NUMBER_WORDS as _NUMBER_WORDS
from briefings.models import ArticleMeta

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
_LETTER_TOKEN = re.compile(r"[^\W\d_]", re.UNICODE)

_YEARS_AGO_TODAY = re.compile(
    r"\b(?P<n>\d{1,3}|[a-z]+(?:[- ][a-z]+)?)\s+years\s+ago\s+today\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Detection:
    """What :func:`detect_metadata` found, and which lines held it (by line position)."""

    meta: ArticleMeta
    #: Line position -> role ("title", "author", "source", "place", "role"); these lines are
    #: metadata, not body, and the boilerplate pass drops them.
    roles: dict[int, str]


# --------------------------------------------------------------------------------------- dates


def _valid_date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


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
        value: ``2025-10-10T13:43:00+04:00``, ``2025-10-10``, ``October 10, 2025 13:43`` ...

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
    """Date an article from "Seventy-five years ago today, on April 4, 1949".

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


# ------------------------------------------------------------------------------------ metadata

_HEAD = 14  # lines from the top searched for headline, stamps and bylines
_FOOT = 8  # lines from the bottom searched for footers ("Publication date: ...")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DOMAIN = re.compile(
    r"^(?:https?://)?(?:www\.)?(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,12})/?$"
)
_URL_IN_LINE = re.compile(
    r"^(?:direct\s+link|permalink|short\s+(?:link|url)|source\s+url|url|link)\s*:\s*"
    r"(?:https?://)?(?:www\.)?(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,12})\b",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(r"^(?:source|publisher|published\s+by)\s*:\s*(?P<src>.{2,60})$", re.I)
_FOLLOW = re.compile(
    r"\bfollow\s+(?P<src>[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,3})\s+on\s+"
    r"(?i:twitter|x|facebook|instagram|telegram|linkedin|youtube|tiktok|threads|bluesky)\b",
)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|\bcopyright\b)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?"
    r"(?P<src>[A-Z][\w.&'’ -]{1,60}?)\s*(?:[.,;|]|all rights reserved|$)",
    re.IGNORECASE,
)
_REPORTS = re.compile(
    r"\b(?P<src>[A-Z][A-Za-z&.-]{1,30})['’]s\s+(?P<name>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2})"
    r"\s+(?:reports|has\s+more|has\s+this\s+report|files|filed)\b"
)
_WIRE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’-]+(?:\s[A-Z][A-Z.'’-]+){0,3})"
    r"(?:,\s*[A-Z][A-Za-z.]+(?:\s+\d{1,2})?)?\s*"
    r"(?:\((?P<agency>[A-Za-z .&]{2,30})\))?\s*[-–—]\s+\S"
)
_BYLINE = re.compile(
    r"^(?:by|written\s+by|words\s+by|reporting\s+by|author\s*:|authors?\s+:)\s+(?P<name>.+)$",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-zà-ÿ'’]+(?:-[A-Z]?[a-zà-ÿ'’]+)*|[A-Z]\.|[A-Z][A-Z'’-]+)$")
_PARTICLES = frozenset({"de", "van", "von", "der", "da", "bin", "al", "el", "la", "le", "di"})
# Words that make a short capitalised line furniture or a heading, never a person's name.
_NOT_NAME = _words(
    """news breaking latest more read home world politics business economy video videos photo
    photos live opinion analysis editorial summit summits print share comments subscribe menu
    search login top stories related press release statement transcript remarks council ministry
    office department president secretary minister kremlin government state states united nations
    international national foreign affairs region europe asia africa america middle east west north
    south today yesterday links accessibility text version publication status direct link section
    sections thank you loading see all follow us contact about privacy policy terms advertisement
    sport sports culture science technology health weather most popular tags topics author authors
    editor staff reporter correspondent agency service media center centre committee union
    organization organisation meeting conference forum talks agenda monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september
    october november december radio television tv online daily times post herald journal"""
)
_COMPASS = frozenset({"north", "south", "east", "west"})
_PLACE_CONNECTORS = frozenset({"of", "on", "upon", "de", "del", "la", "am", "an", "der", "sur"})


def _letter_words(text: str) -> list[str]:
    return [t for t in text.split() if _LETTER_TOKEN.search(t)]


def is_name_like(text: str) -> bool:
    """Tell whether a line is shaped like a person's name: two or three capitalised words.

    Bylines are printed as bare names ("Nazrin Abdul"); the shape test plus a list of words
    that never occur in names ("Breaking News", "Secretary of State") separates them from menu
    entries and headings.

    Args:
        text: A stripped line.

    Returns:
        ``True`` for name-shaped lines (particles such as "de" or "bin" allowed).
    """
    if len(text) > 40 or any(c.isdigit() for c in text) or text[-1:] in ".,;:!?":
        return False
    words = text.split()
    if not 2 <= len(words) <= 4:
        return False
    names = [w for w in words if w.lower() not in _PARTICLES]
    if not 2 <= len(names) <= 3:
        return False
    return all(_NAME_TOKEN.match(w) and w.lower() not in _NOT_NAME for w in names)


def _is_place_like(text: str) -> bool:
    if len(text) > 40 or any(c.isdigit() for c in text) or text[-1:] in '.;:!?"”':
        return False
    words = [w.strip(",") for w in text.split()]
    if not 1 <= len(words) <= 4:
        return False
    for word in words:
        if word.lower() in _PLACE_CONNECTORS:
            continue
        if not word[:1].isupper() or (word.lower() in _NOT_NAME - _COMPASS):
            return False
    return True


def _clean_name(raw: str) -> str | None:
    name = re.split(r"\s*(?:[,|;/(]|\s[-–—]\s|\s(?:for|in|at|from)\s)", raw.strip(), maxsplit=1)[0]
    name = name.strip(" .")
    parts = re.split(r"\s+(?:and|&)\s+", name)
    if all(is_name_like(part) for part in parts) and len(parts) <= 3:
        return name
    return None


_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")
#: How much of the page after a headline candidate is read to see what the story is about.
_ECHO_CHARS = 4000


def _stems(text: str) -> set[str]:
    return {
        w.casefold()[:5]
        for w in _CONTENT_WORD.findall(text)
        if w.casefold() not in _FUNCTION_WORDS
    }


def echo_ratio(line: str, after: list[str]) -> float:
    """Share of a line's content words that recur in the text after it (1.0 when the line has
    none to judge); see :func:`echoes_body`."""
    words = _stems(line)
    if not words:
        return 1.0
    body: list[str] = []
    size = 0
    for text in after:
        body.append(text)
        size += len(text)
        if size >= _ECHO_CHARS:
            break
    return len(words & _stems(" ".join(body))) / len(words)


def echoes_body(line: str, after: list[str]) -> bool:
    """Whether a headline candidate is about the story below it.

    A headline repeats the story's words (its people, places, verbs); a skip link ("Skip to
    main content"), a site banner ("An official website of ...") or a wiki back-link does not.
    So one of the line's content words at least (compared by their first five letters, so
    "talks"/"talked" match) must recur in the text that follows it.  A line with no content
    word cannot be judged and passes.
    """
    return echo_ratio(line, after) > 0.0


def _window(lines: list[Line], size: int) -> list[Line]:
    """The first ``size`` lines that are not furniture, with the furniture between them."""
    count = 0
    for index, line in enumerate(lines):
        if not line.furniture:
            count += 1
            if count == size:
                return lines[: index + 1]
    return list(lines)


def _date_at_end(title: str) -> str | None:
    """The date a headline ends with, after a separator ("Summit opens - 2004-06-07")."""
    found = find_date(title)
    if found is None or title[found[2] :].strip(" )]"):
        return None
    if re.search(r"[-–—|,(\[]\s*$", title[: found[1]]) is None:
        return None
    return found[0]


def detect_metadata(lines: list[Line], hints: ArticleMeta | None = None) -> Detection:
    """Detect title, source, author, publication date/time/zone and dateline place.

    Args:
        lines: The article's non-blank lines, classified by :mod:`briefings.boilerplate`.
        hints: Metadata the file format already stated (HTML meta tags, Markdown front matter);
            a stated field wins over a detected one, and lines repeating it are still marked.

    Returns:
        The metadata (unknown fields ``None``) and the positions of the lines that carried it.
    """
    hints = hints or ArticleMeta()
    roles: dict[int, str] = {}
    n = len(lines)
    head = _window(lines, _HEAD)
    foot = _window(lines[::-1], _FOOT)[::-1]

    # --- source: a bare domain line ("Azernews.Az") in the head or the foot.
    source: str | None = None
    for line in [*head, *foot]:
        if line.furniture or line.stamp is not None:
            continue
        if _DOMAIN.match(line.text) and not line.text.replace(".", "").isdigit():
            roles[line.pos] = "source"
            source = source or line.text

    # --- title: the first short unterminated line before the first sentence.
    title: str | None = hints.title
    title_key = key_of(title) if title else None
    best_echo = -1.0
    if title_key is None:
        for index, line in enumerate(head):
            if line.stamp or line.clock:
                if title_key is not None:
                    break  # the headline is the line above the date line
                continue
            if line.pos in roles or line.furniture:
                continue
            if line.words < 2:
                continue
            if line.terminal and not line.text.endswith(("?", "!")):
                break  # the body starts with a sentence: this article has no headline line
            if is_name_like(line.text) and len(line.text.split()) <= 3:
                if title_key is not None:
                    break  # the headline is the line above the byline
                continue  # a byline, not a headline
            if title_key is not None and _is_place_like(line.text):
                break  # a dateline place under the headline
            if line.terminal and line.words > 15:
                break
            repeated = any(other.key == line.key for other in lines if other.pos != line.pos)
            following = head[index + 1] if index + 1 < len(head) else None
            stamped = following is not None and following.stamp is not None
            echo = echo_ratio(line.text, [x.text for x in lines[line.pos + 1 :]])
            if not (repeated or stamped) and echo == 0.0:
                continue  # a skip link, a site banner, a back-link: not about this story
            if line.words > 15 and not (repeated or stamped):
                break
            if line.terminal and not (repeated or stamped):
                break
            if repeated or stamped or line.terminal:
                title, title_key = line.text, line.key
                break
            # Of several headline-shaped lines above the date line or the body, the one most
            # about the story: a site banner above the headline shares fewer of its words
            # with the story, a deck under it no more than the headline (the first wins).
            if title_key is None or echo > best_echo:
                title, title_key, best_echo = line.text, line.key, echo
    if title_key is not None:
        for line in lines:
            if line.key == title_key and not line.stamp:
                roles[line.pos] = "title"

    body_start = next(
        (
            line.pos
            for line in lines
            if line.prose and not line.furniture and line.pos not in roles and not line.stamp
        ),
        n,
    )

    # --- publication date, by how explicitly the text says it.
    published: str | None = None
    published_time: str | None = None
    timezone: str | None = None
    labelled = [
        (ln.stamp, ln.pos) for ln in [*head, *foot] if ln.stamp and ln.stamp.kind == "published"
    ]
    plain = [(ln.stamp, ln.pos) for ln in head if ln.stamp and ln.stamp.kind == "plain"]
    timed = [(stamp, pos) for stamp, pos in plain if stamp.time is not None]
    candidates = labelled or timed
    chosen = candidates[0] if candidates else None
    if chosen is None and plain and len({stamp.date for stamp, _ in plain}) == 1:
        chosen = plain[0]  # date lines without a time count only when they all agree
    if chosen is not None:
        stamp, pos = chosen
        published, published_time, timezone = stamp.date, stamp.time, stamp.tz
        clock = lines[pos + 1].clock if pos + 1 < n else None
        if published_time is None and clock is not None:
            published_time, timezone = clock.time, clock.tz
    elif title is not None:
        published = _date_at_end(title)
    if published is None:
        lead = " ".join(line.text for line in lines[body_start : body_start + 3])
        published = date_from_anniversary(lead)

    # --- dateline place: on the date line itself ("May 4, 2021, Minsk"), else the short line
    # under the date/time lines (Kremlin) or just above it.
    place: str | None = chosen[0].place if chosen is not None else None
    for line in head if place is None else ():
        if line.stamp is None or line.stamp.kind == "other":
            continue
        after = line.pos + 1
        under_clock = after < n and lines[after].clock is not None
        if under_clock:
            after += 1
        for pos in (after, line.pos - 1):
            if not 0 <= pos < n or pos in roles:
                continue
            other = lines[pos]
            if other.furniture or other.stamp or other.clock or not _is_place_like(other.text):
                continue
            if sum(1 for x in lines if x.key == other.key) > 1:
                continue  # repeated lines are bylines, not datelines
            # Right beside a date, "Jane Smith" is a byline far more often than a place; only
            # the date/clock/place block (Kremlin) or a "City, Country" line is taken.
            beside_date = not (pos == after and under_clock)
            if beside_date and "," not in other.text and is_name_like(other.text):
                continue
            place = other.text
            roles[pos] = "place"
            break
        if place is not None:
            break

    # --- author: a byline, or a name line beside the headline/stamp, or "VOA's X reports".
    author: str | None = None
    for index, line in enumerate(head):
        if line.pos >= body_start + 2 or line.pos in roles or line.furniture:
            continue
        byline = _BYLINE.match(line.text)
        if byline is not None and line.words <= 10:
            name = _clean_name(byline["name"])
            if name is not None:
                author = author or name
                roles[line.pos] = "author"
                continue
        if line.pos >= body_start or not is_name_like(line.text):
            continue
        repeated = sum(1 for other in lines if other.key == line.key) > 1
        prev_line = head[index - 1] if index > 0 else None
        next_line = head[index + 1] if index + 1 < len(head) else None
        beside = any(
            other is not None and (roles.get(other.pos) == "title" or other.stamp or other.clock)
            for other in (prev_line, next_line)
        )
        if repeated or beside:
            author = author or line.text
            for other in lines:
                if other.key == line.key:
                    roles[other.pos] = "author"
            if next_line is not None and _is_role_line(next_line, roles):
                roles[next_line.pos] = "role"
    reporter_source: str | None = None
    for line in lines[body_start : body_start + 3]:
        match = _REPORTS.search(line.text)
        if match is not None:
            author = author or match["name"]
            reporter_source = match["src"]
            break

    # --- source, other than a domain line: "Source: X", follow-us lines, copyright, links.
    wire_source: str | None = None
    if body_start < n:
        wire = _WIRE.match(lines[body_start].text)
        if wire is not None and len(wire["place"]) >= 3:
            place = place or wire["place"]
            wire_source = wire["agency"]
    if source is None:
        source = _source_from_lines([*head, *foot])
    source = source or reporter_source or wire_source

    meta = ArticleMeta(
        title=title,
        source=hints.source or source,
        author=hints.author or author,
        published=hints.published or published,
        published_time=(hints.published_time if hints.published else published_time),
        timezone=(hints.timezone if hints.published else timezone),
        dateline_place=hints.dateline_place or place,
    )
    return Detection(meta, roles)


def _is_role_line(line: Line, roles: dict[int, str]) -> bool:
    """A job title under a byline ("Secretary of State"): short, capitalised, unterminated."""
    if line.pos in roles or line.terminal or line.stamp or not 1 <= line.words <= 6:
        return False
    return line.text[:1].isupper() and not any(c.isdigit() for c in line.text)


def _source_from_lines(lines: list[Line]) -> str | None:
    for line in lines:
        if len(line.text) > 200:
            continue
        for pattern in (_SOURCE_LINE, _FOLLOW, _URL_IN_LINE):
            match = pattern.search(line.text)
            if match is not None:
                groups = match.groupdict()
                return (groups.get("src") or groups.get("domain") or "").strip()
    for line in lines:
        if len(line.text) <= 200 and line.furniture:
            match = _COPYRIGHT.search(line.text)
            if match is not None:
                return match["src"].strip()
    return None
