"""Metadata found in the article text itself: title, source, author, publication date and time.

Seeds are page copies, not feeds, so nothing arrives as a labelled field: the headline is the first
short line, the date is a stamp line ("2 March 2031 09:15 (UTC+01:00)", "Posted June 3rd, 2029
at 7:05 pm", a footer "Publication date: ..."), the author is a short name line near the
headline.  Every rule here only *reads* what the text states and returns ``None`` when it is
unsure: a wrong publication date is worse than none, because relative dates ("on Tuesday") are
resolved against it downstream.

Date stamps are read by :mod:`briefings.ingest.stamps`, name and place shapes by
:mod:`briefings.ingest.names`; this module decides which line is which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefings.ingest.lines import Line, key_of
from briefings.ingest.names import _clean_name, _is_place_like, is_name_like
from briefings.ingest.stamps import date_from_anniversary, find_date
from briefings.lexicon import FUNCTION_WORDS as _FUNCTION_WORDS
from briefings.models import ArticleMeta


@dataclass(frozen=True, slots=True)
class Detection:
    """What :func:`detect_metadata` found, and which lines held it (by line position)."""

    meta: ArticleMeta
    #: Line position -> role ("title", "author", "source", "place", "role"); these lines are
    #: metadata, not body, and the boilerplate pass drops them.
    roles: dict[int, str]


# ------------------------------------------------------------------------------------ metadata

_HEAD = 14  # lines from the top searched for headline, stamps and bylines
_FOOT = 8  # lines from the bottom searched for footers ("Publication date: ...")


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
        lines: The article's non-blank lines, classified by :mod:`briefings.ingest.boilerplate`.
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
