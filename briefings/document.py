"""One reading of an article, shared by every stage.

Stages used to split the text into sentences again each and the model ran for entities alone.
:func:`read_document` now reads an article once, the way a spaCy pipeline passes one ``Doc``
along: the sentences (offset-keeping, :mod:`briefings.sentences`), the named entities with their
offsets in the article text, and the dependency parse of the paragraphs that hold a quotation.
Quotes, entities and the others are functions of this :class:`ArticleDoc`.

Why two passes of the model instead of one: NER runs on the sentences that can hold a name (a
capitalised word past the first), the tagger and parser only on the paragraphs with a quotation
mark, the only place attribution needs syntax.  Parsing everything would halve the build rate.
A model without a parser (or a stand-in in tests) simply gives no parse: attribution then falls
back to the surface patterns and abstains more often.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from briefings.models import Article
from briefings.sentences import Sentence, split_sentences

#: Characters that may open or close a quotation; a paragraph with one of them is parsed.
QUOTE_MARKS = '“”„‟"«»‘’‚'
#: spaCy components that the NER pass leaves out (the small model's NER has its own embedding).
_PARSE_ONLY = ["tok2vec", "tagger", "parser", "attribute_ruler"]
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
    #: Paragraph index -> parsed spaCy ``Doc`` of that paragraph (offsets local to it).
    parses: dict[int, Any] = field(default_factory=dict)
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


def _needs_parse(paragraphs: Sequence[str]) -> list[int]:
    """Paragraphs holding a quotation mark, and the one before a paragraph that opens with one
    (its last sentence often introduces the quotation: "Lee commented on the results.")."""
    wanted: set[int] = set()
    for i, para in enumerate(paragraphs):
        if any(ch in QUOTE_MARKS for ch in para):
            wanted.add(i)
            if i > 0 and para.lstrip()[:1] in QUOTE_MARKS:
                wanted.add(i - 1)
    return sorted(i for i in wanted if paragraphs[i].strip())


def _has_parser(nlp: Any) -> bool:
    names = getattr(nlp, "pipe_names", ())
    return "parser" in names


def read_document(article: Article, nlp: Any | None) -> ArticleDoc:
    """Read ``article`` once with the model ``nlp`` (None: sentences only, no model).

    Args:
        article: an ingested article.
        nlp: the pipeline from :func:`briefings.nlp.load_nlp`, or anything with spaCy's ``pipe``
            (a stand-in without a parser gives entities only).
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
        wanted = _needs_parse(article.paragraphs)
        texts = (article.paragraphs[i] for i in wanted)
        for i, parsed in zip(wanted, nlp.pipe(texts, disable=["ner"]), strict=True):
            doc.parses[i] = parsed
    return doc
