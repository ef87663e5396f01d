"""One sender, elected: the lease, claims under it, and daily schedules as rows, on both engines.

Each test opens two stores on one database, as two processes would, with short leases so a
takeover happens in about a second.  The multi-process tests are in test_election_process.py.
"""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest

from bot.delivery.daily import next_occurrence
from bot.delivery.election import SenderLease
from bot.delivery.subscriptions import SubscriptionStore

pytestmark = pytest.mark.timeout(60)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[tuple[SubscriptionStore, SubscriptionStore]]:
    first = await SubscriptionStore.open(database_url)
    second = await SubscriptionStore.open(database_url)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def take_over(lease: SenderLease, within: float = 3.0) -> float:
    """Try until ``lease`` is taken (bounded); returns how long that took."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if await lease.try_acquire():
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"no takeover within {within}s")


def short_lease(store: SubscriptionStore, holder: str) -> SenderLease:
    return SenderLease(
        store, holder=holder, duration=1.0, renew_every=0.2, margin=0.3, handover_gap=0.0
    )


async def test_one_holder_at_a_time_and_a_takeover_after_expiry(
    stores: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    a, b = short_lease(stores[0], "a"), short_lease(stores[1], "b")
    assert await a.try_acquire() and a.held
    assert not await b.try_acquire() and not b.held
    for _ in range(6):  # renewed past its duration: still a's
        await asyncio.sleep(0.2)
        assert await a.try_acquire()
        assert not await b.try_acquire()
    # a stops renewing (killed): b takes over once the lease expired, not before.
    assert 0.6 < await take_over(b) <= 2.0  # the lease lasts 1 s after its last renewal
    assert b.held
    # a wakes up: it knows on its own clock it lost the lease, and cannot renew it.
    assert not a.held
    assert not await a.try_acquire()
    # A graceful stop hands it over at once.
    await b.release()
    assert not b.held
    assert await a.try_acquire()


async def test_a_new_holder_starts_sending_a_moment_after_a_handover(
    stores: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    """The old holder released the lease right after its last send; both senders' messages in
    one second would count together against Telegram's 30."""
    a, b = (
        SenderLease(store, holder=name, duration=2.0, renew_every=0.2, margin=0.3,
                    handover_gap=0.5)
        for store, name in zip(stores, "ab", strict=True)
    )  # fmt: skip
    assert await a.try_acquire()
    await a.release()
    assert await b.try_acquire()
    assert not b.held  # taken, but not sending yet
    await asyncio.sleep(0.3)
    assert await b.try_acquire() and not b.held  # a renewal does not shorten the gap
    await asyncio.sleep(0.3)
    assert b.held


async def test_claims_are_fenced_by_the_lease_and_free_again_after_a_takeover(
    stores: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    first, second = stores
    await first.create_briefing("new:x", {chat: [f"to {chat}"] for chat in range(1, 11)})
    a, b = short_lease(first, "a"), short_lease(second, "b")
    assert await first.claim_deliveries("a", a.name) is None  # no lease: no claim
    assert await a.try_acquire()
    claimed = await first.claim_deliveries("a", a.name, limit=4)
    assert claimed is not None and [d.chat_id for d in claimed] == [1, 2, 3, 4]
    assert await second.claim_deliveries("b", b.name) is None  # b does not hold it
    # The holder claims again what it claimed and did not send, and the rest.
    again = await first.claim_deliveries("a", a.name)
    assert again is not None and [d.chat_id for d in again] == list(range(1, 11))
    await first.mark_sent(again[0].id, 1)

    # a dies holding claims; b takes over when the lease runs out and claims all still owed.
    await take_over(b)
    taken = await second.claim_deliveries("b", b.name)
    assert taken is not None and [d.chat_id for d in taken] == list(range(2, 11))
    # a, woken after its lease was taken over, claims nothing (the check is in the claim).
    assert await first.claim_deliveries("a", a.name) is None


async def test_a_chats_later_part_waits_behind_a_retry_when_claimed(
    stores: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    store = stores[0]
    await store.create_briefing("new:parts", {7: ["part 1", "part 2"], 8: ["only"]})
    lease = short_lease(store, "a")
    assert await lease.try_acquire()
    rows = await store.claim_deliveries("a", lease.name)
    assert rows is not None and [(d.chat_id, d.part) for d in rows] == [(7, 0), (7, 1), (8, 0)]
    await store.mark_retry(rows[0].id, 60, "network")
    rows = await store.claim_deliveries("a", lease.name)
    assert rows is not None and [(d.chat_id, d.part) for d in rows] == [(8, 0)]


async def test_daily_schedule_rows_follow_the_chat_and_its_zone(
    stores: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    store, other = stores
    await store.subscribe_daily(10, datetime.time(8, 30), "Asia/Tokyo")
    due = await other.next_daily_run(10)  # read by another process: it is a row
    assert due is not None and (due.hour, due.minute) == (8, 30)
    assert due.utcoffset() == datetime.timedelta(hours=9)
    now = datetime.datetime.now(datetime.UTC)
    assert now < due <= now + datetime.timedelta(days=1)

    await other.subscribe_daily(10, datetime.time(21, 0), "Asia/Tokyo")  # moved elsewhere
    moved = await store.next_daily_run(10)
    assert moved is not None and moved.hour == 21
    await store.migrate_chat(10, -1010)
    assert await store.next_daily_run(10) is None
    assert await other.next_daily_run(-1010) == moved
    assert await store.next_daily_run(12) is None


def paris(*args: int) -> float:
    return datetime.datetime(*args, tzinfo=PARIS).timestamp()  # type: ignore[misc]


def test_next_occurrence_is_dst_correct() -> None:
    at = datetime.time(2, 30)
    # Spring forward (2030-03-31, 02:00 -> 03:00): 02:30 does not exist; it comes an hour
    # late that day, and at 02:30 again the next day.
    gap = next_occurrence(at, PARIS, paris(2030, 3, 30, 12, 0))
    assert datetime.datetime.fromtimestamp(gap, PARIS).isoformat() == "2030-03-31T03:30:00+02:00"
    after = next_occurrence(at, PARIS, gap)
    assert datetime.datetime.fromtimestamp(after, PARIS).isoformat() == "2030-04-01T02:30:00+02:00"
    # Fall back (2030-10-27, 03:00 -> 02:00): 02:30 happens twice; the briefing comes once.
    first = next_occurrence(at, PARIS, paris(2030, 10, 26, 12, 0))
    assert datetime.datetime.fromtimestamp(first, PARIS).isoformat() == "2030-10-27T02:30:00+02:00"
    then = next_occurrence(at, PARIS, first)
    assert datetime.datetime.fromtimestamp(then, PARIS).isoformat() == "2030-10-28T02:30:00+01:00"
    # An ordinary day, 23 h and 25 h days: always the same local time.
    day = next_occurrence(datetime.time(8, 0), PARIS, paris(2030, 3, 30, 9, 0))
    assert datetime.datetime.fromtimestamp(day, PARIS).isoformat() == "2030-03-31T08:00:00+02:00"
    assert day - paris(2030, 3, 30, 9, 0) == 22 * 3600
