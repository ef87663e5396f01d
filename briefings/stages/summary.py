"""Extractive summary: the few body sentences that best state what the summit did.

Each sentence is scored on three signals that hold for news reports, releases and transcripts
alike:

* **centrality**: how much of the article's recurring vocabulary it carries (content-word
  frequencies, damped by length so long sentences do not win by size alone);
* **position**: news puts the gist first, so earlier sentences get a decaying bonus;
* **summit cues**: sentences about what leaders met, agreed, adopted or decided;
* **outcomes**: decisions, agreements, signatures, handovers and statements of position weigh
  more than scene-setting (who gave a news conference, who touched on "several topics").

Speaker labels of transcripts ("MINISTER SMITH: ...") are cut off the sentence they open, and
greetings, thanks and pleasantries ("Thank you very much, Mr. Chairman") never enter: they open
transcripts and speeches, so position alone would pick them.  Fragments, headlines, questions and
very long run-ons are penalised.  Sentences are then picked
greedily with a redundancy check (maximal marginal relevance) and returned in article order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from briefings.lexicon import SUMMARY_STOP_WORDS as _STOPWORDS
from briefings.text.sentences import Sentence, split_sentences

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_CUES = re.compile(
    r"\b(summit|meeting|met|leaders?|heads? of state|agreed|agreement|adopted|signed|decided|"
    r"declaration|talks|council|discuss(?:ed|es)?|focus(?:ed)?|agenda|reaffirmed|host(?:s|ed)?|"
    r"elected|chairmanship|programme|program|initiative|cooperation)\b",
    re.IGNORECASE,
)
# What was decided or stated: the news of a meeting.
_OUTCOMES = re.compile(
    r"\b(?:agreed|agree|agreement|adopted|adopt|signed|sign|decided|decision|approved|endorsed|"
    r"elected|appointed|reaffirmed|declaration|resolution|will\s+pass|handed\s+over|"
    r"chairmanship|presidency|supported|welcomed|pledged|committed|condemned|called\s+for|"
    r"launched|established|postpone[ds]?|result|bilateral\s+(?:meeting|talks)|held\s+talks|"
    r"met\s+with)\b",
    re.IGNORECASE,
)
# "X gave a news conference", "Lind spoke on a range of subjects": setting, not substance.
_SCENE = re.compile(
    r"\b(?:(?:made|gave|held|delivered)\s+(?:a\s+)?(?:joint\s+)?(?:statement\s+for\s+the\s+"
    r"press|news\s+conference|press\s+conference|speech|address|remarks)|touched\s+(?:up)?on|"
    r"(?:several|various|a\s+number\s+of|a\s+range\s+of)\s+(?:topics|issues|matters|subjects)|"
    r"allow\s+me\s+to|let\s+me\s+(?:briefly|now|first)|I\s+would\s+like\s+to\s+(?:say|inform|"
    r"begin|start))\b",
    re.IGNORECASE,
)
# Greetings, thanks and pleasantries: never a summary sentence.
_PLEASANTRY = re.compile(
    r"^(?:well,?\s+|and\s+|so,?\s+|first(?:\s+of\s+all)?,?\s+|once\s+again,?\s+)?"
    r"(?:thank(?:s|\s+you)\b|(?:I|we)\s+(?:would\s+(?:also\s+)?like\s+to\s+|want\s+to\s+|"
    r"must\s+)?(?:thank|express\s+(?:my\s+|our\s+)?(?:gratitude|thanks|appreciation))|"
    r"(?:I|we)(?:\s+am|\s+are|['’]m|['’]re)\s+(?:\w+\s+)?(?:grateful|thankful|delighted|pleased|"
    r"glad|happy|honou?red)|good\s+(?:morning|afternoon|evening)|ladies\s+and\s+gentlemen|"
    r"(?:dear\s+)?(?:colleagues|friends)[,!]|welcome\b|it\s+is\s+(?:a|my|an)\s+(?:great\s+)?"
    r"(?:pleasure|honou?r|privilege))",
    re.IGNORECASE,
)
# Thanks inside a sentence ("..., and I thank you all for coming").
_THANKS = re.compile(r"\b(?:thank(?:s|ed|ing)?|grateful|gratitude|apologi[sz]e|regret)\b", re.I)
# "SECRETARY SMITH: ...", "President of Freedonia Rufus Firefly: ..." opening a transcript turn.
_SPEAKER_LABEL = re.compile(
    r"^(?:[A-Z][\w.’'-]*\s+|(?:of|the|and|de|von)\s+){0,7}[A-Z][\w.’'-]*:\s+(?=\S)"
)
_OPENS_WITH_CONNECTIVE = re.compile(
    r"^(?:but|and|or|so|yet|however|moreover|meanwhile|also|still|thus|then)\b", re.IGNORECASE
)
# A quotation of four words or more: summaries state facts in the reporter's voice.
_QUOTATION = re.compile(r"[\"“«]\s*(?:\S+\s+){3,}[^\"”»]*[\"”»]|^[\"“«]")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|my|me)\b")

MIN_WORDS = 8
MAX_WORDS = 70
DEFAULT_LENGTH = 3
_REDUNDANCY = 0.5
QUOTE_PENALTY = 0.3
OUTCOME_WEIGHT = 0.1
SCENE_PENALTY = 1.0
THANKS_PENALTY = 0.5
CONTEXT_POSITION = 0.6


@dataclass(frozen=True, slots=True)
class _Candidate:
    index: int
    sentence: Sentence
    words: frozenset[str]
    score: float


def _content_words(text: str) -> list[str]:
    return [w.lower().strip("'’-") for w in _WORD.findall(text) if w.lower() not in _STOPWORDS]


def _without_label(sentence: Sentence) -> Sentence:
    """The sentence with a transcript's speaker label cut off its start (still verbatim)."""
    match = _SPEAKER_LABEL.match(sentence.text)
    if match is None:
        return sentence
    return Sentence(sentence.start + match.end(), sentence.end, sentence.text[match.end() :])


def is_pleasantry(text: str) -> bool:
    """Greetings, thanks and courtesies ("Thank you, Mr. Chairman."): never summary material."""
    return bool(_PLEASANTRY.match(text.strip("\"'“”‘’ ")))


def _is_body_sentence(sentence: Sentence) -> bool:
    """Headlines, bylines and fragments do not end like sentences."""
    text = sentence.text.rstrip("\"'”’»)")
    return text.endswith((".", "!", "…")) and not text.endswith("?")


def summarize(
    paragraphs: Sequence[str],
    length: int = DEFAULT_LENGTH,
    *,
    sentences: Sequence[Sentence] | None = None,
) -> list[str]:
    """Pick ``length`` sentences of the body that summarise it, in article order.

    Args:
        paragraphs: the article body (boilerplate already removed), one paragraph per item.
        length: how many sentences to return; fewer when the body has fewer usable sentences.
        sentences: the body's sentences when the article was already read
            (:class:`briefings.text.document.ArticleDoc`), so the text is not split again.

    Returns:
        Verbatim sentences of the body.
    """
    if sentences is None:
        sentences = split_sentences("\n".join(paragraphs))
    sentences = [
        s
        for s in map(_without_label, sentences)
        if _is_body_sentence(s) and not is_pleasantry(s.text)
    ]
    usable = [s for s in sentences if MIN_WORDS <= len(s.text.split()) <= MAX_WORDS]
    if len(usable) < length:
        usable = [s for s in sentences if len(s.text.split()) >= 4] or sentences
    if not usable:
        return []
    frequencies = Counter(w for s in usable for w in _content_words(s.text))
    top = max(frequencies.values(), default=1)
    candidates: list[_Candidate] = []
    rank = 0  # position among substantive sentences: scene-setting does not push news down
    for index, sentence in enumerate(usable):
        words = _content_words(sentence.text)
        if not words:
            continue
        setting = SCENE_PENALTY if _SCENE.search(sentence.text) else 0.0
        setting += THANKS_PENALTY if _THANKS.search(sentence.text) else 0.0
        centrality = sum(frequencies[w] / top for w in set(words)) / math.sqrt(len(words) + 4)
        cues = min(3, len(_CUES.findall(sentence.text)))
        outcomes = min(2, len(_OUTCOMES.findall(sentence.text)))
        # A sentence with no word of a meeting or its outcome is context ("Freedonia is an
        # active player on the world stage"): it neither rides the lead position at full weight
        # nor pushes the news after it down.
        context = not (cues or outcomes)
        position = 1.0 / math.sqrt(1 + (index if setting or context else rank))
        rank += 0 if setting or context else 1
        damp = CONTEXT_POSITION if context else 1.0
        score = (
            centrality + 1.2 * damp * position + 0.08 * cues + OUTCOME_WEIGHT * outcomes - setting
        )
        if _OPENS_WITH_CONNECTIVE.match(sentence.text):
            score -= 0.15
        if _QUOTATION.search(sentence.text):
            score -= QUOTE_PENALTY
        if _FIRST_PERSON.search(sentence.text) and index > 2:
            score -= 0.05
        candidates.append(_Candidate(index, sentence, frozenset(words), score))
    chosen: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: -c.score):
        if len(chosen) == length:
            break
        if any(_overlap(candidate.words, c.words) > _REDUNDANCY for c in chosen):
            continue
        chosen.append(candidate)
    return [c.sentence.text for c in sorted(chosen, key=lambda c: c.index)]


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))
