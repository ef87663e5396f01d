"""The bot's database on PostgreSQL, through psycopg 3's native asyncio connection.

Chosen over asyncpg because psycopg speaks libpq's URLs and settings as they are, ships binary
wheels, and the same driver (sync) serves the engine's digest store, so one driver is installed
and learnt.  Checked on psycopg 3.3.

What differs from SQLite, and why it is handled here and not in the stores:

* Placeholders: the stores write ``?``; psycopg wants ``%s``.  The translation is a plain
  character swap, cached per statement, so a ``?`` inside an SQL string literal would be taken
  for a placeholder: the stores pass every value as a parameter, never as a literal.
* Locking: SQLite's ``BEGIN IMMEDIATE`` takes the one write lock; PostgreSQL locks rows, so a
  plain ``BEGIN`` is the same contract for the stores' short read-modify-write transactions.
  Schema migrations take an advisory lock before their transaction, so replicas starting
  together migrate once.
* Lost connections: a server restart or failover breaks the connection; the next operation
  opens a new one instead of failing for ever (the failed operation itself raised
  :class:`StorageError` and, like every failed write, did not happen).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import pq

from bot.delivery.db import Database, DatabaseUrl, Row, StorageError
from briefings.store.location import psycopg_sql, redact_url

log = logging.getLogger(__name__)

#: Any number that names the bot's migration lock; other applications sharing the server are
#: unlikely to use this one.
_MIGRATION_LOCK = 0x5B_B0_7D_B1


def _statement(sql: str, params: Sequence[Any]) -> tuple[str, tuple[Any, ...] | None]:
    """The SQL and parameters as psycopg takes them."""
    return (psycopg_sql(sql), tuple(params)) if params else (sql, None)


class PostgresDatabase(Database):
    """One psycopg connection in autocommit mode; transactions are explicit ``BEGIN``."""

    driver_errors = (psycopg.Error,)
    claim_rows = " FOR UPDATE OF {alias} SKIP LOCKED"
    keep_rows = " FOR SHARE"

    def __init__(self, url: DatabaseUrl, conn: psycopg.AsyncConnection[Any], timeout: float):
        super().__init__(url)
        self._conn = conn
        self._timeout = timeout

    @classmethod
    async def connect(cls, url: DatabaseUrl, *, busy_timeout: float) -> PostgresDatabase:
        return cls(url, await _connect(url, busy_timeout), busy_timeout)

    async def _setup(self) -> None:
        """Migrate under a session advisory lock taken *before* the migration's transaction:
        a transaction that began while another replica was creating the tables keeps the
        catalog it saw at its start (PostgreSQL reads catalog changes at a transaction's start
        and at relation locks, not at advisory locks) and would create them again."""
        await self.execute("SELECT pg_advisory_lock(?)", (_MIGRATION_LOCK,))
        try:
            await self._migrate()
        finally:
            await self.execute("SELECT pg_advisory_unlock(?)", (_MIGRATION_LOCK,))

    async def _ensure_connected(self) -> None:
        if not self._conn.closed and not self._conn.broken:
            return
        log.warning("the connection to PostgreSQL was lost; connecting again")
        self._conn = await _connect(self.url, self._timeout)

    async def _close_connection(self) -> None:
        await self._conn.close()

    async def _rollback_if_needed(self) -> None:
        if self._conn.closed or self._conn.broken:
            return
        if self._conn.info.transaction_status == pq.TransactionStatus.IDLE:
            return
        try:
            await self._conn.execute("ROLLBACK")
        except psycopg.Error as exc:
            log.warning("rollback failed: %s", exc)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self._conn.execute(*_statement(sql, params))
        return int(cursor.rowcount)

    async def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        async with self._conn.cursor() as cursor:
            await cursor.executemany(psycopg_sql(sql), [tuple(p) for p in params])

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = await self._conn.execute(*_statement(sql, params))
        if cursor.description is None:  # a statement that returns no rows
            return []
        return [tuple(row) for row in await cursor.fetchall()]

    async def begin(self) -> None:
        await self._conn.execute("BEGIN")


async def _connect(url: DatabaseUrl, lock_timeout: float) -> psycopg.AsyncConnection[Any]:
    """Open an autocommit connection whose statements wait for locks at most
    ``lock_timeout`` s."""
    try:
        return await psycopg.AsyncConnection.connect(
            url.database,
            autocommit=True,
            connect_timeout=max(2, round(lock_timeout)),
            options=f"-c lock_timeout={round(lock_timeout * 1000)}",
            application_name="summit-briefings",
        )
    except psycopg.Error as exc:
        raise StorageError(f"cannot open database {redact_url(url.database)}: {exc}") from exc
