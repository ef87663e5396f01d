"""Search over the PostgreSQL store: ``tsvector`` columns under GIN indexes, asked the way the
SQLite store asks its FTS5 indexes (same words, same prefixes, same window of recent matches).

Ranking: FTS5 ranks by BM25; PostgreSQL's ranking functions have no corpus statistics (no
IDF), but every hit of a search holds every word, so what orders them is how often and how
close together the words occur and how long the passage is.  ``ts_rank_cd`` (cover density)
divided by the passage's length came closest to BM25 on 31 queries over 136 articles (top-5
overlap 91%, same best hit 24 of 31; ``python -m bench.search_engines``, bench/RESULTS.md).
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from briefings.models import MergedQuote
from briefings.store.passages import SEARCH_WINDOW, query_terms
from briefings.store.schema import _QUOTE_SHIFT
from briefings.store.search import QuoteHit, SearchHit

#: How a passage of the window is scored (see the module docstring); ``r.words`` is the
#: passage's vector, ``q.q`` the query.  bench/search_engines.py compares the alternatives.
RANK_EXPRESSION = "ts_rank_cd(r.words, q.q, 2)"


def fold(text: str) -> str:
    """``text`` without diacritics and NUL characters, as FTS5's ``remove_diacritics 2`` reads
    it (PostgreSQL's text cannot hold NUL; it never carries meaning in an article)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\x00", " "))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ts_query(words: str, *, prefixes: bool = True, drop_stop_words: bool = True) -> str:
    """Free text as a safe ``to_tsquery`` argument: every word must match, prefixes as in
    :func:`~briefings.store.passages.query_terms`."""
    return " & ".join(
        f"'{fold(t).lower()}'" + (":*" if prefix else "")
        for t, prefix in query_terms(words, prefixes=prefixes, drop_stop_words=drop_stop_words)
    )


class _PostgresSearch:
    """The search methods of ``PostgresDigestStore`` (which provides ``_rows`` and ``_row``)."""

    def _rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _row(self, sql: str, params: Any = ()) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def search(self, words: str, limit: int = 10) -> list[SearchHit]:
        """Sentences and quotes matching every word, best first among the most recent matches
        (the :data:`SEARCH_WINDOW` newest, as on SQLite: ids are in publication order).

        A GIN index yields matches in table order, not newest first, so the newest thousand
        of a common word are picked from all its matches (a bitmap of the index, then the
        rows): 61 ms at worst for the archive benchmark's queries on 100,000 digests
        (bench/RESULTS.md).  Looking in growing spans of days first was tried and was slower:
        the planner filters the span after reading the rows, so each span read them again.
        """
        query = ts_query(words, prefixes=False)
        if not query:
            return []
        rows = self._rows(
            "WITH q AS (SELECT to_tsquery('english', ?) AS q), "
            "recent AS MATERIALIZED (SELECT p.id, p.words FROM passages p, q "
            "WHERE p.words @@ q.q ORDER BY p.id DESC LIMIT ?), "
            f"best AS (SELECT r.id, {RANK_EXPRESSION} AS score FROM recent r, q "
            "ORDER BY score DESC, r.id DESC LIMIT ?) "
            "SELECT p.file, p.kind, p.text, p.speaker FROM best "
            "JOIN passages p ON p.id = best.id ORDER BY best.score DESC, best.id DESC",
            (query, SEARCH_WINDOW, limit),
        )
        return [SearchHit(r[0], r[1], r[2], r[3]) for r in rows]

    def search_quotes(
        self, words: str, offset: int = 0, limit: int = 8
    ) -> tuple[int, list[QuoteHit]]:
        """Merged quotes of every summit whose speaker or text has all the words: the number
        of matches and one page, newest summit first, each summit's quotes in briefing order."""
        query = ts_query(words, drop_stop_words=False)
        if not query:
            return 0, []
        row = self._row(
            "SELECT count(*) FROM summit_quotes WHERE words @@ to_tsquery('simple', ?)", (query,)
        )
        rows = self._rows(
            "SELECT q.speaker, q.text, q.kind, q.files, s.key FROM summit_quotes AS q "
            f"JOIN summits AS s ON s.id = q.id >> {_QUOTE_SHIFT} "
            "WHERE q.words @@ to_tsquery('simple', ?) ORDER BY s.rank, q.id LIMIT ? OFFSET ?",
            (query, limit, offset),
        )
        return int(row[0] if row else 0), [
            QuoteHit(MergedQuote(r[1], r[0] or None, r[2], tuple(json.loads(r[3]))), r[4])
            for r in rows
        ]

    def names_speaker(self, words: str) -> bool:
        """Whether some stored quote's speaker has every one of ``words``."""
        query = ts_query(words, drop_stop_words=False)
        if not query:
            return False
        row = self._row(
            "SELECT 1 FROM summit_quotes WHERE speaker_words @@ to_tsquery('simple', ?) LIMIT 1",
            (query,),
        )
        return row is not None
