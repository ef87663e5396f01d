"""The digest store in a PostgreSQL database, for deployments that run several processes.

The same store as :class:`~briefings.store.digests.DigestStore` (its methods, its SQL), in a
schema of its own (``digest_store`` by default, see :mod:`briefings.store.location`) beside the
bot's tables.  What differs, and why:

* Connection: one synchronous psycopg 3 connection in autocommit mode (the engine runs in
  worker threads and pool processes, never on the event loop); psycopg serializes the threads
  that share it, as SQLite's serialized mode does.  A connection the server dropped (restart,
  failover) is replaced, and the statement run again, outside a transaction; inside one the
  error goes up (the transaction is lost as a whole).
* Writers: SQLite's ``BEGIN IMMEDIATE`` lets one writer in at a time; here every transaction
  takes the store's advisory lock, so two builders, or a builder and a replica merging stale
  summits, take turns the same way.  Migrations run under the same lock: processes starting
  together migrate once.
* Search: ``tsvector`` columns under GIN indexes (:mod:`briefings.store.postgres_search`).
* Damage: there is no file to check or set aside; the server keeps its own integrity, so
  :meth:`replaced` is always False and ``store_health`` leaves PostgreSQL alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from briefings.store.digests import DigestStore
from briefings.store.location import (
    PostgresLocation,
    StoreLocation,
    StoreUnavailableError,
    psycopg_sql,
    redact_url,
)
from briefings.store.postgres_search import _PostgresSearch, fold
from briefings.store.schema import POSTGRES_MIGRATIONS, STORE_VERSION

log = logging.getLogger(__name__)

#: Seconds to wait for the server to answer a connection, and for a lock (another writer).
CONNECT_TIMEOUT = 10
LOCK_TIMEOUT = 120


class PostgresDigestStore(_PostgresSearch, DigestStore):
    """Digests, summit briefings and build errors of one seeds folder, in a PostgreSQL schema."""

    _ROW_ID = "id"

    def __init__(self, location: PostgresLocation) -> None:  # the SQLite file is not opened
        self._location = location
        self._conn = _connect(location)
        self._in_transaction = False
        self._open_schema()

    @property
    def location(self) -> StoreLocation:
        """Where this store lives, for opening it again in another process or thread."""
        return self._location

    def reopen(self) -> DigestStore:
        """A new connection to the same store."""
        return PostgresDigestStore(self._location)

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def replaced(self) -> bool:
        """Never: a PostgreSQL store is not a file that can be set aside."""
        return False

    def __repr__(self) -> str:
        return f"<PostgresDigestStore {self._location!r}>"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so a crash never leaves half a build recorded; one writer at a time
        (the store's advisory lock, held until the transaction ends)."""
        self._execute("BEGIN")  # a connection dropped while idle is replaced here
        conn = self._conn
        self._in_transaction = True
        try:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._location.lock_key,))
            yield
        except BaseException:
            if not conn.broken and not conn.closed:
                conn.execute("ROLLBACK")
            raise
        finally:
            self._in_transaction = False
        conn.execute("COMMIT")

    # --- statements --------------------------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """Run one statement; outside a transaction, once more on a new connection when the
        server dropped this one (a restart, a failover, an idle timeout).  Inside one, the
        error goes up: the transaction is lost and must not be half redone."""
        for attempt in (1, 2):
            if self._conn.closed or self._conn.broken:
                log.warning("the connection to the digest store was lost; connecting again")
                self._conn = _connect(self._location)
            try:
                if params:
                    return self._conn.execute(psycopg_sql(sql), tuple(params))
                return self._conn.execute(sql)
            except psycopg.OperationalError:
                if attempt == 2 or self._in_transaction or not self._conn.broken:
                    raise
        raise AssertionError("unreachable")

    def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._execute(sql, params)

    def _run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        values = [tuple(r) for r in rows]
        if values:
            with self._conn.cursor() as cursor:
                cursor.executemany(psycopg_sql(sql), values)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._execute(sql, params).fetchall()]

    def _row(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row = self._execute(sql, params).fetchone()
        return tuple(row) if row is not None else None

    # --- schema ------------------------------------------------------------------------------

    def _open_schema(self) -> None:
        """Create or migrate the tables, once, however many processes open the store together.

        The lock is taken *before* the migration's transaction begins: a transaction that began
        while another process was creating the schema keeps the catalog it saw at its start
        (PostgreSQL processes catalog invalidations at a transaction's start and at relation
        locks, not at advisory locks), so it would miss the new tables and create them again
        (``DuplicateTable``, seen with four processes opening a new store at once).
        """
        if self._schema_version() >= STORE_VERSION:
            return
        self._execute("SELECT pg_advisory_lock(?)", (self._location.lock_key,))
        try:
            with self.transaction():  # begins after the lock: sees what the other one made
                self._migrate()
        finally:
            self._execute("SELECT pg_advisory_unlock(?)", (self._location.lock_key,))

    def _schema_version(self) -> int:
        row = self._row("SELECT to_regclass('store_meta') IS NOT NULL")
        if not (row and row[0]):
            return 0
        return self._meta("schema_version")

    def _set_schema_version(self, version: int) -> None:
        self._set_meta("schema_version", version)

    def _create_tables(self, version: int) -> bool:
        """The schema and the migrations after ``version`` (see ``POSTGRES_MIGRATIONS``)."""
        self._run(f'CREATE SCHEMA IF NOT EXISTS "{self._location.schema}"')
        for target in sorted(POSTGRES_MIGRATIONS):
            if target > version:
                for statement in POSTGRES_MIGRATIONS[target]:
                    self._run(statement)
        return False  # passages were dated from the first PostgreSQL version on

    # --- full-text rows ----------------------------------------------------------------------

    def _insert_passages(self, rows: Sequence[tuple[int, str, str, str, str | None]]) -> None:
        self._run_many(
            "INSERT INTO passages (id, text, file, kind, speaker, words) "
            "VALUES (?, ?, ?, ?, ?, to_tsvector('english', ?))",
            [(i, t.replace("\x00", " "), f, k, s, fold(t)) for i, t, f, k, s in rows],
        )

    def _insert_summit_quotes(self, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
        self._run_many(
            "INSERT INTO summit_quotes (id, speaker, text, kind, files, words, speaker_words) "
            "VALUES (?, ?, ?, ?, ?, to_tsvector('simple', ?), to_tsvector('simple', ?))",
            [
                (i, s, t.replace("\x00", " "), k, f, fold(f"{s} {t}"), fold(s))
                for i, s, t, k, f in rows
            ],
        )


def _connect(location: PostgresLocation) -> psycopg.Connection[Any]:
    """An autocommit connection whose unqualified names are the store's schema."""
    try:
        conn = psycopg.connect(
            location.url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT,
            options=f"-c search_path={location.schema} -c lock_timeout={LOCK_TIMEOUT * 1000}",
            application_name="summit-briefings-store",
        )
    except psycopg.Error as exc:
        raise StoreUnavailableError(
            f"cannot open the digest store in {redact_url(location.url)}: {exc}"
        ) from exc
    # No server-side prepared statements: after five runs psycopg would prepare /search's
    # statement, and PostgreSQL's generic plan for it (which cannot see the words) walked the
    # whole table for a rare word: /search p99 402 ms instead of 61 ms on 100,000 digests.
    conn.prepare_threshold = None
    return conn
