"""A bot whose digest store is on PostgreSQL answers from a build another process landed
(issue 16: no replica may stay wrong because of what it holds in memory)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from support import ask, make_settings, shown

from bot.app import LIBRARY_CHECK_SECONDS, build_application, running
from briefings.models import ArticleMeta, Digest, Entities, Quote
from briefings.store import open_store
from briefings.store.summit_index import refresh_summits
from fakeapi import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

USER = 4101


def _digest() -> Digest:
    text = "Ministers of the alliance agreed a maritime accord in Valletta on Tuesday."
    return Digest(
        article_id="valletta-1",
        file="valletta.txt",
        content_hash="hash-valletta",
        meta=ArticleMeta(title="Maritime accord agreed in Valletta", published="2031-03-04"),
        summary=(text,),
        quotes=(Quote("The sea unites us.", "Robert Abela", "direct"),),
        timeline=(),
        unresolved_dates=(),
        entities=Entities(places=("Valletta",)),
        summit="OSCE|Valletta|2031-03",
        paragraphs=(text,),
    )


async def test_a_build_landed_by_another_process_reaches_the_bots_answers(
    tmp_path: Path, api: FakeBotApi, postgres_url: str
) -> None:
    (tmp_path / "seeds").mkdir()
    settings = make_settings(tmp_path, api, database_url=postgres_url)
    app = build_application(settings, with_scheduler=False)
    async with running(app):
        [before] = await ask(api, USER, "/summary")
        assert "Valletta" not in shown(before)

        def land_elsewhere() -> None:  # another process's builder: its own connection
            with open_store(settings) as builder:
                with builder.transaction():
                    builder.put_digest(_digest(), size=1, mtime_ns=1)
                refresh_summits(builder)

        await asyncio.to_thread(land_elsewhere)
        landed = time.monotonic()
        deadline = landed + 3 * LIBRARY_CHECK_SECONDS
        while True:
            [reply] = await ask(api, USER, "/summary")
            if "Valletta" in shown(reply):
                break
            assert time.monotonic() < deadline, shown(reply)
            await asyncio.sleep(0.5)
    assert time.monotonic() - landed <= 2 * LIBRARY_CHECK_SECONDS + 2
    assert "maritime accord" in shown(reply)
    assert not (tmp_path / "data" / "digests.sqlite3").exists()  # nothing fell back to SQLite
