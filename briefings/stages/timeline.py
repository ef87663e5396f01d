"""The timeline stage: every event the article ties to a date, with the phrase that states it.

Date phrases come from :mod:`briefings.text.dates.scan` (regexes, no model, so a digest costs
milliseconds).  This module adds the context a phrase alone cannot give:

- **Where the phrase stands.**  A date on a line of its own in the page header or footer (a
  dateline such as "March 2, 2031", "Sunday March 2 2031", "Posted June 3rd, 2029 at
  7:05 pm", "Publication date: ...", "Announcement, June 12, 2030") dates the article's own
  event, so its event text is the headline.  A date stamped onto a headline ("Summit -
  2004-06-07"), an "Updated ..." line or a copyright line is page furniture and dates nothing.
- **The reference day** for relative phrases: the publication date; when the page's own time is
  in the small hours (00:01-04:59, as a transcript published at 02:20), the events the
  speakers call "today" happened the day before, so the reference day is the previous day.  With
  no publication date, relative phrases go to ``unresolved`` and are never guessed.
- **Quoted speech.**  "today", "tomorrow", "this week" inside quotation marks mean the day the
  words were said, which the article does not state: unresolved, not the publication date.
- **Tense.**  The nearest tense marker before the phrase in its sentence (else the nearest after
  it): "will", "set to", "would" pick the next occurrence of a weekday or of a month named
  without a year; "was", "held", "met" the last one; with no marker, the nearest one.
- **Spans.**  "three days of meetings that begin Tuesday" or "the two-day summit opening on
  Monday" turns the day into a day range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from briefings.models import Article, TimelineEvent, UnresolvedDate
from briefings.stages.tense import _Marker, _tense, _tense_markers
from briefings.stages.timeline_context import (
    MAX_EVENT_CHARS,
    _citation_section,
    _event_text,
    _headline,
    _inside,
    _line_role,
    _multi_day_spans,
    _placement,
    _quoted_spans,
    _reference_day,
    _sentence_at,
    _shorten,
    _timed_datelines,
)
from briefings.text.dates.grammar import DatePhrase
from briefings.text.dates.narrative import (
    Dated,
    anaphor_value,
    narrative_anchor,
    reports_an_event,
    until_is_future,
)
from briefings.text.dates.normalize import Anchor
from briefings.text.dates.scan import find_date_phrases
from briefings.text.sentences import Sentence, split_sentences

_NO_PUBLICATION = "relative date, and the article has no publication date to resolve it against"
_NO_YEAR = "no year stated, and the article has no publication date to infer it from"
_QUOTED = "relative date in quoted speech: the day the words were said is not stated"
_DATELINE_EVENT = "Date line of the article"


@dataclass(frozen=True, slots=True)
class TimelineResult:
    """What the timeline stage found: dated events and the date phrases it could not pin down."""

    events: tuple[TimelineEvent, ...]
    unresolved: tuple[UnresolvedDate, ...]


def extract_timeline(
    article: Article, sentences: Sequence[Sentence] | None = None
) -> TimelineResult:
    """Extract the dated events of an article, and the date phrases it cannot resolve.

    Explicit dates are taken as written; relative ones ("next year", "on Tuesday", "in July")
    are resolved against the publication date (see the module docstring for the rules), because
    a briefing must say *when*, not "yesterday".  Without a publication date a relative phrase is
    reported as unresolved instead of being guessed: a wrong date is worse than none.

    Args:
        article: The ingested article; offsets in the result refer to ``article.text``.
        sentences: ``article.text`` split into sentences, from the article's one shared reading
            (:mod:`briefings.text.document`); split here when not given.

    Returns:
        Events in chronological order (ties in text order), one per date and sentence, each with
        its evidence phrase as an exact slice ``article.text[start:end]``; and the unresolved
        phrases, one per distinct wording.
    """
    text = article.text
    phrases = find_date_phrases(text)
    if sentences is None:
        sentences = split_sentences(text)
    starts = [s.start for s in sentences]
    quoted = _quoted_spans(text)
    headline = _shorten(article.meta.title, MAX_EVENT_CHARS) if article.meta.title else None
    headline = headline or _headline(text, phrases)
    anchor_day = _reference_day(article, text, phrases)

    events: list[TimelineEvent] = []
    unresolved: list[UnresolvedDate] = []
    seen: set[tuple[str, str]] = set()
    seen_unresolved: set[str] = set()
    markers: dict[int, list[_Marker]] = {}

    def add(value: str, phrase: DatePhrase, role: str, sentence: Sentence, relative: bool) -> None:
        key, described = _placement(role, sentences, starts, sentence, phrase)
        if (value, key) in seen:
            return
        event_text = _event_text(*described) if described else headline or _DATELINE_EVENT
        if (value, event_text.lower()) in seen:
            return
        seen.update({(value, key), (value, event_text.lower())})
        events.append(
            TimelineEvent(value, event_text, phrase.text, phrase.start, phrase.end, relative)
        )

    def leave(phrase: DatePhrase, reason: str) -> None:
        key = phrase.text.lower()
        if key not in seen_unresolved:
            seen_unresolved.add(key)
            unresolved.append(UnresolvedDate(phrase.text, reason))

    citations = _citation_section(text)
    timed = _timed_datelines(text, phrases)
    # Body dates so far (text order): what anaphors and year-less dates are read against.
    story: list[Dated] = []
    stated: list[Dated] = []  # Those written with their year.
    for phrase in phrases:
        role = _line_role(text, phrase)
        if role == "furniture" or phrase.start >= citations:
            continue
        if (
            role == "dateline"
            and phrase.value in timed
            and phrase.start not in timed[phrase.value]
        ):
            continue  # the site's date of the day: the timed stamp is the article's
        sentence = _sentence_at(sentences, starts, phrase.start)
        if phrase.kind == "unanchored":
            leave(phrase, phrase.reason or _NO_PUBLICATION)
            continue
        if phrase.kind == "absolute" and phrase.value is not None:
            add(phrase.value, phrase, role, sentence, relative=False)
            if role == "body":
                story.append(Dated(phrase.value, phrase.start))
                stated.append(Dated(phrase.value, phrase.start))
            continue
        if phrase.possessive or (
            phrase.deictic
            and phrase.grain == "day"
            and not reports_an_event(
                sentence.text, phrase.start - sentence.start, phrase.end - sentence.start
            )
        ):
            continue  # "today's Europe", "Today, our region faces ...": the present, no event.
        if phrase.anaphor is not None:
            if phrase.deictic and _inside(quoted, phrase.start):
                continue
            value = anaphor_value(phrase.anaphor, story, phrase.start, anchor_day)
            if value is None:
                leave(phrase, _NO_PUBLICATION)
            else:
                add(value, phrase, role, sentence, relative=True)
                story.append(Dated(value, phrase.start))
            continue
        if sentence.start not in markers:
            markers[sentence.start] = _tense_markers(sentence)
        tense = _tense(markers[sentence.start], phrase)
        if phrase.text[:5].lower().startswith(("until", "till")) and phrase.kind != "absolute":
            tense = "future" if until_is_future(sentence.text, phrase.start - sentence.start) \
                else "past"  # fmt: skip
        if phrase.future_only and tense != "future":
            continue
        day = anchor_day
        if phrase.kind == "yearless":
            paragraph = text.rfind("\n", 0, phrase.start) + 1
            story_day = narrative_anchor(stated, phrase.start, paragraph)
            if story_day is None and tense == "past" and paragraph > 0:
                # A past account running on from the paragraph before ("... a letter of March
                # 3, 1921." / "It was on March 3 ..."), when that paragraph is set in another
                # year than the writing: its last full date anchors this one.
                before = text.rfind("\n", 0, paragraph - 1) + 1
                earlier = narrative_anchor(stated, paragraph, before)
                if earlier is not None and (anchor_day is None or earlier.year != anchor_day.year):
                    story_day = earlier
            if story_day is not None:
                # The passage's own date, not the writing day: every verb of a past account
                # is in the past tense, so the nearest occurrence wins.
                day, tense = story_day, None
        if day is None:
            leave(phrase, _NO_YEAR if phrase.kind == "yearless" else _NO_PUBLICATION)
            continue
        if phrase.deictic and _inside(quoted, phrase.start):
            leave(phrase, _QUOTED)
            continue
        value = phrase.resolver(Anchor(day, tense)) if phrase.resolver else None
        if value is not None:
            add(value, phrase, role, sentence, relative=True)
            if role == "body":
                story.append(Dated(value, phrase.start))

    events.extend(_multi_day_spans(sentences, starts, events, seen))
    events.sort(key=lambda e: (e.date.split("/")[0], e.start))
    return TimelineResult(tuple(events), tuple(unresolved))
