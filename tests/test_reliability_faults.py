"""Faults survived, end to end: the real Application (ExtBot + its rate limiter, the real Sender
and scheduler, long polling) against the fake Bot API with its fault switches on.

What ``test_sender.py`` proves with a bare ``telegram.Bot`` and one fault at a time, these tests
prove for the bot as ``build_application`` wires it, with the faults mixed and at scale.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from support import (
    TOKEN,
    ask,
    db_rows,
    deliveries_per_chat,
    make_settings,
)
from telegram.ext import Application

from bot.app import build_application, running
from bot.services import SERVICES_KEY, Services
from fakeapi import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

MARK = "Reliability briefing"


def services_of(app: Application) -> Services:  # type: ignore[type-arg]
    svc = app.bot_data[SERVICES_KEY]
    assert isinstance(svc, Services) and svc.subscriptions is not None and svc.sender is not None
    return svc


def text_for(chat: int, key: str = "first") -> str:
    return f"<b>{MARK}</b> {key} for chat <code>{chat}</code> &amp; friends"


async def broadcast(app: Application, key: str, chats: Iterable[int]) -> int:  # type: ignore[type-arg]
    """Record a briefing for ``chats`` and wake the sender, as the scheduler does."""
    svc = services_of(app)
    assert svc.subscriptions is not None and svc.sender is not None
    briefing = await svc.subscriptions.create_briefing(
        key, {chat: [text_for(chat, key)] for chat in chats}
    )
    assert briefing is not None
    svc.sender.wake()
    return briefing


async def wait_until(condition: Any, timeout: float, what: str) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not reached within {timeout}s: {what}")
        await asyncio.sleep(0.05)


def statuses(api: FakeBotApi, method: str = "sendMessage") -> Counter[int]:
    return Counter(r.status for r in api.requests if r.method == method)


def requests_to(api: FakeBotApi, chat: int) -> int:
    return sum(
        1
        for r in api.requests
        if r.method == "sendMessage" and str(r.params.get("chat_id")) == str(chat)
    )


# --- 500 chats through 429 storms, 5xx, slow answers and dropped connections ---------------------


async def test_broadcast_to_500_chats_survives_mixed_faults_exactly_once(
    workdir: Path, api: FakeBotApi
) -> None:
    chats = list(range(20_001, 20_501))
    api.set_latency(0.01, jitter=0.05, methods=["sendMessage"])  # slow answers
    api.fail_rate((500, 502, 503), probability=0.04, seed=7, methods=["sendMessage"])
    api.drop_connections(8, methods=["sendMessage"])  # dropped before Telegram handled it
    api.fail_next("sendMessage", 429, count=3, retry_after=1)
    app = build_application(make_settings(workdir, api))
    started = time.monotonic()
    async with running(app):
        svc = services_of(app)
        assert svc.subscriptions is not None
        briefing = await broadcast(app, "new:reliability-500", chats)

        # Mid-broadcast: a 429 storm (every send refused for 1.5 s), then more drops and 502s.
        await api.wait_for_messages(count=150, timeout=60, methods={"sendMessage"})
        api.storm_429(1.5, retry_after=1, methods=["sendMessage"])
        await api.wait_for_messages(count=300, timeout=60, methods={"sendMessage"})
        api.drop_connections(5, methods=["sendMessage"])
        api.fail_next("sendMessage", 502, count=5)

        await wait_until(
            lambda: len(deliveries_per_chat(api, MARK)) == len(chats), 120, "every chat served"
        )
        await asyncio.sleep(1.5)  # anything sent twice would arrive now
        stats = await svc.subscriptions.stats()
        deliveries = await svc.subscriptions.deliveries_of(briefing)
    elapsed = time.monotonic() - started

    per_chat = deliveries_per_chat(api, MARK)
    assert set(per_chat) == set(chats), "a chat lost its briefing"
    duplicates = {chat: n for chat, n in per_chat.items() if n != 1}
    assert duplicates == {}, f"sent more than once: {duplicates}"
    assert {d.status for d in deliveries} == {"sent"}
    assert stats["pending"] == 0 and stats["failed"] == 0 and stats["sent"] == len(chats)
    # The faults really happened (otherwise this test would prove nothing).
    seen = statuses(api)
    faults = {
        "429": seen[429],
        "5xx": sum(n for status, n in seen.items() if status >= 500),
        "dropped": seen[0],
    }
    assert faults["429"] >= 3 and faults["5xx"] >= 5 and faults["dropped"] == 13, faults
    print(
        f"\n[reliability] 500-chat broadcast: {len(chats)} delivered once, 0 lost, 0 duplicates; "
        f"faults injected {faults}, sendMessage requests {sum(seen.values())}, {elapsed:.1f}s"
    )


# --- dropped *after* Telegram handled the message: the one duplicate the Bot API allows ----------


async def test_a_drop_after_processing_duplicates_exactly_that_message(
    workdir: Path, api: FakeBotApi
) -> None:
    """Telegram delivered, the answer was lost: the client cannot know, so it retries.

    The Bot API has no idempotency key, so this duplicate cannot be prevented by any client; the
    test pins down that it is the *only* effect: exactly one extra copy per lost answer.
    """
    chats = list(range(30_001, 30_041))
    api.drop_connections(3, methods=["sendMessage"], after_processing=True)
    app = build_application(make_settings(workdir, api))
    async with running(app):
        await broadcast(app, "new:after-processing", chats)
        await wait_until(
            lambda: sum(deliveries_per_chat(api, MARK).values()) >= len(chats) + 3,
            30,
            "every chat served and the three lost answers retried",
        )
        await asyncio.sleep(1.0)
        stats = await services_of(app).subscriptions.stats()  # type: ignore[union-attr]
    per_chat = deliveries_per_chat(api, MARK)
    assert set(per_chat) == set(chats)
    assert sorted(per_chat.values()).count(2) == 3 and max(per_chat.values()) == 2
    assert stats["sent"] == len(chats) and stats["pending"] == 0
    print("\n[reliability] drop after processing: 3 answers lost -> 3 duplicates (documented)")


# --- blocked chats and migrated groups, followed through the scheduler's daily jobs --------------


async def test_blocked_chats_are_dropped_and_migrated_groups_followed_end_to_end(
    workdir: Path, api: FakeBotApi
) -> None:
    healthy = list(range(40_001, 40_011))
    blocked = [40_101, 40_102, 40_103]
    groups = {-4001: -1_000_000_004_001, -4002: -1_000_000_004_002}
    for chat in blocked:
        api.block_chat(chat)
    for old, new in groups.items():
        api.migrate_chat(old, new)
    app = build_application(make_settings(workdir, api))
    async with running(app):
        svc = services_of(app)
        store = svc.subscriptions
        assert store is not None
        for chat in [*healthy, *blocked, *groups]:
            await store.subscribe_new(chat)
        await store.subscribe_daily(blocked[0], datetime.time(8, 0), "Europe/Paris")
        await store.subscribe_daily(-4001, datetime.time(9, 30), "Asia/Baku")
        # Daily schedules are rows, due at the chat's time.
        assert await store.next_daily_run(blocked[0]) is not None
        assert await store.next_daily_run(-4001) is not None

        first = await broadcast(app, "new:first", [*healthy, *blocked, *groups])
        await wait_until(
            lambda: len(deliveries_per_chat(api, MARK)) == len(healthy) + len(groups),
            30,
            "first briefing delivered",
        )
        # The schedules follow the ledger: the blocked chat's is gone, the group's moved.
        for _ in range(200):
            moved = await store.next_daily_run(groups[-4001])
            gone = await store.next_daily_run(blocked[0]), await store.next_daily_run(-4001)
            if moved is not None and gone == (None, None):
                break
            await asyncio.sleep(0.05)
        else:
            raise TimeoutError("daily schedules did not follow the ledger within 10 s")
        assert (moved.hour, moved.minute, str(moved.tzinfo)) == (9, 30, "Asia/Baku")
        # The next briefing goes to whoever is subscribed now, as the scheduler computes it.
        subscribers = [s.chat_id for s in await store.all_subscriptions("new")]
        assert sorted(subscribers) == sorted([*healthy, *groups.values()])
        await broadcast(app, "new:second", subscribers)
        await wait_until(
            lambda: sum(deliveries_per_chat(api, "new:second").values()) >= len(subscribers),
            30,
            "second briefing delivered",
        )
        await asyncio.sleep(1.0)
        first_rows = await store.deliveries_of(first)
        daily = await store.all_subscriptions("daily")

    second = deliveries_per_chat(api, "new:second")
    assert set(second) == {*healthy, *groups.values()} and set(second.values()) == {1}
    for chat in blocked:
        assert requests_to(api, chat) == 1, "a blocked chat was tried again"
    for old, new in groups.items():
        assert requests_to(api, old) == 1, "the old group id was used again"
        assert deliveries_per_chat(api, MARK)[new] == 2
    assert [(s.chat_id, s.timezone) for s in daily] == [(groups[-4001], "Asia/Baku")]
    by_status = Counter((d.chat_id in blocked, d.status) for d in first_rows)
    assert by_status == {(False, "sent"): len(healthy) + len(groups), (True, "failed"): 3}


# --- the database full or locked while recording deliveries --------------------------------------


class FailingWrites:
    """Makes the bot's database raise ``sqlite3.OperationalError`` for matching statements."""

    def __init__(self, conn: Any, message: str, prefix: str) -> None:
        self.conn = conn
        self.real = conn.execute
        self.message = message
        self.prefix = prefix
        self.active = True
        self.refused = 0

    async def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        if self.active and sql.lstrip().startswith(self.prefix):
            self.refused += 1
            raise sqlite3.OperationalError(self.message)
        return await self.real(sql, *args, **kwargs)


@pytest.mark.parametrize("message", ["database or disk is full", "database is locked"])
async def test_database_failing_while_recording_deliveries(
    workdir: Path,
    api: FakeBotApi,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    message: str,
) -> None:
    chats = list(range(50_001, 50_031))
    app = build_application(make_settings(workdir, api))
    async with running(app):
        svc = services_of(app)
        store = svc.subscriptions
        assert store is not None
        conn = store._db._conn
        fault = FailingWrites(conn, message, "UPDATE deliveries SET status = 'sent'")
        monkeypatch.setattr(conn, "execute", fault.execute)
        with caplog.at_level(logging.INFO):
            briefing = await broadcast(app, "new:db-fault", chats)
            await wait_until(
                lambda: len(deliveries_per_chat(api, MARK)) == len(chats), 30, "all sent"
            )
            # The bot keeps answering commands while the ledger cannot be written.
            for chat in (60_001, 60_002):
                started = time.monotonic()
                [reply] = await ask(api, chat, "/help")
                assert "/summary" in (reply.text or "")
                assert time.monotonic() - started < 5
            [status] = await ask(api, 60_003, "/status")
            assert "articles" in (status.text or "")
            await asyncio.sleep(2.5)  # at least one more sender round while still failing
            assert fault.refused > len(chats), "the write was not retried"
            pending = await store.stats()
            assert pending["sent"] == 0 and pending["pending"] == len(chats)
            fault.active = False  # disk space freed / lock released
            deadline = time.monotonic() + 10
            while (await store.stats())["sent"] < len(chats):
                assert time.monotonic() < deadline, "the unrecorded deliveries were not written"
                await asyncio.sleep(0.1)
            rows = await store.deliveries_of(briefing)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(
        "was sent but cannot be recorded yet" in text and message in text for text in errors
    ), errors[:3]
    assert TOKEN not in caplog.text
    per_chat = deliveries_per_chat(api, MARK)
    assert set(per_chat) == set(chats) and set(per_chat.values()) == {1}, (
        "re-sent while unrecorded"
    )
    assert {d.status for d in rows} == {"sent"}
    # The message ids Telegram returned while the disk was full were kept and written later.
    assert db_rows(workdir, "SELECT count(*) FROM deliveries WHERE message_id IS NULL") == [(0,)]
