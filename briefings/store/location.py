"""Where a digest store lives: a SQLite file, or a schema of a PostgreSQL database.

A location is a small picklable value, so a pool worker or another thread opens the same store
from it (:func:`briefings.store.open_store_at`).  It is chosen from the settings in one place,
:meth:`briefings.config.EngineSettings.store_location`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: The schema holding the configured seeds folder's store; other folders (``export`` of a
#: corpus) get ``digest_store_<folder>_<hash>`` beside it, as they get files of their own on
#: SQLite, so they never mix with the bot's digests.
DEFAULT_SCHEMA = "digest_store"

_POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")


def is_postgres_url(url: str | None) -> bool:
    """Whether ``url`` names a PostgreSQL database (libpq's or SQLAlchemy's spelling)."""
    if not url:
        return False
    scheme, sep, _ = url.partition("://")
    return bool(sep) and scheme.lower() in _POSTGRES_SCHEMES


class StoreUnavailableError(RuntimeError):
    """The PostgreSQL server holding the digest store cannot be reached (said in one line,
    without the password)."""


@dataclass(frozen=True, slots=True)
class PostgresLocation:
    """A digest store in schema ``schema`` of the PostgreSQL database at ``url``."""

    url: str
    schema: str = DEFAULT_SCHEMA

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", self.schema):
            raise ValueError(f"not a plain schema name: {self.schema!r}")
        scheme, _, rest = self.url.partition("://")
        if scheme.lower() != "postgresql":  # psycopg takes libpq's spelling only
            object.__setattr__(self, "url", f"postgresql://{rest}")

    def __repr__(self) -> str:
        """Never show a password that the URL may carry."""
        return f"PostgresLocation({redact_url(self.url)!r}, {self.schema!r})"

    @property
    def lock_key(self) -> int:
        """The advisory-lock number of this store's writers (a signed 64-bit integer)."""
        digest = hashlib.sha256(f"digest-store:{self.schema}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)


#: A SQLite file, or a PostgreSQL schema.
StoreLocation = Path | PostgresLocation


def folder_schema(folder: Path) -> str:
    """The schema of the store of seeds ``folder`` when it is not the configured one."""
    key = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    name = re.sub(r"[^a-z0-9_]+", "_", folder.name.lower())[:24]
    return f"{DEFAULT_SCHEMA}_{name}_{key}"


def redact_url(url: str) -> str:
    """``url`` with its password (``user:password@``) replaced, for logs and messages."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.partition("@")
    if not (sep and at and ":" in userinfo):
        return url
    return f"{scheme}://{userinfo.partition(':')[0]}:***@{host}"


@lru_cache(maxsize=512)
def psycopg_sql(sql: str) -> str:
    """``?`` placeholders (the SQL both engines' stores write) as psycopg's ``%s``, a literal
    ``%`` doubled (psycopg reads it back as one).  Values always travel as parameters, never
    inside a literal, so no ``?`` in the SQL is anything but a placeholder."""
    return sql.replace("%", "%%").replace("?", "%s")
