"""Broadcast: a new-article briefing to many subscribed chats under Telegram's flood limits.

The fake Bot API enforces Telegram's limits (30 messages/s overall, 1/s per chat, 20/min per
group) and answers 429 with ``retry_after`` beyond them.  The bot (its own process, with its
default AIORateLimiter at 30/s) has N chats subscribed to new articles; one new article is dropped
into its seeds folder, and the scheduler's briefing goes out through the sender.  Measured: the
sustained rate (messages over the time from the first to the last), the slowest 10-second
window, that every chat got the briefing exactly once, that every 429 was retried and ended
delivered (the ledger has nothing pending or failed), and the sender's progress lines in the log.

Half-way through, the server refuses every send for 50 ms (429, ``retry_after`` 1), as Telegram
may at any time: the broadcast must take the hold and go on at its pace, without the burst after
the hold that would draw more 429s (the cycle that once cost this benchmark 4 msg/s).

    uv run python -m bench.broadcast [--quick] [--no-write] [--postgres]

``--postgres``: the bot's database (subscriptions and the delivery ledger) on a throwaway local
PostgreSQL cluster (bench/local_servers.py) instead of SQLite; its own section in RESULTS.md.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bench import corpus
from bench.common import (
    WORK,
    BotProcess,
    ask,
    bot_env,
    fake_api,
    log,
    parse_args,
    publish,
    running_process,
    table,
    verdict,
    wait_until,
)

ARCHIVE = 100
NEW_ARTICLE = 20_000  # index of the generated article dropped in (not in any archive set)
FIRST_CHAT = 1_000_000
RATE_TARGET = 28.0
WINDOW = 10.0
STORM = 0.05  # seconds of 429s injected half-way


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the broadcast did, from the server's records, the ledger and the bot's log."""

    chats: int
    parts: int
    times: list[float]
    per_chat: Counter[int]
    refused_429: int
    injected_429: int
    ledger: dict[str, int]
    progress_lines: int
    last_progress: str


async def subscribe(database: str, chats: int) -> None:
    """Subscribe ``chats`` chats to new-article briefings, through the bot's own store."""
    from bot.delivery.subscriptions import SubscriptionStore

    store = await SubscriptionStore.open(database)
    try:
        for chat in range(FIRST_CHAT, FIRST_CHAT + chats):
            await store.subscribe_new(chat)
    finally:
        await store.close()


def windows(times: Sequence[float], width: float) -> list[float]:
    """Messages per second in each full ``width``-second window from the first message."""
    if not times:
        return []
    start, end = times[0], times[-1]
    counts = Counter(int((t - start) // width) for t in times)
    full = int((end - start) // width)
    return [counts.get(i, 0) / width for i in range(full)]


async def measure(chats: int, database: str | None = None) -> Outcome:
    """Run one broadcast to ``chats`` chats (``database``: a PostgreSQL URL, else SQLite)."""
    info = corpus.ensure_store(ARCHIVE)
    workdir = WORK / "run" / "broadcast"
    seeds = corpus.copy_seeds(info, workdir / "seeds")
    data = workdir / "data"
    corpus.copy_store(info, data)
    (data / "bot.sqlite3").unlink(missing_ok=True)
    database = database or f"sqlite:///{data / 'bot.sqlite3'}"
    await subscribe(database, chats)
    log(f"{chats} chats subscribed")
    ledger = Ledger(database)
    async with fake_api(rate_limits=True) as api:
        env = bot_env(
            api, seeds_dir=seeds, data_dir=data, seed_poll_seconds=1, database_url=database
        )
        bot = BotProcess("bot", env, workdir / "bot.log")
        async with running_process(bot):
            await ask(api, 1, "/help", 90)
            await bot.wait_for_log(r"first build: \d+ existing", 120)
            mark = api.mark()
            corpus.drop_new_seeds(seeds, NEW_ARTICLE, 1)
            log("new article dropped; broadcasting")

            def briefing() -> list[float]:
                return [
                    r.at
                    for r in api.sent[mark:]
                    if r.chat_id is not None and r.chat_id >= FIRST_CHAT
                ]

            await wait_until(lambda: len(briefing()) >= 1, timeout=120)
            await bot.wait_for_log(r"announced 1 new article", 60)
            await wait_until(lambda: len(briefing()) >= chats // 2, timeout=chats / 20 + 60)
            storm = time.monotonic()
            api.storm_429(STORM, retry_after=1, methods=["sendMessage"])
            log(f"{len(briefing())} sent; {STORM * 1000:.0f} ms of 429s injected")
            # Every part of the briefing to every chat, at ~30/s, plus generous slack.
            await wait_until(lambda: not ledger.pending(), timeout=chats / 20 + 120, interval=0.5)
            await asyncio.sleep(1.0)
            records = [r for r in api.sent[mark:] if r.chat_id and r.chat_id >= FIRST_CHAT]
            refused = [
                r.at
                for r in api.requests
                if r.method == "sendMessage" and r.status == 429
                and int(r.params.get("chat_id", 0)) >= FIRST_CHAT
            ]  # fmt: skip
            # Progress every 500 sends, and the summary when the sender has worked through it.
            progress = re.findall(r"broadcast: \d+(?:/\d+)? sent.*", bot.log_text())
    per_chat = Counter(r.chat_id for r in records if r.chat_id is not None)
    return Outcome(
        chats=chats,
        parts=max(per_chat.values(), default=0),
        times=sorted(r.at for r in records),
        per_chat=per_chat,
        refused_429=len(refused),
        injected_429=sum(1 for at in refused if storm <= at <= storm + STORM),
        ledger=ledger.counts(),
        progress_lines=len(progress),
        last_progress=progress[-1] if progress else "",
    )


class Ledger:
    """The delivery ledger's counts by status, read straight from the bot's database."""

    QUERY = "SELECT status, count(*) FROM deliveries GROUP BY status"

    def __init__(self, database: str) -> None:
        self.database = database

    def counts(self) -> dict[str, int]:
        if self.database.startswith("sqlite:///"):
            with sqlite3.connect(self.database.removeprefix("sqlite:///")) as db:
                return dict(db.execute(self.QUERY))
        import psycopg

        with psycopg.connect(self.database) as conn:
            return {str(k): int(v) for k, v in conn.execute(self.QUERY).fetchall()}

    def pending(self) -> bool:
        """Anything left to send (or the ledger cannot be read yet)."""
        try:
            counts = self.counts()
        except Exception:  # either driver's error: not readable yet
            return True
        return not counts or counts.get("pending", 0) > 0


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, write the "Broadcast" section."""
    args = parse_args(__doc__, argv, postgres=True)
    started = time.monotonic()
    chats = 300 if args.quick else 10_000
    if args.postgres:
        from bench.local_servers import start_cluster

        cluster = start_cluster("BENCH_POSTGRES_URL")
        try:
            out = asyncio.run(measure(chats, cluster.create_database()))
        finally:
            cluster.stop()
    else:
        out = asyncio.run(measure(chats))
    span = out.times[-1] - out.times[0] if len(out.times) > 1 else float("nan")
    rate = (len(out.times) - 1) / span if span == span and span > 0 else float("nan")
    rates = windows(out.times, WINDOW)
    slowest = min(rates, default=float("nan"))
    once = len(out.per_chat) == chats and set(out.per_chat.values()) == {out.parts}
    handled = out.ledger.get("pending", 0) == 0 and out.ledger.get("failed", 0) == 0
    if args.quick:  # the hold after the injected 429 is a large share of a short run
        rate_target = (
            f"≥ {RATE_TARGET:.0f} in full mode (here the 1-s hold is {100 / span:.0f}% of the run)"
        )
    else:
        rate_target = f"≥ {RATE_TARGET:.0f} (ceiling 30): {verdict(rate >= RATE_TARGET)}"
    rows = [
        ["sustained rate (first → last message)", f"{rate:.1f} msg/s", rate_target],
        [f"slowest full {WINDOW:.0f}-s window", f"{slowest:.1f} msg/s", ""],
        ["messages delivered", f"{len(out.times)} ({out.parts} per chat)", ""],
        ["chats that got it exactly once", f"{len(out.per_chat)} of {chats}", verdict(once)],
        ["429 answered by the server", f"{out.refused_429}, {out.injected_429} of them in "
         f"the {STORM * 1000:.0f} ms injected half-way", ""],
        ["ledger after the run", ", ".join(f"{k}: {v}" for k, v in sorted(out.ledger.items())),
         f"nothing pending or failed (every 429 retried and delivered): {verdict(handled)}"],
        ["progress lines in the bot's log", f"{out.progress_lines} (last: `{out.last_progress}`)",
         verdict(out.progress_lines > 0)],
    ]  # fmt: skip
    engine = "a local PostgreSQL" if args.postgres else "SQLite"
    body = (
        f"The bot's database on {engine}.  "
        f"{chats} chats subscribed to new articles; the bot answers from {ARCHIVE} stored "
        "digests; the fake server enforces 30 messages/s overall and 1/s per chat (429 with "
        f"retry_after beyond), and refuses every send for {STORM * 1000:.0f} ms half-way "
        "(429, retry_after 1).  Time from the first to the last briefing message at the "
        f"server: {span:.1f} s.\n\n" + table(["measure", "value", "target"], rows)
    )
    name = "Broadcast on PostgreSQL" if args.postgres else "Broadcast"
    module = "broadcast --postgres" if args.postgres else "broadcast"
    publish(name, module, args, body, duration=time.monotonic() - started)
    return 0 if once and handled else 1


if __name__ == "__main__":
    raise SystemExit(main())
