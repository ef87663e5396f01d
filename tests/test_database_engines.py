"""The bot's database on both engines: what differs between SQLite and PostgreSQL is handled in
``bot/delivery/db*.py``, so the stores above it behave the same (their own tests run on both
engines through the ``database_url`` fixture)."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from bot.delivery.db import MIGRATIONS, Database, StorageError
from bot.delivery.subscriptions import SubscriptionStore


async def test_percent_signs_and_placeholders_mean_the_same_on_both_engines(
    database_url: str,
) -> None:
    db = await Database.open(database_url)
    try:

        async def op() -> list[tuple[object, ...]]:
            await db.execute("INSERT INTO state (key, value) VALUES (?, ?)", ("k", "50% off"))
            return await db.fetchall(
                "SELECT value, value LIKE '%off' FROM state WHERE key = ?", ("k",)
            )

        [(value, matches)] = await db.run(op, "write and read")
        assert value == "50% off"
        assert bool(matches)
    finally:
        await db.close()


async def test_replicas_starting_together_migrate_once(postgres_url: str) -> None:
    """Several processes open a new database at the same moment (a deploy of N replicas): the
    migration runs once under an advisory lock, and every one of them opens."""
    dbs = await asyncio.gather(*(Database.open(postgres_url) for _ in range(5)))
    try:
        rows = await dbs[0].run(
            lambda: dbs[0].fetchall("SELECT version FROM schema_version"), "read version"
        )
        assert rows == [(len(MIGRATIONS),)]
    finally:
        await asyncio.gather(*(db.close() for db in dbs))


async def test_a_connection_the_server_ended_is_replaced(postgres_url: str) -> None:
    """A server restart or failover ends the bot's connection: the operation that met the
    broken connection fails with StorageError (and did not happen); the next one reconnects
    instead of failing for ever."""
    store = await SubscriptionStore.open(postgres_url)
    try:
        await store.subscribe_new(1)
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            ended = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'summit-briefings'"
            ).fetchall()
        assert ended and all(row[0] for row in ended)
        with pytest.raises(StorageError):
            await store.subscribe_new(2)
        await store.subscribe_new(3)
        chats = {s.chat_id for s in await store.all_subscriptions()}
        assert chats == {1, 3}
    finally:
        await store.close()


async def test_an_unreachable_server_is_a_storage_error_without_the_password() -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        with pytest.raises(StorageError) as caught:
            await Database.open(f"postgresql://bot:s3cr3tpw@127.0.0.1:{port}/bot")
    assert "s3cr3tpw" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)
