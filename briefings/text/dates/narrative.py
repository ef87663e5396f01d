"""What a date phrase means in its story: the clause around it and the dates before it.

:mod:`briefings.stages.timeline` finds *where* a phrase stands; this module reads the words
around it:

- **Is "today" an event?**  "General Motors today named Mary Barra" and "markets have fallen
  today" report the day's events (a past, perfect, progressive or future verb); "Today, the
  world needs NATO" and "today's Europe" describe the present ("nowadays") and date nothing.
- **Which date does an anaphor refer to?**  "the same day", "ended the day" and "late in the
  day" refer to the last day the story named (else to the reference day); "the previous year"
  to the year before the last date named; "the same month a year ago" to that period, a year
  earlier.
- **Which year does a year-less date take?**  The year of the nearest full date before it in the
  same passage ("a letter of March 3, 1921. It was on March 3, ..."), before the publication
  date: a historical account keeps its own years.

All of it reads words, never a word list taken from one article: the markers are the closed
classes of English grammar (auxiliaries, modals, subordinators) and regular past-tense forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_WORD = re.compile(r"[A-Za-z]+(?:[’'][A-Za-z]+)?")
#: Ends a clause: punctuation, or a subordinating word that opens a new one.
_CLAUSE_PUNCT = re.compile(r"[,;:()\[\]–—]|\s-\s")
_SUBORDINATORS = frozenset({
    "that", "which", "who", "whom", "whose", "when", "where", "while", "because", "although",
    "though", "if", "unless", "whereas",
})  # fmt: skip
#: Auxiliaries and forms that make a clause report an event (past, perfect, future).
_EVENTIVE_WORDS = frozenset({
    "was", "were", "had", "did", "has", "have", "will", "shall", "won't", "won’t", "would",
    "ago", "went", "came", "took", "made", "gave", "saw", "said", "told", "met", "held", "began",
    "fell", "rose", "won", "lost", "led", "sent", "spoke", "left", "brought", "ran", "got", "set",
    "hit", "put", "cut", "sold", "bought", "paid", "became", "grew", "broke", "chose", "drove",
    "flew", "stood", "struck", "wrote", "spent", "shed", "sank", "slid", "rang", "kept", "read",
})  # fmt: skip
#: Present-tense auxiliaries and modals: the clause states what holds (now, generally).
_PRESENT_WORDS = frozenset({
    "is", "are", "am", "do", "does", "can", "must", "may", "might", "need", "needs",
})  # fmt: skip
_DETERMINERS = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "its", "their", "his", "her", "our",
    "my", "your", "no", "any", "some", "every", "each", "most", "more", "less", "well", "very",
})  # fmt: skip
#: "we'll", "didn't", "wasn't", "hasn't", "won't".
_EVENTIVE_ENDINGS = ("'ll", "’ll", "idn't", "idn’t", "asn't", "asn’t", "eren't", "eren’t",
                     "aven't", "aven’t", "adn't", "adn’t", "on't", "on’t")  # fmt: skip
_BE = frozenset({"is", "are", "am", "was", "were", "be", "been", "being"})


def past_form(words: list[str], index: int, original: str) -> bool:
    """A regular past-tense verb: lower-case, ends in "-ed", not after a determiner ("a
    detailed plan") or a form of "be" (a passive, whose auxiliary carries the tense)."""
    word = words[index]
    if len(word) < 5 or not word.endswith("ed") or not original[:1].islower():
        return False
    previous = words[index - 1] if index else ""
    return previous not in _DETERMINERS and previous not in _BE


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the clause around ``text[start:end]`` (punctuation or a subordinator)."""
    left, right = 0, len(text)
    for m in _CLAUSE_PUNCT.finditer(text):
        if m.end() <= start:
            left = m.end()
        elif m.start() >= end:
            right = m.start()
            break
    for m in _WORD.finditer(text, left, right):
        if m.group().lower() in _SUBORDINATORS:
            if m.end() <= start:
                left = m.end()
            elif m.start() >= end:
                right = m.start()
                break
    return left, right


def _verdict(text: str, start: int, end: int, skip: tuple[int, int]) -> bool | None:
    """True: the words show an event; False: a present-tense statement; None: neither."""
    matches = [m for m in _WORD.finditer(text, start, end) if not skip[0] <= m.start() < skip[1]]
    words = [m.group().lower() for m in matches]
    present = False
    for i, (m, word) in enumerate(zip(matches, words, strict=True)):
        if word in _EVENTIVE_WORDS or word.endswith(_EVENTIVE_ENDINGS):
            return True
        if past_form(words, i, m.group()):
            return True
        if word in _BE and i + 1 < len(words) and words[i + 1].endswith("ing"):
            return True  # progressive: "are meeting today"
        if word in _PRESENT_WORDS:
            present = True
    return False if present else None


def reports_an_event(sentence: str, start: int, end: int) -> bool:
    """Whether "today"/"this evening" at ``sentence[start:end]`` dates an event.

    The clause around the word decides first ("Can we say this evening that a thaw has begun"
    is a present-tense question, whatever its "that" clause says); a clause without a verb
    ("a small rise from earlier today") takes the verdict of its sentence.
    """
    left, right = _clause(sentence, start, end)
    verdict = _verdict(sentence, left, right, (start, end))
    if verdict is None:
        verdict = _verdict(sentence, 0, len(sentence), (start, end))
    return bool(verdict)


@dataclass(frozen=True, slots=True)
class Dated:
    """A date the story already gave: its value and where it stands in the text."""

    value: str
    start: int


def anaphor_value(kind: str, dated: list[Dated], position: int, reference: date | None,
                  window: int = 800) -> str | None:  # fmt: skip
    """The date an anaphoric phrase at ``position`` refers to, or ``None`` when unknown.

    Args:
        kind: ``"day"``, ``"year-before"`` or ``"year-earlier"`` (see ``DatePhrase.anaphor``).
        dated: Dates of the story so far, in text order (body dates only, no dateline).
        position: Offset of the anaphor.
        reference: The reference day (publication), when known.
        window: How far back (characters) a referent may stand.
    """
    before = [d for d in dated if position - window <= d.start < position]
    if kind == "day":
        days = [d for d in before if len(d.value) == 10]
        if days:
            return days[-1].value
        return reference.isoformat() if reference else None
    if kind == "year-before":
        years = [d for d in before if d.value[:4].isdigit()]
        if years and position - years[-1].start <= 300:
            return str(int(years[-1].value.split("/")[-1][:4]) - 1)
        return str(reference.year - 1) if reference else None
    # "the same month a year ago": the period named just before, a year earlier.
    periods = [d for d in before if len(d.value.split("/")[0]) >= 7 and position - d.start <= 300]
    if not periods:
        return None
    return "/".join(_year_earlier(part) for part in periods[-1].value.split("/"))


def _year_earlier(value: str) -> str:
    year, rest = int(value[:4]), value[4:]
    if rest == "-02-29":
        rest = "-02-28"
    return f"{year - 1:04d}{rest}"


_UNTIL_FUTURE = frozenset({"has", "have", "is", "are", "am", "will", "shall", "remain", "remains",
                           "stay", "stays"})  # fmt: skip
_UNTIL_PAST = frozenset({"was", "were", "had", "did"})


def until_is_future(sentence: str, start: int) -> bool:
    """ "shut until Thursday" in a present or perfect clause: the end of a state that still
    holds, so the coming Friday; "were closed until Friday" and "remained shut until Friday"
    are past.  The first tense-bearing word of the sentence decides ("has continued to keep
    markets closed until Friday" is perfect, whatever "closed" looks like)."""
    found = list(_WORD.finditer(sentence, 0, start))
    words = [m.group().lower() for m in found]
    for i, word in enumerate(words):
        if word in _UNTIL_FUTURE:
            return True
        if word in _UNTIL_PAST or word in _EVENTIVE_WORDS - {"will", "would", "shall", "won't",
                                                              "won’t", "ago"}:  # fmt: skip
            return False
        if past_form(words, i, found[i].group()):
            return False
    return True


def narrative_anchor(dated: list[Dated], position: int, paragraph_start: int) -> date | None:
    """The day of the nearest full date (day or month) before ``position`` in its paragraph.

    A year-less "March 3" in a passage about 1921 means March 3, 1921: a story anchors its
    dates in its own time, and the publication date only serves when the passage gives none.
    """
    for d in reversed(dated):
        if d.start >= position:
            continue
        if d.start < paragraph_start:
            return None
        value = d.value.split("/")[0]
        if len(value) == 10:
            return date.fromisoformat(value)
        if len(value) == 7:
            return date(int(value[:4]), int(value[5:7]), 15)
    return None
