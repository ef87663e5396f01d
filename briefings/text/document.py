"""One reading of an article, shared by every stage.

Stages used to split the text into sentences again each and the model ran for entities alone.
:func:`read_document` now reads an article once, the way a spaCy pipeline passes one ``Doc``
along: the sentences (offset-keeping, :mod:`briefings.text.sentences`), the named entities with
their offsets in the article text, and the dependency parse of the paragraphs that hold a
quotation.
Quotes, entities and the others are functions of this :class:`ArticleDoc`.

Why two passes of the model instead of one: NER runs on the sentences that can hold a name (a
capitalised word past the first), the tagger and parser only on the sentences around a quotation
mark, the only place attribution needs syntax.  Parsing everything would halve the build rate.
A model without a parser (or a stand-in in tests) simply gives no parse: attribution then falls
back to the surface patterns and abstains more often.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from briefings.models import Article
from briefings.text.sentences import Sentence, split_sentences

#: Characters that may open or close a quotation; a paragraph with one of them is parsed.
QUOTE_MARKS = '“”„‟"«»‘’‚'
#: A quotation mark that is not an apostrophe inside a word ("Ford’s").
_MARK = re.compile(r"[“”„‟\"«»‘‚]|(?<!\w)’|’(?!\w)")
#: spaCy components that the NER pass leaves out (the small model's NER has its own embedding).
_PARSE_ONLY = ["tok2vec", "tagger", "parser"]
#: Longest stretch parsed at once: a paragraph of quotations longer than this (a wall of text, a
#: transcript without line breaks) is left to the surface patterns rather than slow a build or
#: reach the model's length limit.
MAX_PARSE_CHARS = 20_000
#: Labels of entities that are places or nationalities, never speakers.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity as a slice of the article text."""

    start: int
    end: int
    label: str
    text: str


@dataclass(slots=True)
class ArticleDoc:
    """An article read once: sentences, entities and the parse of its quotation paragraphs."""

    article: Article
    sentences: list[Sentence]
    entities: list[Entity] = field(default_factory=list)
    #: Paragraph index -> parsed spaCy ``Doc`` of the part of that paragraph around its
    #: quotations; its offsets are local to :attr:`parse_starts` of the same paragraph.
    parses: dict[int, Any] = field(default_factory=dict)
    parse_starts: dict[int, int] = field(default_factory=dict)
    offsets: list[int] = field(default_factory=list)
    _ent_starts: list[int] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.offsets:
            pos = 0
            for para in self.article.paragraphs:
                self.offsets.append(pos)
                pos += len(para) + 1
        self._ent_starts = [e.start for e in self.entities]

    @property
    def text(self) -> str:
        return self.article.text

    def paragraph_of(self, pos: int) -> int:
        """Index of the paragraph that holds text offset ``pos``."""
        return max(0, bisect.bisect_right(self.offsets, pos) - 1)

    def entity_at(self, start: int, end: int) -> Entity | None:
        """The entity that covers ``[start, end)`` of the text, or None."""
        i = bisect.bisect_right(self._ent_starts, start) - 1
        while i >= 0:
            ent = self.entities[i]
            if ent.start <= start and end <= ent.end:
                return ent
            if ent.end <= start and start - ent.end > 200:
                break
            i -= 1
        return None

    def entity_spans(self) -> list[tuple[str, str, int]]:
        """Entities as ``(text, label, start)``, the input of ``entities_from_spans``."""
        return [(e.text, e.label, e.start) for e in self.entities]


def _needs_ner(sentence: str) -> bool:
    """Only sentences with a capitalised word past the first can hold a name worth tagging."""
    return any(word.lstrip("\"'“‘(«")[:1].isupper() for word in sentence.split()[1:])


def _parse_ranges(doc: ArticleDoc) -> dict[int, tuple[int, int]]:
    """Per paragraph, the stretch of text attribution reads: from the sentence before its first
    sentence with a quotation mark to its last such sentence, and the last sentence of a
    paragraph followed by one that opens with a quotation ("Lee commented on the results.").
    Everything else is never parsed (it is half of a news article's words)."""
    by_para: dict[int, list[Sentence]] = {}
    for sentence in doc.sentences:
        by_para.setdefault(doc.paragraph_of(sentence.start), []).append(sentence)
    paragraphs = doc.article.paragraphs
    ranges: dict[int, tuple[int, int]] = {}
    for i, sents in by_para.items():
        need = [k for k, s in enumerate(sents) if _MARK.search(s.text)]
        need += [k - 1 for k in need if k > 0]
        if i + 1 < len(paragraphs) and paragraphs[i + 1].lstrip()[:1] in QUOTE_MARKS:
            need.append(len(sents) - 1)
        if need:
            start, end = sents[min(need)].start, sents[max(need)].end
            if end - start <= MAX_PARSE_CHARS:
                ranges[i] = (start, end)
    return ranges


def _has_parser(nlp: Any) -> bool:
    names = getattr(nlp, "pipe_names", ())
    return "parser" in names


def read_document(article: Article, nlp: Any | None) -> ArticleDoc:
    """Read ``article`` once with the model ``nlp`` (None: sentences only, no model).

    Args:
        article: an ingested article.
        nlp: the pipeline from :func:`briefings.text.nlp.load_nlp`, or anything with spaCy's
            ``pipe`` (a stand-in without a parser gives entities only).
    """
    sentences = split_sentences(article.text)
    if nlp is None:
        return ArticleDoc(article, sentences)
    parser = _has_parser(nlp)
    ner_sentences = [s for s in sentences if _needs_ner(s.text)]
    ner_docs = (
        nlp.pipe((s.text for s in ner_sentences), disable=_PARSE_ONLY)
        if parser
        else nlp.pipe(s.text for s in ner_sentences)
    )
    entities = [
        Entity(s.start + e.start_char, s.start + e.end_char, e.label_, e.text)
        for s, doc in zip(ner_sentences, ner_docs, strict=True)
        for e in doc.ents
    ]
    doc = ArticleDoc(article, sentences, entities)
    if parser:
        ranges = _parse_ranges(doc)
        texts = (article.text[start:end] for start, end in ranges.values())
        for i, parsed in zip(ranges, nlp.pipe(texts, disable=["ner"]), strict=True):
            doc.parses[i] = parsed
            doc.parse_starts[i] = ranges[i][0]
    return doc
