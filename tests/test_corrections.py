"""Corrections end to end: a followed article edited in place, the real bot, the fake Bot API.

Subscribers are told once, in one short message, when an announced article's quote or date is
corrected; an edit of an ordinary word elsewhere sends nothing.  Everything on 127.0.0.1, every
wait bounded.  The report is made up (our own sentences).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sources_support import item
from support import ask, make_settings, shown
from test_sources_e2e import pushes, until

from bot.app import build_application, running
from bot.fakeapi import FakeBotApi
from bot.services import SERVICES_KEY, Services
from sources.feedserver import Feed, FeedServer
from sources.urls import seed_name

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

USER = 612
TITLE = "Health ministers agree to pool vaccine stocks at the Lakeport summit"
REPORT = (
    "LAKEPORT - Health ministers from twelve states met in Lakeport on 3 March 2026 for the "
    'Lakeport Health Summit and agreed to pool their vaccine stocks. "We will not let one '
    "border decide who gets a dose,\" said Rena Albek, the summit's chair. The pooled stock is "
    "due to open on 1 September 2026, and the ministers will meet again in Corvia to review "
    "it. Officials said the cost would be shared by population. A working group will report "
    "on how the stocks are stored and moved."
)


async def test_a_corrected_quote_or_date_is_told_once_and_a_typo_fix_is_not(
    workdir: Path, api: FakeBotApi
) -> None:
    async with FeedServer() as server:
        base = server.url("")
        feed = server.feeds["/wire"] = Feed("Health Wire", [item(0, base, text=REPORT,
                                                                 title=TITLE)])  # fmt: skip
        (workdir / "sources.txt").write_text(f"{server.url('/wire')} Health Wire\n")
        settings = make_settings(
            workdir, api, sources_file=workdir / "sources.txt", source_poll_seconds=0.5
        )
        app = build_application(settings)
        async with running(app):
            svc: Services = app.bot_data[SERVICES_KEY]
            shown((await ask(api, USER, "/subscribe"))[0], "Subscribed")
            name = seed_name(server.url("/articles/0"))

            async def edit(old: str, new: str) -> None:
                """Edit the item in place and wait until the bot has re-digested it."""
                card = svc.library.article(name)
                assert card is not None
                feed.items[0].text = feed.items[0].text.replace(old, new)
                await until(
                    lambda: (
                        getattr(svc.library.article(name), "content_hash", "")
                        not in ("", card.content_hash)
                    )
                )  # fmt: skip
                await asyncio.sleep(1.5)  # a message would have been recorded by now

            await until(lambda: svc.library.article(name) is not None)
            await asyncio.sleep(1.0)
            assert pushes(api, USER, "Lakeport") == []  # the archive: never announced

            await edit("the cost would", "the costs would")  # an ordinary word
            assert pushes(api, USER, "Correction") == []

            await edit("who gets a dose", "who gets a vaccine")  # the quote's words
            assert len(pushes(api, USER, "Correction")) == 1
            [record] = [r for r in api.sent if r.chat_id == USER and "Correction" in
                        (r.raw_text or r.text or "")]  # fmt: skip
            text = shown(record, "Correction", TITLE, "Quote was:", "who gets a dose", "now:",
                         "who gets a vaccine")  # fmt: skip
            assert "Date" not in text and len(text) < 800, text

            await edit("1 September 2026", "1 October 2026")  # a date of the timeline
            messages = pushes(api, USER, "Correction")
            assert len(messages) == 2, messages
            shown_date = messages[1]
            assert "Date changed in the timeline" in shown_date, shown_date
            assert "2026-09-01" in shown_date or "September" in shown_date, shown_date
            assert "Quote" not in shown_date, shown_date
