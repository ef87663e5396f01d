"""The subscription store and delivery ledger: what the bot promised to whom, and what it kept."""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.delivery.db import MIGRATIONS, parse_database_url
from bot.delivery.subscriptions import StorageError, Subscription, SubscriptionStore

pytestmark = pytest.mark.timeout(30)


class Clock:
    """A settable Unix clock, so retry times can be tested without sleeping."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def store(clock: Clock, database_url: str) -> AsyncIterator[SubscriptionStore]:
    """The store on each engine (SQLite; PostgreSQL where a server is at hand)."""
    store = await SubscriptionStore.open(database_url, clock=clock)
    yield store
    await store.close()


def test_database_urls() -> None:
    assert parse_database_url("sqlite:////abs/bot.db").database == "/abs/bot.db"
    assert parse_database_url("sqlite:///rel/bot.db").database == "rel/bot.db"
    assert parse_database_url("sqlite:///:memory:").in_memory
    pg = parse_database_url("postgresql+psycopg://u:secret@h:5433/db")
    assert (pg.dialect, pg.database) == ("postgresql", "postgresql://u:secret@h:5433/db")
    assert "secret" not in repr(pg)
    with pytest.raises(ValueError, match="names no server"):
        parse_database_url("postgresql://")
    with pytest.raises(ValueError, match=r"use sqlite:///.* or postgresql://"):  # says what works
        parse_database_url("mysql://u@h/db")
    with pytest.raises(ValueError):
        parse_database_url("bot.db")


async def test_subscribe_and_unsubscribe(store: SubscriptionStore) -> None:
    assert await store.subscribe_new(1) is True
    assert await store.subscribe_new(1) is False
    await store.subscribe_daily(1, datetime.time(8, 30), "Europe/Paris")
    await store.subscribe_new(-100)
    assert await store.subscriptions_of(1) == [
        Subscription(1, "new"),
        Subscription(1, "daily", datetime.time(8, 30), "Europe/Paris"),
    ]
    assert [s.chat_id for s in await store.all_subscriptions("new")] == [-100, 1]
    assert len(await store.all_subscriptions()) == 3
    assert await store.unsubscribe(1, "daily") == 1
    assert await store.subscriptions_of(1) == [Subscription(1, "new")]
    assert await store.unsubscribe(1) == 1
    assert await store.unsubscribe(1) == 0
    with pytest.raises(ValueError):
        await store.unsubscribe(1, "weekly")


async def test_daily_schedule_is_replaced_and_validated(store: SubscriptionStore) -> None:
    await store.subscribe_daily(5, datetime.time(8, 0), "Europe/Paris")
    tz = datetime.timezone(datetime.timedelta(hours=3))
    await store.subscribe_daily(5, datetime.time(21, 15, 30, 999, tzinfo=tz), "Asia/Tokyo")
    assert await store.all_subscriptions("daily") == [
        Subscription(5, "daily", datetime.time(21, 15, 30), "Asia/Tokyo")
    ]
    with pytest.raises(ValueError, match="time zone"):
        await store.subscribe_daily(5, datetime.time(8, 0), "Mars/Olympus")


async def test_create_briefing_is_idempotent_by_key(store: SubscriptionStore) -> None:
    first = await store.create_briefing("new:abc", {1: ["a0", "a1"], 2: ["b0"]})
    assert first is not None
    assert await store.create_briefing("new:abc", {1: ["other"], 3: ["x"]}) is None
    rows = await store.pending_deliveries()
    assert [(d.chat_id, d.part, d.text) for d in rows] == [
        (1, 0, "a0"),
        (1, 1, "a1"),
        (2, 0, "b0"),
    ]
    assert all(d.status == "pending" and d.attempts == 0 for d in rows)
    assert (await store.stats())["briefings"] == 1
    # State written with the briefing, in the same transaction (and also on a repeat).
    assert await store.create_briefing("new:s", {}, state={"announced": '["a"]'}) is not None
    assert await store.get_state("announced") == '["a"]'
    assert await store.create_briefing("new:s", {}, state={"announced": '["a", "b"]'}) is None
    assert await store.get_state("announced") == '["a", "b"]'
    # A briefing nobody receives is still recorded, so it is not created again later.
    empty = await store.create_briefing("new:empty", {})
    assert empty is not None
    assert await store.create_briefing("new:empty", {9: ["late"]}) is None


async def test_pending_order_and_retry_time(store: SubscriptionStore, clock: Clock) -> None:
    await store.create_briefing("b1", {1: ["1-0", "1-1"], 2: ["2-0"]})
    await store.create_briefing("b2", {1: ["1-next"], 2: ["2-next"]})
    first, *_ = await store.pending_deliveries()
    assert first.text == "1-0"

    assert await store.next_retry_at() is None
    await store.mark_retry(first.id, 60, "timed out")
    assert await store.next_retry_at() == clock.now + 60
    due = [d.text for d in await store.pending_deliveries()]
    # Chat 1 waits for its first part: its later messages must not overtake it.
    assert due == ["2-0", "2-next"]

    clock.now += 61
    due_rows = await store.pending_deliveries()
    assert [d.text for d in due_rows] == ["1-0", "1-1", "2-0", "1-next", "2-next"]
    assert due_rows[0].attempts == 1
    assert [d.text for d in await store.pending_deliveries(limit=2)] == ["1-0", "1-1"]

    await store.mark_retry(first.id, 5, "flood", count_attempt=False)
    clock.now += 6
    assert (await store.pending_deliveries())[0].attempts == 1


async def test_sent_and_failed_are_final(store: SubscriptionStore, clock: Clock) -> None:
    briefing = await store.create_briefing("b", {7: ["x", "y"]})
    assert briefing is not None
    x, y = await store.pending_deliveries()
    await store.mark_sent(x.id, 111)
    await store.mark_failed(y.id, "Bad Request: can't parse entities")
    await store.mark_retry(y.id, 0, "too late")  # ignored: failed is final
    assert await store.pending_deliveries() == []
    assert [d.status for d in await store.deliveries_of(briefing)] == ["sent", "failed"]
    assert await store.last_delivery_to(7) == datetime.datetime.fromtimestamp(
        clock.now, datetime.UTC
    )
    assert await store.last_delivery_to(8) is None
    assert await store.stats() == {
        "subscriptions": 0, "chats": 0, "briefings": 1, "sent": 1, "pending": 0, "failed": 1,
    }  # fmt: skip


async def test_migrate_moves_subscriptions_and_pending_deliveries(
    store: SubscriptionStore,
) -> None:
    await store.subscribe_new(-1)
    await store.subscribe_daily(-1, datetime.time(7), "UTC")
    await store.subscribe_new(-1002)  # the supergroup already had "new"
    await store.create_briefing("b1", {-1: ["p0", "p1"]})
    sent = (await store.pending_deliveries())[0]
    await store.mark_sent(sent.id, 1)
    await store.create_briefing("b2", {-1: ["q0"], -1002: ["q0"]})

    await store.migrate_chat(-1, -1002)

    assert await store.subscriptions_of(-1) == []
    assert await store.subscriptions_of(-1002) == [
        Subscription(-1002, "new"),
        Subscription(-1002, "daily", datetime.time(7), "UTC"),
    ]
    pending = await store.pending_deliveries()
    assert [(d.chat_id, d.text) for d in pending] == [(-1002, "p1"), (-1002, "q0")]
    # The sent row keeps its history; the duplicate q0 for the old id is failed, not lost.
    assert (await store.delivery(sent.id)) is not None
    assert (await store.delivery(sent.id)).chat_id == -1  # type: ignore[union-attr]
    assert (await store.stats())["failed"] == 1


async def test_forget_chat(store: SubscriptionStore) -> None:
    await store.subscribe_new(3)
    await store.subscribe_daily(3, datetime.time(9), "UTC")
    await store.subscribe_new(4)
    briefing = await store.create_briefing("b", {3: ["a", "b"], 4: ["c"]})
    assert briefing is not None
    await store.forget_chat(3)
    assert await store.subscriptions_of(3) == []
    assert [d.chat_id for d in await store.pending_deliveries()] == [4]
    statuses = [(d.chat_id, d.status) for d in await store.deliveries_of(briefing)]
    assert statuses == [(3, "failed"), (3, "failed"), (4, "pending")]


async def test_state(store: SubscriptionStore) -> None:
    assert await store.get_state("announced") is None
    await store.set_state("announced", "[]")
    await store.set_state("announced", '["a"]')
    assert await store.get_state("announced") == '["a"]'


async def test_persistence_across_close_and_open(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'sub' / 'bot.sqlite3').as_posix()}"
    store = await SubscriptionStore.open(url)
    await store.subscribe_daily(1, datetime.time(6, 45), "Asia/Dushanbe")
    await store.create_briefing("daily:1:2025-10-10", {1: ["hello"]})
    delivery = (await store.pending_deliveries())[0]
    await store.mark_sent(delivery.id, 42)
    await store.create_briefing("daily:1:2025-10-11", {1: ["again"]})
    await store.close()
    await store.close()  # idempotent

    reopened = await SubscriptionStore.open(url)
    try:
        assert await reopened.all_subscriptions() == [
            Subscription(1, "daily", datetime.time(6, 45), "Asia/Dushanbe")
        ]
        assert await reopened.create_briefing("daily:1:2025-10-10", {1: ["hello"]}) is None
        assert [d.text for d in await reopened.pending_deliveries()] == ["again"]
        with sqlite3.connect(tmp_path / "sub" / "bot.sqlite3") as raw:
            assert raw.execute("SELECT version FROM schema_version").fetchone() == (
                len(MIGRATIONS),
            )
    finally:
        await reopened.close()


async def test_a_closed_store_raises_storage_error() -> None:
    store = await SubscriptionStore.open("sqlite:///:memory:")
    await store.close()
    with pytest.raises(StorageError, match="closed"):
        await store.subscribe_new(1)


async def test_an_older_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as raw:  # a database made by the first release (version 1)
        raw.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        raw.execute("INSERT INTO schema_version VALUES (1)")
        for statement in MIGRATIONS[0]:
            raw.execute(statement.format(serial_pk="INTEGER PRIMARY KEY"))
        raw.execute("INSERT INTO subscriptions VALUES (1, 'new', NULL, NULL, 0)")
    store = await SubscriptionStore.open(f"sqlite:///{path}")
    try:
        assert await store.all_subscriptions() == [Subscription(1, "new")]
    finally:
        await store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchone() == (len(MIGRATIONS),)
        plan = raw.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM deliveries WHERE status = 'pending' ORDER BY id"
        ).fetchall()
    assert "deliveries_pending" in str(plan)


async def test_a_version_1_that_already_had_the_pending_indexes_opens(tmp_path: Path) -> None:
    # One early build (be8ebe5) created the partial indexes in version 1; migration 2 adds them.
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        raw.execute("INSERT INTO schema_version VALUES (1)")
        for statement in MIGRATIONS[0] + MIGRATIONS[1]:
            raw.execute(statement.format(serial_pk="INTEGER PRIMARY KEY"))
    store = await SubscriptionStore.open(f"sqlite:///{path}")
    await store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchone() == (len(MIGRATIONS),)


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await SubscriptionStore.open(f"sqlite:///{path}")
    await store.close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StorageError, match="newer"):
        await SubscriptionStore.open(f"sqlite:///{path}")


async def test_locked_database_raises_storage_error_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await SubscriptionStore.open(f"sqlite:///{path}", busy_timeout=0.2)
    try:
        await store.subscribe_new(1)
        await store.create_briefing("b1", {1: ["one", "two"]})
        first, second = await store.pending_deliveries()

        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StorageError, match="locked"):
                await store.mark_sent(first.id, 10)
            with pytest.raises(StorageError, match="locked"):
                await store.create_briefing("b2", {1: ["three"]}, state={"seen": "b2"})
            with pytest.raises(StorageError):
                await store.subscribe_new(2)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()

        # Nothing half-written: b2 does not exist, so creating it again works, and the failed
        # write can simply be repeated.
        await store.mark_sent(first.id, 10)
        assert await store.get_state("seen") is None
        assert await store.create_briefing("b2", {1: ["three"]}) is not None
        assert [d.text for d in await store.pending_deliveries()] == ["two", "three"]
        assert (await store.delivery(second.id)).status == "pending"  # type: ignore[union-attr]
        assert await store.subscribe_new(2) is True
        assert (await store.stats())["sent"] == 1
    finally:
        await store.close()
