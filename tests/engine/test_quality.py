"""Extraction quality on the gold corpus, measured with the shared scorer, held at its level.

This is the yardstick also applied to articles we do not have: the assertions are floors just
below the figures reached (see bench/RESULTS.md), so a regression fails the build.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from quality_support import Export, export_folder, score, shared_set

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def totals(corpus_export: Export, corpus_dir: Path) -> dict[str, float]:
    assert corpus_export.document["errors"] == []
    return score(corpus_export, corpus_dir / "gold")


def test_every_gold_article_was_scored(totals: dict[str, float]) -> None:
    assert totals["articles"] == 16


def test_quotes(totals: dict[str, float]) -> None:
    # Reached (bench/RESULTS.md): quote P 1.00, R 1.00, speaker_P 1.00, speaker_cov 1.00.
    assert totals["quote_P"] >= 0.97
    assert totals["quote_R"] >= 0.95
    assert totals["speaker_acc"] >= 0.95
    assert totals["speaker_P"] >= 0.97
    assert totals["speaker_cov"] >= 0.95
    assert totals["scare_fp"] == 0


@pytest.fixture(scope="module")
def meantime_quotes(
    corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, float]:
    """The COVERED figures of the MEANTIME quote set (68 news articles far from summits)."""
    root = shared_set(corpus_dir, "corpus-meantime-quotes")
    export = export_folder(root / "articles", tmp_path_factory.mktemp("meantime-quotes"))
    return score(export, root / "gold", line="COVERED")


def test_meantime_quotes(meantime_quotes: dict[str, float]) -> None:
    # Reached (bench/RESULTS.md): quote P 0.98, R 0.97, speaker_P 0.98, speaker_cov 0.88,
    # 3 wrong names (was 0.67 / 0.75 and 36 wrong before attribution by syntax).
    assert meantime_quotes["articles"] == 68
    assert meantime_quotes["quote_P"] >= 0.97
    assert meantime_quotes["quote_R"] >= 0.95
    assert meantime_quotes["speaker_P"] >= 0.95
    assert meantime_quotes["speaker_cov"] >= 0.85
    assert meantime_quotes["speaker_wrong"] <= 5


def test_dates(totals: dict[str, float]) -> None:
    assert totals["date_P"] >= 0.95
    assert totals["date_F1"] >= 0.95


def test_timeline_entries(totals: dict[str, float]) -> None:
    """Strict figures: each entry must match a gold event of its date (reached: P 0.92,
    R 0.95, F1 0.94 on the corpus and seeds, from 0.77 / 0.93 / 0.84; issue 13 asks >= 0.90)."""
    assert totals["date_entry_F1"] >= 0.93
    assert totals["date_entry_P"] >= 0.91


def test_summary_beats_lead3(totals: dict[str, float]) -> None:
    assert totals["rouge1"] > totals["lead3_rouge1"] + 0.05
    assert totals["rouge2"] > totals["lead3_rouge2"]


def test_people_precision(totals: dict[str, float]) -> None:
    """Reached: 1.00 (was 0.97)."""
    assert totals["people_P"] >= 0.97


# --------------------------------------------------------------------------- MEANTIME


@pytest.fixture(scope="module")
def meantime(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """The COVERED line of the scorer over the 120 MEANTIME articles (dates and people gold,
    annotated outside this project; see ``../shared/corpus-meantime/README.md``)."""
    root = shared_set(corpus_dir, "corpus-meantime")
    export = export_folder(root / "articles", tmp_path_factory.mktemp("meantime"))
    return score(export, root / "gold", line="COVERED")


def test_meantime_timeline(meantime: dict[str, float]) -> None:
    """Reached: date_entry P 0.96, R 0.90, F1 0.93 (was 0.92 / 0.77 / 0.84)."""
    assert meantime["articles"] == 120
    assert meantime["date_entry_F1"] >= 0.92
    assert meantime["date_entry_P"] >= 0.94


def test_meantime_people_precision(meantime: dict[str, float]) -> None:
    """Reached: 0.96 (was 0.84)."""
    assert meantime["people_P"] >= 0.95
