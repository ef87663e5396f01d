"""Exports of the development sets through the real CLI, scored by the shared scorer."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Export:
    """One ``python -m briefings export`` of a folder: the document and where it was written."""

    document: dict[str, Any]
    path: Path
    articles: Path


def export_folder(articles: Path, work: Path) -> Export:
    """Run the real CLI on ``articles`` with a fresh DATA_DIR under ``work``."""
    out = subprocess.run(
        [sys.executable, "-m", "briefings", "export", str(articles)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DATA_DIR": str(work / "data")},
        cwd=PROJECT,
        timeout=900,
    ).stdout
    path = work / "export.json"
    path.write_text(out, encoding="utf-8")
    return Export(json.loads(out), path, articles)


def score(
    export: Export,
    gold: Path,
    *extra: str,
    line: str = "TOTAL",
    articles: Path | None = None,
) -> dict[str, float]:
    """The scorer's ``TOTAL`` (or ``COVERED``) figures for ``export`` against ``gold``
    (``articles``: the folder the scorer reads, by default the one exported)."""
    scorer = gold.parent.parent / "tools" / "score_digests.py"
    if not scorer.exists():
        pytest.skip(f"scorer not found at {scorer}")
    folder = articles or export.articles
    command = [sys.executable, str(scorer), str(export.path), str(gold), str(folder), *extra]
    out = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = [row for row in out.strip().splitlines() if row.startswith(line)]
    assert found, out
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", found[-1])}


def shared_set(corpus_dir: Path, name: str) -> Path:
    """``../shared/<name>``, or a skip saying it is not there."""
    root = corpus_dir.parent / name
    if not (root / "gold").is_dir():
        pytest.skip(f"{name} not found at {root}")
    return root
