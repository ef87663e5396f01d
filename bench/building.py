"""Command latency while new articles are being digested.

The bot (its own process, answering from 1,000 stored digests, polling its seeds folder every
second) gets a steady stream of commands; meanwhile 200 new articles are dropped into the seeds
folder.  The scheduler picks them up and builds them off the event loop (process pool for the
NLP, a worker thread for the store), then reloads the library.  The figure is the p99 latency of
the commands that arrived between the drop and the end of the build, next to the same bot's p99
when idle just before.

    uv run python -m bench.building [--quick] [--no-write]
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from bench import corpus
from bench.common import (
    WORK,
    BotProcess,
    LoadResult,
    ask,
    bot_env,
    command_script,
    fake_api,
    log,
    maps_mention,
    ms,
    paced_load,
    parse_args,
    percentile,
    publish,
    running_process,
    table,
    verdict,
)
from bench.latency import ARCHIVE, CHATS, COMMANDS, RATE

TARGET = 0.050


async def measure(quick: bool, new_seeds: int) -> tuple[LoadResult, LoadResult, float, str, bool]:
    """Idle load, then load during the build; returns both, the build's duration, its log line
    and whether spaCy was loaded into the bot's process."""
    info = corpus.ensure_store(ARCHIVE)
    workdir = WORK / "run" / "building"
    seeds = corpus.copy_seeds(info, workdir / "seeds")
    corpus.copy_store(info, workdir / "data")
    async with fake_api() as api:
        env = bot_env(api, seeds_dir=seeds, data_dir=workdir / "data", seed_poll_seconds=1)
        bot = BotProcess("bot", env, workdir / "bot.log")
        async with running_process(bot):
            await ask(api, 1, "/help", 90)
            await bot.wait_for_log(r"build: \d+ built", 120)
            idle_script = command_script(75 if quick else 500, CHATS, COMMANDS, first_chat=10_000)
            idle = await paced_load(api, idle_script, RATE)
            log(f"idle: p50 {ms(percentile(idle.all, 50))}, p99 {ms(percentile(idle.all, 99))}")
            done = asyncio.Event()
            script = command_script(100_000, CHATS, COMMANDS, first_chat=10_000)
            load = asyncio.create_task(paced_load(api, script, RATE, stop=done.is_set))
            await asyncio.sleep(1.0)
            dropped = time.monotonic()
            corpus.drop_new_seeds(seeds, ARCHIVE, new_seeds)
            log(f"dropped {new_seeds} new seeds; waiting for the build")
            line = await bot.wait_for_log(rf"build: {new_seeds} built", 600)
            finished = time.monotonic()
            done.set()
            busy = (await load).between(dropped, finished)
            spacy = maps_mention(bot.pid, "/spacy/")
    return idle, busy, finished - dropped, line.split("INFO ")[-1], spacy


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, write the "Latency while building" section."""
    args = parse_args(__doc__, argv)
    started = time.monotonic()
    new_seeds = 30 if args.quick else 200
    idle, busy, seconds, line, spacy = asyncio.run(measure(args.quick, new_seeds))
    p99 = percentile(busy.all, 99)
    rows = [
        ["idle (before the drop)", len(idle.all), ms(percentile(idle.all, 50)),
         ms(percentile(idle.all, 99)), ""],
        [f"while {new_seeds} new articles are built", len(busy.all),
         ms(percentile(busy.all, 50)), ms(p99), f"p99 < {ms(TARGET)}: {verdict(p99 < TARGET)}"],
    ]  # fmt: skip
    body = (
        f"The bot answers from {ARCHIVE} stored digests and polls its seeds folder every second; "
        f"{RATE:.0f} commands/s from {CHATS} chats ({', '.join(COMMANDS)}).  {new_seeds} new "
        f"articles dropped in at once were picked up, digested and loaded in {seconds:.1f} s "
        f"(drop → `{line}` in the bot's log).  spaCy mapped into the bot's process: "
        f"{'yes' if spacy else 'no'}.  Unanswered: {idle.unanswered + busy.unanswered}.\n\n"
        + table(["commands", "n", "p50", "p99", "target"], rows)
    )
    publish("Latency while building", "building", args, body, duration=time.monotonic() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
