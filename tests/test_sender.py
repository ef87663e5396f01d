"""The sender against the fake Bot API, with a real ``telegram.Bot``: once, in order, resilient."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import itertools
import json
import logging
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import telegram
from telegram.ext import AIORateLimiter, ExtBot

from bot.delivery.db import StorageError
from bot.delivery.rate_limiter import BudgetRateLimiter
from bot.delivery.sender import Sender
from bot.delivery.subscriptions import SubscriptionStore
from fakeapi import FakeBotApi

pytestmark = pytest.mark.timeout(60)

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as api:
        yield api


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=api.base_url) as bot:
        yield bot


@pytest.fixture
async def store() -> AsyncIterator[SubscriptionStore]:
    store = await SubscriptionStore.open("sqlite:///:memory:")
    yield store
    await store.close()


def texts_to(api: FakeBotApi, chat_id: int) -> list[str | None]:
    return [r.raw_text for r in api.messages_to(chat_id) if r.method == "sendMessage"]


def send_requests(api: FakeBotApi, chat_id: int) -> int:
    return sum(
        1
        for r in api.requests
        if r.method == "sendMessage" and str(r.params.get("chat_id")) == str(chat_id)
    )


@contextlib.asynccontextmanager
async def running(sender: Sender, interval: float) -> AsyncIterator[None]:
    """``sender.run_forever`` in a task for the block, cancelled and awaited after it."""
    task = asyncio.create_task(sender.run_forever(interval=interval))
    try:
        yield
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def drain(sender: Sender, store: SubscriptionStore, within: float = 10.0) -> None:
    """Flush until nothing is pending (retries included)."""
    async with asyncio.timeout(within):
        while await store.pending_count():
            await sender.flush()
            await asyncio.sleep(0.01)


async def test_every_chat_gets_every_part_once_in_order(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    chats = list(range(1, 41)) + [-100 - i for i in range(10)]
    parts = {chat: [f"<b>{chat}</b> part {n}" for n in range(3)] for chat in chats}
    briefing = await store.create_briefing("new:1", parts)
    assert briefing is not None
    sender = Sender(bot, store, concurrency=8)

    report = await sender.flush()

    assert report.sent == 150 and report.retried == report.failed == 0
    for chat in chats:
        assert texts_to(api, chat) == parts[chat]
        # HTML parse mode and no link previews, whatever the application's defaults are.
        first = api.messages_to(chat)[0]
        assert first.parse_mode == "HTML"
        assert first.entities and first.entities[0]["type"] == "bold"
        preview = first.params["link_preview_options"]
        assert (json.loads(preview) if isinstance(preview, str) else preview)["is_disabled"]
    assert (await sender.flush()).sent == 0
    assert len(api.sent) == 150
    assert {d.status for d in await store.deliveries_of(briefing)} == {"sent"}


async def test_concurrent_flushes_send_each_message_once(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    api.set_latency(0.01)
    await store.create_briefing("b", {chat: ["a", "b"] for chat in range(1, 21)})
    sender = Sender(bot, store, concurrency=5)
    reports = await asyncio.gather(sender.flush(), sender.flush(), sender.flush())
    assert sum(r.sent for r in reports) == 40
    assert len(api.sent) == 40


async def test_extbot_with_rate_limiter(api: FakeBotApi, store: SubscriptionStore) -> None:
    # The application's bot: AIORateLimiter throttles and absorbs a 429 on its own.
    bot = ExtBot(
        TOKEN,
        base_url=api.base_url,
        rate_limiter=AIORateLimiter(overall_max_rate=30, group_max_rate=20, max_retries=2),
    )
    async with bot:
        api.fail_next("sendMessage", 429, retry_after=1)
        await store.create_briefing("b", {1: ["x"], -2: ["y"], 3: ["z"]})
        report = await Sender(bot, store).flush()
    assert report.sent == 3 and report.retried == 0
    assert len(api.sent) == 3


async def test_with_the_applications_limiter_the_sender_takes_a_429_itself(
    api: FakeBotApi, store: SubscriptionStore
) -> None:
    # BudgetRateLimiter: the sender's sends are tried once; replies keep retrying.
    bot = ExtBot(TOKEN, base_url=api.base_url, rate_limiter=BudgetRateLimiter(max_retries=2))
    async with bot:
        api.fail_next("sendMessage", 429, retry_after=1)
        await store.create_briefing("b", {1: ["x"], 2: ["y"], 3: ["z"]})
        report = await Sender(bot, store).flush()
        assert (report.sent, report.retried) == (2, 1)
        assert sum(r.method == "sendMessage" for r in api.requests) == 3  # no retry below

        api.fail_next("sendMessage", 429, retry_after=1)
        await bot.send_message(9, "a reply")  # the limiter retries it after retry_after
    assert texts_to(api, 9) == ["a reply"] and send_requests(api, 9) == 2


async def test_after_a_429_paced_sends_hold_then_go_on_one_by_one(
    api: FakeBotApi, store: SubscriptionStore
) -> None:
    """No send starts while flood control holds, and the held ones do not go at once after it:
    a burst over Telegram's 30 per sliding second would draw the next 429."""
    interval = 0.02
    bot = ExtBot(TOKEN, base_url=api.base_url, rate_limiter=BudgetRateLimiter(overall_max_rate=0))
    await store.create_briefing("b", {chat: ["x"] for chat in range(1, 61)})
    async with bot:
        sender = Sender(bot, store, max_rate=1 / interval)
        async with running(sender, interval=0.05):
            await api.wait_for_messages(count=10, timeout=5)
            api.storm_429(0.05, retry_after=1, methods=["sendMessage"])
            await api.wait_for_messages(count=60, timeout=10)
    sends = [r for r in api.requests if r.method == "sendMessage"]
    refused = [r.at for r in sends if r.status == 429]
    assert 1 <= len(refused) <= 3, refused
    storm_end = refused[0] + 0.05
    held = [r.at for r in sends if storm_end < r.at < refused[0] + 0.95]
    assert held == []  # nothing but the sends already in flight met the storm
    after = [r.at for r in sends if r.at >= refused[0] + 0.95]
    # Paced, give or take the timers' jitter: never 10 in any 5 intervals (the limiter's release
    # after its hold put 20 or more there).
    crowded = max(sum(1 for t in after if start <= t < start + 5 * interval) for start in after)
    assert len(after) >= 45 and crowded <= 9, after
    assert len(api.sent) == 60 and len({r.chat_id for r in api.sent}) == 60


async def test_a_retry_that_fell_due_during_a_long_flush_goes_right_after_it(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    # A flush tries each delivery once; the 429'd first one is due again long before the
    # 60 chats are through, and must not wait for the next round (30 s away here).
    api.fail_next("sendMessage", 429, retry_after=1)
    await store.create_briefing("b", {chat: ["x"] for chat in range(1, 61)})
    sender = Sender(bot, store, max_rate=40)
    async with running(sender, interval=30):
        await api.wait_for_messages(count=60, timeout=8)
    assert len({r.chat_id for r in api.sent}) == 60


async def test_retry_after_waits_and_does_not_use_the_failure_budget(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    briefing = await store.create_briefing("b", {7: ["p0", "p1"]})
    assert briefing is not None
    api.fail_next("sendMessage", 429, retry_after=1)
    sender = Sender(bot, store, horizon=0)  # any passing failure but a 429 would end it

    first = await sender.flush()
    assert (first.sent, first.retried, first.failed) == (0, 1, 0)
    assert await sender.flush() == type(first)()  # nothing due yet: p1 waits behind p0
    delivery = (await store.deliveries_of(briefing))[0]
    assert delivery.attempts == 0 and delivery.status == "pending"

    async with running(sender, interval=0.05):
        await api.wait_for_messages(chat_id=7, count=2, timeout=5)
    assert texts_to(api, 7) == ["p0", "p1"]
    assert send_requests(api, 7) == 3


async def test_a_flood_storm_holds_every_send(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    api.storm_429(1.0, retry_after=1)
    await store.create_briefing("b", {chat: ["x"] for chat in range(1, 31)})
    sender = Sender(bot, store, concurrency=5)
    async with running(sender, interval=0.05):
        await api.wait_for_messages(count=30, timeout=8)
    assert len(api.sent) == 30
    # Only the sends already in flight met the storm: the others were held, not rejected.
    rejected = [r for r in api.requests if r.method == "sendMessage" and r.status == 429]
    assert 1 <= len(rejected) <= 5


async def test_blocked_chat_is_unsubscribed_and_not_retried(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    await store.subscribe_new(1)
    await store.subscribe_new(2)
    await store.subscribe_daily(2, datetime.time(8), "UTC")
    api.block_chat(2)
    briefing = await store.create_briefing("b", {1: ["a", "b"], 2: ["a", "b"]})
    assert briefing is not None
    sender = Sender(bot, store)

    report = await sender.flush()

    assert (report.sent, report.blocked) == (2, 1)
    assert await store.subscriptions_of(2) == []
    assert [s.chat_id for s in await store.all_subscriptions()] == [1]
    assert [(d.chat_id, d.status) for d in await store.deliveries_of(briefing)] == [
        (1, "sent"), (1, "sent"), (2, "failed"), (2, "failed"),
    ]  # fmt: skip
    await sender.flush()
    assert send_requests(api, 2) == 1


async def test_migrated_group_is_followed_and_keeps_its_subscription(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    await store.subscribe_new(-5)
    api.migrate_chat(-5, -1005)
    briefing = await store.create_briefing("b", {-5: ["one", "two"]})
    assert briefing is not None
    sender = Sender(bot, store)

    report = await sender.flush()

    assert (report.sent, report.migrated, report.failed) == (2, 1, 0)
    assert texts_to(api, -1005) == ["one", "two"]
    assert send_requests(api, -5) == 1
    assert [s.chat_id for s in await store.all_subscriptions("new")] == [-1005]
    assert {d.chat_id for d in await store.deliveries_of(briefing)} == {-1005}
    # The next briefing goes straight to the new id.
    await store.create_briefing("b2", {-1005: ["three"]})
    await sender.flush()
    assert texts_to(api, -1005) == ["one", "two", "three"]
    assert send_requests(api, -5) == 1


async def test_server_and_network_errors_are_retried_with_backoff(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    briefing = await store.create_briefing("b", {9: ["first", "second"]})
    assert briefing is not None
    api.fail_next("sendMessage", 502, count=2)
    api.drop_connections(1, methods=["sendMessage"])
    sender = Sender(bot, store, base_backoff=0.01)

    await drain(sender, store)

    assert texts_to(api, 9) == ["first", "second"]
    first, second = await store.deliveries_of(briefing)
    assert first.attempts == 3 and first.status == "sent"
    assert second.attempts == 0


async def test_bad_request_fails_at_once(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    briefing = await store.create_briefing("b", {3: ["<div>not telegram html</div>", "ok"]})
    assert briefing is not None
    sender = Sender(bot, store, base_backoff=0.01)
    report = await sender.flush()
    assert (report.sent, report.failed, report.retried) == (1, 1, 0)
    assert await store.pending_count() == 0
    await sender.flush()
    assert send_requests(api, 3) == 2
    assert texts_to(api, 3) == ["ok"]


async def test_a_restart_resends_nothing_already_sent(api: FakeBotApi, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    chats = range(1, 13)
    store = await SubscriptionStore.open(url)
    await store.create_briefing("new:x", {chat: [f"hi {chat}"] for chat in chats})
    api.set_latency(0.1)
    async with telegram.Bot(TOKEN, base_url=api.base_url) as bot:
        task = asyncio.create_task(Sender(bot, store, concurrency=2).run_forever())
        await api.wait_for_messages(count=4, timeout=10)
        task.cancel()  # shutdown in the middle of the broadcast
        with pytest.raises(asyncio.CancelledError):
            await task
    # Whatever was in flight finished and was recorded before the sender stopped.
    sent_before = len(api.sent)
    assert 4 <= sent_before < 12
    assert (await store.stats())["sent"] == sent_before
    await store.close()

    api.set_latency(0)
    store = await SubscriptionStore.open(url)
    try:
        async with telegram.Bot(TOKEN, base_url=api.base_url) as bot:
            report = await Sender(bot, store).flush()
        assert report.sent == 12 - sent_before
        for chat in chats:
            assert texts_to(api, chat) == [f"hi {chat}"]
    finally:
        await store.close()


async def test_a_send_that_cannot_be_recorded_is_not_sent_again(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    briefing = await store.create_briefing("b", {1: ["only once"]})
    assert briefing is not None
    real_mark_sent = store.mark_sent
    calls = 0

    async def flaky_mark_sent(
        delivery_id: int, message_id: int | None, note: str | None = None
    ) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise StorageError("cannot mark delivery sent: database is locked")
        await real_mark_sent(delivery_id, message_id, note)

    monkeypatch.setattr(store, "mark_sent", flaky_mark_sent)
    sender = Sender(bot, store)
    assert (await sender.flush()).sent == 1
    assert (await store.deliveries_of(briefing))[0].status == "pending"
    await sender.flush()  # records the stashed result first, sends nothing
    assert len(api.sent) == 1
    assert (await store.deliveries_of(briefing))[0].status == "sent"


async def test_progress_is_logged(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore, caplog: pytest.LogCaptureFixture
) -> None:
    await store.create_briefing("b", {chat: ["x"] for chat in range(1, 21)})
    with caplog.at_level(logging.INFO, logger="bot.delivery.sender"):
        await Sender(bot, store, progress_every=5).flush()
    assert "broadcast: 5/20 sent, 0 retrying" in caplog.text
    assert "broadcast: 20 sent, 0 retrying, 0 failed" in caplog.text
    assert TOKEN not in caplog.text


async def test_wake_starts_a_flush_at_once(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    sender = Sender(bot, store)
    async with running(sender, interval=60):
        await asyncio.sleep(0.05)
        await store.create_briefing("b", {1: ["woken"]})
        sender.wake()
        await api.wait_for_messages(chat_id=1, timeout=3)


async def test_pacing_does_not_burst_after_the_event_loop_stalls(
    bot: telegram.Bot, store: SubscriptionStore
) -> None:
    """Sends due while the loop was blocked go one by one again, not all at once (a burst
    over 30 per sliding second would draw a 429 that holds every send)."""
    interval = 0.05
    sender = Sender(bot, store, max_rate=1 / interval)
    let_go: list[float] = []

    async def one() -> None:
        await sender._wait_for_slot()
        let_go.append(asyncio.get_running_loop().time())

    tasks = [asyncio.create_task(one()) for _ in range(8)]
    await asyncio.sleep(0)  # every task is waiting for its turn now
    time.sleep(0.4)  # the loop stalls for eight intervals  # noqa: ASYNC251
    await asyncio.gather(*tasks)
    # The first went before the stall; the other seven were due during it.
    after = let_go[1:]
    gaps = [b - a for a, b in itertools.pairwise(after)]
    assert min(gaps) >= interval / 2 - 0.005, gaps
    assert after[-1] - after[0] < 7 * interval  # they keep the rate (half a slot caught up)


async def test_pacing_keeps_every_sliding_second_under_the_cap(
    bot: telegram.Bot, store: SubscriptionStore
) -> None:
    """Late wake-ups are caught up, but never so that one second holds more than ``max_rate``
    sends (rounded up): Telegram counts 30 per sliding second as messages arrive."""
    rate = 20
    sender = Sender(bot, store, max_rate=rate)
    let_go: list[float] = []
    rng = random.Random(7)

    async def sends() -> None:
        for _ in range(3 * rate):
            await sender._wait_for_slot()
            let_go.append(time.monotonic())

    async def stalls() -> None:  # the loop wakes up late now and then, by up to half a slot
        while len(let_go) < 3 * rate:
            await asyncio.sleep(rng.uniform(0.0, 0.06))
            time.sleep(rng.uniform(0.0, 0.5 / rate))  # noqa: ASYNC251

    await asyncio.gather(sends(), stalls())
    busiest = max(sum(1 for t in let_go if start <= t < start + 1.0) for start in let_go)
    assert busiest <= rate, busiest


# --- issue 11: long outages, slow answers, answers that cannot be parsed -----------------------


async def test_an_outage_longer_than_any_retry_budget_fails_nothing_and_keeps_order(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    """Finding 1 in small: every send answered 502 for 4 s, far more tries than 8 at this backoff.

    Before the fix the deliveries were given up ("gave up after 8 attempts") and part 2 of a
    chat could go without part 1.
    """
    chats = [11, 12, 13]
    briefing = await store.create_briefing("b", {c: [f"{c} part 1", f"{c} part 2"] for c in chats})
    assert briefing is not None
    api.fail_rate(502, probability=1.0, methods=["sendMessage"])
    sender = Sender(bot, store, base_backoff=0.02, max_backoff=0.1)
    async with running(sender, interval=0.05):
        await asyncio.sleep(4.0)
        assert send_requests(api, 11) >= 10  # it kept trying through the outage
        assert {d.status for d in await store.deliveries_of(briefing)} == {"pending"}
        api.clear_faults()
        await api.wait_for_messages(count=6, timeout=10)
    for chat in chats:
        assert texts_to(api, chat) == [f"{chat} part 1", f"{chat} part 2"]
    assert {d.status for d in await store.deliveries_of(briefing)} == {"sent"}


async def test_a_delivery_held_beyond_the_horizon_fails_with_its_reason(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    briefing = await store.create_briefing("b", {5: ["one", "two"]})
    assert briefing is not None
    api.fail_rate(503, probability=1.0, methods=["sendMessage"])
    sender = Sender(bot, store, base_backoff=0.02, max_backoff=0.1, horizon=1.0)
    async with running(sender, interval=0.05):
        await until_nothing_pending(store, within=10)
    first, second = await store.deliveries_of(briefing)
    assert first.status == second.status == "failed"
    assert "not delivered within" in (await _error_of(store, first.id))
    assert texts_to(api, 5) == []


async def test_chat_not_found_ends_the_chats_deliveries_with_that_reason(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    await store.subscribe_new(6)
    api.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    briefing = await store.create_briefing("b", {6: ["a", "b"], 7: ["c"]})
    assert briefing is not None
    report = await Sender(bot, store).flush()
    assert (report.sent, report.blocked) == (1, 1)
    assert [d.status for d in await store.deliveries_of(briefing)] == ["failed"] * 2 + ["sent"]
    assert await _error_of(store, (await store.deliveries_of(briefing))[1].id) == (
        "chat not found"
    )
    assert send_requests(api, 6) == 1 and await store.subscriptions_of(6) == []


async def test_admins_are_told_once_when_deliveries_are_held_for_long(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    admin = 999
    await store.create_briefing("b", {21: ["x"], 22: ["y"]})
    api.fail_rate(502, probability=1.0, methods=["sendMessage"])
    sender = Sender(
        bot, store, base_backoff=0.02, max_backoff=0.1,
        admin_chat_ids=frozenset({admin}), held_alert_after=1.0,
    )  # fmt: skip
    async with running(sender, interval=0.05):
        await asyncio.sleep(3.0)  # the notice fails too while the outage lasts, and is retried
        api.clear_faults()
        await api.wait_for_messages(chat_id=admin, timeout=10)
        await api.wait_for_messages(count=3, timeout=10)
        await asyncio.sleep(1.0)
    notices = texts_to(api, admin)
    assert len(notices) == 1
    notice = notices[0] or ""
    assert "could not be sent for over 1 second" in notice and "Bad Gateway" in notice


async def test_a_send_answered_after_the_read_timeout_is_sent_at_most_twice(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore
) -> None:
    """Finding 2 in small: Telegram handles every send but answers after the read timeout."""
    briefing = await store.create_briefing("b", {31: ["first", "second"]})
    assert briefing is not None
    api.slow_answers(1.5, methods=["sendMessage"])
    sender = Sender(bot, store, read_timeout=0.5, timeout_retry_delay=0.3, base_backoff=0.02)
    async with running(sender, interval=0.05):
        await until_nothing_pending(store, within=20)
        await asyncio.sleep(2.0)
    # Each part: the first send timed out, its one retry timed out: 2 copies, never more.
    assert texts_to(api, 31) == ["first", "first", "second", "second"]
    deliveries = await store.deliveries_of(briefing)
    assert {d.status for d in deliveries} == {"sent"}
    assert "unconfirmed" in await _error_of(store, deliveries[0].id)


async def test_an_ok_answer_that_cannot_be_parsed_is_still_a_send(
    api: FakeBotApi, bot: telegram.Bot, store: SubscriptionStore, caplog: pytest.LogCaptureFixture
) -> None:
    """Finding 8: ``ok: true`` with a result PTB cannot turn into a Message."""
    api.patch_results(
        {"link_preview_options": "off", "message_id": "n/a"}, methods=["sendMessage"]
    )
    briefing = await store.create_briefing("b", {c: ["one", "two"] for c in (41, 42, 43)})
    assert briefing is not None
    sender = Sender(bot, store, base_backoff=0.02)
    with caplog.at_level(logging.WARNING, logger="bot.delivery.sender"):
        async with running(sender, interval=0.05):
            await asyncio.sleep(2.0)
    for chat in (41, 42, 43):
        assert texts_to(api, chat) == ["one", "two"]
    assert {d.status for d in await store.deliveries_of(briefing)} == {"sent"}
    assert caplog.text.count("could not be read") == 1


async def until_nothing_pending(store: SubscriptionStore, within: float) -> None:
    deadline = time.monotonic() + within
    while await store.pending_count():
        assert time.monotonic() < deadline, "deliveries still pending"
        await asyncio.sleep(0.05)


async def _error_of(store: SubscriptionStore, delivery_id: int) -> str:
    rows = await store._db.fetchall("SELECT error FROM deliveries WHERE id = ?", (delivery_id,))
    return str(rows[0][0])


async def test_the_send_budget_caps_every_sliding_window_and_serves_replies_first() -> None:
    """Finding 9 at the unit level: 30 per sliding window for all; a reply jumps the queue."""
    from bot.delivery.rate_limiter import BROADCAST, REPLY, SendBudget

    budget = SendBudget(limit=5, period=0.5)
    granted: list[tuple[str, float]] = []

    async def take(kind: str, priority: int) -> None:
        await budget.acquire(priority)
        granted.append((kind, time.monotonic()))

    broadcasts = [asyncio.create_task(take("b", BROADCAST)) for _ in range(12)]
    await asyncio.sleep(0.05)  # five went at once; seven broadcast sends wait
    replies = [asyncio.create_task(take("r", REPLY)) for _ in range(3)]
    await asyncio.gather(*broadcasts, *replies)

    kinds = [kind for kind, _ in granted]
    assert kinds[:5] == ["b"] * 5 and kinds[5:8] == ["r"] * 3  # the waiting replies went first
    times = [at for _, at in granted]
    for i, start in enumerate(times):
        assert sum(1 for t in times[i:] if t - start < 0.5) <= 5


async def test_a_cancelled_wait_for_the_budget_gives_its_turn_away() -> None:
    from bot.delivery.rate_limiter import BROADCAST, SendBudget

    budget = SendBudget(limit=1, period=0.3)
    await budget.acquire(BROADCAST)
    waiting = asyncio.create_task(budget.acquire(BROADCAST))
    await asyncio.sleep(0.01)
    waiting.cancel()
    async with asyncio.timeout(1):
        await budget.acquire(BROADCAST)  # the next free slot, not lost to the cancelled wait


async def test_held_is_counted_from_the_first_failure_not_from_the_briefings_age() -> None:
    """A long broadcast reaches its last chats late: one 502 there is no outage to report."""
    now = [1_000.0]
    store = await SubscriptionStore.open("sqlite:///:memory:", clock=lambda: now[0])
    try:
        await store.create_briefing("b", {1: ["x"], 2: ["y"]})
        first, second = await store.pending_deliveries()
        now[0] += 900  # a quarter of an hour into the broadcast
        await store.mark_retry(first.id, 1.0, "NetworkError: Bad Gateway")
        await store.mark_retry(second.id, 1.0, "flood control", count_attempt=False)
        assert await store.held_deliveries(since=now[0] - 600) == (
            1, 0, 0, "NetworkError: Bad Gateway",
        )  # fmt: skip
        now[0] += 601
        await store.mark_retry(first.id, 2.0, "NetworkError: Bad Gateway")
        assert (await store.held_deliveries(since=now[0] - 600))[:3] == (1, 1, 1)
    finally:
        await store.close()


def test_only_a_read_timeout_may_hide_a_delivered_message() -> None:
    import httpx
    from telegram.error import TimedOut

    from bot.delivery.sender import _maybe_delivered

    def timed_out(cause: Exception) -> TimedOut:
        error = TimedOut()
        error.__cause__ = cause
        return error

    assert _maybe_delivered(timed_out(httpx.ReadTimeout("late")))
    never = (httpx.ConnectTimeout("no"), httpx.PoolTimeout("no"), httpx.WriteTimeout("no"))
    for never_sent in never:
        assert not _maybe_delivered(timed_out(never_sent))


async def test_while_people_are_answered_broadcasts_leave_headroom_in_the_budget() -> None:
    from bot.delivery.rate_limiter import BROADCAST, REPLY, SendBudget

    budget = SendBudget(limit=5, period=0.5, headroom=2)
    await budget.acquire(REPLY)
    waiting = [asyncio.create_task(budget.acquire(BROADCAST)) for _ in range(6)]
    await asyncio.sleep(0.1)
    assert sum(task.done() for task in waiting) == 2  # 1 reply + 2 broadcasts: 2 slots free
    async with asyncio.timeout(1):
        await budget.acquire(REPLY)  # a reply still finds a slot at once
        await asyncio.gather(*waiting)  # and the broadcast goes on as the window moves
