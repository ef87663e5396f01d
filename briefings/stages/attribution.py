"""Who said a quotation, read from the dependency parse.

A quotation's speaker is the subject of the speech verb or speech noun that governs it, not the
capitalised word that happens to stand nearest: "“…,” said Delaware senator Edward Kaufman" has
the subject *Kaufman* (Delaware is a modifier), "Murray said in a critical statement “…”" has
*Murray* (the statement is only the channel).  The patterns handled, each by its syntax:

* a speech verb and its subject, before or after the quotation ("X said", "said X", "X, who
  said", "X told reporters", "X writes"), also through participles and coordination ("…,
  saying “…”", "released a statement saying", "X smiled and said");
* a speech noun: its possessor ("X's statement"), or the subject of the verb it belongs to
  ("X said in a statement", "X issued a statement");
* "according to X";
* a quotation standing alone in its paragraph: the speech verb of the paragraph before it
  ("Lee commented on the figures.").

The subject is then made a speaker: "he"/"she" go to the person the article named last
(:class:`~briefings.stages.speakers.PersonIndex`), an appositive name wins over its role ("the
firm's chief executive, Alan Mulally"), "the minister" goes to the person the article calls so, an
indefinite description ("an aerospace analyst") is kept as the description, and a place or a
nationality is never a speaker.  Read-out material ("I quote", "the letter says") is the
document's: its author when the text names one, else the document, never the reader.  Whenever
the subject cannot be resolved, the answer is *found, no speaker*: the caller abstains instead of
falling back to a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from briefings.lexicon import PERSON_TITLES, TITLES
from briefings.stages.parse_tokens import (
    _CLIMB,
    _NON_SPEAKERS,
    _SUBJECTS,
    DOCUMENT_NOUNS,
    INSTITUTION_NOUNS,
    READING_FORMS,
    _inanimate,
    _is_speech,
    _outside,
    _person_name,
    _pos,
    _subject_of,
)
from briefings.stages.speakers import PersonIndex, clean_name, looks_like_person
from briefings.text.document import PLACE_LABELS, ArticleDoc


@dataclass(frozen=True, slots=True)
class Attribution:
    """What the parse says about a quotation's speaker.

    ``found`` is True when a speech verb or noun governs the quotation; ``speaker`` is None when
    its subject cannot be resolved to a person or a source (the caller must then abstain).
    """

    found: bool
    speaker: str | None


NOT_FOUND = Attribution(False, None)


class Attributor:
    """Attribution for the quotations of one article (one :class:`ArticleDoc`)."""

    def __init__(
        self,
        doc: ArticleDoc,
        persons: PersonIndex,
        quotes: Sequence[tuple[int, int]] = (),
        narrator: Callable[[int], str | None] | None = None,
    ) -> None:
        """``narrator(pos)`` names who says "I" at text offset ``pos`` (the speaker of a
        transcript turn), or None in third-person prose."""
        self.doc = doc
        self.persons = persons
        self.quotes = list(quotes)
        self.narrator = narrator
        self._labels: dict[str, set[str]] | None = None

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

    def attribute(
        self, para: int, start: int, end: int, quotes: Sequence[tuple[int, int]]
    ) -> Attribution:
        """Speaker of the quotation between text offsets ``start`` and ``end`` (marks included).

        ``quotes`` are all quotations of the paragraph, as text offsets: words inside them are
        the quoted person's, not the narrator's, and a speech verb beyond another quotation
        belongs to that one.
        """
        parsed = self.doc.parses.get(para)
        if parsed is None:
            return NOT_FOUND
        base = self.doc.parse_starts[para]
        local = [(s - base, e - base) for s, e in quotes]
        ls, le = start - base, end - base
        region = [t for sent in parsed.sents if sent.start_char < le and sent.end_char > ls
                  for t in sent]  # fmt: skip
        best: tuple[int, int, Any] | None = None
        for tok in region:
            if not _outside(tok, local):
                continue
            if not (_is_speech(tok) or self._inverted_after(tok, parsed, le)):
                continue
            lo, hi = (tok.idx, ls) if tok.idx < ls else (le, tok.idx)
            if any(lo <= s and e <= hi for s, e in local if (s, e) != (ls, le)):
                continue  # another quotation stands between them
            linked = self._linked(tok, ls, le)
            key = (0 if linked else 1, hi - lo, tok)
            if best is None or key[:2] < best[:2]:
                best = key
        if best is not None:
            return self._from_predicate(best[2], base, ls, le)
        return self._credit(parsed, base, le, local)

    def _credit(
        self, parsed: Any, base: int, le: int, local: Sequence[tuple[int, int]]
    ) -> Attribution:
        """ "“…,” Jo Lee, an analyst at Acme.": a name right after the closing mark, in a
        sentence with no verb of its own outside quotations, credits the quotation."""
        after = [t for t in parsed if t.idx >= le]
        while after and after[0].is_punct:
            after = after[1:]
        if not after or _pos(after[0]) != "PROPN":
            return NOT_FOUND
        sent = after[0].sent
        if any(_pos(t) in ("VERB", "AUX") and _outside(t, local) for t in sent):
            return NOT_FOUND
        ent = self.doc.entity_at(base + after[0].idx, base + after[0].idx + 1)
        if ent is None or ent.label != "PERSON" or ent.start != base + after[0].idx:
            return NOT_FOUND
        cleaned = clean_name(ent.text)
        if cleaned is None or not _person_name(cleaned.name):
            return NOT_FOUND
        return Attribution(True, self.persons.expand(cleaned.name, ent.start))

    @staticmethod
    def _inverted_after(tok: Any, parsed: Any, le: int) -> bool:
        """ "“…,” enthused Jo Lee": any verb right after the closing mark with its subject after
        it is the attribution of the quotation, whatever the verb."""
        if _pos(tok) != "VERB" or tok.idx < le:
            return False
        between = parsed.char_span(le, tok.idx, alignment_mode="expand")
        if between is None or not all(t.is_punct or t.is_space for t in between):
            return False
        subj = _subject_of(tok)
        return subj is not None and subj.i > tok.i and _pos(subj) == "PROPN"

    def modifies_noun(self, para: int, start: int, end: int) -> bool:
        """Whether the quoted fragment ``start``..``end`` (text offsets) hangs on a noun outside
        it as a modifier ('a source “with direct knowledge”'): a description, not speech."""
        parsed = self.doc.parses.get(para)
        if parsed is None:
            return False
        base = self.doc.parse_starts[para]
        inside = [t for t in parsed if start - base <= t.idx < end - base and not t.is_punct]
        heads = [t for t in inside if not start - base <= t.head.idx < end - base]
        return len(heads) == 1 and (
            heads[0].dep_ in ("prep", "amod", "acl", "relcl")
            and _pos(heads[0].head) in ("NOUN", "PROPN", "PRON")
        )

    def before_paragraph(self, para: int) -> Attribution:
        """Speaker of a quotation that stands alone: the speech verb ending the paragraph before
        it ("Dana Lee, a spokesperson, commented on the fall.")."""
        if para <= 0:
            return NOT_FOUND
        parsed = self.doc.parses.get(para - 1)
        if parsed is None:
            return NOT_FOUND
        sents = list(parsed.sents)
        if not sents:
            return NOT_FOUND
        last = sents[-1]
        root = last.root
        base = self.doc.parse_starts[para - 1]
        if any(ch in last.text for ch in '“”"«»'):
            return NOT_FOUND
        if _is_speech(root) or last.text.rstrip().endswith(":"):
            return self._from_predicate(root, base, -1, -1)
        # Any verb will do when its subject is a person ("Jo Lee, the minister, presented the
        # plan."): the next paragraph quotes what that person said about it.
        subj = self._subject(root, -1, -1)
        speaker = None if subj is None else self._speaker(subj, base)
        if speaker is not None and "PERSON" in self.labels(speaker) | self._person_label(speaker):
            return Attribution(True, speaker)
        if any(e.label == "PERSON" for e in self.doc.entities
               if base + last.start_char <= e.start < base + last.end_char):  # fmt: skip
            return Attribution(True, None)  # someone else is named just before: unsure
        return NOT_FOUND

    def _person_label(self, name: str) -> set[str]:
        return {"PERSON"} if self.persons.knows(name) else set()

    @staticmethod
    def _linked(tok: Any, ls: int, le: int) -> bool:
        """Whether the predicate and the quotation are joined by the parse (either way)."""
        for anc in tok.ancestors:
            if ls <= anc.idx < le:
                return True
        return any(ls <= desc.idx < le for desc in tok.subtree)

    # -- from predicate to speaker -----------------------------------------------------------

    def _from_predicate(self, pred: Any, base: int, ls: int, le: int) -> Attribution:
        low = pred.lower_
        if low == "according":
            to = next(c for c in pred.children if c.lower_ == "to")
            obj = next((c for c in to.children if c.dep_ == "pobj"), None)
            return Attribution(True, None if obj is None else self._speaker(obj, base))
        if _pos(pred) == "NOUN":
            owner = next((c for c in pred.children if c.dep_ == "poss"), None)
            if owner is not None:
                low = {"his": "he", "her": "she"}.get(owner.lower_)
                if low is not None:  # "his statement": whom "he" is
                    return Attribution(True, self.pronoun(base + owner.idx, low))
                return Attribution(True, self._speaker(owner, base))
        subject = self._subject(pred, ls, le)
        if subject is None:
            return Attribution(True, None)
        if low in READING_FORMS and subject.lower_ in ("i", "we"):
            return Attribution(True, None)  # "I quote": the reader is not the speaker
        return Attribution(True, self._speaker(subject, base))

    @staticmethod
    def _subject(pred: Any, ls: int, le: int) -> Any | None:
        tok = pred
        for _ in range(5):
            if tok.lower_ in ("quoted", "quoting", "cited", "citing"):
                # "The paper quoted Lee as saying": Lee speaks, the paper reports.
                obj = next((c for c in tok.children if c.dep_ == "dobj"), None)
                if obj is not None and not ls <= obj.idx < le:
                    return obj
            subj = _subject_of(tok)
            if subj is not None and ls <= subj.idx < le:
                # A subject inside the quotation is a parse error ("“…? Working people,” said
                # Lee"): the speaker is the name right after the verb.
                subj = Attributor._next_name(tok, le)
                if subj is not None:
                    return subj
            if subj is not None and tok is not pred and _inanimate(subj):
                subj = None  # "X stated that there were risks, saying": X, not the risks
            if subj is not None:
                if subj.lower_ in ("who", "that") and tok.dep_ == "relcl":
                    return Attributor._relative_head(tok.head)
                return subj
            inverted = Attributor._inverted_subject(tok, ls, le)
            if inverted is not None:
                return inverted
            if tok.dep_ not in _CLIMB or tok.head is tok or ls <= tok.head.idx < le:
                return None
            tok = tok.head
        return None

    @staticmethod
    def _next_name(verb: Any, le: int) -> Any | None:
        nxt = verb.i + 1
        while nxt < len(verb.doc) and verb.doc[nxt].is_punct:
            nxt += 1
        if nxt < len(verb.doc) and verb.doc[nxt].idx >= le and _pos(verb.doc[nxt]) == "PROPN":
            tok = verb.doc[nxt]
            while tok.dep_ in ("compound", "flat") and tok.head.i > tok.i:
                tok = tok.head
            return tok
        return None

    @staticmethod
    def _relative_head(head: Any) -> Any:
        """ "Jo Lee, an expert at Acme University, who said": the relative clause hangs on the
        nearest noun; the person is the appositive's head further up."""
        tok = head
        for _ in range(4):
            if _pos(tok) == "PROPN" and tok.dep_ != "pobj":
                return tok
            if tok.dep_ not in ("pobj", "prep", "appos") or tok.head is tok:
                break
            tok = tok.head
        return tok if tok.dep_ != "pobj" else head

    @staticmethod
    def _inverted_subject(verb: Any, ls: int, le: int) -> Any | None:
        """ "…,” said analyst Jo Lee commenting on it": the parser may hang the subject that
        follows the verb on a later clause; it is still the one right after the verb."""
        for child in verb.rights:
            if child.dep_ not in ("ccomp", "xcomp", "advcl", "conj"):
                continue
            subj = _subject_of(child)
            if subj is not None and subj.i > verb.i and not ls <= subj.idx < le:
                between = verb.doc[verb.i + 1 : subj.left_edge.i]
                if all(t.is_punct for t in between):
                    return subj
        return None

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
