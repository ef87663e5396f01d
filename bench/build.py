"""Digest build: throughput per core and on the pool, peak memory, and incremental rebuilds.

* Per core: articles digested per second in this process (model loaded first), in rounds; the
  median round, by wall time and by CPU time (less sensitive to a noisy machine).
* Pool: ``pipeline.make_pool`` with one worker per core building new articles into a store.
* Peak memory: ``ru_maxrss`` of this process (model + build) and of the largest pool worker.
* Incremental: a no-op rebuild over N unchanged seeds, and one new seed among N against the
  build of that seed alone, at each archive size (the cost curve).

Articles are the generated ~800-word recombinations of real summit articles (``bench/corpus``).

    uv run python -m bench.build [--quick] [--no-write]
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import corpus
from bench.common import WORK, log, median, parse_args, publish, table, verdict

PER_CORE_TARGET = 10.0
NOOP_TARGET = 3.0
ONE_NEW_TARGET = 1.0
#: Generated articles used for throughput (outside every archive set).
FRESH = 40_000


def _seeds(folder: Path, first: int, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    corpus.drop_new_seeds(folder, first, count)
    return folder


def per_core(rounds: int, count: int) -> tuple[float, float, float, list[float]]:
    """(model load s, median articles/s by wall, median articles/s by CPU, per-round wall)."""
    from briefings.pipeline import digest_seed, scan_seeds
    from briefings.text.nlp import load_nlp

    started = time.perf_counter()
    load_nlp()
    load = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        seeds = scan_seeds(_seeds(Path(tmp), FRESH, rounds * count))
        digest_seed(seeds[0])  # warm-up (first call pays lazy imports)
        wall: list[float] = []
        cpu: list[float] = []
        for index in range(rounds):
            batch = seeds[index * count : (index + 1) * count]
            w, c = time.perf_counter(), time.process_time()
            for seed in batch:
                outcome = digest_seed(seed)
                assert outcome.digest is not None, outcome.error
            wall.append(count / (time.perf_counter() - w))
            cpu.append(count / (time.process_time() - c))
            log(f"per core, round {index + 1}: {wall[-1]:.1f} articles/s ({cpu[-1]:.1f} by CPU)")
    return load, median(wall), median(cpu), wall


def pool(count: int, workers: int) -> tuple[float, float, int]:
    """(pool start-up s, articles/s, peak RSS of a worker in MB) building ``count`` articles."""
    from briefings.pipeline import build, make_pool
    from briefings.store.digests import DigestStore

    with tempfile.TemporaryDirectory() as tmp:
        seeds = _seeds(Path(tmp) / "seeds", FRESH + 1000, count)
        started = time.perf_counter()
        executor = make_pool(workers)
        list(executor.map(abs, range(workers * 4)))  # every worker up, model loaded
        startup = time.perf_counter() - started
        try:
            with DigestStore(Path(tmp) / "digests.sqlite3") as store:
                started = time.perf_counter()
                report = build(seeds, store, executor=executor)
                seconds = time.perf_counter() - started
        finally:
            executor.shutdown()
    assert len(report.built) == count, report.errors
    worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return startup, count / seconds, worker_kb // 1024


@dataclass(frozen=True, slots=True)
class Incremental:
    """Incremental rebuild figures at one archive size."""

    size: int
    noop: float
    one_new: float
    own: float
    full_build: str


def incremental(size: int, rounds: int) -> Incremental:
    """No-op rebuild and one new seed among ``size`` (model already loaded in this process)."""
    from briefings.pipeline import build
    from briefings.store.digests import DigestStore

    info = corpus.ensure_store(size)
    history = corpus.build_history(size)
    full = (
        f"{history['built']} digests in {history['seconds']} s with the pool "
        f"({float(str(history['built'])) / float(str(history['seconds'])):.1f}/s; "
        f"{'this run' if info.built else history['date']})"
        if history
        else "built before build times were recorded"
    )
    workdir = WORK / "run" / f"build-n{size}"
    noops: list[float] = []
    ones: list[float] = []
    owns: list[float] = []
    for index in range(rounds):
        seeds = corpus.copy_seeds(info, workdir / "seeds")
        with DigestStore(corpus.copy_store(info, workdir / "data")) as store:
            started = time.perf_counter()
            report = build(seeds, store)
            noops.append(time.perf_counter() - started)
            assert not report.built and report.unchanged == size, report
            [name] = corpus.drop_new_seeds(seeds, FRESH + 2000 + index, 1)
            started = time.perf_counter()
            report = build(seeds, store)
            ones.append(time.perf_counter() - started)
            assert report.built == [name], report
        alone = workdir / "alone"
        shutil.rmtree(alone, ignore_errors=True)
        (alone / "seeds").mkdir(parents=True)
        os.link(seeds / name, alone / "seeds" / name)
        with DigestStore(alone / "digests.sqlite3") as store:
            started = time.perf_counter()
            build(alone / "seeds", store)
            owns.append(time.perf_counter() - started)
    shutil.rmtree(workdir, ignore_errors=True)
    return Incremental(size, median(noops), median(ones), median(owns), full)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, write the "Build" section."""
    args = parse_args(__doc__, argv)
    started = time.monotonic()
    quick = args.quick
    workers = os.cpu_count() or 1
    load, wall, cpu, rounds = per_core(3, 10 if quick else 30)
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    startup, pooled, worker_mb = pool(30 if quick else 200, workers)
    log(f"pool of {workers}: {pooled:.1f} articles/s")
    sizes = (100, 1000) if quick else (100, 1000, 10_000)
    curve = [incremental(size, 3) for size in sizes]
    largest = curve[-1]
    words = corpus.words_per_article()
    rows = [
        ["per core, in process (median round, wall)", f"{wall:.1f} articles/s",
         f"≥ {PER_CORE_TARGET:.0f}/s per core: {verdict(wall >= PER_CORE_TARGET)}"],
        ["per core, by CPU time", f"{cpu:.1f} articles/s", ""],
        [f"pool of {workers} workers (`make_pool`)", f"{pooled:.1f} articles/s",
         f"{pooled / wall:.2f}x the per-core figure"],
        ["pool start-up (spawn + model load)", f"{startup:.1f} s", ""],
        ["model load in process", f"{load:.1f} s", ""],
        ["peak RSS, this process (model + builds)", f"{self_mb} MB", ""],
        ["peak RSS, largest pool worker", f"{worker_mb} MB", ""],
        [f"no-op rebuild, {largest.size} unchanged seeds", f"{largest.noop:.2f} s",
         f"< {NOOP_TARGET:.0f} s: {verdict(largest.noop < NOOP_TARGET)}"],
        [f"one new seed among {largest.size}", f"{largest.one_new:.2f} s (alone: "
         f"{largest.own:.2f} s)", f"< own build + {ONE_NEW_TARGET:.0f} s: "
         f"{verdict(largest.one_new < largest.own + ONE_NEW_TARGET)}"],
    ]  # fmt: skip
    growth = [
        [c.size, f"{c.noop:.3f} s", f"{c.one_new:.2f} s", f"{c.own:.2f} s",
         f"{c.one_new - c.own:+.2f} s", c.full_build]
        for c in curve
    ]  # fmt: skip
    body = (
        f"Generated articles of {words:.0f} words on average.  Per core: "
        f"{' / '.join(f'{r:.1f}' for r in rounds)} articles/s in the rounds.\n\n"
        + table(["measure", "value", "target"], rows)
        + "\n\nHow the incremental cost grows with the archive (medians of 3):\n\n"
        + table(
            [
                "seeds",
                "no-op rebuild",
                "1 new seed",
                "that seed alone",
                "overhead",
                "last build of the cached archive",
            ],
            growth,
        )
    )
    publish("Build", "build", args, body, duration=time.monotonic() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
