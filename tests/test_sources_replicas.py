"""With several processes on one PostgreSQL database, only the elected sender fetches the
sources: otherwise every replica would fetch every feed, multiplying the requests to the
publishers and writing each new article once per replica."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import psycopg
import pytest
from sources_support import item
from support import make_settings

from bot.app import build_application, running
from fakeapi import FakeBotApi
from sources.feedserver import Feed, FeedServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]


def sql(url: str, statement: str, params: tuple[object, ...]) -> None:
    """One statement on a connection of its own (as another replica would write it)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement, params)


async def test_only_the_process_holding_the_sender_lease_fetches_sources(
    workdir: Path, api: FakeBotApi, postgres_url: str
) -> None:
    async with FeedServer() as server:
        server.feeds["/wire"] = Feed("Summit Wire", [item(0, server.url(""))])
        (workdir / "sources.txt").write_text(f"{server.url('/wire')} Summit Wire\n")
        settings = make_settings(
            workdir,
            api,
            database_url=postgres_url,
            sources_file=workdir / "sources.txt",
            source_poll_seconds=0.5,
        )
        app = build_application(settings)
        async with running(app):
            # Another replica is the sender, and stays so for a minute.  (In a thread: the
            # bot's own lease transactions run on this event loop and must not be blocked.)
            await asyncio.to_thread(
                sql,
                postgres_url,
                "INSERT INTO leases (name, holder, expires_at, acquired_at) "
                "VALUES ('sender', 'other-replica', %s, %s) ON CONFLICT (name) DO UPDATE "
                "SET holder = excluded.holder, expires_at = excluded.expires_at",
                (time.time() + 60, time.time()),
            )
            await asyncio.sleep(8)  # this process's own lease (if it took one) ran out
            before = len(server.requests("/wire"))
            await asyncio.sleep(3)  # six poll intervals
            assert len(server.requests("/wire")) == before  # not the sender: no fetch
            await asyncio.to_thread(
                sql, postgres_url, "DELETE FROM leases WHERE name = 'sender'", ()
            )  # the other one died
            deadline = time.monotonic() + 20
            while len(server.requests("/wire")) == before:
                assert time.monotonic() < deadline, "the new sender never fetched"
                await asyncio.sleep(0.2)
