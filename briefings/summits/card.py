"""The summit card: which meeting, who took part, what was decided, what comes next.

A reader of a briefing asks these four things first.  Every line is read from one sentence of
one article and carries that article and sentence; a line without a source is never made.  The
card says less rather than guess: participants only where a role stands before the name
("Norlandic President Maria Lind") in a sentence about the meeting; outcomes only where a verb
of decision is in the sentence and no other meeting (previous, next) is spoken of.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from briefings.models import Digest
from briefings.text.gazetteer import is_known_place
from briefings.text.sentences import split_sentences

_ROLE = (
    r"(?:Acting\s+)?(?:Vice\s+|Deputy\s+)?(?:President|Prime\s+Minister|Premier|Chancellor|"
    r"King|Queen|Emir|Sultan|Secretary\s+of\s+State|Secretary\s+General|Secretary-General|"
    r"Foreign\s+Minister|Minister\s+of\s+Foreign\s+Affairs|Defen[cs]e\s+Secretary|"
    r"Secretary\s+of\s+Defen[cs]e|Chairman|Chairwoman|National\s+Security\s+Advis[oe]r|"
    r"(?:Defen[cs]e|Interior|Finance|Trade|Economy)\s+Minister|"
    r"Minister\s+for\s+(?:[A-Z]\w*\s+){1,3}Affairs|(?:[A-Z][a-z]+\s+){0,3}Director|"
    r"Prosecutor-General)"
)
_PERSON = r"[A-Z][a-z’'-]+(?:\s+(?:[A-Z]\.|[A-Z][a-z’'-]+|da|de|el-|al-)){1,4}"
# "Norlandic President Maria Lind", "Danish Prime Minister Ole Berg" ("President of the
# Republic of X Y Z" is left out: where the title ends and the name begins is a guess).
_PARTICIPANT = re.compile(
    rf"(?P<role>(?:[A-Z][a-z]+\s+){{0,2}}{_ROLE}(?:\s+of\s+(?P<country>[A-Z][a-z]+))?)\s+"
    rf"(?P<name>{_PERSON})"
)
_LISTED = r"[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+){1,2}"
# "A B, C D and E F gave a joint news conference": a list of people who did something together.
_NAME_LIST = re.compile(
    rf"(?P<names>{_LISTED}(?:,\s+{_LISTED})+,?\s+and\s+{_LISTED})\s+(?:also\s+)?"
    r"(?:gave|held|met|took\s+part|attended|signed|agreed|discussed|joined|issued)\b"
)
_TOOK_PART = re.compile(
    r"\b(?:met|meet|meeting|talks|took\s+part|participat\w*|attend\w*|joined|co-chair\w*|"
    r"host\w*|summit|gathered|arrived|leaders?|news\s+conference|elected|chairman|delegations?|"
    r"involved|proposal|guest)\b",
    re.IGNORECASE,
)
_DECIDED = re.compile(
    r"\b(?:adopted|signed|approved|decided|agreed|endorsed|elected|ratified|postponed|"
    r"declared|designated|named|handed\s+over|reaffirmed|launched|to\s+adopt|supported|"
    r"welcomed|voiced\s+support|extended|chosen|made\s+the\s+decision|"
    r"to\s+be\s+signed|to\s+postpone)\b",
    re.IGNORECASE,
)
# Who decides at a meeting: an outcome names them ("the leaders agreed", "we adopted").
_DECIDERS = re.compile(
    r"\b(?:leaders?|we|members|participants|sides|council|summit|meeting|ministers|heads|"
    r"presidents|delegations|allies|organi[sz]ation|talks|committee|union|alliance)\b",
    re.IGNORECASE,
)
_NEXT_FIRST = re.compile(
    r"\b(?:next\s+(?:\w+\s+){0,2}(?:summit|meeting|session)|will\s+host|new\s+dates|"
    r"(?:chairmanship|presidency)\b[^.;]{0,60}\bwill\s+pass|will\s+take\s+over|"
    r"will\s+meet\s+again)\b",
    re.IGNORECASE,
)
_NEXT = re.compile(
    r"\b(?:next\s+(?:\w+\s+){0,2}(?:summit|meeting|session)|will\s+host|will\s+be\s+held|"
    r"will\s+take\s+place|will\s+meet|scheduled\s+(?:to|for)|plans\s+to|"
    r"new\s+dates|(?:chairmanship|presidency)\b[^.;]{0,60}\bwill\s+pass|will\s+take\s+over|"
    r"will\s+(?:also\s+)?(?:open|hold|discuss|visit|attend)|next\s+year\b[^.;]*\bwill\s+be)\b",
    re.IGNORECASE,
)
# Another meeting, or a hypothesis: not what this one decided.
_NOT_THIS = re.compile(
    r"\b(?:previous|last\s+year|earlier\s+summit|ago|anniversary|hope[sd]?|if|would|could|"
    r"should|may|might)\b|\?",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset({"The", "This", "Our", "Mr", "Mrs", "Ms"})
MAX_PARTICIPANTS = 8
MAX_OUTCOMES = 8
MAX_NEXT = 3
_MAX_TEXT = 220


@dataclass(frozen=True, slots=True)
class CardLine:
    """One line of a summit card and where it comes from."""

    kind: str  # "meeting" | "participant" | "outcome" | "next"
    text: str
    file: str
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (stored in the summit, exported as ``summits[].card``)."""
        return asdict(self)


def _short(sentence: str) -> str:
    text = " ".join(sentence.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1].rsplit(" ", 1)[0] + "…"


def _meeting_line(
    name: str, digests: Sequence[Digest], city: str | None, org: str | None
) -> CardLine | None:
    """The meeting, cited from the first headline or lead sentence naming its place (or its
    format, or any summit or meeting)."""
    for needle in (city, org, "summit", "meeting"):
        if not needle:
            continue
        for digest in digests:
            for text in (digest.meta.title or "", *digest.paragraphs[:6]):
                if needle.lower() not in text.lower():
                    continue
                for sentence in split_sentences(text):
                    low = sentence.text.lower()
                    if needle.lower() in low and re.search(r"summit|meet|talks|council", low):
                        return CardLine("meeting", name, digest.file, sentence.text.strip())
    return None


def build_card(
    name: str, organization: str | None, city: str | None, digests: Sequence[Digest]
) -> tuple[CardLine, ...]:
    """The card of one summit from its articles (newest first), every line with its source."""
    lines: list[CardLine] = []
    # No meeting line when not even the format is known: the name would say nothing.
    meeting = _meeting_line(name, digests, city, organization) if organization else None
    if meeting is not None:
        lines.append(meeting)
    org = (organization or "").replace("-", "")
    people: dict[str, CardLine] = {}
    outcomes: list[CardLine] = []
    upcoming: list[CardLine] = []
    seen: set[str] = set()
    for digest in digests:
        for sentence in split_sentences("\n".join(digest.paragraphs)):
            text = sentence.text.strip()
            if not text or text in seen:
                continue
            seen.add(text)
            if _TOOK_PART.search(text) or (org and org in text.replace("-", "")):
                for match in _PARTICIPANT.finditer(text):
                    if match["country"] and not is_known_place(match["country"]):
                        continue
                    person = re.sub(r"['’]s$", "", match["name"])
                    person = re.sub(r"\s+(?:da|de|el-|al-)$", "", person)
                    last = person.split()[-1]
                    if person.split()[0] in _NOT_NAMES or last in people:
                        continue
                    role = " ".join(match["role"].split())
                    people[last] = CardLine("participant", f"{person} ({role})", digest.file, text)
                listed = _NAME_LIST.search(text)
                for person in re.split(r",\s+|\s+and\s+", listed["names"]) if listed else ():
                    last = person.split()[-1]
                    if person.split()[0] not in _NOT_NAMES and last not in people:
                        people[last] = CardLine("participant", person, digest.file, text)
            if _NOT_THIS.search(text):
                continue
            decided = bool(_DECIDED.search(text) and _DECIDERS.search(text))
            if _NEXT_FIRST.search(text) or (_NEXT.search(text) and not decided):
                if len(upcoming) < MAX_NEXT:
                    upcoming.append(CardLine("next", _short(text), digest.file, text))
            elif decided and len(outcomes) < MAX_OUTCOMES:
                outcomes.append(CardLine("outcome", _short(text), digest.file, text))
    lines += list(people.values())[:MAX_PARTICIPANTS]
    return (*lines, *outcomes, *upcoming)
