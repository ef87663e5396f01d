"""Summit identity and disagreements on the whole corpus plus the seeds, through the real
export: the scorer's summit pairs, no invented summit names, and the seeds' disagreement shown
in both of their summits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from quality_support import Export, score

pytestmark = pytest.mark.corpus

SEED_000 = "000_828d40792933caee.txt"
SEED_002 = "002_ae500b144d0d54b5.txt"


@pytest.fixture(scope="module")
def exported(corpus_export: Export) -> tuple[dict[str, Any], Path]:
    return corpus_export.document, corpus_export.path


def test_summit_pairs_meet_the_targets(corpus_export: Export, corpus_dir: Path) -> None:
    articles = corpus_dir / "articles"
    figures = score(
        corpus_export, corpus_dir / "gold", "--meta-dir", str(articles), articles=articles
    )
    assert figures["summit_pair_P"] >= 0.95 and figures["summit_pair_R"] >= 0.90


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
