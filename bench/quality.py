"""Extraction quality against the gold corpus, with the shared scorer.

Exports the corpus articles and the two seeds with ``python -m briefings export`` (the same JSON
other tools read), then runs ``../shared/tools/score_digests.py`` on it: quote precision/recall,
speaker accuracy, scare quotes returned, date precision/recall/F1, ROUGE-1/2 of the summary and of
the Lead-3 baseline, and people precision.

    uv run python -m bench.quality [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.results import write_section

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
CORPUS = SHARED / "corpus"
SCORER = SHARED / "tools" / "score_digests.py"


def export(folder: Path, data_dir: Path) -> dict[str, object]:
    """Run the real CLI on ``folder`` and return its JSON."""
    env = {**os.environ, "DATA_DIR": str(data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "briefings", "export", str(folder)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def score(export_file: Path, articles: Path) -> tuple[list[str], dict[str, str]]:
    """Run the shared scorer; return its per-article lines and the TOTAL figures."""
    out = subprocess.run(
        [
            sys.executable,
            str(SCORER),
            str(export_file),
            str(CORPUS / "gold"),
            str(articles),
            "--meta-dir",
            str(CORPUS / "articles"),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    total = next(line for line in out if line.startswith("TOTAL"))
    return out[:-1], dict(re.findall(r"(\w+)=([\d.]+)", total))


def main() -> int:
    """Measure and print; write bench/RESULTS.md unless --no-write."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"gold corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        articles = Path(tmp) / "articles"
        articles.mkdir()
        for path in (CORPUS / "articles").glob("*.txt"):
            shutil.copy(path, articles / path.name)
        for path in (PROJECT / "seeds").glob("*.txt"):
            shutil.copy(path, articles / path.name)
        document = export(articles, Path(tmp) / "data")
        export_file = Path(tmp) / "export.json"
        export_file.write_text(json.dumps(document), encoding="utf-8")
        lines, total = score(export_file, articles)
    for line in lines:
        print(line)
    print(" ".join(f"{k}={v}" for k, v in total.items()))
    if not args.no_write:
        rows = "\n".join(f"| {k} | {v} |" for k, v in total.items())
        body = (
            "Scored by `../shared/tools/score_digests.py` over the corpus articles and both "
            "seeds (the gold in `../shared/corpus/gold`).\n\n| measure | value |\n|---|---|\n"
            f"{rows}\n\nPer article:\n\n```\n" + "\n".join(lines) + "\n```"
        )
        write_section("Quality", "uv run python -m bench.quality", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
