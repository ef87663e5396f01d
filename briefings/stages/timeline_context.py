"""What a date phrase's surroundings say: the line it stands on (date line, headline, footer,
citation), the article's reference day and clock, quoted speech, the tense of its clause, and
the event text shown beside it.

Split from :mod:`briefings.stages.timeline`, which walks the phrases and decides what each one
dates; the reading of their context is here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, timedelta

from briefings.ingest.metadata import echoes_body
from briefings.lexicon import NUMBER_UNITS
from briefings.models import Article, TimelineEvent
from briefings.text.dates.grammar import DatePhrase
from briefings.text.dates.normalize import fmt_day, fmt_range
from briefings.text.sentences import Sentence

#: Longest event text; longer sentences are cut to the clauses around the date.
MAX_EVENT_CHARS = 160


# What may stand beside the date on a dateline: labels, weekday, clock time, zone, punctuation.
_DATELINE_RESIDUE = re.compile(
    r"(?i)\b(?:publication\s+date|date\s+of\s+publication|published(?:\s+on)?|posted(?:\s+on)?"
    r"|date|dated|announcement|released|issued|on|at"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?"
    r"|\b(?:utc|gmt)\s*(?:[+\-−]\s*\d{1,2}(?::?\d{2})?)?"
    r"|\b(?-i:[A-Z]{1,3}[SD]?T|MSK|CEST|EEST)\b"
    r"|[\s,.;:()\[\]|/–—-]+"
)
_FURNITURE_LINE = re.compile(
    r"(?i)(?:^|(?<=\n))\s*(?:last\s+)?(?:updated|modified|edited)\b|©|\bcopyright\b"
    r"|all\s+rights\s+reserved"
)
_CITATIONS = re.compile(
    r"(?im)^(?:sources?|references|external\s+links|related\s+news|see\s+also|further\s+reading)"
    r"\s*:?\s*$"
)
#: Lines of the page header, where a standalone date is the article's dateline.
_HEADER_LINES = 8
_PUBLICATION_LABEL = re.compile(r"(?i)\b(?:publication|published|posted|announcement|released)\b")
#: A dateline, a stamped headline or a copyright line is short; longer lines are body text.
_MAX_DATELINE_EXTRA = 160
_MAX_FURNITURE_LINE = 200
_STAMP_SEPARATOR = re.compile(r"\S\s+[-–—|]\s*$")
#: A place set off from the date by a comma or dash: one to three capitalised words.
_PLACE_BEFORE = re.compile(r"\s*[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}\s*[,–—-]\s*")
_PLACE_AFTER = re.compile(r"\s*[,–—-]\s*[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}\s*")


def _placed_dateline(before: str, after: str) -> bool:
    """ "May 4, 2021, Minsk" / "MINSK, May 4, 2021": a date with nothing beside it but a
    place on one side (and a weekday, clock time or zone)."""
    if _DATELINE_RESIDUE.sub("", before) == "":
        return _PLACE_AFTER.fullmatch(after) is not None
    if _DATELINE_RESIDUE.sub("", after) == "":
        return _PLACE_BEFORE.fullmatch(before) is not None
    return False


_TIME = re.compile(r"\b(\d{1,2}):(\d{2})(?::\d{2})?(?:\s*([ap])\.?m\.?)?", re.IGNORECASE)
_MULTI_DAY = re.compile(
    r"(?i)\b(?P<n>two|three|four|five|six|seven|[2-9])(?:[- ]day\s+(?:summit|meeting|meetings"
    r"|talks|visit|conference|session|forum|gathering|event)|\s+days\s+of\s+(?:talks|meetings"
    r"|negotiations|discussions|deliberations|consultations))\b"
)
_SPAN_ENDS = re.compile(r"(?i)\b(?:ended|ends|closed|closes|concluded|concludes|wrapped\s+up)\b")
_NUMBERS = {word: n for word, n in NUMBER_UNITS.items() if 2 <= n <= 7}
_CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s+[–—-]\s+|\s+\(")


# --------------------------------------------------------------------------- context


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end < 0 else line_end


def _line_role(text: str, phrase: DatePhrase) -> str:
    """Where a date phrase stands: ``dateline``, ``heading``, ``furniture`` or ``body``.

    A line holding nothing but a day (plus weekday, clock time, zone, labels) is a ``dateline``
    when it is in the page header or labelled ("Posted", "Publication date"), else the
    ``heading`` of the paragraph after it (an agenda item).  Stamps on headlines, "Updated"
    lines and copyright lines are ``furniture``.
    """
    line_start, line_end = _line_bounds(text, phrase.start, phrase.end)
    if line_end - line_start <= _MAX_FURNITURE_LINE and _FURNITURE_LINE.search(
        text, line_start, line_end
    ):
        return "furniture"
    before = text[line_start : phrase.start]
    after = text[phrase.end : line_end]
    if len(before) + len(after) > _MAX_DATELINE_EXTRA:
        return "body"
    residue = _DATELINE_RESIDUE.sub("", before + " " + after)
    header = text.count("\n", 0, line_start) < _HEADER_LINES
    if phrase.grain == "day" and residue == "":
        return "dateline" if header or _PUBLICATION_LABEL.search(before) else "heading"
    if phrase.grain == "day" and header and _placed_dateline(before, after):
        return "dateline"  # "May 4, 2021, Minsk": a date line with its place.
    # "Envoys Meet in Oslo for Talks - 2031-03-02": a stamp on a headline.
    if (
        phrase.kind == "absolute"
        and phrase.grain == "day"
        and not after.strip()
        and _STAMP_SEPARATOR.search(before)
        and not before.rstrip(" -–—|").endswith((".", "!", "?"))
    ):
        return "furniture"
    return "body"


def _timed_datelines(text: str, phrases: list[DatePhrase]) -> dict[str, set[int]]:
    """Dateline phrases whose line also states a clock time, by date value.

    A page header may show the same day twice: the site's date of the day ("Friday October 10
    2025") and the article's stamp ("10 October 2025 13:43"); the stamp, which carries the time,
    is the article's own and the evidence of its date.
    """
    found: dict[str, set[int]] = {}
    for phrase in phrases:
        if phrase.value is None or _line_role(text, phrase) != "dateline":
            continue
        line_end = _line_bounds(text, phrase.start, phrase.end)[1]
        if _TIME.search(text, phrase.end, line_end):
            found.setdefault(phrase.value, set()).add(phrase.start)
    return found


def _citation_section(text: str) -> int:
    """Offset where a "Sources" / "References" list starts (its dates date the sources, not
    events), or past the end of the text when there is none."""
    m = _CITATIONS.search(text)
    return m.start() if m else len(text) + 1


def _placement(
    role: str,
    sentences: Sequence[Sentence],
    starts: list[int],
    sentence: Sentence,
    phrase: DatePhrase,
) -> tuple[str, tuple[Sentence, DatePhrase | Sentence] | None]:
    """Where an event's text comes from, and the key that merges events of the same date.

    A dateline's event is the headline (``None`` here); a heading's is the paragraph after it;
    any other phrase's is its own sentence.
    """
    if role == "dateline":
        return "dateline", None
    if role == "heading":
        index = bisect_right(starts, phrase.end)
        if index < len(sentences):
            following = sentences[index]
            return str(following.start), (following, following)
    return str(sentence.start), (sentence, phrase)


def _headline(text: str, phrases: list[DatePhrase]) -> str | None:
    """The first title-like line of the page header (3-25 words, about the story below it, not
    a date, not a sentence), for pages whose ingest found no title."""
    datelines = {
        text.rfind("\n", 0, p.start) + 1 for p in phrases if _line_role(text, p) == "dateline"
    }
    line_start = 0
    lines = text.split("\n", 10)
    for index, line in enumerate(lines[:10]):
        start, line_start = line_start, line_start + len(line) + 1
        words = line.split()
        if not 3 <= len(words) <= 25:
            continue
        if line_start not in datelines and not echoes_body(line, lines[index + 1 :]):
            continue  # not right above a date line, nor about the story: a banner, a skip link
        if line.rstrip().endswith("."):
            return None  # The page starts with body text: it has no headline.
        if line.rstrip().endswith((":", ",")):
            continue  # A label or a salutation ("Dear friends, ladies and gentlemen,").
        if start not in datelines:
            return _shorten(line.strip(), MAX_EVENT_CHARS)
    return None


def _reference_day(article: Article, text: str, phrases: list[DatePhrase]) -> date | None:
    """The day relative phrases count from: the publication date, or the day before it when the
    page is timed in the small hours (the events it reports happened the previous evening)."""
    published = article.meta.published
    if not published:
        return None
    try:
        day = date.fromisoformat(published)
    except ValueError:
        return None
    minutes = _minutes(article.meta.published_time or "")
    if minutes is None:
        minutes = _dateline_minutes(text, phrases, published)
    if minutes is not None and 0 < minutes < 5 * 60:
        return day - timedelta(days=1)
    return day


def _minutes(clock: str) -> int | None:
    m = _TIME.search(clock)
    if m is None:
        return None
    hours, minutes = int(m.group(1)), int(m.group(2))
    if m.group(3):
        hours = hours % 12 + (12 if m.group(3).lower() == "p" else 0)
    return hours * 60 + minutes if hours < 24 and minutes < 60 else None


def _dateline_minutes(text: str, phrases: list[DatePhrase], published: str) -> int | None:
    """Clock time on the first dateline that states the publication date (or the next line)."""
    for phrase in phrases:
        if phrase.value != published or _line_role(text, phrase) != "dateline":
            continue
        line_end = _line_bounds(text, phrase.start, phrase.end)[1]
        on_line = _minutes(text[phrase.end : line_end])
        if on_line is not None:
            return on_line
        next_end = text.find("\n", line_end + 1)
        next_line = text[line_end + 1 : len(text) if next_end < 0 else next_end].strip()
        if _TIME.fullmatch(next_line):
            return _minutes(next_line)
        return None
    return None


_QUOTE_MARK = re.compile(r'[“”«»„"\n]')


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks, per paragraph; an unclosed quote runs to the paragraph end
    and a closing mark with no opening one (a book-style continued quote) starts at its start."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    opened: int | None = None
    straight: int | None = None
    spans_before_line = 0
    for m in _QUOTE_MARK.finditer(text + "\n"):
        i, ch = m.start(), m.group()
        if ch == "\n":
            spans.extend((left, i) for left in (opened, straight) if left is not None)
            line_start, opened, straight, spans_before_line = i + 1, None, None, len(spans)
        elif ch in "“«„":
            opened = i if opened is None else opened
        elif ch in "”»":
            if opened is not None:
                spans.append((opened, i + 1))
                opened = None
            elif len(spans) == spans_before_line:
                spans.append((line_start, i + 1))
        elif straight is None:
            straight = i
        else:
            spans.append((straight, i + 1))
            straight = None
    return spans


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    return any(start <= position < end for start, end in spans)


def _sentence_at(sentences: Sequence[Sentence], starts: list[int], position: int) -> Sentence:
    index = bisect_right(starts, position) - 1
    if index >= 0 and sentences[index].start <= position < sentences[index].end:
        return sentences[index]
    return sentences[max(index, 0)] if sentences else Sentence(position, position, "")


def _event_text(sentence: Sentence, phrase: DatePhrase | Sentence) -> str:
    """The sentence around the date, cut to the clauses nearest it when too long to read.

    The window starts at the date's clause (the verb of a dated event usually follows the date
    or sits in the same clause), runs right as far as the limit allows, ends at a clause break
    when one is near, and takes earlier clauses back in when the sentence ends sooner.
    """
    text = sentence.text
    stripped = text.strip().strip('“”"«»').strip()
    if len(stripped) <= MAX_EVENT_CHARS:
        return stripped
    limit = MAX_EVENT_CHARS
    ev_start = max(0, phrase.start - sentence.start)
    ev_end = min(len(text), phrase.end - sentence.start)
    breaks = list(_CLAUSE_BREAK.finditer(text))
    clause_starts = [0, *(m.end() for m in breaks)]
    clause_ends = [m.start() for m in breaks]
    left = max(b for b in clause_starts if b <= ev_start)
    if ev_end - left > limit - 20:  # The date's clause is too long: start mid-clause.
        left = max(left, ev_end + 20 - limit)
        left = text.find(" ", left) + 1 or left
    right = min(len(text), left + limit)
    if right < len(text):
        ends = [b for b in clause_ends if ev_end <= b <= right and b - left >= limit * 2 // 3]
        right = ends[-1] if ends else max(text.rfind(" ", ev_end, right), ev_end)
    else:
        for b in sorted(clause_starts, reverse=True):
            if b < left and right - b <= limit:
                left = b
    piece = text[left:right].strip(' ,;:–—-(“”"«»')
    prefix = "…" if left > 0 else ""
    suffix = "" if right >= len(text) else "…"
    return prefix + piece + suffix


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: text.rfind(" ", 0, limit - 1)].rstrip(" ,;:") + "…"


def _multi_day_spans(
    sentences: Sequence[Sentence],
    starts: list[int],
    events: list[TimelineEvent],
    seen: set[tuple[str, str]],
) -> list[TimelineEvent]:
    """Day ranges from "three days of meetings that begin Tuesday" (one day in the sentence)."""
    by_sentence: dict[int, list[TimelineEvent]] = {}
    for event in events:
        if len(event.date) == 10:
            by_sentence.setdefault(bisect_right(starts, event.start) - 1, []).append(event)
    extra: list[TimelineEvent] = []
    for index, dated in by_sentence.items():
        if index < 0 or len({e.date for e in dated}) != 1:
            continue
        sentence = sentences[index]
        m = _MULTI_DAY.search(sentence.text)
        if m is None:
            continue
        count = int(m["n"]) if m["n"].isdigit() else _NUMBERS[m["n"].lower()]
        day = date.fromisoformat(dated[0].date)
        if _SPAN_ENDS.search(sentence.text):
            first, last = day - timedelta(days=count - 1), day
        else:
            first, last = day, day + timedelta(days=count - 1)
        value = fmt_range(fmt_day(first), fmt_day(last))
        if (value, str(sentence.start)) in seen:
            continue
        seen.add((value, str(sentence.start)))
        start, end = sentence.start + m.start(), sentence.start + m.end()
        phrase = DatePhrase(start, end, m.group(0), "relative", "day")
        event_text = _event_text(sentence, phrase)
        extra.append(TimelineEvent(value, event_text, m.group(0), start, end, dated[0].relative))
    return extra
