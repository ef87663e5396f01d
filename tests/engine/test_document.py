"""One reading of an article shared by the stages (briefings/text/document.py), on made-up text."""

from __future__ import annotations

from typing import Any

from briefings.digest import build_digest
from briefings.ingest.read import article_from_text
from briefings.models import ArticleMeta
from briefings.text.document import read_document
from briefings.text.nlp import load_nlp
from briefings.text.sentences import split_sentences

TEXT = "\n".join(
    [
        "Leaders of twelve nations met in Lisbon on Monday to discuss trade.",
        "The talks lasted four hours and ended without a joint statement.",
        "Prime Minister Ana Duarte opened the meeting. “We will not sign a deal that hurts our "
        "farmers,” she said.",
        "the weather was mild and nobody mentioned it again.",
    ]
)


class _Counting:
    """The real pipeline, counting calls to ``pipe`` and the texts each call received."""

    def __init__(self) -> None:
        self.nlp = load_nlp()
        self.pipe_names = self.nlp.pipe_names
        self.calls: list[tuple[list[str], list[str]]] = []

    def pipe(self, texts: Any, **kwargs: Any) -> Any:
        texts = list(texts)
        self.calls.append((texts, list(kwargs.get("disable", []))))
        return self.nlp.pipe(texts, **kwargs)


def test_article_is_read_once_by_the_model_for_every_stage() -> None:
    article = article_from_text(TEXT, meta=ArticleMeta())
    counting = _Counting()
    digest = build_digest(article, counting)
    # One NER pass and one parse pass over the article, nothing else.
    assert len(counting.calls) == 2
    (ner_texts, ner_off), (parse_texts, parse_off) = counting.calls
    assert "parser" in ner_off and "ner" in parse_off
    # Entities and the speaker come from that same reading.
    assert "Ana Duarte" in digest.entities.people
    assert [q.speaker for q in digest.quotes] == ["Ana Duarte"]
    # Sentences without a capitalised word past the first are not sent to NER.
    assert not any(t.startswith("the weather") for t in ner_texts)
    # Only the sentences around the quotation are parsed (and the one before it).
    assert parse_texts == [
        "Prime Minister Ana Duarte opened the meeting. “We will not sign a deal that hurts our "
        "farmers,” she said."
    ]


def test_document_offsets_are_slices_of_the_text() -> None:
    article = article_from_text(TEXT, meta=ArticleMeta())
    doc = read_document(article, load_nlp())
    assert doc.sentences == split_sentences(article.text)
    for entity in doc.entities:
        assert article.text[entity.start : entity.end] == entity.text
    (para,) = doc.parses
    start = doc.parse_starts[para]
    parsed = doc.parses[para]
    assert article.text[start : start + len(parsed.text)] == parsed.text
    assert doc.entity_at(start, start + len("Prime")) is None
    name_at = article.text.index("Ana Duarte")
    found = doc.entity_at(name_at, name_at + 3)
    assert found is not None and found.label == "PERSON"


def test_without_a_model_there_is_no_parse_and_no_entity() -> None:
    article = article_from_text(TEXT, meta=ArticleMeta())
    doc = read_document(article, None)
    assert doc.parses == {} and doc.entities == []
    assert len(doc.sentences) == 5


def test_a_huge_paragraph_of_quotations_is_not_parsed_but_still_read() -> None:
    # A wall of quoted sentences with no line break: the build must not slow down or fail on
    # the model's length limit; the quotes still come back (surface attribution).
    sentence = "“We will keep talking until the end of the week,” Maria Lopez said. "
    article = article_from_text(sentence * 400, meta=ArticleMeta())
    assert len(article.text) > 20_000
    doc = read_document(article, load_nlp())
    assert doc.parses == {}
    digest = build_digest(article, load_nlp())
    assert len(digest.quotes) == 400
    assert {q.speaker for q in digest.quotes} == {"Maria Lopez"}
