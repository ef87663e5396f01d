"""Named entities: people, places and organisations, precision first.

The statistical NER proposes spans; rules decide what is shown.  A country or city is never listed
as a person (the gazetteer overrides the model), a lone word is accepted as a person only when the
article also names that person in full or gives them a title, and titles and possessives are
stripped so "President Maria Lind’s" is listed as "Maria Lind".

The gazetteer judges a lone word only: in a full name a first name that is also a city stays a
first name ("Vladimir Putin", "George W. Bush"), and a country glued before a leader's name in a
list of participants ("President of Armenia Nikol Pashinyan") is trimmed, not a reason to drop
him.  A name headed by an institution, a document or a company word ("European Parliament",
"Lisbon Treaty", "Douglas Aircraft"), holding an acronym ("Mac OSX") or opening with an article
("Der Spiegel") is not a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from briefings.lexicon import NAME_PREFIX_WORDS as _TITLES
from briefings.models import Entities
from briefings.text.gazetteer import is_city, is_country_or_region, is_known_place
from briefings.text.sentences import split_sentences

_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_NAME_TOKEN = re.compile(r"^[A-Z][\w.'’-]*$")
_BAD_CHARS = re.compile(r"[\n\d@#/:+()\[\]{}<>|=\"“”]")
_TITLE_BEFORE = re.compile(
    r"(?:President|Minister|Chancellor|Secretary|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Prime Minister|"
    r"Premier|King|Queen|Prince|Senator|Ambassador|Advisor|Adviser|Governor|General)\s+$"
)
#: Head nouns of institutions, documents, territories, firms and products: a name ending in one
#: names no person.  (A closed class of English designators, not names from any article.)
_NON_PERSON_HEADS = frozenset(
    """parliament assembly duma senate congress council commission committee ministry
    department office agency bureau authority court union alliance league federation
    organisation organization institute university college school party movement front
    government administration presidency chairmanship secretariat summit forum conference
    treaty agreement accord accords convention protocol charter declaration pact act
    territory territories province region republic kingdom state states district county
    inc inc. corp corp. corporation co co. ltd ltd. llc plc group company holdings bank fund
    exchange index airlines airways airplanes aircraft motors store stores shop
    network channel times journal news gazette""".split()
)
#: Articles that open a title (a newspaper, a band, a ship), never a personal name.
_LEADING_ARTICLES = frozenset({"the", "der", "die", "das"})
_ROMAN = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "jr", "sr"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_ORG_LABELS = frozenset({"ORG"})
_MAX_ENTITY_WORDS = 7


def _clean(span_text: str) -> str:
    text = span_text.strip().strip(".,;:!?-–—'’\"“”")
    text = _POSSESSIVE.sub("", text)
    if text.lower().startswith("the "):
        text = text[4:]
    return text.strip()


def _strip_titles(name: str) -> str:
    """Drop leading titles with the word qualifying them, and a country named with the title:
    "President of Norland Maria Lind", "Norlandic President Maria Lind" and "Norland Maria
    Lind" become "Maria Lind"."""
    words = name.split()
    titled = False
    while words and (_is_title(words[0]) or (len(words) > 2 and _is_title(words[1]))):
        # A title, or the word that qualifies one ("Norlandic President", "U.S. Senator"):
        # whatever stands before an office word is not part of the person's name.
        words.pop(0)
        titled = True
        if titled and len(words) > 1 and words[0].lower() in {"of", "the"}:
            words.pop(0)
    return " ".join(_trim_place(words))


def _is_title(word: str) -> bool:
    return word.lower().rstrip(",") in _TITLES


def _trim_place(words: list[str]) -> list[str]:
    """A country (up to three words) before at least two more name words is trimmed; a city is
    not, since many cities share their name with a first name ("George W. Bush")."""
    for size in (3, 2, 1):
        if len(words) >= size + 2 and is_country_or_region(" ".join(words[:size])):
            rest = words[size:]
            return rest[1:] if rest[0].lower() in {"of", "the"} else rest
    return words


def is_person_name(name: str) -> bool:
    """Whether a cleaned span can be a personal name (see the module docstring)."""
    words = name.split()
    if not words or words[0].lower() in _LEADING_ARTICLES:
        return False
    if words[-1].lower() in _NON_PERSON_HEADS:
        return False
    if any(len(w.rstrip(".")) > 1 and w.isupper() and w.lower() not in _ROMAN for w in words):
        return False  # An acronym: "Mac OSX", "BRICS Chairmanship".
    if len(words) == 1:
        return not is_known_place(name)
    if len(words) == 2 and is_country_or_region(words[-1]):
        return False  # "<Brand> <Country>": a national company ("Air Ruritania"), no surname
    # The gazetteer judges the whole name (or a name made only of places), never one word.
    return not is_known_place(name) and not all(is_known_place(w) for w in words)


def _looks_like_name(name: str) -> bool:
    words = name.split()
    return (
        0 < len(words) <= 5
        and all(
            _NAME_TOKEN.match(w) or w.lower() in {"de", "van", "von", "al", "bin", "da", "le"}
            for w in words
        )
        and not _BAD_CHARS.search(name)
        and not name.isupper()
    )


def _dedupe(names: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return tuple(seen.values())


def _people(
    candidates: Sequence[tuple[str, int]], text: str, speakers: Sequence[str] = ()
) -> tuple[str, ...]:
    """Keep PERSON candidates that survive the precision rules; fold surnames into full names.

    Named speakers of quotations are people too (the quote stage found them by their speech
    verbs, which the NER model does not see), when they look like a full personal name.
    """
    full: list[str] = [
        s for s in speakers if len(s.split()) >= 2 and _looks_like_name(s) and is_person_name(s)
    ]
    single: list[tuple[str, int]] = []
    for name, start in candidates:
        if not is_person_name(name):
            continue
        if len(name.split()) >= 2:
            full.append(name)
        else:
            single.append((name, start))
    surnames = {w.lower() for n in full for w in n.split()}
    kept = list(full)
    for name, start in single:
        if name.lower() in surnames:
            continue  # "Lind" is already listed as "Maria Lind"
        titled = _TITLE_BEFORE.search(text, max(0, start - 40), start)
        if titled and not is_city(name):
            kept.append(name)
    return _dedupe(kept)


def entities_from_spans(
    spans: Iterable[tuple[str, str, int]], text: str, speakers: Sequence[str] = ()
) -> Entities:
    """Turn NER spans ``(text, label, offset in text)`` into :class:`Entities` under the rules."""
    people: list[tuple[str, int]] = []
    places: list[str] = []
    orgs: list[str] = []
    spans = list(spans)
    labels: dict[str, list[str]] = {}
    for raw, label, _ in spans:
        labels.setdefault(_clean(raw).lower(), []).append(label)
    for raw, label, start in spans:
        if "\n" in raw or len(raw.split()) > _MAX_ENTITY_WORDS:
            continue
        name = _clean(raw)
        if not name or not name[0].isupper():
            continue
        if label == "PERSON":
            stripped = _strip_titles(name)
            if is_known_place(stripped):
                places.append(stripped)
            elif _looks_like_name(stripped):
                # Offset of the name itself, so a title right before it is seen.
                people.append((stripped, start + raw.find(stripped.split()[0])))
        elif label == "GPE" or is_known_place(name) or (label in _PLACE_LABELS and is_city(name)):
            places.extend(part.strip() for part in name.split(",") if part.strip())
        elif (person := _leader_after_place(name, text, start)) is not None:
            people.append(person)
        elif label in _ORG_LABELS and not _BAD_CHARS.search(name):
            orgs.append(name)
    people = [(name, at) for name, at in people if not _mostly_other(name, labels)]
    kept_people = _people(people, text, speakers)
    person_set = {p.lower() for p, _ in people} | {p.lower() for p in kept_people}
    person_set |= {p.split()[-1].lower() for p in kept_people}  # "Scholz" tagged as a place
    return Entities(
        people=kept_people,
        places=_dedupe(p for p in places if p.lower() not in person_set),
        organizations=_dedupe(
            o
            for o in orgs
            if not is_known_place(o)
            and o.lower() not in person_set
            and not (o.isupper() and " " in o)  # "RIO DE": a shouted dateline, not a body
        ),
    )


def _mostly_other(name: str, labels: dict[str, list[str]]) -> bool:
    """The model tagged this name as an organisation or place more often than as a person
    across the article ("Washington Mutual" once PERSON, twice ORG): it is not a person."""
    seen = labels.get(name.lower(), [])
    return sum(label != "PERSON" for label in seen) > sum(label == "PERSON" for label in seen)


def _leader_after_place(name: str, text: str, start: int) -> tuple[str, int] | None:
    """ "President of Kazakhstan Kassym-Jomart Tokayev" tagged as one organisation: after a
    title and "of", a known place followed by a full name is that person's country."""
    words = name.split()
    rest = _trim_place(words)
    if rest is words or len(rest) < 2 or not _looks_like_name(" ".join(rest)):
        return None
    if not _TITLE_OF_BEFORE.search(text, max(0, start - 40), start):
        return None
    person = " ".join(rest)
    return person, start + name.find(rest[0])


_TITLE_OF_BEFORE = re.compile(
    r"(?:President|Minister|Chancellor|Secretary|Premier|King|Queen|Prince|Emir|Leader|Head"
    r"|Chairman|Chair|Speaker|Governor)\s+of\s+(?:the\s+)?$"
)


def _needs_ner(sentence: str) -> bool:
    """Only sentences with a capitalised word past the first can hold a name worth tagging."""
    return any(word.lstrip("\"'“‘(«")[:1].isupper() for word in sentence.split()[1:])


def extract_entities(text: str, nlp: Any, speakers: Sequence[str] = ()) -> Entities:
    """Run NER over the sentences that can contain names, and apply the precision rules.

    Sentences without a capitalised word after the first (about a third of news prose) cannot
    contain a name, so they are not sent through the model: NER is most of a build's cost.
    """
    sentences = [s for s in split_sentences(text) if _needs_ner(s.text)]
    spans: list[tuple[str, str, int]] = []
    for sentence, doc in zip(sentences, nlp.pipe(s.text for s in sentences), strict=True):
        spans.extend((e.text, e.label_, sentence.start + e.start_char) for e in doc.ents)
    return entities_from_spans(spans, text, speakers)
