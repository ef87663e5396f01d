"""The bot as a real process: killed mid-broadcast and restarted, stopped with SIGTERM; a killed
process leaves no digest worker behind.

``python -m bot`` runs as a subprocess exactly as in production (env configuration, long polling,
``run_polling``'s signal handling); the fake Bot API runs in the test process and counts what
every chat received.  The broadcast is recorded in the bot's database before the bot starts, as
the scheduler would have left it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import (
    PROJECT,
    BotProcess,
    ask,
    database_url,
    db_rows,
    deliveries_per_chat,
)

from bot.delivery.subscriptions import SubscriptionStore
from fakeapi import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]

MARK = "Process briefing"
DAILY_CHAT = 4242


async def prepare_broadcast(workdir: Path, chats: list[int]) -> None:
    """Subscribers, a daily subscription and a pending broadcast, as the scheduler leaves them."""
    store = await SubscriptionStore.open(database_url(workdir))
    try:
        for chat in chats:
            await store.subscribe_new(chat)
        await store.subscribe_daily(DAILY_CHAT, datetime.time(8, 0), "Europe/Paris")
        await store.create_briefing(
            "new:process", {chat: [f"<b>{MARK}</b> for <i>{chat}</i>"] for chat in chats}
        )
    finally:
        await store.close()


def recorded_sent(workdir: Path) -> set[int]:
    rows = db_rows(workdir, "SELECT chat_id FROM deliveries WHERE status = 'sent'")
    return {int(str(chat)) for (chat,) in rows}


async def test_sigkill_mid_broadcast_then_restart_loses_nothing(
    workdir: Path, api: FakeBotApi
) -> None:
    chats = list(range(70_001, 70_301))
    await prepare_broadcast(workdir, chats)
    api.set_latency(0.05, methods=["sendMessage"])  # so the kill lands mid-broadcast

    first = BotProcess(workdir, api, name="before-kill")
    try:
        await api.wait_for_messages(count=60, timeout=60, methods={"sendMessage"})
        first.signal(signal.SIGKILL)
        assert await first.wait(10) == -signal.SIGKILL
    finally:
        await first.stop()
    await asyncio.sleep(0.5)  # requests the dead process left behind are cancelled by now

    delivered_before = set(deliveries_per_chat(api, MARK))
    recorded = recorded_sent(workdir)
    assert 60 <= len(delivered_before) < len(chats), "the kill did not land mid-broadcast"
    assert recorded <= delivered_before, "a delivery was recorded as sent but never sent"
    in_flight = delivered_before - recorded  # delivered by Telegram, not yet recorded at the kill

    second = BotProcess(workdir, api, name="after-kill")
    try:
        deadline = time.monotonic() + 60
        while len(deliveries_per_chat(api, MARK)) < len(chats):
            assert second.proc.poll() is None, second.output()[-3000:]
            assert time.monotonic() < deadline, "the restarted bot did not finish the broadcast"
            await asyncio.sleep(0.1)
        # Daily briefings were rebuilt from the database: /status shows the next run.
        [status] = await ask(api, DAILY_CHAT, "/status")
        assert "daily at 08:00 (Europe/Paris)" in (status.text or "")
        assert "Next daily briefing:" in (status.text or "")
        await asyncio.sleep(1.0)
    finally:
        assert await second.stop() == 0, second.output()[-3000:]

    per_chat = deliveries_per_chat(api, MARK)
    assert set(per_chat) == set(chats), "a chat lost its briefing"
    duplicated = {chat for chat, count in per_chat.items() if count > 1}
    assert max(per_chat.values()) <= 2
    # The only duplicates are the messages in flight at the kill (at most the sender's 30).
    assert duplicated == in_flight
    assert len(in_flight) <= 30
    assert recorded_sent(workdir) == set(chats)
    assert db_rows(workdir, "SELECT count(*) FROM deliveries WHERE status != 'sent'") == [(0,)]
    print(
        f"\n[reliability] SIGKILL after {len(delivered_before)}/{len(chats)} sent: "
        f"{len(recorded)} recorded, {len(in_flight)} in flight -> {len(duplicated)} duplicate(s), "
        "0 lost; daily job rebuilt"
    )


async def test_sigterm_finishes_in_flight_sends_and_exits_within_10s(
    workdir: Path, api: FakeBotApi
) -> None:
    chats = list(range(80_001, 80_201))
    await prepare_broadcast(workdir, chats)
    api.set_latency(0.4, methods=["sendMessage"])  # many sends in flight at the signal

    bot = BotProcess(workdir, api, name="sigterm")
    try:
        await api.wait_for_messages(count=40, timeout=60, methods={"sendMessage"})
        started = time.monotonic()
        bot.signal(signal.SIGTERM)
        code = await bot.wait(15)
        elapsed = time.monotonic() - started
    finally:
        await bot.stop()
    await asyncio.sleep(0.3)

    assert code == 0, bot.output()[-3000:]
    assert elapsed < 10, f"took {elapsed:.1f}s to stop"
    # Stopped polling: after the signal, no new long poll; only PTB's final confirmation call
    # (timeout 0, so updates already handled are not delivered again after a restart).
    late_polls = [r for r in api.requests if r.method == "getUpdates" and r.at > started]
    assert all(float(r.params.get("timeout") or 0) == 0 for r in late_polls), late_polls
    delivered = set(deliveries_per_chat(api, MARK))
    assert 40 <= len(delivered) < len(chats)
    # Everything Telegram accepted was recorded before the exit; nothing else was.
    assert recorded_sent(workdir) == delivered
    rows = db_rows(workdir, "SELECT status, count(*) FROM deliveries GROUP BY status")
    assert dict(rows) == {"sent": len(delivered), "pending": len(chats) - len(delivered)}
    log = bot.stderr()
    assert "sender stopped" in log
    print(
        f"\n[reliability] SIGTERM mid-broadcast: exited 0 in {elapsed:.2f}s, "
        f"{len(delivered)} sent and recorded, {len(chats) - len(delivered)} left pending, "
        "0 unrecorded"
    )


_POOL_OWNER = """
import os, time
from briefings.pipeline import make_pool
pool = make_pool(1)
print(pool.submit(os.getpid).result(), flush=True)
time.sleep(120)
"""


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (nobody may reap an orphan here)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_killed_process_leaves_no_digest_worker_behind() -> None:
    """SIGKILL (or the OOM killer) gives the bot no chance to stop its process pool; the worker,
    with the NLP model loaded, must still end instead of waiting for work forever."""
    owner = subprocess.Popen(
        [sys.executable, "-c", _POOL_OWNER], cwd=PROJECT, stdout=subprocess.PIPE, text=True
    )
    worker = 0
    try:
        assert owner.stdout is not None
        worker = int(owner.stdout.readline())
        assert _running(worker)
        owner.send_signal(signal.SIGKILL)
        assert owner.wait(10) == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(worker), "the pool worker outlived the process that started it"
    finally:
        owner.kill()
        owner.wait(10)
        if worker and _running(worker):
            with contextlib.suppress(OSError):
                os.kill(worker, signal.SIGKILL)


async def test_sigterm_stops_new_sends_at_once_while_a_job_holds_the_stop(
    workdir: Path, api: FakeBotApi
) -> None:
    """PTB's stop waits for running jobs (here a seed build stuck on a frozen digest worker)
    before its ``post_stop``; the sender used to go on broadcasting all that while, so a
    SIGTERM "mid-broadcast" could still send everything.  No send may start after the signal."""
    from test_reliability_stuck import freeze_a_build, signal_all

    chats = list(range(81_001, 81_401))
    await prepare_broadcast(workdir, chats)
    api.set_latency(2.0, methods=["sendMessage"])  # about 15 sends a second: a long broadcast
    bot = BotProcess(workdir, api, name="sigterm-job")
    workers: list[int] = []
    try:
        workers = await freeze_a_build(bot, api, workdir, "012_new.txt")
        started = time.monotonic()
        bot.signal(signal.SIGTERM)
        code = await bot.wait(15)
    finally:
        await bot.stop()
        signal_all(workers, signal.SIGKILL)
    await asyncio.sleep(0.3)
    assert code == 0, bot.output()[-3000:]
    late = [r for r in api.requests if r.method == "sendMessage" and r.at > started + 0.3]
    assert late == [], f"{len(late)} sends started after SIGTERM"
    delivered = set(deliveries_per_chat(api, MARK))
    assert 0 < len(delivered) < len(chats)
    assert recorded_sent(workdir) == delivered  # in-flight sends finished and were recorded
    print(
        f"\n[reliability] SIGTERM while a job holds the stop: {len(delivered)} sent, "
        f"{len(chats) - len(delivered)} left pending, 0 sends started after the signal"
    )
