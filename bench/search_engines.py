"""``python -m bench.search_engines [--no-write]``: how close /search on PostgreSQL ranks to
SQLite's FTS5 (BM25) over the same passages.

The corpus articles, both seeds and the MEANTIME news articles (``../shared``) are built into a
SQLite store (cached under
``bench/.work/stores/``) and their digests copied into a PostgreSQL store; each query below is
asked of both, and the measure is the overlap of their top five hits (the share of SQLite's top
five that PostgreSQL's top five also holds) and how often the best hit is the same.  Several
ways of scoring on PostgreSQL are compared, so the choice in ``postgres_search.py`` is the
measured best, not a guess.  The queries are the words a reader of (summit) news types: written
for the topic, not picked from the articles.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import PROJECT, WORK, log, parse_args, publish, table
from bench.corpus import SOURCES

#: The articles asked: the summit corpus and seeds, and the MEANTIME news (where present).
FOLDERS = (*SOURCES, PROJECT.parent / "shared" / "corpus-meantime" / "articles")

QUERIES = (
    "summit", "president", "agreement signed", "climate", "security cooperation", "trade",
    "energy", "declaration", "sanctions", "ceasefire", "nuclear", "economic growth",
    "prime minister", "talks", "border", "investment", "peace", "gas pipeline", "leaders agreed",
    "joint statement", "foreign ministers", "military", "elections", "visit", "bilateral meeting",
    "next summit", "chairmanship", "integration", "war", "negotiat*", "stock market",
    "chief executive", "oil prices", "bank", "airline", "government", "profit", "merger",
    "court ruling", "job cuts",
)  # fmt: skip

#: PostgreSQL scoring expressions compared (``r.words``: the passage, ``q.q``: the query).
VARIANTS = {
    "ts_rank, no normalization": "ts_rank(r.words, q.q)",
    "ts_rank / (1 + log length)": "ts_rank(r.words, q.q, 1)",
    "ts_rank / length": "ts_rank(r.words, q.q, 2)",
    "ts_rank_cd / (1 + log length)": "ts_rank_cd(r.words, q.q, 1)",
    "ts_rank_cd / length": "ts_rank_cd(r.words, q.q, 2)",
}


def sqlite_store() -> Path:
    """The corpus and seeds built into a SQLite store (cached)."""
    from briefings.pipeline import build
    from briefings.store import DigestStore

    folder = WORK / "ranking-seeds"
    folder.mkdir(parents=True, exist_ok=True)
    for source in FOLDERS:
        for path in source.glob("*.txt"):
            target = folder / path.name
            if not target.exists():
                target.write_bytes(path.read_bytes())
    path = WORK / "stores" / "ranking.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    with DigestStore(path) as store:
        report = build(folder, store)
    log(f"ranking store: {len(report.built)} built, {report.unchanged} unchanged")
    return path


def overlap(expected: Sequence[object], found: Sequence[object]) -> float:
    """The share of ``expected`` (SQLite's top hits) that ``found`` also holds."""
    return len(set(expected) & set(found)) / len(expected)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and publish."""
    args = parse_args(__doc__, argv)
    started = time.monotonic()
    from bench.pg_cluster import postgres_database
    from briefings.store import DigestStore, open_store_at
    from briefings.store import postgres_search as pgs
    from briefings.store.location import PostgresLocation
    from briefings.store.summit_index import refresh_summits

    path = sqlite_store()
    chosen = pgs.RANK_EXPRESSION
    rows = []
    with (
        postgres_database() as url,
        DigestStore(path) as sqlite,
        open_store_at(PostgresLocation(url)) as pg,
    ):
        with pg.transaction():
            for digest in sqlite.digests():
                pg.put_digest(digest, 1, 1)
        refresh_summits(pg)
        asked = [(q, sqlite.search(q, limit=5)) for q in QUERIES]
        asked = [(q, hits) for q, hits in asked if hits]
        for name, expression in VARIANTS.items():
            pgs.RANK_EXPRESSION = expression
            shares, firsts = [], 0
            for query, expected in asked:
                found = pg.search(query, limit=5)
                shares.append(overlap(expected, found))
                firsts += bool(found) and found[0] == expected[0]
            mark = " (used)" if expression == chosen else ""
            rows.append(
                (
                    f"{name}{mark}",
                    f"{sum(shares) / len(shares):.0%}",
                    f"{firsts}/{len(asked)}",
                    sum(s == 1 for s in shares),
                )
            )
        pgs.RANK_EXPRESSION = chosen
        digests = len(sqlite.digests())
    body = (
        f"{len(asked)} queries with hits (of {len(QUERIES)}; words a reader of news "
        f"types, see `QUERIES`) over the {digests} digests of `../shared/corpus/articles`, the "
        "seeds and `../shared/corpus-meantime/articles`, each asked of the SQLite store (FTS5, "
        "BM25) and of the same digests in a PostgreSQL 15 store (tsvector, GIN).\n\n"
        + table(
            (
                "PostgreSQL scoring",
                "top-5 overlap with FTS5 (mean)",
                "same best hit",
                "queries with identical top-5 set",
            ),
            rows,
        )
    )
    publish(
        "Search ranking: PostgreSQL vs SQLite FTS5",
        "search_engines",
        args,
        body,
        duration=time.monotonic() - started,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
