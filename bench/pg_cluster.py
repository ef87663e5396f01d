"""A PostgreSQL database for the PostgreSQL benchmarks: on ``BENCH_POSTGRES_URL`` (a superuser
URL of a server somebody else runs), else on a throwaway cluster made the way the tests make
theirs (``bench/local_servers.py``: the distribution's server binaries, 127.0.0.1, a free port)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bench.common import log
from bench.local_servers import start_cluster


@contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped (and a cluster made here stopped) after."""
    cluster = start_cluster("BENCH_POSTGRES_URL")
    if cluster.folder is not None:
        log(f"PostgreSQL: a throwaway cluster at {cluster.url.rpartition('@')[2]}")
    url = cluster.create_database()
    try:
        yield url
    finally:
        cluster.drop_database(url)
        cluster.stop()
