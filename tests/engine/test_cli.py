"""The command lines: ``python -m briefings build|show|export`` and ``python -m bot``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    environment.update({"DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("export")
    folder = tmp / "seeds"
    shutil.copytree(seeds_dir, folder)
    (folder / "empty.txt").write_bytes(b"")
    result = run(["briefings", "export", str(folder)], tmp)
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_export_keeps_the_contract(exported: dict[str, object]) -> None:
    articles = exported["articles"]
    assert isinstance(articles, list) and len(articles) == 2
    for article in articles:
        assert {
            "file",
            "title",
            "source",
            "author",
            "published",
            "summary",
            "quotes",
            "timeline",
            "entities",
        } <= set(article)
        assert set(article["entities"]) >= {"people", "places", "organizations"}
        for quote in article["quotes"]:
            assert set(quote) >= {"speaker", "text", "kind"}
            assert quote["kind"] in {"direct", "partial", "unmarked"}
        for event in article["timeline"]:
            assert set(event) >= {"date", "event", "evidence"}
    by_file = {a["file"]: a for a in articles}
    assert by_file["000_828d40792933caee.txt"]["published"] is None
    assert by_file["002_ae500b144d0d54b5.txt"]["published"] == "2025-10-10"
    summits = exported["summits"]
    assert isinstance(summits, list) and len(summits) == 2  # two meetings (see test_summits)
    for summit in summits:
        assert set(summit) >= {"name", "key", "files", "conflicts"} and len(summit["files"]) == 1
        [conflict] = summit["conflicts"]
        assert {c["value"] for c in conflict["claims"]} == {"2024", "2025"}
    claims = exported["claims"]
    assert isinstance(claims, list)
    for claim in claims:
        assert set(claim) >= {"subject", "attribute", "value", "file", "sentence", "disputed"}
    assert {c["value"] for c in claims if c["disputed"]} == {"2024", "2025"}
    errors = exported["errors"]
    assert isinstance(errors, list)
    assert [e["file"] for e in errors] == ["empty.txt"] and "empty" in errors[0]["error"]


def test_build_then_show(tmp_path: Path, seeds_dir: Path) -> None:
    built = run(["briefings", "build", "-q"], tmp_path, SEEDS_DIR=str(seeds_dir))
    assert built.returncode == 0 and "built 2" in built.stdout
    again = run(["briefings", "build", "-q"], tmp_path, SEEDS_DIR=str(seeds_dir))
    assert "built 0, unchanged 2" in again.stdout
    shown = run(
        ["briefings", "show", "002_ae500b144d0d54b5.txt"], tmp_path, SEEDS_DIR=str(seeds_dir)
    )
    assert shown.returncode == 0
    assert "Published: 2025-10-10 13:43 UTC+04:00" in shown.stdout
    assert "Ilham Aliyev" in shown.stdout
    missing = run(["briefings", "show", "nope.txt"], tmp_path, SEEDS_DIR=str(seeds_dir))
    assert missing.returncode == 1 and "no such seed file" in missing.stderr


def test_bot_without_token_says_what_to_set(tmp_path: Path) -> None:
    result = run(["bot"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "TELEGRAM_BOT_TOKEN" in result.stderr


def test_bot_rejects_bad_settings_clearly(tmp_path: Path) -> None:
    result = run(["bot"], tmp_path, TELEGRAM_BOT_TOKEN="1:x", TZ="Mars/Olympus")
    assert result.returncode == 2
    assert "TZ" in result.stderr and "Mars/Olympus" in result.stderr
