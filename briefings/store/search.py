"""Search over the store's FTS5 indexes: passages (stemmed, BM25 among the most recent matches)
and quotes (word beginnings), and whether some words name a quoted speaker.

Split from :mod:`briefings.store.digests`; the methods are a base class of its ``DigestStore``,
which owns the connection.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from briefings.models import MergedQuote
from briefings.store.passages import SEARCH_WINDOW, fts_query
from briefings.store.schema import _QUOTE_SHIFT


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A sentence or quote matching a search."""

    file: str
    kind: str  # "sentence" | "quote"
    text: str
    speaker: str | None


@dataclass(frozen=True, slots=True)
class QuoteHit:
    """A merged quotation of some summit matching a /quotes query."""

    quote: MergedQuote
    summit: str


class _SearchQueries:
    """The store's search queries; ``DigestStore`` opens the connection."""

    _db: sqlite3.Connection

    def search(self, words: str, limit: int = 10) -> list[SearchHit]:
        """Sentences and quotes matching every word, best first among the most recent matches.

        BM25 needs each match's term positions, so ranking all of a common word's tens of
        thousands of matches costs hundreds of milliseconds.  Rowids are in publication order,
        so the :data:`SEARCH_WINDOW` most recent matches are read newest first and only those
        are ranked: a rare word is ranked across the whole archive, a common one across its
        recent articles, which for news is what a reader wants anyway.
        """
        query = fts_query(words, prefixes=False)
        if not query:
            return []
        rows = self._db.execute(
            # One statement (one trip through the GIL, not one per hit): rank the window, then
            # read the best rows by rowid.
            "WITH best AS MATERIALIZED (SELECT id, score FROM (SELECT rowid AS id, "
            "rank AS score FROM passages WHERE passages MATCH ?1 ORDER BY rowid DESC "
            "LIMIT ?2) ORDER BY score LIMIT ?3) "
            "SELECT p.file, p.kind, p.text, p.speaker FROM best "
            "JOIN passages AS p ON p.rowid = best.id ORDER BY best.score",
            (query, SEARCH_WINDOW, limit),
        )
        return [SearchHit(r[0], r[1], r[2], r[3]) for r in rows]

    def search_quotes(
        self, words: str, offset: int = 0, limit: int = 8
    ) -> tuple[int, list[QuoteHit]]:
        """Merged quotes of every summit whose speaker or text has all the words.

        Returns the number of matches and one page of them, newest summit first, each summit's
        quotes in briefing order.
        """
        query = fts_query(words, drop_stop_words=False)
        if not query:
            return 0, []
        total = self._db.execute(
            "SELECT count(*) FROM summit_quotes WHERE summit_quotes MATCH ?", (query,)
        ).fetchone()[0]
        rows = self._db.execute(
            "SELECT q.speaker, q.text, q.kind, q.files, s.key FROM summit_quotes AS q "
            f"JOIN summits AS s ON s.id = q.rowid >> {_QUOTE_SHIFT} "
            "WHERE summit_quotes MATCH ? ORDER BY s.rank, q.rowid LIMIT ? OFFSET ?",
            (query, limit, offset),
        )
        return int(total), [
            QuoteHit(MergedQuote(r[1], r[0] or None, r[2], tuple(json.loads(r[3]))), r[4])
            for r in rows
        ]

    def names_speaker(self, words: str) -> bool:
        """Whether some stored quote's speaker has every one of ``words``."""
        query = fts_query(words, drop_stop_words=False)
        if not query:
            return False
        row = self._db.execute(
            "SELECT 1 FROM summit_quotes WHERE summit_quotes MATCH ? LIMIT 1",
            (f"speaker : ({query})",),
        ).fetchone()
        return row is not None
