"""The tense of a date's clause: future and past cue words, reporting verbs, and the marker
nearest a date phrase, so a year-less or relative date is resolved in the direction its
sentence points.

Split from :mod:`briefings.stages.timeline_context`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefings.text.dates.grammar import DatePhrase
from briefings.text.dates.narrative import past_form
from briefings.text.dates.normalize import Tense
from briefings.text.sentences import Sentence

# Tense markers, looked up word by word (a set lookup per word is far cheaper than one big
# case-insensitive alternation run around every phrase).
_FUTURE_WORDS = frozenset({
    "will", "won't", "won’t", "would", "shall", "upcoming", "forthcoming", "next", "scheduled",
    "slated", "planned", "expected", "anticipated",
})  # fmt: skip
#: "going to", "set to", "is to" ...: future when "to" follows.
_FUTURE_BEFORE_TO = frozenset({"going", "set", "due", "expected", "plan", "plans", "is", "are"})
#: "to meet", "to host" ...: an infinitive of a planned event.
_FUTURE_AFTER_TO = frozenset({
    "meet", "hold", "host", "visit", "attend", "open", "begin", "start", "discuss", "join",
    "travel", "sign", "launch", "gather", "convene", "arrive", "address", "speak", "take",
})  # fmt: skip
_PAST_WORDS = frozenset({
    "was", "were", "had", "did", "ago", "last", "earlier", "previously", "held", "met", "took",
    "ran", "gave", "made", "saw", "won", "lost", "led", "sent", "spoke", "brought", "fell",
    "rose", "left", "began", "came", "went", "agreed", "ended", "concluded", "closed", "opened",
    "started", "launched", "signed", "adopted", "decided", "returned", "visited", "attended",
    "hosted", "gathered", "arrived", "discussed", "approved", "reached", "urged", "warned",
    "welcomed", "pledged", "vowed", "elected", "postponed", "cancelled", "canceled", "convened",
    "wrapped",
})  # fmt: skip
#: Reporting verbs date the report, not the event, unless right before the date ("said on
#: Thursday").
_REPORTING = frozenset({
    "said", "told", "announced", "stated", "noted", "added", "reported", "confirmed",
})  # fmt: skip
#: "will be held", "is scheduled", "was planned": the auxiliary carries the tense.
_PARTICIPLES = frozenset({"held", "scheduled", "planned", "slated", "postponed", "set"})
_AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "being"})
#: Modals that look ahead (not "could", often a past "was able to").
_MODALS = frozenset({"may", "might", "should", "must", "can"})
_REPORT_GAP = 12
_WORD = re.compile(r"[A-Za-z]+(?:[’'][A-Za-z]+)?")


@dataclass(frozen=True, slots=True)
class _Marker:
    start: int
    end: int
    tense: Tense
    reporting: bool


def _tense_markers(sentence: Sentence) -> list[_Marker]:
    """Tense markers of a sentence, with offsets in the article text."""
    found = list(_WORD.finditer(sentence.text))
    words = [(m.start(), m.end(), m.group().lower()) for m in found]
    plain = [w for _, _, w in words]
    markers: list[_Marker] = []
    base = sentence.start
    for i, (start, end, word) in enumerate(words):
        following = words[i + 1][2] if i + 1 < len(words) else ""
        previous = {w for _, _, w in words[max(0, i - 2) : i]}
        tense: Tense | None = None
        if (word in _PARTICIPLES and previous & _AUXILIARIES) or (
            i and plain[i - 1] in _AUXILIARIES and (word in _PAST_WORDS or word.endswith("ed"))
        ):
            tense = None  # A passive: the auxiliary before it is the marker.
        elif (
            word in _FUTURE_WORDS
            or word.endswith(("'ll", "’ll"))
            or (following == "to" and word in _FUTURE_BEFORE_TO)
            or (word == "to" and following in _FUTURE_AFTER_TO)
            # "may be signed", "should be approved"; "may have signed" is past.
            or (word in _MODALS and found[i].group()[0].islower() and following != "have")
        ):
            tense = "future"
        elif word in _PAST_WORDS or word in _REPORTING or past_form(plain, i, found[i].group()):
            tense = "past"
        if tense is not None:
            markers.append(_Marker(base + start, base + end, tense, word in _REPORTING))
    return markers


def _tense(markers: list[_Marker], phrase: DatePhrase) -> Tense | None:
    """Tense of the clause around a phrase: the nearest marker before it in the sentence, else
    the nearest after it ("On Thursday, leaders will ..."); ``None`` when there is none."""
    before: Tense | None = None
    for marker in markers:
        if phrase.start <= marker.start < phrase.end:
            continue  # "last Friday", "next year": the phrase's own word is no tense marker.
        if marker.reporting and not 0 <= phrase.start - marker.end <= _REPORT_GAP:
            continue
        if marker.end <= phrase.start:
            before = marker.tense
        else:
            return before or marker.tense
    return before
