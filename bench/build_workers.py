"""Build workers (issue 16): builds per second with 1 and 2 ``python -m briefings worker``
processes on one queue in PostgreSQL.

For each number of builders: a fresh database and store, the builders started and their digest
process ready (model loaded: not counted), then N new articles queued at once; the figure is N
over the time until the queue is empty.  Every job is checked to be built exactly once.

PostgreSQL: ``TEST_POSTGRES_URL`` (a superuser URL), else a throwaway cluster from the local
server binaries, as the tests make it (``bench/local_servers.py``).

    uv run python -m bench.build_workers [--quick] [--no-write]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from bench import corpus
from bench.common import PROJECT, log, parse_args, publish, table
from briefings import build_queue

#: Generated articles used here (outside every other benchmark's sets).
FIRST = 41_000
PATIENCE = 900.0


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"waited {PATIENCE:.0f} s for {what}")
        time.sleep(0.05)


def _ready(log_path: Path) -> Callable[[], bool]:
    return lambda: "digest process ready" in log_path.read_text()


def _open_jobs(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM build_jobs WHERE state IN ('queued', 'running')"
        ).fetchone()
    return int(row[0]) if row else 0


def run_once(url: str, seeds: Path, data: Path, names: list[str], builders: int) -> float:
    """Seconds for ``builders`` ready builders to empty a queue of ``names``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(SEEDS_DIR=str(seeds), DATA_DIR=str(data), DATABASE_URL=url)
    logs = [data / f"builder{i}.log" for i in range(builders)]
    data.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for path in logs:
            with path.open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "briefings", "-v", "worker"],
                        cwd=PROJECT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        for path in logs:
            _wait(_ready(path), f"{path.name} ready")
        with build_queue.connect(url) as conn:
            started = time.perf_counter()
            build_queue.enqueue(conn, seeds, names)
        _wait(lambda: _open_jobs(url) == 0, "the queue to empty")
        elapsed = time.perf_counter() - started
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(10)
    with psycopg.connect(url) as conn:
        states = conn.execute("SELECT state, builds, count(*) FROM build_jobs GROUP BY 1, 2")
        assert states.fetchall() == [("done", 1, len(names))], "not every job built once"
    return elapsed


def main() -> None:
    args = parse_args(__doc__)
    count = 60 if args.quick else 300
    from bench.local_servers import start_cluster

    began = time.perf_counter()
    cluster = start_cluster("BENCH_POSTGRES_URL")
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            seeds = Path(tmp) / "seeds"
            seeds.mkdir()
            names = corpus.drop_new_seeds(seeds, FIRST, count)
            base = None
            for builders in (1, 2):
                url = cluster.create_database()
                try:
                    log(f"{builders} builder(s), {count} articles")
                    seconds = run_once(url, seeds, Path(tmp) / f"data{builders}", names, builders)
                finally:
                    cluster.drop_database(url)
                rate = count / seconds
                base = base or rate
                rows.append(
                    (builders, f"{seconds:.1f} s", f"{rate:.1f} builds/s", f"{rate / base:.2f}x")
                )
    finally:
        cluster.stop()
    body = (
        f"{count} generated articles (`bench/corpus`), queued at once after the builders' digest "
        "processes were ready; every job checked built exactly once.\n\n"
        + table(["builders", "queue emptied in", "throughput", "vs 1 builder"], rows)
    )
    publish("Build workers", "build_workers", args, body, duration=time.perf_counter() - began)


if __name__ == "__main__":
    main()
