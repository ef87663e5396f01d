"""Which meeting an article reports on: organisation or format, host city and month.

A summit is a meeting, not an organisation: two CIS summits a year apart, or in two cities, are
two summits.  The meeting is read from what the article itself states, in this order of trust:

* the headline and the date line ("October 8, 2024" / "Moscow" under the headline);
* sentences that speak of a meeting (summit, meeting, talks, council, conference, forum) without
  setting it in the past or future ("the *previous* summit in Minsk", "the *upcoming* summit in
  Baku" are other meetings, and neither their names nor their cities count);
* the publication date, when no sentence dates the meeting.

Publishers and site names (the article's source, "X's John Smith reports") are never
organisations.  A part that cannot be read stays ``None``: :mod:`briefings.summits.grouping` then
keeps the article apart instead of guessing.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefings.models import Entities, TimelineEvent
from briefings.text.gazetteer import is_city, is_known_place

log = logging.getLogger(__name__)

_ACRONYM = r"(?:[A-Z]{2,6}|[A-Z]-?\d{1,2}|[A-Z]\d\+\d)"
_ACRONYM_RE = re.compile(rf"(?<![\w+-]){_ACRONYM}(?![\w+-]*\w)")
_MEETING = (
    r"(?:[Ss]ummits?|[Mm]eetings?|[Cc]onferences?|[Cc]ouncil|[Ff]orum|[Tt]alks|[Gg]athering)"
)
_MEETING_RE = re.compile(rf"\b{_MEETING}\b|\b(?:met|meet|meets|convene[sd]?|gather(?:ed|s)?)\b")
_CAP = r"(?:[A-Z][\w+’'-]*|\d+[\w+-]*)"
# "CIS summit", "Russia-Africa Summit", "C5+1 Ministerial Meeting", "Weimar format summit".
_NAME_BEFORE = re.compile(
    rf"((?:{_CAP})(?:\s+(?:{_CAP}|of|and|the))*)\s+(format\s+|[Mm]inisterial\s+)?"
    rf"(?:[Ss]ummits?|[Mm]eeting|[Cc]onference)\b"
)
# "summit of the Shanghai Cooperation Organization", "Council of EU heads of government".
_NAME_AFTER = re.compile(
    rf"\b(?:[Ss]ummits?|[Mm]eeting|[Cc]ouncil|[Cc]onference)\s+of\s+(?:the\s+)?"
    r"(?:heads\s+of\s+state(?:\s+and\s+government)?\s+of\s+(?:the\s+)?)?"
    rf"((?:{_CAP})(?:\s+(?:{_CAP}|of|and))*)"
)
# "G-8 leaders", "ASEAN leaders": the format whose leaders meet.
_NAME_LEADERS = re.compile(rf"((?:{_CAP})(?:\s+(?:{_CAP}|of))*)\s+(?:[Ll]eaders|[Hh]eads)\b")
# "the Association of X is holding its annual gathering"
_NAME_HOLDS = re.compile(
    rf"((?:{_CAP})(?:\s+(?:{_CAP}|of|and))*)\s+(?:is|was|are|were)\s+holding\s+"
    r"(?:its|their|the)\s+(?:\w+\s+)?(?:summit|meeting|gathering|conference|session)\b"
)
# An adjective setting a meeting in the past or future: "the previous EU summit".
_OTHER_TIME = re.compile(
    r"\b(?:next|upcoming|forthcoming|future|previous|last|past|the\s+following|earlier|"
    r"former|prior|preceding|subsequent)\b[^.\n;]{0,40}$",
    re.IGNORECASE,
)
# "in Oslo", "at Lake Bled", "Tartu will host", "hosted by Lisbon".
_PLACE_AFTER = re.compile(
    r"\b(?:in|at)\s+(?:the\s+)?([A-Z][\w’'-]+(?:\s+(?:de|do|da|del|la|el|al|[A-Z][\w’'-]+)){0,3})"
)
_PLACE_CITY_OF = re.compile(r"\bcity of ([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})")
_PLACE_HOSTS = re.compile(r"\b([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})\s+(?:will\s+)?host")
# "Wire Service's Anna Berg reports": a publisher naming its reporter in a broadcast sign-off
# (reports / has more / has the story / has details).
_BYLINE = re.compile(
    r"\b(\w[\w.-]*)['’]s\s+[A-Z][a-z]+\s+[A-Z][a-z]+\s+(?:reports|has\s+(?:more|the\s+story|details))"
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_ALIASES = {
    "G-8": "G8",
    "G-20": "G20",
    "G-7": "G7",
    "Group of Eight": "G8",
    "Group of Seven": "G7",
    "Group of Twenty": "G20",
    "Group of 20": "G20",
}
_GENERIC = frozenset(
    """The This That These A An Our Its Their His Her Annual Next Last First Previous Recent
    Upcoming Most Your My Today Today's Joint Final Informal Extraordinary Emergency Opening
    Closing Remarks Press Statement Following During At In On For After Before From World Leaders
    Senior Official Officials President Prime Minister Secretary January February March April
    May June July August September October November December Monday Tuesday Wednesday Thursday
    Friday Saturday Sunday""".split()
)
_JOINERS = frozenset({"of", "the", "and", "format"})
#: Words that never head an organisation or format (mostly sentence openers).
_NOT_ORGS = frozenset({"Ministerial", "Heads", "State", "Government", "Council", "Summit"})


@dataclass(frozen=True, slots=True)
class Meeting:
    """What an article says about its meeting; any part may be unknown."""

    organization: str | None
    city: str | None = None
    #: ``YYYY-MM`` (or ``YYYY``) of the meeting.
    date: str | None = None


def canonical(name: str) -> str:
    """One spelling per format: "the G-8" -> "G8"."""
    name = re.sub(r"^(?:the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
    name = re.sub(r"['’]s$", "", name)
    return _ALIASES.get(name, name)


def initials(name: str) -> str:
    """ "Commonwealth of Independent States" -> "CIS"."""
    return "".join(w[0] for w in name.split() if w[0].isupper())


def _strip_generic(name: str, *, keep_place: bool = False) -> str:
    words = name.split()
    for i, word in enumerate(words):  # "the Union's 30th-anniversary summit": the Union's summit
        if re.search(r"['’]s$", word):
            words = [*words[:i], word[:-2]]
            break
    while words and (words[0] in _GENERIC or words[0].lower() in _JOINERS):
        words.pop(0)
    while words and words[-1].lower() in _JOINERS | {"heads", "ministerial"}:
        words.pop()
    if not words or words[0] in _NOT_ORGS:
        return ""
    if len(words) == 1 and is_known_place(words[0]) and not keep_place:
        return ""
    return " ".join(words)


def _is_format(name: str) -> bool:
    """An acronym or a "Group of N" name: what "X leaders" can name."""
    return bool(_ACRONYM_RE.fullmatch(name)) or canonical(name) != name


def _is_other_time(chunk: str, start: int) -> bool:
    """Is the meeting named at ``start`` set in the past or future ("the next summit in X")?"""
    return bool(_OTHER_TIME.search(chunk, max(0, start - 45), start))


def _sentences(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def _publishers(source: str | None, text: str) -> frozenset[str]:
    """Names of the publisher: the source, its capitalised words and domain ("VOA",
    "azernews" of "Azernews.Az"), and "X" of bylines such as "X's Jane Doe reports"."""
    names = {m.group(1) for m in _BYLINE.finditer(text)}
    if source:
        names.add(source)
        words = [w for w in re.split(r"[\s(),]+", source) if w]
        names |= {w for w in words if w[:1].isupper() and w not in _GENERIC}
        names |= {part for w in words if "." in w for part in w.split(".") if len(part) > 3}
    return frozenset(canonical(n) for n in names if n)


def _organization(
    title: str, sentences: Sequence[tuple[int, str]], entities: Entities, banned: frozenset[str]
) -> str | None:
    votes: Counter[str] = Counter()
    tied: set[str] = set()  # names a meeting is named by ("X summit"), not merely mentioned
    chunks = [(title, 5)] + [(s, 1) for _, s in sentences]
    for chunk, weight in chunks:
        for pattern in (_NAME_BEFORE, _NAME_AFTER, _NAME_LEADERS, _NAME_HOLDS):
            for match in pattern.finditer(chunk):
                if _is_other_time(chunk, match.start()):
                    continue
                fmt = pattern is _NAME_BEFORE and bool(match.group(2))
                name = _strip_generic(match.group(1), keep_place=fmt)
                if pattern is _NAME_LEADERS and not _is_format(name):
                    continue  # "Central European leaders": a region, not a format
                if name:
                    votes[canonical(name)] += 3 * weight
                    tied.add(canonical(name))
        for acronym in set(_ACRONYM_RE.findall(chunk)):  # once a sentence: names, not lists
            votes[canonical(acronym)] += weight
    for org in entities.organizations:
        name = canonical(org)
        if name in votes:
            votes[name] += 1
    for name in list(votes):
        if name in banned or name.split(".")[0] in banned:
            del votes[name]
    # Credit "Commonwealth of Independent States" to "CIS" when both appear.
    for name in list(votes):
        acronym = initials(name)
        if " " in name and acronym in votes and acronym != name:
            votes[acronym] += votes.pop(name)
            if name in tied:
                tied.add(acronym)
    # An acronym seen once in the body only is not enough to name a meeting.
    # A name must be tied to a meeting at least once: "US", "CEO" or "UTC" are often repeated
    # acronyms, never formats.
    scored = [(count, name) for name, count in votes.items() if count >= 2 and name in tied]
    log.debug("organisation votes: %s", sorted(scored, reverse=True)[:5])
    if not scored:
        return None
    return max(scored)[1]


def _city_in(chunk: str, start: int = 0) -> str | None:
    for pattern in (_PLACE_AFTER, _PLACE_CITY_OF, _PLACE_HOSTS):
        for match in pattern.finditer(chunk, start):
            words = match.group(1).split()
            for size in range(len(words), 0, -1):  # longest known city first
                option = " ".join(words[:size])
                if _MEETING_RE.fullmatch(option.lower()):
                    break  # "at Summit": the meeting itself, not a town of that name
                if is_city(option) or is_city(re.sub(r"^St\.? ", "Saint ", option)):
                    return option
    return None


def _city(
    title: str, place: str | None, sentences: Sequence[tuple[int, str]], organization: str
) -> str | None:
    """The dateline's city, else "in X" after a meeting named in the headline or in a lead
    sentence about a summit or the organisation (not "they meet again in X")."""
    if place:
        head = place.split(",")[0].strip()
        if is_city(head):
            return head
    counts: Counter[str] = Counter()
    names = [w for w in organization.split() if w not in _JOINERS] + ["summit", "Summit"]
    about = [s for _, s in sentences[:12] if any(name in s for name in names)]
    for weight, chunk in [(3, title)] + [(1, s) for s in about]:
        for match in _MEETING_RE.finditer(chunk):
            if _is_other_time(chunk, match.start()):
                continue
            city = _city_in(chunk[max(0, match.start() - 60) :])
            if city:
                counts[city] += weight
                break
    return counts.most_common(1)[0][0] if counts else None


def _month(date: str) -> str | None:
    """``YYYY-MM`` of a timeline date, or its year; ranges only within one month."""
    first, _, last = date.partition("/")
    if last and first[:7] != last[:7]:
        return first[:4] if first[:4] == last[:4] and len(first) > 4 else None
    return first[:7]


def _months(value: str) -> int:
    return int(value[:4]) * 12 + int(value[5:7])


def _date(text: str, timeline: Iterable[TimelineEvent], published: str | None) -> str | None:
    """The meeting's month: the publication month when a sentence about the meeting is dated
    near it (a report); else the first later month such a sentence names within a year (a
    preview: "the summit will be held in July"); else the publication month."""
    candidates: list[str] = []
    for event in sorted(timeline, key=lambda e: e.start):
        sentence = event.event
        if 0 <= event.start < len(text):
            lo = max(text.rfind(".", 0, event.start), text.rfind("\n", 0, event.start)) + 1
            ends = (text.find(".", event.end), text.find("\n", event.end))
            sentence = text[lo : min([p for p in ends if p >= 0] or [len(text)])]
        match = _MEETING_RE.search(sentence)
        if match is None or _is_other_time(sentence, match.start()):
            continue
        month = _month(event.date)
        if month and len(month) == 7:
            candidates.append(month)
    if not published:
        return candidates[0] if candidates else None
    here = _months(published)
    if any(abs(_months(c) - here) <= 1 for c in candidates):
        return published[:7]
    later = [c for c in candidates if 1 < _months(c) - here <= 12]
    return later[0] if later else published[:7]


def detect_meeting(
    title: str | None,
    text: str,
    entities: Entities,
    published: str | None,
    *,
    place: str | None = None,
    timeline: Iterable[TimelineEvent] = (),
    source: str | None = None,
) -> Meeting:
    """Read the article's own meeting: organisation, host city and month (see module doc)."""
    title = title or ""
    sentences = _sentences(text)
    banned = _publishers(source, text)
    organization = _organization(title, sentences, entities, banned)
    if organization is None:
        return Meeting(None)
    city = _city(title, place, sentences, organization)
    return Meeting(organization, city, _date(text, timeline, published))
