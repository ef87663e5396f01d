"""Named entities: people, places and organisations, precision first.

The statistical NER proposes spans; rules decide what is shown.  A country or city is never listed
as a person (the gazetteer overrides the model), a lone word is accepted as a person only when the
article also names that person in full or gives them a title, and titles and possessives are
stripped so "President Ilham Aliyev’s" is listed as "Ilham Aliyev".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from briefings.gazetteer import is_city, is_known_place
from briefings.models import Entities
from briefings.sentences import split_sentences

_TITLES = frozenset(
    """president presidents prime minister ministers mr mr. mrs mrs. ms ms. dr dr. sir madam
    king queen prince princess chancellor secretary general secretary-general sheikh emir
    ambassador advisor adviser senator governor mayor premier vice deputy foreign defense
    defence state national security chairman chair spokesman spokeswoman spokesperson envoy
    leader commander general gen. colonel lt. captain director head chief his her excellency
    acting former late u.s. us tajik russian chinese french german""".split()
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_NAME_TOKEN = re.compile(r"^[A-Z][\w.'’-]*$")
_BAD_CHARS = re.compile(r"[\n\d@#/:+()\[\]{}<>|=\"“”]")
_TITLE_BEFORE = re.compile(
    r"(?:President|Minister|Chancellor|Secretary|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Prime Minister|"
    r"Premier|King|Queen|Prince|Senator|Ambassador|Advisor|Adviser|Governor|General)\s+$"
)
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
    words = name.split()
    while words and words[0].lower().rstrip(",") in _TITLES:
        words.pop(0)
    return " ".join(words)


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
        s
        for s in speakers
        if len(s.split()) >= 2
        and _looks_like_name(s)
        and not any(is_known_place(w) for w in s.split())
    ]
    single: list[tuple[str, int]] = []
    for name, start in candidates:
        if is_known_place(name) or any(is_known_place(w) for w in name.split()):
            continue
        if len(name.split()) >= 2:
            full.append(name)
        else:
            single.append((name, start))
    surnames = {w.lower() for n in full for w in n.split()}
    kept = list(full)
    for name, start in single:
        if name.lower() in surnames:
            continue  # "Aliyev" is already listed as "Ilham Aliyev"
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
        elif label in _ORG_LABELS and not _BAD_CHARS.search(name):
            orgs.append(name)
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
