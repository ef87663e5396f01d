"""The benchmark suite's own parts (fast; the benchmarks themselves run as `python -m bench`)."""

from __future__ import annotations

import math
import subprocess
import sys

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
