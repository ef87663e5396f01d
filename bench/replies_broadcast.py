"""Replies during a broadcast: one budget of 30 messages per second for everything the bot sends.

The bot (its own process) has N chats subscribed to new articles; one new article is dropped into
its seeds folder and the briefing goes out through the sender.  While it does, people send
commands (``/help``, ``/summary``, ``/status`` by turns) at a steady pace, each from its own
chat.  The fake Bot API enforces Telegram's limits (429 beyond 30 messages/s overall, 1/s per
chat).  Measured: the replies' latency (from the update being available to the first reply, at
the server), the broadcast's rate (briefing messages over the time from the first to the last),
and the most message requests that reached the server within any one second (the bot's whole
output: replies and broadcast together; Telegram's limit is 30).

    uv run python -m bench.replies_broadcast [--quick] [--no-write]
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence

from bench import corpus
from bench.broadcast import ARCHIVE, FIRST_CHAT, NEW_ARTICLE, Ledger, subscribe
from bench.common import (
    WORK,
    BotProcess,
    ask,
    bot_env,
    fake_api,
    log,
    median,
    ms,
    parse_args,
    percentile,
    publish,
    running_process,
    table,
    verdict,
    wait_until,
)
from fakeapi import FakeBotApi

COMMANDS_PER_SECOND = 3.0
FIRST_ASKER = 500_000
COMMANDS = ("/help", "/summary", "/status")
P99_TARGET = 1.0
RATE_CAP = 30


def busiest_second(api: FakeBotApi, since: float, *, sent_only: bool) -> int:
    """The most messages (``sent_only``: accepted; else every request, refused ones too) to
    any chat that reached the server within any one second."""
    times = sorted(
        r.at
        for r in api.requests
        if r.at >= since
        and r.method in ("sendMessage", "editMessageText")
        and "chat_id" in r.params
        and (r.status == 200 or not sent_only)
    )
    best = start = 0
    for end, moment in enumerate(times):
        while times[start] <= moment - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def refusals(api: FakeBotApi, since: float) -> tuple[int, int]:
    """429s since ``since``, and how many of them followed a message to the same chat within a
    second (the fake's strict 1/s per chat: a reply in several parts meets it)."""
    last_sent: dict[object, float] = {}
    refused = per_chat = 0
    for r in api.requests:
        if r.at < since or r.method != "sendMessage":
            continue
        chat = r.params.get("chat_id")
        if r.status == 429:
            refused += 1
            per_chat += r.at - last_sent.get(chat, -10.0) < 1.0
        elif r.status == 200:
            last_sent[chat] = r.at
    return refused, per_chat


async def measure(chats: int) -> dict[str, object]:
    """One broadcast to ``chats`` chats with commands arriving throughout."""
    info = corpus.ensure_store(ARCHIVE)
    workdir = WORK / "run" / "replies_broadcast"
    seeds = corpus.copy_seeds(info, workdir / "seeds")
    data = workdir / "data"
    corpus.copy_store(info, data)
    (data / "bot.sqlite3").unlink(missing_ok=True)
    database = f"sqlite:///{data / 'bot.sqlite3'}"
    await subscribe(database, chats)
    log(f"{chats} chats subscribed")
    ledger = Ledger(database)
    async with fake_api(rate_limits=True) as api:
        env = bot_env(api, seeds_dir=seeds, data_dir=data, seed_poll_seconds=1)
        bot = BotProcess("bot", env, workdir / "bot.log")
        async with running_process(bot):
            await ask(api, 1, "/help", 90)
            await bot.wait_for_log(r"first build: \d+ existing", 120)
            mark = api.mark()
            corpus.drop_new_seeds(seeds, NEW_ARTICLE, 1)

            def briefing() -> list[float]:
                return [r.at for r in api.sent[mark:] if r.chat_id and r.chat_id >= FIRST_CHAT]

            await wait_until(lambda: len(briefing()) >= 30, timeout=120)
            started = time.monotonic()
            log("broadcast under way; sending commands")
            updates: list[int] = []
            askers = itertools.count(FIRST_ASKER)
            while ledger.pending() and time.monotonic() - started < chats / 10 + 60:
                command = COMMANDS[len(updates) % len(COMMANDS)]
                updates.append(api.inject_message(next(askers), command))
                await asyncio.sleep(1 / COMMANDS_PER_SECOND)
            await wait_until(lambda: not ledger.pending(), timeout=chats / 20 + 120, interval=0.5)
            await asyncio.sleep(2.0)
            latencies = [api.reply_latency(u) for u in updates]
            times = sorted(briefing())
            refused, per_chat = refusals(api, started)
            busiest = busiest_second(api, started, sent_only=True)
            busiest_requests = busiest_second(api, started, sent_only=False)
    answered = [x for x in latencies if x is not None]
    return {
        "chats": chats,
        "commands": len(updates),
        "answered": len(answered),
        "latencies": answered,
        "times": times,
        "busiest": busiest,
        "busiest_requests": busiest_requests,
        "refused": refused,
        "per_chat": per_chat,
        "ledger": ledger.counts(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, write the "Replies during a broadcast" section."""
    args = parse_args(__doc__, argv)
    began = time.monotonic()
    chats = 600 if args.quick else 10_000
    out = asyncio.run(measure(chats))
    latencies: list[float] = out["latencies"]  # type: ignore[assignment]
    times: list[float] = out["times"]  # type: ignore[assignment]
    busiest = int(out["busiest"])  # type: ignore[call-overload]
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    rate = (len(times) - 1) / span if span == span and span > 0 else float("nan")
    p99 = percentile(latencies, 99)
    all_answered = out["answered"] == out["commands"]
    ledger: dict[str, int] = out["ledger"]  # type: ignore[assignment]
    delivered = ledger.get("pending", 0) == 0 and ledger.get("failed", 0) == 0
    rows = [
        ["commands answered", f"{out['answered']} of {out['commands']} "
         f"({COMMANDS_PER_SECOND:g}/s, {', '.join(COMMANDS)})", verdict(all_answered)],
        ["reply latency p50", ms(median(latencies)), ""],
        ["reply latency p99", ms(p99), f"< {P99_TARGET:g} s: {verdict(p99 < P99_TARGET)}"],
        ["reply latency max", ms(max(latencies, default=float("nan"))), ""],
        ["broadcast rate (first → last message)", f"{rate:.1f} msg/s",
         "what the replies leave of 30/s"],
        ["most messages sent in any one second (replies + broadcast)", str(busiest),
         f"≤ {RATE_CAP}: {verdict(busiest <= RATE_CAP)}"],
        ["most requests in any one second (refused ones too)", str(out["busiest_requests"]),
         ""],
        ["429 answered by the server meanwhile", f"{out['refused']}, {out['per_chat']} of them "
         "the per-chat limit (a reply's next part within a second)", ""],
        ["ledger after the run", ", ".join(f"{k}: {v}" for k, v in sorted(ledger.items())),
         f"nothing pending or failed: {verdict(delivered)}"],
    ]  # fmt: skip
    body = (
        f"{chats} chats subscribed to new articles; a new article's briefing goes out while "
        f"{COMMANDS_PER_SECOND:g} commands a second arrive, each from its own chat.  The fake "
        "server enforces 30 messages/s overall and 1/s per chat (429 beyond).  Latency is "
        "from the update being available to the first reply, at the server; the busiest "
        f"second counts every message request that reached the server.  Broadcast span: "
        f"{span:.1f} s for {len(times)} messages.\n\n"
        + table(["measure", "value", "target"], rows)
    )
    publish(
        "Replies during a broadcast", "replies_broadcast", args, body,
        duration=time.monotonic() - began,
    )  # fmt: skip
    ok = all_answered and p99 < P99_TARGET and busiest <= RATE_CAP and delivered
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
