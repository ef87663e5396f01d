"""Storage: the digest store with its search indexes, and the summit index built on it.

``DigestStore``, ``SearchHit`` and ``open_store`` are the names ``bot/`` reads from here.  A
store lives in a SQLite file (the default) or, when ``DATABASE_URL`` is a PostgreSQL URL, in a
schema of that database; :func:`open_store` is the one place that chooses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from briefings.store.digests import DigestStore
from briefings.store.location import PostgresLocation, StoreLocation
from briefings.store.search import SearchHit


class StoreSettings(Protocol):
    """What :func:`open_store` reads of the settings (``briefings.config.EngineSettings``,
    which imports this package, so it is named structurally here)."""

    def store_location(self, seeds_dir: Path | None = None) -> StoreLocation:
        """Where the store of ``seeds_dir`` lives."""


__all__ = ["DigestStore", "SearchHit", "StoreLocation", "open_store", "open_store_at"]


def open_store_at(location: StoreLocation) -> DigestStore:
    """Open (creating or migrating) the store at ``location``."""
    if isinstance(location, PostgresLocation):
        from briefings.store.postgres import PostgresDigestStore  # psycopg only when used

        return PostgresDigestStore(location)
    return DigestStore(location)


def open_store(settings: StoreSettings, seeds_dir: Path | None = None) -> DigestStore:
    """The store of ``seeds_dir`` (the configured seeds folder by default) as ``settings``
    place it: see :meth:`~briefings.config.EngineSettings.store_location`."""
    return open_store_at(settings.store_location(seeds_dir))
