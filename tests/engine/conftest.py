"""The corpus-with-seeds export, made once per session: the quality floors and the summit tests
both read it (it costs the better part of a minute with the parser on)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from quality_support import Export, export_folder

from briefings.store.location import PostgresLocation, StoreLocation


@pytest.fixture(scope="session")
def corpus_export(
    corpus_dir: Path, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Export:
    """The corpus articles and both seeds, exported together as the bot would hold them."""
    work = tmp_path_factory.mktemp("corpus-export")
    articles = work / "articles"
    articles.mkdir()
    for path in [*(corpus_dir / "articles").glob("*.txt"), *seeds_dir.glob("*.txt")]:
        shutil.copy(path, articles / path.name)
    return export_folder(articles, work)


@pytest.fixture
def store_location(database_url: str, tmp_path: Path) -> StoreLocation:
    """A new, empty digest store on each engine (``database_url`` in ``tests/conftest.py``):
    a SQLite file, or the store's schema in a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        return tmp_path / "store" / "digests.sqlite3"
    return PostgresLocation(database_url)
