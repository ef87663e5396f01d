"""Connection and schema-migration helpers for the bot's own database.

The bot keeps subscriptions and the delivery ledger in one database named by ``DATABASE_URL``:
SQLite (through aiosqlite) by default, PostgreSQL (through psycopg 3, ``db_postgres.py``) when a
deployment outgrows one machine.  Everything above this module speaks plain SQL with ``?``
placeholders, ``ON CONFLICT`` upserts and ``RETURNING``, which both engines understand (the
PostgreSQL connection turns ``?`` into its ``%s``), so the stores do not know the engine.

Why the operations are shaped the way they are:

* Every call runs under one ``asyncio.Lock`` per process: one connection is used by one
  coroutine at a time, so a multi-statement transaction never interleaves with another
  coroutine's statements.  (A pool would let reads run side by side; at ~30 messages/s the
  ledger is nowhere near needing that, and one connection keeps transactions simple.)
* Every call is shielded from cancellation: if the caller is cancelled halfway through a
  transaction (shutdown while a broadcast is running), the transaction still runs to ``COMMIT``
  or ``ROLLBACK`` instead of leaving the connection inside an open transaction that would
  swallow every later write.
* Every driver error becomes :class:`StorageError`, so callers handle one domain exception
  ("the database is unavailable, try again later") without importing a driver.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from briefings.store.location import redact_url

log = logging.getLogger(__name__)

T = TypeVar("T")
Row = tuple[Any, ...]


class StorageError(Exception):
    """The bot's database could not be read or written (locked, disk full, corrupt, closed).

    Raised instead of driver exceptions so callers can log it and retry later.  A write that
    raised this did not happen (its transaction was rolled back).
    """


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A parsed ``DATABASE_URL``."""

    dialect: str
    #: For SQLite: a filesystem path or ``":memory:"``; for PostgreSQL: the libpq URL.
    database: str

    def __repr__(self) -> str:
        """Never show a password that the URL may carry."""
        return f"DatabaseUrl({self.dialect!r}, {redact_url(self.database)!r})"

    @property
    def in_memory(self) -> bool:
        """True for a throw-away in-memory SQLite database."""
        return self.dialect == "sqlite" and self.database == ":memory:"


def parse_database_url(url: str) -> DatabaseUrl:
    """Split a database URL into dialect and location.

    Accepts ``sqlite:///relative/path``, ``sqlite:////absolute/path`` and ``sqlite:///:memory:``
    (the SQLAlchemy spelling, which is what users already know), and
    ``postgresql://user:password@host:port/database`` (libpq's spelling; ``postgres://`` too).

    Raises:
        ValueError: for a URL that is not understood or a dialect that is not implemented.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r} (expected e.g. sqlite:///data/bot.db)")
    scheme = scheme.lower()
    if scheme in ("sqlite", "sqlite3"):
        if not rest.startswith("/"):
            raise ValueError(f"SQLite URL must look like sqlite:///path, got {url!r}")
        database = rest[1:]
        if not database:
            raise ValueError(f"SQLite URL has no path: {url!r}")
        return DatabaseUrl("sqlite", database)
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        if not rest.strip("/"):
            raise ValueError(f"PostgreSQL URL names no server: {url!r}")
        # psycopg takes the URL as libpq does; the SQLAlchemy-style driver suffix is dropped.
        return DatabaseUrl("postgresql", f"postgresql://{rest}")
    raise ValueError(
        f"unsupported database URL scheme {scheme!r} (use sqlite:///path/to/bot.sqlite3 or "
        "postgresql://user:password@host:5432/database)"
    )


#: Schema migrations, applied in order; entry ``i`` brings the schema to version ``i + 1``.
#: ``{serial_pk}`` is the dialect's auto-increment primary key.  Times are Unix seconds
#: (floats), which every SQL dialect stores and compares the same way.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE subscriptions (
            chat_id BIGINT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('new', 'daily')),
            daily_time TEXT,
            timezone TEXT,
            created_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (chat_id, kind)
        )""",
        """CREATE TABLE briefings (
            id {serial_pk},
            key TEXT NOT NULL UNIQUE,
            created_at DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE deliveries (
            id {serial_pk},
            briefing_id BIGINT NOT NULL REFERENCES briefings (id),
            chat_id BIGINT NOT NULL,
            part INTEGER NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at DOUBLE PRECISION NOT NULL,
            message_id BIGINT,
            error TEXT,
            sent_at DOUBLE PRECISION,
            updated_at DOUBLE PRECISION NOT NULL,
            UNIQUE (briefing_id, chat_id, part)
        )""",
        "CREATE INDEX deliveries_status ON deliveries (status, next_attempt_at)",
        "CREATE INDEX deliveries_chat ON deliveries (chat_id, status, id)",
        """CREATE TABLE state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    ),
    (
        # Partial indexes over the pending rows only: with a long history of sent deliveries
        # the sender's "next due, in id order" query took a second per batch (it sorted every
        # pending row); now it reads just the rows it returns.  SQLite and PostgreSQL both
        # support partial indexes.
        # IF NOT EXISTS: one early build created these in version 1 already.
        "DROP INDEX IF EXISTS deliveries_status",
        "DROP INDEX IF EXISTS deliveries_chat",
        "CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (id) "
        "WHERE status = 'pending'",
        "CREATE INDEX IF NOT EXISTS deliveries_pending_due ON deliveries (next_attempt_at) "
        "WHERE status = 'pending'",
        "CREATE INDEX IF NOT EXISTS deliveries_pending_chat ON deliveries (chat_id, id) "
        "WHERE status = 'pending'",
        "CREATE INDEX deliveries_chat ON deliveries (chat_id, status)",
    ),
    (
        # When a delivery first failed for a passing reason (NULL: it has not): how long it
        # has been held, for the admins' notice.  A briefing's age says nothing about that (a
        # broadcast to 10,000 chats takes minutes before it reaches the last chat).
        "ALTER TABLE deliveries ADD COLUMN failing_since DOUBLE PRECISION",
    ),
    (
        # One sender, elected (bot/delivery/election.py): the lease row names the one process
        # that may send; a delivery is claimed by that sender until its lease runs out, so a
        # sender that died leaves nothing stuck and a new one never sends what is claimed.
        "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, "
        "expires_at DOUBLE PRECISION NOT NULL, acquired_at DOUBLE PRECISION NOT NULL)",
        "ALTER TABLE deliveries ADD COLUMN claimed_by TEXT",
        "ALTER TABLE deliveries ADD COLUMN claim_until DOUBLE PRECISION",
        # Daily schedules are rows: when each chat's next daily briefing is due (Unix time;
        # NULL: not computed yet, the sender computes it), instead of a job in every process.
        "ALTER TABLE subscriptions ADD COLUMN next_due_at DOUBLE PRECISION",
        "CREATE INDEX subscriptions_daily_due ON subscriptions (next_due_at) WHERE kind = 'daily'",
    ),
)

_DIALECT_TOKENS = {
    "sqlite": {"serial_pk": "INTEGER PRIMARY KEY"},
    "postgresql": {"serial_pk": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
}


class Database(ABC):
    """One connection to the bot's database, used by one event loop.

    Statements use ``?`` placeholders.  Every public method runs under the connection lock and is
    shielded from cancellation (see the module docstring).  :meth:`open` picks the engine.
    """

    #: The driver's exception types, turned into :class:`StorageError` by :meth:`run`.
    driver_errors: tuple[type[BaseException], ...] = ()
    #: Appended to a query that claims rows: PostgreSQL locks them and skips rows another
    #: transaction holds (``FOR UPDATE ... SKIP LOCKED``); SQLite's ``BEGIN IMMEDIATE``
    #: already keeps every other writer out, so it needs nothing.  ``{alias}``: the table.
    claim_rows = ""
    #: Appended to a query that reads a row which must not change until the transaction ends
    #: (the sender's lease, checked while claiming): ``FOR SHARE`` on PostgreSQL.
    keep_rows = ""

    def __init__(self, url: DatabaseUrl) -> None:
        self.url = url
        self._lock = asyncio.Lock()
        self._closed = False

    @staticmethod
    async def open(url: str, *, busy_timeout: float = 5.0) -> Database:
        """Connect and bring the schema up to date.

        Args:
            url: a database URL (see :func:`parse_database_url`).
            busy_timeout: seconds to wait for another process's lock before a statement fails
                with :class:`StorageError`.

        Raises:
            ValueError: the URL is not supported.
            StorageError: the database cannot be opened or migrated.
        """
        parsed = parse_database_url(url)
        db: Database
        if parsed.dialect == "postgresql":
            from bot.delivery.db_postgres import PostgresDatabase

            db = await PostgresDatabase.connect(parsed, busy_timeout=busy_timeout)
        else:
            db = await SqliteDatabase.connect(parsed, busy_timeout=busy_timeout)
        try:
            await db.run(db._setup, "open database")
        except BaseException:
            await db.close()
            raise
        return db

    @abstractmethod
    async def _setup(self) -> None:
        """Engine settings, then :meth:`_migrate` (runs under the lock)."""

    async def _migrate(self) -> None:
        """Apply the missing migrations in one transaction (must run under the lock)."""
        tokens = _DIALECT_TOKENS[self.url.dialect]
        await self.begin()
        try:
            await self.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            rows = await self.fetchall("SELECT version FROM schema_version")
            version = int(rows[0][0]) if rows else 0
            if not rows:
                await self.execute("INSERT INTO schema_version (version) VALUES (0)")
            if version > len(MIGRATIONS):
                raise StorageError(
                    f"database schema version {version} is newer than this bot supports "
                    f"({len(MIGRATIONS)}); upgrade the bot"
                )
            for target, statements in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements:
                    await self.execute(statement.format(**tokens))
                await self.execute("UPDATE schema_version SET version = ?", (target,))
                log.info("database schema migrated to version %d", target)
            await self.commit()
        except BaseException:
            await self._rollback_if_needed()
            raise

    async def close(self) -> None:
        """Close the connection (idempotent); waits for a running operation to finish."""
        if self._closed:
            return
        async with self._lock:
            self._closed = True
            try:
                await self._close_connection()
            except self.driver_errors as exc:  # pragma: no cover - closing rarely fails
                log.warning("closing the database failed: %s", exc)

    @abstractmethod
    async def _close_connection(self) -> None: ...

    async def run(self, operation: Callable[[], Awaitable[T]], what: str) -> T:
        """Run ``operation`` under the lock, shielded from cancellation.

        Args:
            operation: a coroutine function doing the statements (with :meth:`execute` etc.).
            what: a few words for the error message ("mark delivery 12 sent").

        Raises:
            StorageError: the database failed; a transaction begun by ``operation`` was rolled
                back.
        """
        task = asyncio.ensure_future(self._locked(operation, what))
        task.add_done_callback(_retrieve_exception)
        return await asyncio.shield(task)

    async def _locked(self, operation: Callable[[], Awaitable[T]], what: str) -> T:
        async with self._lock:
            if self._closed:
                raise StorageError(f"cannot {what}: the database is closed")
            try:
                await self._ensure_connected()
                return await operation()
            except StorageError:
                await self._rollback_if_needed()
                raise
            except self.driver_errors as exc:
                await self._rollback_if_needed()
                raise StorageError(f"cannot {what}: {exc}") from exc
            except ValueError as exc:
                # aiosqlite raises ValueError("Connection closed") once its thread is gone.
                await self._rollback_if_needed()
                if "connection" not in str(exc).lower():
                    raise
                raise StorageError(f"cannot {what}: {exc}") from exc
            except BaseException:
                await self._rollback_if_needed()
                raise

    async def _ensure_connected(self) -> None:
        """Reconnect a connection the server dropped (PostgreSQL restarts, failovers); a
        SQLite file is never dropped."""
        return

    @abstractmethod
    async def _rollback_if_needed(self) -> None: ...

    # --- statement helpers (call only inside an operation passed to run()) -------------------

    @abstractmethod
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one statement; returns the number of rows it changed."""

    @abstractmethod
    async def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        """Execute one statement for every parameter tuple."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query, as tuples."""

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    @abstractmethod
    async def begin(self) -> None:
        """Start a write transaction."""

    async def commit(self) -> None:
        """Commit the transaction begun with :meth:`begin`."""
        await self.execute("COMMIT")


class SqliteDatabase(Database):
    """SQLite through aiosqlite: the default, for one machine."""

    driver_errors = (sqlite3.Error,)

    def __init__(self, url: DatabaseUrl, conn: aiosqlite.Connection) -> None:
        super().__init__(url)
        self._conn = conn

    @classmethod
    async def connect(cls, url: DatabaseUrl, *, busy_timeout: float) -> SqliteDatabase:
        if not url.in_memory:
            await asyncio.to_thread(_make_parent, Path(url.database))
        try:
            conn = await aiosqlite.connect(
                url.database, timeout=busy_timeout, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {url.database}: {exc}") from exc
        return cls(url, conn)

    async def _setup(self) -> None:
        pragmas = ["PRAGMA foreign_keys = ON"]
        if not self.url.in_memory:
            # WAL: readers never block the writer.  FULL: a delivery marked "sent" survives a
            # power cut too (the rate is capped at ~30 messages/s, so the fsyncs are affordable).
            pragmas += ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"]
        for pragma in pragmas:
            await self._conn.execute(pragma)
        await self._migrate()

    async def _close_connection(self) -> None:
        await self._conn.close()

    async def _rollback_if_needed(self) -> None:
        try:
            if self._conn.in_transaction:
                await self._conn.execute("ROLLBACK")
        except (sqlite3.Error, ValueError) as exc:
            log.warning("rollback failed: %s", exc)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        count = int(cursor.rowcount)
        await cursor.close()
        return count

    async def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        cursor = await self._conn.executemany(sql, params)
        await cursor.close()

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows = await self._conn.execute_fetchall(sql, params)
        return [tuple(row) for row in rows]

    async def begin(self) -> None:
        """Start a write transaction, taking the write lock now, not at the first write."""
        await self._conn.execute("BEGIN IMMEDIATE")


def _make_parent(path: Path) -> None:
    """Create the database's folder (``DATA_DIR`` may not exist on a fresh install)."""
    path.parent.mkdir(parents=True, exist_ok=True)


def _retrieve_exception(task: asyncio.Future[Any]) -> None:
    """Mark a shielded operation's exception as retrieved when its caller was cancelled.

    The caller got ``CancelledError`` and will never see the result; a failure is logged here
    instead of surfacing as "exception was never retrieved" at interpreter exit.
    """
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        log.debug("database operation failed after its caller was cancelled: %r", exc)
