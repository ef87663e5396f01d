"""A PostgreSQL server for the PostgreSQL benchmarks: ``BENCH_POSTGRES_URL`` (a superuser URL of
a server somebody else runs), else a throwaway cluster made the way the tests make theirs
(``tests/pg_support.py``: the distribution's server binaries, 127.0.0.1, a free port)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from bench.common import PROJECT, log


@contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped (and a cluster made here stopped) after."""
    import psycopg

    cluster = None
    server = os.environ.get("BENCH_POSTGRES_URL")
    if not server:
        sys.path.insert(0, str(PROJECT / "tests"))
        from pg_support import start_cluster

        cluster = start_cluster()
        server = cluster.url
        log(f"PostgreSQL: a throwaway cluster at {server.rpartition('@')[2]}")
    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if cluster is not None:
            cluster.stop()
