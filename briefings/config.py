"""Where the engine reads seeds and keeps its data, from environment variables."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from briefings.store.location import (
    DEFAULT_SCHEMA,
    PostgresLocation,
    StoreLocation,
    folder_schema,
    is_postgres_url,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent


class EngineSettings(BaseSettings):
    """Settings shared by the engine's CLI and the bot (``SEEDS_DIR``, ``DATA_DIR``,
    ``DATABASE_URL``)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    seeds_dir: Path = PROJECT_DIR / "seeds"
    data_dir: Path = PROJECT_DIR / "data"
    #: A PostgreSQL URL moves the digest store into that database; anything else (a SQLite URL
    #: of the bot's own database, or none) keeps it in ``DATA_DIR``.
    database_url: str | None = None
    #: A seed whose digest takes longer is reported and its digest worker replaced.
    build_file_timeout_seconds: float = Field(default=120.0, gt=0)
    #: A claimed build job not renewed for this long is claimed again (its builder is gone).
    build_lease_seconds: float = Field(default=30.0, ge=1)
    #: A build job that failed (or whose builder died) this many times is recorded as failed.
    build_max_attempts: int = Field(default=3, ge=1)

    def store_location(self, seeds_dir: Path | None = None) -> StoreLocation:
        """Where the digest store of ``seeds_dir`` lives: a schema of the PostgreSQL database
        named by ``DATABASE_URL``, else the SQLite file of :meth:`store_path`."""
        if not is_postgres_url(self.database_url):
            return self.store_path(seeds_dir)
        assert self.database_url is not None
        folder = (seeds_dir or self.seeds_dir).resolve()
        schema = DEFAULT_SCHEMA if folder == self.seeds_dir.resolve() else folder_schema(folder)
        return PostgresLocation(self.database_url, schema)

    def store_path(self, seeds_dir: Path | None = None) -> Path:
        """The digest store of ``seeds_dir`` (the configured seeds folder by default).

        Another folder (e.g. ``export`` of a corpus) gets a store of its own, keyed by its path,
        so exporting it twice rebuilds nothing and never mixes with the bot's digests.
        """
        folder = (seeds_dir or self.seeds_dir).resolve()
        if folder == self.seeds_dir.resolve():
            return self.data_dir / "digests.sqlite3"
        key = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
        return self.data_dir / "stores" / f"{folder.name}-{key}.sqlite3"
