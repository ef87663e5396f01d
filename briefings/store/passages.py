"""What the search indexes hold and how they are asked: a digest's passages, an article's day
number (the high bits of a passage rowid), its card row, and free text turned into the words of
a safe query (an FTS5 query here; PostgreSQL's in ``postgres_search.py``).

Split from :mod:`briefings.store.digests`, which writes and reads these rows.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterator

from briefings.lexicon import SEARCH_STOP_WORDS as _STOP_WORDS
from briefings.models import Digest
from briefings.text.sentences import split_sentences

#: /search ranks by BM25 at most this many of the most recent matching passages.
SEARCH_WINDOW = 1000
_TERM = re.compile(r"([^\W_]+)(\*?)")


def query_terms(
    words: str, *, prefixes: bool = True, drop_stop_words: bool = True
) -> list[tuple[str, bool]]:
    """The words of a search, each with whether it matches as a prefix (both engines' rule).

    With ``prefixes``, words of three letters or more match as prefixes ("negotiat" finds
    "negotiations"); otherwise only a word typed with a trailing ``*`` does.  Short words and
    stop words are always whole words, since "a*" or "the*" would expand to a large part of the
    vocabulary.  Stop words are dropped when other words remain: they match nearly every
    passage and only slow the search down.  Only letters and digits survive, so a term is safe
    inside either engine's quotes.
    """
    terms = _TERM.findall(words)[:12]
    if drop_stop_words:
        kept = [(t, star) for t, star in terms if t.lower() not in _STOP_WORDS]
        terms = kept or terms
    return [
        (t, bool((prefixes or star) and len(t) >= 3 and t.lower() not in _STOP_WORDS))
        for t, star in terms
    ]


def fts_query(words: str, *, prefixes: bool = True, drop_stop_words: bool = True) -> str:
    """Turn free text into a safe FTS5 query: every word a quoted term that must match
    (see :func:`query_terms`)."""
    return " ".join(
        f'"{t}"*' if prefix else f'"{t}"'
        for t, prefix in query_terms(words, prefixes=prefixes, drop_stop_words=drop_stop_words)
    )


def _card_json(digest: Digest) -> str:
    return json.dumps(digest.card().to_row(), ensure_ascii=False)


def _day_number(published: str | None) -> int:
    """Days since 0001-01-01 of a ``YYYY-MM-DD`` date; 0 for an undated article."""
    try:
        return _dt.date.fromisoformat(published).toordinal() if published else 0
    except ValueError:
        return 0


def _passages(digest: Digest) -> Iterator[tuple[str, str, str, str | None]]:
    for sentence in split_sentences("\n".join(digest.paragraphs)):
        yield sentence.text, digest.file, "sentence", None
    for quote in digest.quotes:
        yield quote.text, digest.file, "quote", quote.speaker
