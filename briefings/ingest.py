"""Read a seed file into an :class:`~briefings.models.Article` (placeholder, being rewritten)."""

from __future__ import annotations

import hashlib

from briefings.models import Article, ArticleMeta


def article_from_text(
    text: str, file: str = "inline.txt", meta: ArticleMeta | None = None
) -> Article:
    """Build an Article from already-decoded text (tests and tools use this)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    paragraphs = tuple(line.strip() for line in text.splitlines() if line.strip())
    return Article(
        article_id=digest[:16],
        file=file,
        content_hash=digest,
        meta=meta or ArticleMeta(),
        paragraphs=paragraphs,
    )
