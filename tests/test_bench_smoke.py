"""The benchmark suite's own parts (fast; the benchmarks themselves run as `python -m bench`)."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

from bench import corpus
from bench.broadcast import windows
from bench.common import PROJECT, LoadResult, Sample, percentile, table


def test_generated_articles_are_deterministic_recombinations_of_real_text() -> None:
    first, again = corpus.article_text(7), corpus.article_text(7)
    assert first == again
    assert first != corpus.article_text(8)
    words = len(first.split())
    assert 700 <= words <= 1300
    real = [p for s in corpus.sources() for p in s.paragraphs]
    shifted = {corpus._shift_years(p, -delta) for p in real for delta in range(25)}
    body = first.strip().split("\n\n")[2:]  # after the title and the stamp
    assert body and all(p in shifted for p in body)  # real paragraphs, years shifted


def test_percentile_interpolates_and_handles_empty() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 99) == 5.0
    assert math.isnan(percentile([], 50))


def test_load_result_filters_by_time_and_counts_unanswered() -> None:
    result = LoadResult(
        [Sample(1.0, "/a", 0.01), Sample(2.0, "/b", None), Sample(3.0, "/a", 0.03)]
    )
    assert result.all == [0.01, 0.03] and result.unanswered == 1
    assert result.between(1.5, 3.0).all == [0.03]
    assert result.latencies == {"/a": [0.01, 0.03]}


def test_broadcast_windows_count_full_windows_only() -> None:
    times = [i / 30 for i in range(601)]  # 30/s for 20 s
    assert windows(times, 10.0) == [30.0, 30.0]


def test_table_is_markdown() -> None:
    assert table(["a", "b"], [[1, 2]]).splitlines() == ["| a | b |", "|---|---|", "| 1 | 2 |"]


def test_the_suite_lists_its_benchmarks() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--help"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "--quick" in done.stdout and "broadcast" in done.stdout


def test_incremental_reload_equals_a_full_load(
    tmp_path: Path, seeds_dir: Path, seed_store: Path
) -> None:
    """The bot reloads with ``Library.load(store, previous=…)`` after each build (what keeps it
    answering while it builds): it must give exactly what a full load gives."""
    from briefings.library import Library
    from briefings.pipeline import build
    from briefings.store import DigestStore

    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    shutil.copy(seed_store, tmp_path / "digests.sqlite3")
    with DigestStore(tmp_path / "digests.sqlite3") as store:
        build(seeds, store)
        before = Library.load(store)
        (seeds / "003_recombined.txt").write_text(corpus.article_text(0), encoding="utf-8")
        first = sorted(seeds.glob("0*.txt"))[0]
        first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n")
        report = build(seeds, store)
        assert len(report.built) == 2, report
        incremental = Library.load(store, previous=before)
        full = Library.load(store)
    assert incremental.digests == full.digests
    assert incremental.summits == full.summits
    unchanged = {d.file for d in before.digests} - {first.name}
    assert all(incremental.digest(f) is before.digest(f) for f in unchanged)  # reused
