"""Shared fixtures: where the seeds and the shared gold corpus live."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT / "seeds"
SHARED = PROJECT.parent / "shared"
CORPUS_DIR = SHARED / "corpus"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The project's own sample seeds (always present)."""
    return SEEDS_DIR


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The gold corpus beside the project; tests that need it skip in a user's clone."""
    if not (CORPUS_DIR / "gold").is_dir():
        pytest.skip(f"gold corpus not found at {CORPUS_DIR} (only CI and developers have ../shared)")
    return CORPUS_DIR
