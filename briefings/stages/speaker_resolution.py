"""Who a subject is: the subject token of a speech verb made a speaker (a pronoun to the person
named last, an appositive name over its role, "the minister" to the person the article calls so,
a document to its author, a description kept as written), and a lone first name or acronym
completed from the article's entities.

Split from :mod:`briefings.stages.attribution`, which finds the subject in the parse; these
methods are a base class of its :class:`~briefings.stages.attribution.Attributor`, which sets
the state declared below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from briefings.lexicon import PERSON_TITLES, TITLES
from briefings.stages.parse_tokens import (
    _NON_SPEAKERS,
    _SUBJECTS,
    DOCUMENT_NOUNS,
    INSTITUTION_NOUNS,
    _person_name,
    _pos,
    _subject_of,
)
from briefings.stages.speakers import PersonIndex, clean_name, looks_like_person
from briefings.text.document import PLACE_LABELS, ArticleDoc


class _SpeakerResolution:
    """Making a subject a speaker, for one article; the state is set by ``Attributor``."""

    doc: ArticleDoc
    persons: PersonIndex
    quotes: list[tuple[int, int]]
    narrator: Callable[[int], str | None] | None
    _labels: dict[str, set[str]] | None

    def complete(self, name: str) -> str:
        """A lone first name ("Steve") is the one person the model tags with that first name
        ("Steve Jobs"), an acronym the one organisation with those initials; with none or
        several, the name stays as written."""
        if " " in name:
            return name
        if name.isupper() and 2 <= len(name) <= 5:
            # "GM" is the "General Motors" the article names (initials of its capitalised words).
            longs = {
                e.text
                for e in self.doc.entities
                if e.label == "ORG"
                and "".join(w[0] for w in e.text.split() if w[:1].isupper()) == name
            }
            return longs.pop() if len(longs) == 1 else name
        full = {
            e.text
            for e in self.doc.entities
            if e.label == "PERSON"
            and " " in e.text
            and name in (e.text.split()[0], e.text.split()[-1])
        }
        return full.pop() if len(full) == 1 else name

    def _previous_subject(self, pos: int) -> str | None:
        """The person who is the subject of the sentence before the one at ``pos`` (when that
        sentence was parsed): news prose continues with the last sentence's subject."""
        para = self.doc.paragraph_of(pos)
        for index in (para, para - 1):
            parsed = self.doc.parses.get(index)
            if parsed is None or index < 0:
                continue
            base = self.doc.parse_starts[index]
            before = [
                s
                for s in parsed.sents
                if base + s.end_char <= pos
                and not self._quoted(base + s.start_char, base + s.end_char)
            ]
            if not before:
                continue
            last = before[-1]
            subj = _subject_of(last.root)
            if (
                subj is None
                or _pos(subj) != "PROPN"
                or self._quoted(base + subj.idx, base + subj.idx)
                or any(c.dep_ == "conj" for c in subj.children)  # "Lee and Park met": which?
            ):
                return None
            name = self._proper(subj, base)
            if name is None or "PERSON" not in self.labels(name) | self._person_label(name):
                return None
            return name
        return None

    def _quoted(self, start: int, end: int) -> bool:
        """Whether text offsets ``start``..``end`` lie inside one quotation (quoted words)."""
        return any(s <= start and end <= t + 1 for s, t in self.quotes)

    def is_organisation(self, name: str) -> bool:
        """Whether the model tags ``name`` as an organisation or a place in this article."""
        labels = self.labels(name)
        return bool(labels & (PLACE_LABELS | {"ORG"})) and "PERSON" not in labels

    def labels(self, name: str) -> set[str]:
        """Every label the model gives ``name`` in this article (a final full stop ignored)."""
        if self._labels is None:
            self._labels = {}
            for e in self.doc.entities:
                self._labels.setdefault(e.text.rstrip("."), set()).add(e.label)
        return self._labels.get(name.rstrip("."), set())

    def pronoun(self, pos: int, pronoun: str) -> str | None:
        """The person "he"/"she" at ``pos`` refers to.

        The article's speakers and titled people (:meth:`PersonIndex.antecedent`) agree with the
        people the model tags in the last few sentences, or the one person tagged there wins;
        two different people there and no agreement make the pronoun ambiguous: None.
        """
        found = self.persons.antecedent(pos, pronoun)
        if found is not None and self.is_organisation(found):
            found = None
        previous = self._previous_subject(pos)
        want = {"he": "m", "she": "f"}.get(pronoun.lower())
        if previous is not None and self.persons.gender(previous) not in (None, want):
            previous = None  # "Mr. Lee met Mrs. Park. … she said": not Mr. Lee
        if previous is not None:
            return previous
        names = {
            self.persons.expand(e.text, e.start)
            for e in self.doc.entities
            if e.label == "PERSON"
            and pos - 400 <= e.start < pos
            and not any(s <= e.start < t for s, t in self.quotes)
            and not self.labels(e.text) & (PLACE_LABELS | {"ORG"})
        }
        surnames = {n.split()[-1] for n in names if n.split()}
        if found is not None and (not surnames or found.split()[-1] in surnames):
            return found
        if len(surnames) != 1:
            return None  # nobody named just before, or two people: ambiguous
        return max(names, key=len)

    # -- finding the predicate --------------------------------------------------------------

    def _person_label(self, name: str) -> set[str]:
        return {"PERSON"} if self.persons.knows(name) else set()

    def _speaker(self, subj: Any, base: int) -> str | None:
        low = subj.lower_
        pos = base + subj.idx
        if low in ("he", "she"):
            # "Lee said he was shocked, saying": a pronoun in a subordinate clause is the
            # subject of the clause above it.
            for anc in subj.ancestors:
                above = _subject_of(anc)
                if above is not None and above is not subj and above.i < subj.i:
                    if _pos(above) == "PROPN":
                        return self._proper(above, base)
                    break
            return self.pronoun(pos, low)
        if low == "i" and self.narrator is not None:
            return self.narrator(pos)  # "I said then: “…”" in a transcript turn
        if low in _NON_SPEAKERS or _pos(subj) == "PRON":
            return None
        appos = next((c for c in subj.children if c.dep_ == "appos" and _pos(c) == "PROPN"), None)
        own = self.doc.entity_at(base + subj.idx, base + subj.idx + len(subj.text))
        if appos is not None and (own is None or own.label != "PERSON"):
            # "Acme's chief, Jo Lee, said": the name in apposition, not the role.
            subj = appos
            pos = base + subj.idx
        capital = subj.text[:1].isupper()
        if (_pos(subj) == "PROPN" and capital) or (subj.is_title and self._named(subj, base)):
            # A capitalised word past the sentence start is a name even when tagged a noun
            # ("…,” said Angers.").
            return self._proper(subj, base)
        if subj.lower_ in DOCUMENT_NOUNS:
            return self._document(subj, base)
        return self._description(subj, base)

    def _named(self, tok: Any, base: int) -> bool:
        """Whether a capitalised word tagged a common noun is a name: past the sentence start,
        or one the model or the article knows as a person's."""
        if tok.i > tok.sent.start:
            return True
        at = base + tok.idx
        ent = self.doc.entity_at(at, at + len(tok.text))
        return (
            (ent is not None and ent.label == "PERSON")
            or self.persons.knows(tok.text)
            or self.complete(tok.text) != tok.text
        )

    def _proper(self, head: Any, base: int) -> str | None:
        ent = self.doc.entity_at(base + head.idx, base + head.idx + len(head.text))
        if ent is not None and ent.label in PLACE_LABELS:
            return None
        if ent is not None and ent.label in ("PERSON", "ORG"):
            name = ent.text
        else:
            toks = [head]
            left = head.i - 1
            while left >= 0 and _pos(head.doc[left]) == "PROPN" and head.doc[left].head is head:
                toks.insert(0, head.doc[left])
                left -= 1
            name = " ".join(t.text for t in toks)
        if ent is not None and ent.label == "ORG" and not self.persons.knows(name):
            # An institution keeps its words ("Foreign Ministry"), only its article goes.
            return name[4:] if name.lower().startswith("the ") else name
        if head.lower_ in PERSON_TITLES and any(c.lower_ == "the" for c in head.children):
            return self.persons.by_role(base + head.idx, head.lower_)  # "The President said"
        cleaned = clean_name(name)
        if cleaned is None:
            return None
        person = ent is not None and ent.label == "PERSON" and _person_name(cleaned.name)
        if person or looks_like_person(cleaned.name):
            return self.complete(self.persons.expand(cleaned.name, base + head.idx))
        completed = self.complete(cleaned.name)
        if completed != cleaned.name and " " not in cleaned.name:
            return completed  # "Lee" tagged ORG here, but the article named "Jo Lee" before
        if ent is not None and ent.label == "ORG":
            return cleaned.name
        return None

    def _document(self, noun: Any, base: int) -> str | None:
        """Read-out material: the author when named ("Lenin's letter", "a letter from X"),
        else the document when described ("a popular poem"), else nobody."""
        for child in noun.children:
            if child.dep_ == "poss" and _pos(child) == "PROPN":
                return self._proper(child, base)
            if child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
                obj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if obj is not None and _pos(obj) == "PROPN":
                    return self._proper(obj, base)
        mods = [c for c in noun.lefts if c.dep_ in ("amod", "compound", "poss")]
        if not mods or any(_pos(m) == "PRON" for m in mods):
            return None
        first = min(m.left_edge.i for m in mods)
        return str(noun.doc[first : noun.i + 1].text)

    def _name_inside(self, noun: Any, base: int) -> str | None:
        """ "the vice chairman of Acme Jo Lee": a role phrase that holds one person's name is
        that person (two names in it: nobody)."""
        lo, hi = noun.left_edge.idx, noun.right_edge.idx + len(noun.right_edge.text)
        if noun.dep_ in _SUBJECTS and noun.head.i > noun.i:
            hi = max(hi, noun.head.idx)  # up to its verb: "the chief of staff General Jo Lee said"
        people = {
            e.text
            for e in self.doc.entities
            if e.label == "PERSON" and base + lo <= e.start and e.end <= base + hi
        }
        if len(people) != 1:
            return None
        name = people.pop()
        if self._principal(noun.doc, base, name, lo):
            return None
        cleaned = clean_name(name)
        if cleaned is None or not _person_name(cleaned.name):
            return None
        return self.persons.expand(cleaned.name, base + lo)

    def _principal(self, parsed: Any, base: int, name: str, lo: int) -> bool:
        """Whether ``name`` in a role phrase is whom the role serves, not who holds it: "a
        spokesman for (President) Jo Lee", "an aide to Lee", "the envoy of President Lee" —
        unlike "the chairman of Acme Jo Lee", where an organisation stands between."""
        at = self.doc.text.find(name, base + lo)
        toks = [t for t in parsed if base + t.idx < at]
        i = len(toks) - 1
        while i >= 0 and toks[i].lower_ in TITLES:
            i -= 1  # titles before the name belong to it
        return i >= 0 and toks[i].lower_ in ("for", "to", "of", "with", "at", "from", "by")

    @staticmethod
    def _institution(noun: Any) -> str | None:
        """ "the Kremlin press service", "the Polish government": an institution named by a
        capitalised modifier speaks as a source; "the company" alone names none."""
        if noun.lower_ not in INSTITUTION_NOUNS:
            return None
        mods = [c for c in noun.lefts if c.dep_ in ("compound", "amod", "nmod")]
        if not any(m.text[:1].isupper() for m in mods):
            return None
        first = min(m.left_edge.i for m in mods)
        return str(noun.doc[first : noun.i + 1].text)

    def _description(self, noun: Any, base: int) -> str | None:
        """A common-noun subject: "the minister" is someone the article named (by role); "an
        analyst at X" is someone it does not name (kept as the description)."""
        words = [t for t in noun.subtree if t.dep_ not in ("relcl", "punct", "appos")]
        det = next((c for c in noun.children if c.dep_ == "det"), None)
        definite = det is not None and det.lower_ in ("the", "this", "that")
        owned = any(c.dep_ == "poss" for c in noun.children)
        named = self._name_inside(noun, base)
        if named is not None:
            return named
        institution = self._institution(noun)
        if institution is not None:
            return institution
        if definite or owned:
            role = noun.lower_
            if role in PERSON_TITLES:
                return self.persons.by_role(base + noun.idx, role)
            return None
        if det is None or det.lower_ not in ("a", "an"):
            return None
        # The description up to the noun and its of/at phrase, without the article.
        kept = [t for t in words if t.i > det.i and _pos(t) != "PRON"]
        if not kept or len(kept) > 8:
            return None
        text = str(noun.doc[kept[0].i : kept[-1].i + 1].text)
        return text if "," not in text else None
