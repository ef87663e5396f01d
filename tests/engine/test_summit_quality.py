"""Summit identity and disagreements on the whole corpus plus the seeds, through the real
export: the scorer's summit pairs, no invented summit names, and the seeds' disagreement shown
in both of their summits."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.corpus

SEED_000 = "000_828d40792933caee.txt"
SEED_002 = "002_ae500b144d0d54b5.txt"


@pytest.fixture(scope="module")
def exported(
    corpus_dir: Path, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path]:
    work = tmp_path_factory.mktemp("summits")
    articles = work / "articles"
    articles.mkdir()
    for path in [*(corpus_dir / "articles").glob("*.txt"), *seeds_dir.glob("*.txt")]:
        shutil.copy(path, articles / path.name)
    out = subprocess.run(
        [sys.executable, "-m", "briefings", "export", str(articles)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DATA_DIR": str(work / "data")},
        cwd=Path(__file__).resolve().parents[2],
        timeout=900,
    ).stdout
    (work / "export.json").write_text(out, encoding="utf-8")
    return json.loads(out), work / "export.json"


def test_summit_pairs_meet_the_targets(
    exported: tuple[dict[str, Any], Path], corpus_dir: Path
) -> None:
    scorer = corpus_dir.parent / "tools" / "score_digests.py"
    if not scorer.exists():
        pytest.skip(f"scorer not found at {scorer}")
    articles = corpus_dir / "articles"
    command = [sys.executable, str(scorer), str(exported[1]), str(corpus_dir / "gold")]
    out = subprocess.run(
        [*command, str(articles), "--meta-dir", str(articles)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = dict(re.findall(r"(summit_pair_[PR])=([\d.]+)", out))
    assert float(figures["summit_pair_P"]) >= 0.95 and float(figures["summit_pair_R"]) >= 0.90


def test_summit_names_are_never_publishers(
    exported: tuple[dict[str, Any], Path], corpus_dir: Path
) -> None:
    document = exported[0]
    publishers = {a["source"] for a in document["articles"] if a["source"]}
    for path in (corpus_dir / "articles").glob("*.meta.json"):
        publishers.add(json.loads(path.read_text(encoding="utf-8"))["source"])
    words = {w.lower() for p in publishers for w in re.findall(r"[\w.]+", p) if len(w) > 2}
    for summit in document["summits"]:
        organization = summit["key"].split("|")[0]
        assert organization.lower() not in words, summit["name"]


def test_the_seeds_disagreement_is_shown_with_the_whole_corpus(
    exported: tuple[dict[str, Any], Path],
) -> None:
    summits = {f: s for s in exported[0]["summits"] for f in s["files"]}
    assert summits[SEED_000]["key"] != summits[SEED_002]["key"]
    for seed in (SEED_000, SEED_002):
        values = {
            (claim["file"], claim["value"])
            for conflict in summits[seed]["conflicts"]
            for claim in conflict["claims"]
        }
        assert values >= {(SEED_000, "2025"), (SEED_002, "2024")}
