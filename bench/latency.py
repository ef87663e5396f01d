"""Command latency of the real bot, against the echo bot as the framework's floor.

Both run as their own processes (``python -m bot`` and ``python -m bench.echo_bot``, same
ApplicationBuilder settings: base URL, AIORateLimiter at Telegram's 30 messages/s, 64 concurrent
updates), each long polling its own fake Bot API server in this process.  Commands from 100 chats
(/summary, /quotes, /timeline, with and without arguments) are injected at an even pace below
the rate limit, in rounds that alternate between the two bots; latency is what the server sees:
from the update being available to getUpdates to the first reply arriving.  Per bot, the figure
is the median over rounds of each round's p50 and p99.

    uv run python -m bench.latency [--quick] [--no-write]
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from bench.common import (
    LoadResult,
    command_script,
    echo_and_bot,
    interleaved,
    log,
    ms,
    paced_load,
    parse_args,
    percentile,
    publish,
    ratio,
    summarize_rounds,
    table,
    verdict,
)

#: Articles in the archive the bot answers from.
ARCHIVE = 1000
CHATS = 100
#: Commands per second: evenly spaced, below the bot's 30 messages/s rate limit.
RATE = 25.0
COMMANDS = (
    "/summary",
    "/quotes",
    "/timeline",
    "/quotes putin",
    "/timeline 2000-2010",
    "/summary nato",
)
P50_TARGET = 1.5
P99_TARGET = 2.0


async def measure(quick: bool) -> tuple[dict[str, list[LoadResult]], int]:
    """Interleaved rounds of paced load on both bots."""
    rounds, per_round = (3, 50) if quick else (5, 200)
    results: dict[str, list[LoadResult]] = {"echo": [], "bot": []}
    async with echo_and_bot("latency", archive=ARCHIVE) as bots:
        warm = command_script(
            len(COMMANDS) * (2 if quick else 4), CHATS, COMMANDS, first_chat=10_000
        )
        for api in bots.apis.values():
            await paced_load(api, warm, RATE)
        for index, order in enumerate(interleaved(rounds)):
            for name in order:
                script = command_script(per_round, CHATS, COMMANDS, first_chat=10_000)
                result = await paced_load(bots.apis[name], script, RATE)
                results[name].append(result)
                log(
                    f"round {index + 1}/{rounds} {name}: p50 {ms(percentile(result.all, 50))}, "
                    f"p99 {ms(percentile(result.all, 99))}"
                )
    return results, rounds * per_round


def per_command(results: Sequence[LoadResult]) -> list[list[object]]:
    """p50/p99 of each command over all rounds."""
    pooled: dict[str, list[float]] = {}
    for result in results:
        for name, values in result.latencies.items():
            pooled.setdefault(name, []).extend(values)
    return [
        [name, len(values), ms(percentile(values, 50)), ms(percentile(values, 99))]
        for name, values in sorted(pooled.items())
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, write the "Command latency" section."""
    args = parse_args(__doc__, argv)
    started = time.monotonic()
    results, per_bot = asyncio.run(measure(args.quick))
    summary = summarize_rounds(results)
    (echo50, echo99), (bot50, bot99) = summary["echo"], summary["bot"]
    r50, r99 = ratio(bot50, echo50), ratio(bot99, echo99)
    unanswered = sum(r.unanswered for rs in results.values() for r in rs)
    rows = [
        ["echo bot (reference)", ms(echo50), ms(echo99), "", ""],
        ["Summit Briefings bot", ms(bot50), ms(bot99), "", ""],
        [
            "ratio bot / echo",
            f"{r50:.2f}x",
            f"{r99:.2f}x",
            f"p50 ≤ {P50_TARGET}x: {verdict(r50 <= P50_TARGET)}",
            f"p99 ≤ {P99_TARGET}x: {verdict(r99 <= P99_TARGET)}",
        ],
    ]
    rounds = [
        [f"{i + 1}", ms(percentile(e.all, 50)), ms(percentile(e.all, 99)),
         ms(percentile(b.all, 50)), ms(percentile(b.all, 99))]
        for i, (e, b) in enumerate(zip(results["echo"], results["bot"], strict=True))
    ]  # fmt: skip
    body = (
        f"{per_bot} commands per bot ({len(results['bot'])} interleaved rounds) from {CHATS} "
        f"chats at {RATE:.0f} commands/s, mix {', '.join(COMMANDS)}; the bot answers from "
        f"{ARCHIVE} stored digests.  Latency = update available to getUpdates → first reply "
        f"at the server.  Medians over rounds of each round's percentile.  Unanswered: "
        f"{unanswered}.\n\n"
        + table(["", "p50", "p99", "target p50", "target p99"], rows)
        + "\n\nRounds (echo p50, echo p99, bot p50, bot p99):\n\n"
        + table(["round", "echo p50", "echo p99", "bot p50", "bot p99"], rounds)
        + "\n\nBot, per command (all rounds pooled):\n\n"
        + table(["command", "n", "p50", "p99"], per_command(results["bot"]))
    )
    publish("Command latency", "latency", args, body, duration=time.monotonic() - started)
    return 0 if unanswered == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
