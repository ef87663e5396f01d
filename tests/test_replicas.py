"""Several ``python -m bot webhook`` replicas behind a load balancer, on one PostgreSQL database.

Telegram delivers each update once to the webhook URL; the load balancer (nginx, as in
compose.yaml's ``postgres`` profile) hands it to any replica, and that replica answers it.
Nothing one replica holds in memory may make another answer wrongly or twice.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from support import BotProcess, free_port, make_settings, shown

from bench.local_servers import LoadBalancer, NoLoadBalancer, start_load_balancer
from fakeapi import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SECRET = "replica-secret_0123456789-ABCdef"
#: What each command's answer shows first, so an answer can be told apart from another's.
COMMANDS = {
    "/help": "/summary",
    "/summary": "summit",
    "/quotes": "Quotes",
    "/timeline": "Timeline",
    "/sources": "rticles",
}


def load_balancer(folder: Path, replica_ports: list[int]) -> LoadBalancer:
    try:
        return start_load_balancer(folder, free_port(), replica_ports)
    except NoLoadBalancer as exc:
        import os

        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {exc}")
        pytest.skip(str(exc))


def start_replicas(
    workdir: Path, api: FakeBotApi, database_url: str, webhook_url: str, ports: list[int]
) -> list[BotProcess]:
    return [
        BotProcess(
            workdir,
            api,
            mode="webhook",
            name=f"replica{number}",
            env={
                "DATABASE_URL": database_url,
                "WEBHOOK_URL": webhook_url,
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
                "RATE_LIMIT_OVERALL": "0",
            },
        )
        for number, port in enumerate(ports, start=1)
    ]


def build_seeds_into(workdir: Path, api: FakeBotApi, database_url: str) -> None:
    """The seeds digested into the database's store before the replicas start, as the
    ``workdir`` fixture does for SQLite (each replica's first build then finds nothing new)."""
    from briefings.pipeline import build
    from briefings.store import open_store

    settings = make_settings(workdir, api, database_url=database_url)
    with open_store(settings) as store:
        report = build(settings.seeds_dir, store)
    assert not report.errors, report.errors


async def wait_ready(api: FakeBotApi, replicas: int) -> None:
    """Every replica registered its commands (post_init ran) and set the webhook."""
    await api.wait_for_requests("setMyCommands", count=replicas, timeout=60)
    await api.wait_for_requests("setWebhook", count=replicas, timeout=30)


async def test_every_command_through_the_balancer_is_answered_once(
    workdir: Path, api: FakeBotApi, postgres_url: str
) -> None:
    """500 commands from 100 chats, spread by the balancer over 3 replicas: each is answered
    exactly once, with the answer that command gives, and every replica served some."""
    await asyncio.to_thread(build_seeds_into, workdir, api, postgres_url)
    ports = [free_port() for _ in range(3)]
    balancer = load_balancer(workdir / "lb", ports)
    replicas = start_replicas(workdir, api, postgres_url, f"{balancer.url}/telegram", ports)
    chats = list(range(70_001, 70_101))
    try:
        await wait_ready(api, len(replicas))
        since = api.mark()
        for chat in chats:
            for command in COMMANDS:
                api.inject_message(chat, command)
        deadline = time.monotonic() + 180
        while len(api.sent[since:]) < len(chats) * len(COMMANDS):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(3)  # a second answer to anything would arrive by now
        answers = api.sent[since:]
    finally:
        await asyncio.gather(*(replica.stop() for replica in replicas))
        balancer.stop()
    per_chat = Counter(record.chat_id for record in answers)
    assert per_chat == dict.fromkeys(chats, len(COMMANDS)), [
        (chat, per_chat[chat]) for chat in chats if per_chat[chat] != len(COMMANDS)
    ][:10]
    for chat in chats[::17]:  # what each chat reads: one answer per command it sent
        texts = [shown(record) for record in api.messages_to(chat)]
        for marker in COMMANDS.values():
            assert sum(marker in text for text in texts) >= 1, (marker, texts)
    served = balancer.served_by()
    assert len(served) == len(ports) and min(served.values()) >= 50, served
    for replica in replicas:
        assert SECRET not in replica.output()
