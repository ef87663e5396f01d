"""One article in, one digest out: the article is read once (:mod:`briefings.text.document`) and
the stages run in a fixed order, each a pure function of that reading."""

from __future__ import annotations

from typing import Any

from briefings.models import Article, Digest
from briefings.stages.entities import entities_from_spans
from briefings.stages.quotes import extract_quotes
from briefings.stages.summary import summarize
from briefings.stages.timeline import extract_timeline
from briefings.summits.grouping import detect_summit
from briefings.text.document import read_document


def build_digest(article: Article, nlp: Any) -> Digest:
    """Run every stage over ``article``.

    Args:
        article: an ingested article (boilerplate removed, metadata detected).
        nlp: the spaCy pipeline from :func:`briefings.text.nlp.load_nlp` (entities and the parse of
            the paragraphs with quotations).
    """
    text = article.text
    doc = read_document(article, nlp)
    quotes = tuple(extract_quotes(article, doc))
    entities = entities_from_spans(
        doc.entity_spans(), text, [q.speaker for q in quotes if q.speaker]
    )
    timeline = extract_timeline(article, doc.sentences)
    summit = detect_summit(
        article.meta.title,
        text,
        entities,
        article.meta.published,
        place=article.meta.dateline_place,
        timeline=timeline.events,
        source=article.meta.source,
    )
    return Digest(
        article_id=article.article_id,
        file=article.file,
        content_hash=article.content_hash,
        meta=article.meta,
        summary=tuple(summarize(article.paragraphs, sentences=doc.sentences)),
        quotes=quotes,
        timeline=timeline.events,
        unresolved_dates=timeline.unresolved,
        entities=entities,
        summit=summit.encode(),
        paragraphs=article.paragraphs,
    )
