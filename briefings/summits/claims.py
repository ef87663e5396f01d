"""Checkable claims and the disagreements between sources, across the whole archive.

A claim is a subject, an attribute and a value, with the sentence that states it:

* a title for a year: "X was named the cultural capital of Y for 2030" -> (X, "year as cultural
  capital", "2030"); "naming X the 2030 Youth Capital of Y", "X will be the 2030 host city";
* who holds a chairmanship or presidency when: "the chairmanship of Y will pass to Z on January
  1, 2030" -> ("Y chairmanship", "holder in 2030", "Z"); "Z will take over the Y presidency in
  2030"; "X handed over the Y chairmanship to Z";
* where and when the next meeting is: "the next Y summit will be held in Rome in May 2031" ->
  ("next Y summit", "place, as stated in 2030", "Rome");
* counts: "drew more than 900 athletes from 11 nations" -> (the named event of the
  sentence, "athletes", ">900"), ("…", "nations", "11").  A count about a subject with no
  ordinal or year of its own ("the Games", "the G20 summit") is kept to its own summit, because
  two meetings of one format legitimately have different counts.

Two sources disagree when they give different values for the same subject and attribute,
whether or not they report the same summit.  Two meetings on two dates are two subjects, never a
disagreement: no claim compares the dates of meetings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefings.models import Conflict, Digest, SourcedClaim
from briefings.text.sentences import split_sentences

_YEAR = r"(?:19[5-9]\d|20\d\d)"
_NAME = r"[A-Z][\w’'-]+(?:\s+(?:of\s+|de\s+|al-)?[A-Z][\w’'-]+){0,3}"
_TITLE = r"(?:[A-Za-z][\w-]*\s+){0,3}?(?i:capital|city|host|centre|center|seat|venue)"
# "of the CIS", "of the region": whose title it is (not compared).
_OF = r"(?:\s+of\s+(?:the\s+)?(?:[\w’'-]+\s+){0,3}?[\w’'-]+)?"
_DESIGNATE = (
    r"(?:nam(?:e|ed|ing)|declar(?:e|ed|ing)|declaration\s+of|designat(?:e|ed|ing)|"
    r"designation\s+of|chos(?:e|en)|select(?:ed|ion\s+of)|proclaim(?:ed|ing)|"
    r"proclamation\s+of|recogni[sz](?:ed|ing)|elect(?:ed|ing)|confirm(?:ed|ing))"
)
# "naming Lisbon the 2030 Youth Capital of Europe", "declaration of X as the capital of Y for 2030"
_TITLE_ACTIVE = re.compile(
    rf"\b{_DESIGNATE}\s+(?P<subject>{_NAME})\s+(?:as\s+)?(?:the\s+)?(?:(?P<year1>{_YEAR})\s+)?"
    rf"(?P<title>{_TITLE})\b{_OF}"
    rf"(?:\s+(?:for|in)\s+(?:(?P<year2>{_YEAR})|(?P<rel>next|this|last)\s+year))?"
)
# "X was named the cultural capital of Y for 2030", "X will be the 2030 host city"
_TITLE_PASSIVE = re.compile(
    rf"(?P<subject>{_NAME})\s+(?:was|is|has\s+been|had\s+been|will\s+be|becomes|became)\s+"
    rf"(?:(?:officially\s+)?{_DESIGNATE}\s+)?(?:as\s+)?(?:the\s+)?(?:(?P<year1>{_YEAR})\s+)?"
    rf"(?P<title>{_TITLE})\b{_OF}"
    rf"(?:\s+(?:for|in)\s+(?:(?P<year2>{_YEAR})|(?P<rel>next|this|last)\s+year))?"
)
_CHAIR = r"(?:chairmanship|presidency|rotating\s+presidency|chair)"
# "the chairmanship of the Union will pass from A to B", "the CIS presidency passes to B"
_CHAIR_PASSES = re.compile(
    rf"\b(?:(?P<org1>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){{0,3}})['’]?s?\s+)?{_CHAIR}"
    rf"(?:\s+of\s+(?:the\s+)?(?P<org2>{_NAME}))?\s+(?:will\s+)?"
    rf"(?:pass(?:es|ed)?|go(?:es)?|went|be\s+handed\s+over|(?:is|was)\s+handed\s+over|"
    rf"be\s+transferred|(?:is|was)\s+transferred)\s+(?:from\s+(?P<old>{_NAME})\s+)?"
    rf"to\s+(?P<holder>{_NAME})"
)
# "B will take over the chairmanship of the Union", "B assumed the CIS presidency"
_CHAIR_TAKES = re.compile(
    rf"(?P<holder>{_NAME})\s+(?:will\s+)?(?:take|takes|took|assume[sd]?|will\s+assume|"
    rf"holds?|held|will\s+hold)\s+(?:over\s+)?the\s+"
    rf"(?:(?P<org1>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){{0,3}})\s+)?{_CHAIR}"
    rf"(?:\s+of\s+(?:the\s+)?(?P<org2>{_NAME}))?"
)
# "A handed over the chairmanship of the Union to B"
_CHAIR_HANDS = re.compile(
    rf"(?P<old>{_NAME})\s+(?:will\s+)?hand(?:s|ed)?\s+over\s+the\s+"
    rf"(?:(?P<org1>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){{0,3}})\s+)?{_CHAIR}"
    rf"(?:\s+of\s+(?:the\s+)?(?P<org2>{_NAME}))?\s+to\s+(?P<holder>{_NAME})"
)
# "the next CIS summit will be held in Kazan", "Rome will host the next summit"
_NEXT_HELD = re.compile(
    r"\b(?:the\s+)?next\s+(?P<org>(?:[A-Z][\w’'+-]*\s+){0,3})(?:summit|meeting)\s+"
    r"(?:will|is\s+(?:to|set\s+to|scheduled\s+to|expected\s+to))\s+(?:be\s+held|take\s+place)"
    rf"\s+in\s+(?P<place>{_NAME})"
)
_NEXT_HOSTS = re.compile(
    rf"(?P<place>{_NAME})\s+will\s+host\s+the\s+next\s+"
    r"(?P<org>(?:[A-Z][\w’'+-]*\s+){0,3})(?:summit|meeting)"
)
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_UNITS = (
    r"athletes|nations|countries|delegations|participants|leaders|heads\s+of\s+state|"
    r"member\s+states|members|states|documents|agreements|journalists|volunteers|troops|"
    r"soldiers|sportsmen|teams|competitors|guests|companies|contracts|deals"
)
_COUNT = re.compile(
    rf"(?P<qual>\b(?:over|more\s+than|at\s+least|nearly|almost|about|around|some|roughly|"
    rf"approximately|up\s+to|fewer\s+than|less\s+than)\s+)?(?P<num>\b(?:{_NUMBER}))\s+"
    rf"(?P<unit>{_UNITS})\b"
)
# A named event or body that a count is about: "the 2nd Nordic Games", "the Baltic Cup".
_EVENT = re.compile(
    r"\b(?:(?P<ord>\d+(?:st|nd|rd|th)|First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|"
    r"Ninth|Tenth|(?:19|20)\d\d)\s+)?(?P<name>(?:[A-Z][\w’'+-]*\s+){0,3}"
    r"(?:Games|Olympics|Cup|Championships?|Summit|Forum|Congress|Festival|Expo|Conference))\b"
)
_LOWER_BOUND = frozenset({"over", "more than", "at least"})
_UPPER_BOUND = frozenset({"up to", "fewer than", "less than"})
_ABOUT = frozenset({"nearly", "almost", "about", "around", "some", "roughly", "approximately"})


@dataclass(frozen=True, slots=True)
class Claim:
    """One source's statement of a checkable fact."""

    subject: str
    attribute: str
    #: The value as compared: a year, a name, or a count with ``>``, ``<`` or ``~`` before it.
    value: str
    sentence: str
    file: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """What two claims must share to be compared."""
        return (_norm(self.subject), _norm(self.attribute))


def _norm(text: str) -> str:
    text = re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)
    return " ".join(re.findall(r"[\w+]+", text.lower()))


def _relative_year(word: str | None, published: str | None) -> str | None:
    if not word or not published:
        return None
    offset = {"next": 1, "this": 0, "last": -1}[word.lower()]
    return str(int(published[:4]) + offset)


def _title_claims(sentence: str, published: str | None) -> list[Claim]:
    claims = []
    for pattern in (_TITLE_ACTIVE, _TITLE_PASSIVE):
        for m in pattern.finditer(sentence):
            year = m["year1"] or m["year2"] or _relative_year(m["rel"], published)
            if year is None:
                continue  # a title without a year is not checkable here
            title = _norm(m["title"])
            claims.append(Claim(m["subject"], f"year as {title}", year, sentence))
    return claims


def _chair_claims(sentence: str, published: str | None, default_org: str | None) -> list[Claim]:
    claims = []
    years = re.findall(rf"\b{_YEAR}\b", sentence)
    year = years[0] if years else (published[:4] if published else None)
    if year is None:
        return []
    for pattern in (_CHAIR_PASSES, _CHAIR_TAKES, _CHAIR_HANDS):
        for m in pattern.finditer(sentence):
            org = m["org2"] or m["org1"] or ""
            org = re.sub(r"^(?:The|This|Its|Their|His|Her)\b\s*", "", org) or default_org or ""
            if not org:
                continue
            claims.append(Claim(f"{org} chairmanship", f"holder in {year}", m["holder"], sentence))
    return claims


def _next_claims(sentence: str, published: str | None, default_org: str | None) -> list[Claim]:
    if not published:
        return []  # "next" of an undated article: next after what?
    claims = []
    for pattern in (_NEXT_HELD, _NEXT_HOSTS):
        for m in pattern.finditer(sentence):
            org = (m["org"] or "").strip() or default_org
            if not org:
                continue
            claims.append(
                Claim(
                    f"next {org} summit",
                    f"place, as stated in {published[:4]}",
                    m["place"],
                    sentence,
                )
            )
    return claims


def _count_value(qualifier: str | None, number: str) -> str:
    qual = " ".join((qualifier or "").lower().split())
    value = number.replace(",", "")
    if qual in _LOWER_BOUND:
        return f">{value}"
    if qual in _UPPER_BOUND:
        return f"<{value}"
    if qual in _ABOUT:
        return f"~{value}"
    return value


def _count_claims(sentence: str, scope: str) -> list[Claim]:
    claims = []
    events = list(_EVENT.finditer(sentence))
    for m in _COUNT.finditer(sentence):
        before = [e for e in events if e.end() <= m.start()]
        if not before:
            continue
        event = before[-1]
        subject = re.sub(r"^(?:The|This|That|Its)\s+", "", " ".join(event.group().split()))
        if not event["ord"]:
            subject = f"{subject} ({scope})"  # "the summit": only within its own meeting
        unit = " ".join(m["unit"].lower().split())
        claims.append(Claim(subject, unit, _count_value(m["qual"], m["num"]), sentence))
    return claims


def extract_claims(
    paragraphs: Sequence[str],
    *,
    published: str | None = None,
    organization: str | None = None,
    scope: str = "",
    file: str = "",
) -> list[Claim]:
    """Every checkable claim of an article's body, in text order.

    ``organization``: the article's format ("CIS"), for "the next summit" and "the
    chairmanship" without a name; ``scope``: the article's summit key, which counts about an
    unnamed or unnumbered event are kept to.
    """
    claims: list[Claim] = []
    for sentence in split_sentences("\n".join(paragraphs)):
        text = sentence.text
        found = _title_claims(text, published)
        found += _chair_claims(text, published, organization)
        found += _next_claims(text, published, organization)
        found += _count_claims(text, scope or file)
        claims += [Claim(c.subject, c.attribute, c.value, c.sentence, file) for c in found]
    return list(dict.fromkeys(claims))


def _compatible(a: str, b: str) -> bool:
    """Do two values agree?  Counts with bounds or "about" agree when they can both be true."""
    if a == b:
        return True
    if not (a.lstrip("<>~").replace(".", "").isdigit() and b.lstrip("<>~").isdigit()):
        return _norm(a) == _norm(b)
    low_a, high_a = _range(a)
    low_b, high_b = _range(b)
    return low_a <= high_b and low_b <= high_a


def _range(value: str) -> tuple[float, float]:
    number = float(value.lstrip("<>~"))
    if value.startswith(">"):
        return (number, float("inf"))
    if value.startswith("<"):
        return (0.0, number)
    if value.startswith("~"):
        return (number * 0.9, number * 1.1)
    return (number, number)


def find_disagreements(claims: Iterable[Claim]) -> tuple[Conflict, ...]:
    """Subjects and attributes on which two sources state values that cannot both be true."""
    by_key: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        by_key[claim.key].append(claim)
    conflicts: list[Conflict] = []
    for key in sorted(by_key):
        group = by_key[key]
        files_of: dict[str, set[str]] = defaultdict(set)  # distinct values: a few, not n²
        for claim in group:
            files_of[claim.value].add(claim.file)
        values = sorted(files_of)
        clash = any(
            len(files_of[a] | files_of[b]) > 1 and not _compatible(a, b)
            for i, a in enumerate(values)
            for b in values[i + 1 :]
        )
        if not clash:
            continue
        seen: dict[tuple[str, str], Claim] = {}
        for claim in group:
            seen.setdefault((claim.file, _norm(claim.value)), claim)
        first = group[0]
        conflicts.append(
            Conflict(
                topic=f"{first.subject}: {first.attribute}",
                claims=tuple(
                    SourcedClaim(c.value, c.file, c.sentence)
                    for c in sorted(seen.values(), key=lambda c: (c.file, c.value))
                ),
            )
        )
    return tuple(conflicts)


def claims_of_digest(digest: Digest) -> list[Claim]:
    """:func:`extract_claims` of a stored digest, scoped to its own meeting."""
    organization = (digest.summit or "").split("|")[0] or None
    return extract_claims(
        digest.paragraphs,
        published=digest.meta.published,
        organization=organization,
        scope=digest.summit or digest.file,
        file=digest.file,
    )
