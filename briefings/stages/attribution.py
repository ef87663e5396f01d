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

from briefings.stages.parse_tokens import (
    _CLIMB,
    READING_FORMS,
    _inanimate,
    _is_speech,
    _outside,
    _person_name,
    _pos,
    _subject_of,
)
from briefings.stages.speaker_resolution import _SpeakerResolution
from briefings.stages.speakers import PersonIndex, clean_name
from briefings.text.document import ArticleDoc


@dataclass(frozen=True, slots=True)
class Attribution:
    """What the parse says about a quotation's speaker.

    ``found`` is True when a speech verb or noun governs the quotation; ``speaker`` is None when
    its subject cannot be resolved to a person or a source (the caller must then abstain).
    """

    found: bool
    speaker: str | None


NOT_FOUND = Attribution(False, None)


class Attributor(_SpeakerResolution):
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
