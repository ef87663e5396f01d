"""``python -m bench.archive_postgres [--quick] [--no-write]``: an archive of 100,000 digests
(10,000 with ``--quick``) in a PostgreSQL digest store: what a replica's start-up costs, its
memory, and /search.

The archive: synthetic copies of the digests of the ranking store (the corpus, the seeds and
the MEANTIME articles, ``bench/search_engines.py``), each copy its own file, published some
years earlier with its summit key moved to that year, so the archive spreads over thousands of
summits as a real one does.  They are written through the store's own ``put_digest`` (1,000
per transaction) and the summits merged by ``refresh_summits``, as a builder would.

A replica is measured in a fresh process (``--replica URL``): ``open_library`` (what the bot
does at start-up: connect, migrate check, read every card and summit head), its resident
memory afterwards (VmRSS, peak VmHWM), and ``Library.search`` latencies, the store query that
/search answers from (the bot adds rendering on top; ``bench/archive.py`` measures that part on
SQLite).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence

from bench.archive import QUERIES
from bench.common import PROJECT, log, ms, parse_args, percentile, publish, table
from briefings.models import Digest

FULL_SIZE = 100_000
QUICK_SIZE = 10_000
CHUNK = 1000
SEARCH_ROUNDS = 10
_YEAR = re.compile(r"\b(19|20)\d\d\b")
NOTES = (
    "Nearly every copy is a summit of its own: most templates are MEANTIME business news "
    "whose meeting is unclear, so the replica holds about as many summit heads as cards "
    "(a worst case for its memory).  SQLite at 10,000 digests, for comparison: the "
    "Archive scale section.  Found with this benchmark: with psycopg's automatic prepared "
    "statements, PostgreSQL's generic plan for /search walked the table for rare words "
    "(p99 402 ms on the same archive); the store's connection prepares nothing since."
)


def _shift(text: str | None, years: int) -> str | None:
    if not text:
        return text
    return _YEAR.sub(lambda m: str(int(m.group()) - years), text)


def synthetic(template: Digest, index: int, years: int) -> Digest:
    """Copy ``index`` of ``template``, ``years`` earlier (29 February becomes the 28th)."""
    published = _shift(template.meta.published, years)
    if published and published.endswith("-02-29"):
        published = published[:-2] + "28"
    return dataclasses.replace(
        template,
        article_id=f"syn{index:06d}",
        file=f"s{index:06d}.txt",
        content_hash=f"{template.content_hash}-{index}",
        meta=dataclasses.replace(template.meta, published=published),
        summit=_shift(template.summit, years),
    )


def fill(url: str, size: int) -> tuple[float, float, int]:
    """Write ``size`` synthetic digests and merge their summits; (write s, merge s, summits)."""
    from bench.search_engines import sqlite_store
    from briefings.store import DigestStore, open_store_at
    from briefings.store.location import PostgresLocation
    from briefings.store.summit_index import refresh_summits

    with DigestStore(sqlite_store()) as source:
        templates = [d for d in source.digests() if d.paragraphs]
    started = time.perf_counter()
    with open_store_at(PostgresLocation(url)) as store:
        for first in range(0, size, CHUNK):
            with store.transaction():
                for index in range(first, min(first + CHUNK, size)):
                    template = templates[index % len(templates)]
                    store.put_digest(synthetic(template, index, index // len(templates)), 1, 1)
            if (first // CHUNK) % 10 == 9:
                log(f"{first + CHUNK} digests written")
        written = time.perf_counter() - started
        started = time.perf_counter()
        report = refresh_summits(store)
        merged = time.perf_counter() - started
    log(f"{size} digests in {written:.0f} s; {report.merged} summits merged in {merged:.0f} s")
    return written, merged, report.merged


def replica(url: str) -> dict[str, float | list[float]]:
    """In this (fresh) process: open the library as the bot does, then search."""
    from bench.common import proc_status
    from briefings.store.location import PostgresLocation
    from briefings.store_health import open_library

    started = time.perf_counter()
    store, library, _ = open_library(PostgresLocation(url))
    load = time.perf_counter() - started
    status = proc_status(os.getpid())
    latencies = []
    for _ in range(SEARCH_ROUNDS):
        for query in QUERIES:
            begun = time.perf_counter()
            library.search(query)
            latencies.append(time.perf_counter() - begun)
    store.close()
    return {
        "load": load,
        "articles": len(library.articles),
        "summits": len(library.summits),
        "rss_mb": status.get("VmRSS", 0) / 1024,
        "hwm_mb": status.get("VmHWM", 0) / 1024,
        "search": latencies,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Fill, measure a replica in a fresh process, publish."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--replica"]:
        print(json.dumps(replica(argv[1])))
        return 0
    args = parse_args(__doc__, argv)
    size = QUICK_SIZE if args.quick else FULL_SIZE
    begun = time.monotonic()
    from bench.pg_cluster import postgres_database

    with postgres_database() as url:
        written, merged, summits = fill(url, size)
        runs = []
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-m", "bench.archive_postgres", "--replica", url],
                cwd=PROJECT,
                capture_output=True,
                text=True,
                check=True,
                timeout=900,
            ).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
    loads = sorted(float(r["load"]) for r in runs)
    last = runs[-1]
    searches = [float(x) for r in runs for x in r["search"]]  # type: ignore[union-attr]
    rows = [
        ["digests · summits", f"{last['articles']} · {last['summits']}"],
        ["written through put_digest (1,000 per transaction)", f"{written:.0f} s"],
        ["summits merged (refresh_summits, one process)", f"{merged:.0f} s ({summits})"],
        ["replica start-up: open_library (median of 3 fresh processes)", f"{loads[1]:.2f} s"],
        ["replica memory after loading (VmRSS; peak VmHWM)",
         f"{last['rss_mb']:.0f} MB ({last['hwm_mb']:.0f} MB)"],
        [f"/search store query p50 · p99 ({len(searches)} searches)",
         f"{ms(percentile(searches, 50))} · {ms(percentile(searches, 99))}"],
    ]  # fmt: skip
    body = (
        f"Queries: those of `bench/archive.py` ({len(QUERIES)}), {SEARCH_ROUNDS} rounds in "
        "each of 3 fresh replica processes; PostgreSQL 15 on the same machine (a throwaway "
        "cluster, fsync off) reached over TCP on 127.0.0.1.\n\n"
        + table(["measure", "value"], rows)
        + "\n\n"
        + NOTES
    )
    publish(
        "Archive on PostgreSQL",
        "archive_postgres",
        args,
        body,
        duration=time.monotonic() - begun,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
