"""The words and token tests attribution reads a dependency parse with: speech verbs in every
form, nouns of speech, documents and institutions, a coarse part of speech from the Penn tag,
a verb's subject, whether a token is speech.

Split from :mod:`briefings.stages.attribution`, which walks the parse around a quotation with
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from briefings.lexicon import TITLES
from briefings.stages.speakers import looks_like_person
from briefings.stages.speech_grammar import SPEECH_VERBS
from briefings.text.gazetteer import is_known_place

#: Speech verbs in every form a token may take (no lemmatizer is loaded).
SPEECH_FORMS: frozenset[str] = SPEECH_VERBS | frozenset(
    """say saying tell telling add adding state stating declare declaring announce announcing
    note noting stress stressing emphasize emphasizing emphasise emphasising underline
    explain explaining remark remarking comment comments commenting observe observing insist
    insisting argue arguing assert asserting claim claiming warn warning urge urging ask asking
    reply replying respond responding answer answering conclude concluding recall recalling
    write writing wrote writes written acknowledge acknowledging admit admitting concede
    confirm confirming reiterate reiterating predict predicting suggest suggesting caution
    cautioning joke joking exclaim complain complaining tweet tweeting quoted quote quoting
    read reads reading cite cites cited citing""".split()
)
#: Verbs of reading aloud: their subject is the reader, never the speaker of what is read.
READING_FORMS = frozenset("quote quoting read reads reading cite cites cited citing".split())
#: Nouns naming an utterance: "X's statement", "in a statement", "his remarks".
SPEECH_NOUNS = frozenset(
    """statement statements remarks remark comments comment words message speech address
    interview tweet post reply response announcement testimony briefing""".split()
)
#: Nouns naming a document whose words may be read out or cited.
DOCUMENT_NOUNS = frozenset(
    """letter letters message statement declaration communique communiqué report resolution
    treaty charter constitution document text telegram note memo poem song verse book article
    decree order cable editorial manifesto""".split()
)
#: Nouns naming an institution that issues statements ("the Kremlin press service").
INSTITUTION_NOUNS = frozenset(
    """ministry government office agency embassy council committee commission department service
    administration secretariat presidency parliament court company bank union alliance""".split()
)
_NON_SPEAKERS = frozenset("i we you they it one who which that this these those me us".split())
_CLIMB = frozenset(
    "advcl xcomp conj acl relcl pcomp pobj prep dobj ccomp agent oprd npadvmod advmod".split()
)
_SUBJECTS = ("nsubj", "nsubjpass")


def _person_name(name: str) -> bool:
    """Whether a name the model tags PERSON can be shown as one: the surface check, or a first
    and last name that is no known place ("Jim Press": *press* alone reads as an organisation)."""
    return looks_like_person(name) or (len(name.split()) >= 2 and not is_known_place(name))


_AUX = frozenset(
    "is was were are be been being am has have had do does did will would shall should can "
    "could may might must".split()
)


def _pos(tok: Any) -> str:
    """Coarse part of speech from the tagger's Penn tag.

    The model's attribute ruler (which maps tags to these) costs a third of the parse pass, for
    the handful of classes attribution tells apart; the mapping is the universal one.
    """
    tag = tok.tag_
    if tag in ("NNP", "NNPS"):
        return "PROPN"
    if tag in ("NN", "NNS"):
        return "NOUN"
    if tag.startswith("VB") or tag == "MD":
        return "AUX" if tok.lower_ in _AUX else "VERB"
    if tag in ("PRP", "PRP$", "WP", "WP$", "EX"):
        return "PRON"
    return "X"


def _inanimate(tok: Any) -> bool:
    """A common noun that names no role ("routes", "prices"): no speaker of a participle."""
    return tok.dep_ == "expl" or (
        _pos(tok) == "NOUN" and not tok.is_title and tok.lower_ not in TITLES
    )


def _subject_of(verb: Any) -> Any | None:
    """The verb's subject; of two (a transcript label parsed as one: "Jo Lee: My aide said"),
    the one nearest the verb."""
    subjects = [c for c in verb.children if c.dep_ in _SUBJECTS]
    return min(subjects, key=lambda c: abs(c.i - verb.i)) if subjects else None


def _outside(tok: Any, spans: Sequence[tuple[int, int]]) -> bool:
    return not any(s <= tok.idx < e for s, e in spans)


def _is_speech(tok: Any) -> bool:
    low = tok.lower_
    if _pos(tok) in ("VERB", "AUX") and low in SPEECH_FORMS:
        return True
    if _pos(tok) == "NOUN" and low in SPEECH_NOUNS:
        return True
    return low == "according" and any(c.lower_ == "to" for c in tok.children)
