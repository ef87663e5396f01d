"""Replicas: command throughput with 1, 2 and 3 webhook replicas behind nginx, on PostgreSQL.

Each replica is ``python -m bot webhook`` on its own port; nginx (bench/local_servers.py, the
same shape as compose.yaml's ``postgres`` profile) spreads the fake Bot API's webhook deliveries
over them round robin.  All replicas share one PostgreSQL database (a throwaway local cluster)
and one data folder with the archive's store.  Rate limits are off (the fake server enforces
none; ``RATE_LIMIT_OVERALL=0``), so this measures the replicas' own processing: each round
queues all commands at once and times them from the first injection to the last reply.

This machine has 2 cores shared by the fake server, nginx, PostgreSQL and the replicas, so a
third replica cannot add a core's worth of work; on a deployment each replica has its own.

    uv run python -m bench.replicas [--quick] [--no-write]
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from bench.common import (
    WORK,
    BotProcess,
    bot_env,
    command_script,
    fake_api,
    log,
    median,
    parse_args,
    publish,
    table,
    wait_until,
)
from bench.latency import COMMANDS
from bench.local_servers import Cluster, free_port, start_cluster, start_load_balancer
from fakeapi import FakeBotApi

#: Articles in the archive the replicas answer from.
ARCHIVE = 200
SECRET = "bench-replicas-secret_0123456789"


@contextlib.asynccontextmanager
async def replicas(
    api: FakeBotApi, cluster: Cluster, count: int, workdir: Path
) -> AsyncIterator[list[BotProcess]]:
    """``count`` replicas behind nginx on a fresh database, ready to answer."""
    from bench import corpus

    info = corpus.ensure_store(ARCHIVE)
    seeds = corpus.copy_seeds(info, workdir / "seeds")
    corpus.copy_store(info, workdir / "data")
    database = cluster.create_database()
    ports = [free_port() for _ in range(count)]
    balancer = start_load_balancer(workdir / "lb", free_port(), ports)
    processes = [
        BotProcess(
            "bot",
            bot_env(
                api,
                seeds_dir=seeds,
                data_dir=workdir / "data",
                seed_poll_seconds=5,
                rate_limit_overall=0,
                database_url=database,
                webhook_url=f"{balancer.url}/telegram",
                webhook_secret=SECRET,
                webhook_listen="127.0.0.1",
                webhook_port=port,
            ),
            workdir / f"replica{number}.log",
            ("webhook",),
        )
        for number, port in enumerate(ports, start=1)
    ]
    try:
        for process in processes:
            await process.start()
        await api.wait_for_requests("setMyCommands", count=count, timeout=120)
        await api.wait_for_requests("setWebhook", count=count, timeout=60)
        for process in processes:  # every replica has finished its start-up build
            await process.wait_for_log(r"build: \d+ built", 600)
        yield processes
    finally:
        await asyncio.gather(*(process.stop() for process in processes))
        balancer.stop()
        cluster.drop_database(database)


async def run_queue(api: FakeBotApi, count: int, chats: int) -> float:
    """Queue ``count`` commands at once; commands per second until the last first reply."""
    script = command_script(count, chats, COMMANDS, first_chat=200_000)
    started = time.monotonic()
    updates = [api.inject_message(chat, text) for chat, text in script]
    done = await wait_until(lambda: all(u in api.first_reply_at for u in updates), timeout=900)
    if not done:
        raise TimeoutError(f"{sum(u in api.first_reply_at for u in updates)}/{count} answered")
    last = max(api.first_reply_at[u] for u in updates)
    return count / (last - started)


async def measure(quick: bool) -> dict[int, list[float]]:
    rounds, count, chats = (2, 300, 100) if quick else (3, 3000, 1000)
    results: dict[int, list[float]] = {}
    cluster = start_cluster("BENCH_POSTGRES_URL")
    try:
        for replica_count in (1, 2, 3):
            async with fake_api() as api:
                workdir = WORK / "run" / f"replicas-{replica_count}"
                async with replicas(api, cluster, replica_count, workdir):
                    await run_queue(api, min(count, 100), chats)  # warm-up
                    for index in range(rounds):
                        rate = await run_queue(api, count, chats)
                        results.setdefault(replica_count, []).append(rate)
                        log(f"{replica_count} replica(s), round {index + 1}: {rate:.0f}/s")
    finally:
        cluster.stop()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, write the "Replicas" section."""
    args = parse_args(__doc__, argv)
    started = time.monotonic()
    results = asyncio.run(measure(args.quick))
    one = median(results[1])
    rows = [
        [str(n), f"{median(rates):.0f}", f"{median(rates) / one:.2f}×",
         ", ".join(f"{r:.0f}" for r in rates)]
        for n, rates in sorted(results.items())
    ]  # fmt: skip
    body = (
        f"Commands ({', '.join(COMMANDS)}) queued at once, answered from a {ARCHIVE}-article "
        "archive by webhook replicas behind nginx on one local PostgreSQL; rate limits off. "
        "Median of the rounds.\n\n" + table(["replicas", "commands/s", "vs 1", "rounds"], rows)
    )
    publish("Replicas", "bench.replicas", args, body, duration=time.monotonic() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
