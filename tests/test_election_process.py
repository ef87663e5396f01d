"""One sender among several real ``python -m bot webhook`` processes sharing one PostgreSQL.

Each process has its own webhook port and the same data folder, seeds folder and database, as
replicas behind a load balancer.  The fake Bot API records every send and when it arrived; the
tests kill the sending process (SIGKILL) mid-broadcast, start one while another broadcasts and
restart them all one by one, and check that every chat got its briefing, that nothing was sent
twice beyond the messages in flight at a kill, that another process took over within 10 s,
and that no second ever held more than Telegram's 30 messages across all processes.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from support import BotProcess, ask, deliveries_per_chat, free_port

from bot.delivery.subscriptions import SubscriptionStore
from fakeapi import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

MARK = "Replica briefing"
SECRET = "replica-secret_0123456789"
#: Takeover after the sender's death: its lease (5 s) runs out, the next try (every 1.5 s) takes
#: it, and the new sender waits its handover gap (1 s): 7.5 s at most, plus the database's time.
TAKEOVER_LIMIT = 10.0
TELEGRAM_PER_SECOND = 30


async def prepare_broadcast(url: str, chats: list[int]) -> None:
    """Subscribers and a pending broadcast to them, as the scheduler leaves it."""
    store = await SubscriptionStore.open(url)
    try:
        for chat in chats:
            await store.subscribe_new(chat)
        await store.create_briefing(
            "new:replicas", {chat: [f"<b>{MARK}</b> for <i>{chat}</i>"] for chat in chats}
        )
    finally:
        await store.close()


def replica(workdir: Path, api: FakeBotApi, url: str, name: str) -> BotProcess:
    port = free_port()
    return BotProcess(
        workdir,
        api,
        mode="webhook",
        name=name,
        env={
            "DATABASE_URL": url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        },
    )


def query(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, connect_timeout=5) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


def sender_pid(url: str) -> int | None:
    """The pid of the process holding a live sender lease (holder = host:pid:random)."""
    rows = query(
        url,
        "SELECT holder FROM leases WHERE name = 'sender' "
        "AND expires_at > extract(epoch FROM clock_timestamp())",
    )
    return int(str(rows[0][0]).split(":")[1]) if rows else None


def recorded_sent(url: str) -> set[int]:
    rows = query(url, "SELECT chat_id FROM deliveries WHERE status = 'sent'")
    return {int(str(chat)) for (chat,) in rows}


def send_times(api: FakeBotApi, marker: str = "") -> list[float]:
    """When each sendMessage arrived (only those whose text holds ``marker``, if given)."""
    return sorted(
        r.at
        for r in api.requests
        if r.method == "sendMessage" and marker in str(r.params.get("text") or "")
    )


def busiest_second(times: list[float]) -> int:
    """The most sends that arrived within any one sliding second."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def wait_until_all_delivered(
    api: FakeBotApi,
    chats: list[int],
    procs: list[BotProcess],
    timeout: float,  # noqa: ASYNC109
) -> None:
    deadline = time.monotonic() + timeout
    while len(deliveries_per_chat(api, MARK)) < len(chats):
        for proc in procs:
            assert proc.proc.poll() is None, proc.output()[-3000:]
        assert time.monotonic() < deadline, (
            f"{len(deliveries_per_chat(api, MARK))}/{len(chats)} delivered after {timeout}s"
        )
        await asyncio.sleep(0.1)


async def wait_for_sender(
    url: str,
    procs: list[BotProcess],
    timeout: float,  # noqa: ASYNC109
) -> BotProcess:
    deadline = time.monotonic() + timeout
    while True:
        pid = sender_pid(url)
        found = [p for p in procs if p.pid == pid]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no sender elected in {timeout}s (holder pid {pid})"
        await asyncio.sleep(0.1)


async def kill_sender(
    api: FakeBotApi, url: str, procs: list[BotProcess], after: int
) -> tuple[BotProcess, float, set[int]]:
    """SIGKILL the sending process once ``after`` briefings were delivered.

    Returns:
        The killed process, when it was killed, and the chats whose message was in flight at
        the kill (delivered, not recorded: the only ones that may arrive twice).
    """
    await api.wait_for_messages(
        count=after, timeout=90, predicate=lambda r: MARK in (r.raw_text or "")
    )
    victim = await wait_for_sender(url, procs, 10)
    killed_at = time.monotonic()
    victim.signal(signal.SIGKILL)
    assert await victim.wait(10) == -signal.SIGKILL
    await asyncio.sleep(0.5)  # what the dead process had sent has arrived by now
    in_flight = set(deliveries_per_chat(api, MARK)) - recorded_sent(url)
    procs.remove(victim)
    return victim, killed_at, in_flight


async def test_sigkill_of_the_sender_mid_broadcast_another_takes_over(
    workdir: Path, api: FakeBotApi, postgres_url: str
) -> None:
    chats = list(range(90_001, 90_601))
    await prepare_broadcast(postgres_url, chats)
    procs = [replica(workdir, api, postgres_url, f"replica-{i}") for i in range(3)]
    everyone = list(procs)
    kills: list[tuple[float, set[int]]] = []
    try:
        for after in (100, 300):  # two kills: the first sender, then the one that took over
            _victim, killed_at, in_flight = await kill_sender(api, postgres_url, procs, after)
            kills.append((killed_at, in_flight))
        await wait_until_all_delivered(api, chats, procs, 90)
        await asyncio.sleep(1.0)  # a duplicate would arrive now
    finally:
        codes = [await proc.stop() for proc in everyone]
    assert all(code in (0, -signal.SIGKILL) for code in codes), codes

    per_chat = deliveries_per_chat(api, MARK)
    assert set(per_chat) == set(chats), "a chat lost its briefing"
    duplicated = {chat for chat, count in per_chat.items() if count > 1}
    in_flight = set().union(*(chats_ for _at, chats_ in kills))
    assert max(per_chat.values()) <= 2
    assert duplicated <= in_flight, "a message not in flight at a kill was sent twice"
    assert len(duplicated) <= len(kills), f"{len(duplicated)} duplicates for {len(kills)} kills"
    assert recorded_sent(postgres_url) == set(chats)
    assert query(postgres_url, "SELECT count(*) FROM deliveries WHERE status != 'sent'") == [(0,)]
    times = send_times(api)
    takeovers = []
    for killed_at, _ in kills:
        later = [t for t in times if t > killed_at + 0.5]
        assert later, "nobody sent after the kill"
        takeovers.append(later[0] - killed_at)
    assert max(takeovers) < TAKEOVER_LIMIT, takeovers
    busiest = busiest_second(times)
    assert busiest <= TELEGRAM_PER_SECOND
    print(
        f"\n[one sender] 3 replicas, {len(chats)} chats, 2 SIGKILLs of the sender: takeover in "
        f"{', '.join(f'{t:.1f}s' for t in takeovers)}; 0 lost, {len(duplicated)} duplicate(s) "
        f"({sum(len(c) for _a, c in kills)} in flight at the kills); busiest second {busiest}"
    )


async def test_a_replica_started_mid_broadcast_and_a_rolling_restart_send_each_once(
    workdir: Path, api: FakeBotApi, postgres_url: str
) -> None:
    chats = list(range(91_001, 91_501))
    await prepare_broadcast(postgres_url, chats)
    first = replica(workdir, api, postgres_url, "first")
    procs = [first]
    everyone = list(procs)
    restarts = 0
    try:
        await api.wait_for_messages(
            count=60, timeout=90, predicate=lambda r: MARK in (r.raw_text or "")
        )
        assert await wait_for_sender(postgres_url, procs, 10) is first
        joined = replica(workdir, api, postgres_url, "joined")
        procs.append(joined)
        everyone.append(joined)
        # The newcomer registered its webhook last: it answers commands, but never sends.
        await api.wait_for_requests("setWebhook", count=2, timeout=30)
        [answer] = await ask(api, 4_040, "/help")
        assert "/summary" in (answer.text or "")
        assert sender_pid(postgres_url) == first.pid

        # Rolling restart: stop the oldest (SIGTERM), start a new one, until all is sent.
        number = 0
        while len(deliveries_per_chat(api, MARK)) < len(chats) and restarts < 6:
            await asyncio.sleep(3.0)
            oldest = procs.pop(0)
            assert await oldest.stop() == 0, oldest.output()[-3000:]
            number += 1
            fresh = replica(workdir, api, postgres_url, f"restarted-{number}")
            procs.append(fresh)
            everyone.append(fresh)
            restarts += 1
        await wait_until_all_delivered(api, chats, procs, 90)
        await asyncio.sleep(1.0)
    finally:
        codes = [await proc.stop() for proc in everyone]
    assert all(code == 0 for code in codes), codes

    per_chat = deliveries_per_chat(api, MARK)
    assert set(per_chat) == set(chats), "a chat lost its briefing"
    assert Counter(per_chat.values()) == {1: len(chats)}, "a chat got its briefing twice"
    assert recorded_sent(postgres_url) == set(chats)
    # The broadcast: the one sender's.  Replies come from any replica, outside its budget.
    busiest = busiest_second(send_times(api, MARK))
    assert busiest <= TELEGRAM_PER_SECOND
    print(
        f"\n[one sender] a replica joined mid-broadcast, then {restarts} rolling restart(s): "
        f"{len(chats)} chats each got it once; busiest second {busiest} broadcast messages "
        f"({busiest_second(send_times(api))} with the reply)"
    )


async def test_a_sender_frozen_past_its_lease_sends_nothing_when_it_wakes(
    workdir: Path, api: FakeBotApi, postgres_url: str
) -> None:
    """Fencing: the sender is frozen (SIGSTOP: a stalled VM, a long pause) longer than its
    lease; another process takes over; when the frozen one wakes, with its claimed batch and
    its workers mid-broadcast, it must not send another message."""
    chats = list(range(92_001, 92_601))
    await prepare_broadcast(postgres_url, chats)
    procs = [replica(workdir, api, postgres_url, f"fenced-{i}") for i in range(2)]
    try:
        await api.wait_for_messages(
            count=80, timeout=90, predicate=lambda r: MARK in (r.raw_text or "")
        )
        frozen = await wait_for_sender(postgres_url, procs, 10)
        frozen.signal(signal.SIGSTOP)
        frozen_at = time.monotonic()
        await asyncio.sleep(0.5)
        in_flight = set(deliveries_per_chat(api, MARK)) - recorded_sent(postgres_url)
        successor = await wait_for_sender(postgres_url, [p for p in procs if p is not frozen], 15)
        sent_before = len(send_times(api))
        await api.wait_for_requests(
            "sendMessage", count=sent_before + 30, timeout=30
        )  # the successor is sending
        woke_at = time.monotonic()
        frozen.signal(signal.SIGCONT)
        await wait_until_all_delivered(api, chats, procs, 90)
        await asyncio.sleep(1.5)
        assert sender_pid(postgres_url) == successor.pid
    finally:
        for proc in procs:
            proc.signal(signal.SIGCONT)
        codes = [await proc.stop() for proc in procs]
    assert codes == [0, 0], codes
    per_chat = deliveries_per_chat(api, MARK)
    assert set(per_chat) == set(chats)
    duplicated = {chat for chat, count in per_chat.items() if count > 1}
    assert duplicated <= in_flight, "the woken sender sent what its successor sent"
    assert len(duplicated) <= 1
    assert "lost the sender lease" in frozen.stderr()
    busiest = busiest_second(send_times(api))
    assert busiest <= TELEGRAM_PER_SECOND
    print(
        f"\n[one sender] sender frozen {woke_at - frozen_at:.1f}s (lease 5s): successor took "
        f"over, the woken one sent nothing more; {len(duplicated)} duplicate(s), busiest "
        f"second {busiest}"
    )


def astana_per_chat(api: FakeBotApi, chats: list[int]) -> Counter[int]:
    """Messages about the new seed each chat received."""
    wanted = set(chats)
    return Counter(
        r.chat_id for r in api.sent if r.chat_id in wanted and "Astana" in (r.text or "")
    )


async def test_a_new_seed_reaches_every_subscriber_once_from_three_replicas(
    workdir: Path, api: FakeBotApi, postgres_url: str
) -> None:
    """Every replica watches the seeds and builds; each creates the briefing under the same
    key (a no-op after the first), and the one sender delivers it."""
    chats = list(range(93_001, 94_001))  # the 1,000 subscribers
    store = await SubscriptionStore.open(postgres_url)
    try:
        for chat in chats:
            await store.subscribe_new(chat)
    finally:
        await store.close()
    procs = [replica(workdir, api, postgres_url, f"seed-{i}") for i in range(3)]
    try:
        await api.wait_for_requests("setWebhook", count=3, timeout=60)
        deadline = time.monotonic() + 60
        while not all("build: " in proc.stderr() for proc in procs):  # each built once
            assert time.monotonic() < deadline, [p.stderr()[-2000:] for p in procs]
            await asyncio.sleep(0.2)
        lead = (workdir / "seeds").glob("*.txt").__next__().read_text(encoding="utf-8")
        (workdir / "seeds" / "050_replicas.txt").write_text(
            "Leaders gather in Astana\n\nThe leaders met in Astana on 3 July 2024 and agreed "
            "to meet again next year.\n" + lead,
            encoding="utf-8",
        )
        started = time.monotonic()
        received: Counter[int] = Counter()
        while len(received) < len(chats):
            assert time.monotonic() - started < 200, f"{len(received)}/{len(chats)} received"
            await asyncio.sleep(0.5)
            received = astana_per_chat(api, chats)
        await asyncio.sleep(2.0)
    finally:
        codes = [await proc.stop() for proc in procs]
    assert codes == [0, 0, 0], codes
    per_chat = astana_per_chat(api, chats)
    parts = query(postgres_url, "SELECT count(DISTINCT part) FROM deliveries")[0][0]
    assert set(per_chat) == set(chats)
    assert set(per_chat.values()) == {parts}, "each chat gets every part of it exactly once"
    assert query(postgres_url, "SELECT count(*) FROM briefings WHERE key LIKE 'new:%'") == [(1,)]
    # No rate assertion here: three replicas digest the seed at once (the NLP pool of each) on
    # a shared machine, and the arrival jitter that causes at the fake server is not what this
    # test is about; the rate across a handover is asserted by the tests above.
    busiest = busiest_second(send_times(api))
    refused = sum(1 for r in api.requests if r.method == "sendMessage" and not r.ok)
    print(
        f"\n[one sender] a new seed, 3 replicas building it: one briefing, {len(chats)} chats "
        f"each got it once; busiest second {busiest} requests ({refused} refused)"
    )
