"""What a newcomer meets on the command line: skip reasons, warnings, help texts, start-up errors.

Every start-up test runs ``python -m bot`` as a real subprocess against 127.0.0.1 only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "WEBHOOK_", "PTB_"))
    }
    environment.update({"DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT,
        timeout=120,
        check=False,
    )


# --- defect 9: ./scripts/test says why tests were skipped, and the suite has no warnings -------
def test_the_test_script_prints_skip_reasons() -> None:
    script = (PROJECT / "scripts" / "test").read_text(encoding="utf-8")
    pytest_line = next(line for line in script.splitlines() if "run --locked pytest" in line)
    assert " -rs" in pytest_line or " -ra" in pytest_line, pytest_line


def test_library_deprecation_warnings_are_handled(tmp_path: Path) -> None:
    """PTB's RetryAfter and spaCy's click import warn on every run unless opted in / silenced."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        textwrap.dedent(
            """
            import bot  # noqa: F401  (the bot's package opts in to PTB's timedelta)
            import spacy.cli  # noqa: F401
            from telegram.error import RetryAfter

            def test_probe():
                assert RetryAfter(1).retry_after.total_seconds() == 1
            """
        ),
        encoding="utf-8",
    )
    result = run(
        ["pytest", "-q", "-p", "no:cacheprovider", "-c", str(PROJECT / "pyproject.toml"),
         "--rootdir", str(PROJECT), str(probe)],
        tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout.lower(), result.stdout


# --- defect 10: --help is written for a user ---------------------------------------------------
@pytest.mark.parametrize(
    ("package", "commands", "variables"),
    [
        ("bot", ("run", "demo", "webhook"), ("TELEGRAM_BOT_TOKEN", "SEEDS_DIR", "DATA_DIR")),
        ("briefings", ("build", "show", "export"), ("SEEDS_DIR", "DATA_DIR")),
    ],
)
def test_help_is_written_for_a_user(
    tmp_path: Path, package: str, commands: tuple[str, ...], variables: tuple[str, ...]
) -> None:
    result = run([package, "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "`" not in text  # no RST or Markdown markup from docstrings
    lines = text.splitlines()
    for command in commands:  # each subcommand is named with what it does
        described = [ln for ln in lines if ln.split()[:1] == [command] and len(ln.split()) > 3]
        assert described, f"{command!r} is not described in:\n{text}"
    for variable in variables:
        assert variable in text
    assert "example" in text.lower()
    assert any(ln.strip().startswith(f"python -m {package}") for ln in lines), text
