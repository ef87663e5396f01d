"""Throughput: how fast the bot works through a queue of commands, against the echo bot.

Rate limits are out of the way (the fake server enforces none; both bots run with
``RATE_LIMIT_OVERALL=0``, which switches AIORateLimiter's overall limit off), so this measures the
bot's own processing.  Each round queues all commands at once (5 per chat) and times them from
the first injection to the last reply arriving at the server; rounds alternate between the echo
bot and the real bot, and each bot's figure is the median over rounds.

    uv run python -m bench.throughput [--quick] [--no-write]
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import (
    Contenders,
    ask,
    command_script,
    cpu_seconds,
    echo_and_bot,
    interleaved,
    log,
    median,
    parse_args,
    publish,
    ratio,
    table,
    verdict,
    wait_until,
)
from bench.latency import ARCHIVE, COMMANDS

TARGET = 0.70


@dataclass(frozen=True, slots=True)
class Run:
    """One queue worked through."""

    commands: int
    messages: int
    seconds: float
    #: CPU seconds used meanwhile by the bot's process and by this one (the fake server).
    bot_cpu: float
    server_cpu: float

    @property
    def commands_per_second(self) -> float:
        """Commands answered per second."""
        return self.commands / self.seconds

    @property
    def messages_per_second(self) -> float:
        """Messages sent per second."""
        return self.messages / self.seconds


async def parts_per_command(bots: Contenders, name: str) -> dict[str, int]:
    """How many messages each command of the mix is answered with (long answers are split)."""
    api = bots.apis[name]
    parts: dict[str, int] = {}
    for index, text in enumerate(COMMANDS):
        chat = 900_000 + index
        await ask(api, chat, text)
        await asyncio.sleep(0.15)
        parts[text] = len(api.messages_to(chat))
    return parts


async def run_queue(
    bots: Contenders, name: str, count: int, chats: int, parts: dict[str, int]
) -> Run:
    """Queue ``count`` commands at once and wait for every reply."""
    api = bots.apis[name]
    script = command_script(count, chats, COMMANDS, first_chat=100_000)
    expected = sum(parts[text] for _, text in script)
    mark = api.mark()
    pid = bots.processes[name].pid
    cpu_bot, cpu_server = cpu_seconds(pid), cpu_seconds()
    started = time.monotonic()
    for chat, text in script:
        api.inject_message(chat, text)
    done = await wait_until(lambda: api.mark() - mark >= expected, timeout=600)
    if not done:
        raise TimeoutError(f"{name}: {api.mark() - mark}/{expected} replies\n{api.summary()}")
    last = api.sent[mark + expected - 1].at
    used_bot, used_server = cpu_seconds(pid) - cpu_bot, cpu_seconds() - cpu_server
    return Run(count, expected, last - started, used_bot, used_server)


async def measure(quick: bool) -> tuple[dict[str, list[Run]], int, int]:
    """Interleaved rounds of a full queue on both bots."""
    rounds, count, chats = (3, 200, 100) if quick else (3, 5000, 1000)
    runs: dict[str, list[Run]] = {"echo": [], "bot": []}
    async with echo_and_bot("throughput", archive=ARCHIVE, rate_limit_overall=0) as bots:
        parts = {name: await parts_per_command(bots, name) for name in bots.apis}
        for index, order in enumerate(interleaved(rounds)):
            for name in order:
                run = await run_queue(bots, name, count, chats, parts[name])
                runs[name].append(run)
                log(
                    f"round {index + 1}/{rounds} {name}: {run.commands_per_second:.0f} commands/s,"
                    f" {run.messages_per_second:.0f} messages/s"
                )
    return runs, count, chats


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, write the "Throughput" section."""
    args = parse_args(__doc__, argv)
    started = time.monotonic()
    runs, count, chats = asyncio.run(measure(args.quick))
    echo = median(r.commands_per_second for r in runs["echo"])
    bot = median(r.commands_per_second for r in runs["bot"])
    echo_msgs = median(r.messages_per_second for r in runs["echo"])
    bot_msgs = median(r.messages_per_second for r in runs["bot"])
    share = ratio(bot, echo)
    rows = [
        ["echo bot (reference)", f"{echo:.0f}", f"{echo_msgs:.0f}", ""],
        ["Summit Briefings bot", f"{bot:.0f}", f"{bot_msgs:.0f}", ""],
        ["bot / echo", f"{share:.0%}", "", f"≥ {TARGET:.0%}: {verdict(share >= TARGET)}"],
    ]
    detail = [
        [str(i + 1), f"{e.commands_per_second:.0f}", f"{b.commands_per_second:.0f}",
         f"{e.seconds:.2f} s", f"{b.seconds:.2f} s",
         f"{e.bot_cpu / e.seconds:.0%} / {e.server_cpu / e.seconds:.0%}",
         f"{b.bot_cpu / b.seconds:.0%} / {b.server_cpu / b.seconds:.0%}"]
        for i, (e, b) in enumerate(zip(runs["echo"], runs["bot"], strict=True))
    ]  # fmt: skip
    cpu = {name: median(r.bot_cpu / r.commands * 1000 for r in rs) for name, rs in runs.items()}
    server = {
        name: median(r.server_cpu / r.commands * 1000 for r in rs) for name, rs in runs.items()
    }
    body = (
        f"{count} commands queued at once over {chats} chats (mix {', '.join(COMMANDS)}; the "
        f"bot answers from {ARCHIVE} stored digests), {len(runs['bot'])} interleaved rounds, "
        "rate limits off (fake server: none; both bots: `RATE_LIMIT_OVERALL=0`).  Throughput = "
        "commands / (last reply at the server − first command queued); the target compares "
        "commands per second (a long answer is several messages, so messages/s is shown "
        "too).\n\n"
        + table(["", "commands/s", "messages/s", "target"], rows)
        + "\n\nCPU per command (median over rounds): the echo bot's process "
        f"{cpu['echo']:.2f} ms, the bot's {cpu['bot']:.2f} ms "
        f"({ratio(cpu['bot'], cpu['echo']):.2f}x); the fake server (this process) "
        f"{server['echo']:.2f} ms answering the echo bot, {server['bot']:.2f} ms answering the "
        "bot (its replies are longer, with more entities to parse).  A process at ~100% of a "
        "core is the bottleneck of its round.\n\nRounds:\n\n"
        + table(
            [
                "round",
                "echo cmd/s",
                "bot cmd/s",
                "echo time",
                "bot time",
                "CPU echo / server",
                "CPU bot / server",
            ],
            detail,
        )
    )
    publish("Throughput", "throughput", args, body, duration=time.monotonic() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
