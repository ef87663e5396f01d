"""End to end, read as a subscriber reads it: every push path, filtered paging, deep links.

The real Application runs against the fake Bot API server (127.0.0.1 only, every wait bounded);
each message is checked with :func:`support.shown`, i.e. as a Telegram client displays it.
The articles dropped into ``seeds/`` are written for these tests.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from support import ask, displayed, make_settings, shown

from bot import views
from bot.app import build_application, running
from bot.services import SERVICES_KEY, Services
from fakeapi import FakeBotApi, SentRecord

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

USER = 601
TITLE_2008 = "Arctic Council summit in Tromsø ends with a research pact"
SUMMIT_2008 = "Arctic Council summit, Tromsø, November 2008"
TITLE_2026 = "Pacific Forum summit in Suva closes with an ocean fund"
SUMMIT_2026 = "Pacific Forum summit, Suva, November 2026"


def arctic_2008() -> str:
    """An article of an older summit than the archive's latest (CIS, 2025)."""
    return (
        "Polar Wire\n\n20 November 2008\n\n" + TITLE_2008 + "\n\n"
        "Leaders at the Arctic Council summit in Tromsø agreed on Friday to share data from "
        'their polar research stations. "We cannot measure the ice alone," said Norwegian '
        "Prime Minister Eva Lund. The pact takes effect in March 2009, and the council will "
        "review it in 2011.\n"
    )


def pacific_2026() -> str:
    """An article newer than anything in the archive: its summit becomes the latest."""
    return (
        "Polar Wire\n\n14 November 2026\n\n" + TITLE_2026 + "\n\n"
        "Leaders at the Pacific Forum summit in Suva agreed on Thursday to create a fund for "
        'ocean monitoring. "The sea is rising faster than our budgets," said Fiji\'s Prime '
        "Minister Tomas Rabuka. The fund opens in January 2027.\n"
    )


def buttons(record: SentRecord) -> dict[str, str]:
    markup = record.reply_markup or {}
    return {
        b["text"]: b.get("callback_data", "")
        for row in markup.get("inline_keyboard", [])
        for b in row
    }


async def wait_for_push(api: FakeBotApi, since: int, chat: int, marker: str) -> SentRecord:
    [push] = await api.wait_for_messages(
        chat_id=chat,
        since=since,
        timeout=120,
        predicate=lambda r: marker in displayed(r).text,
    )
    return push


async def test_new_article_push_names_the_article_and_its_own_summit(
    workdir: Path, api: FakeBotApi
) -> None:
    async with running(build_application(make_settings(workdir, api))):
        shown((await ask(api, USER, "/subscribe"))[0], "Subscribed")
        await asyncio.sleep(1.0)  # the first poll records the existing archive
        since = api.mark()
        (workdir / "seeds" / "010_arctic.txt").write_text(arctic_2008(), encoding="utf-8")
        push = await wait_for_push(api, since, USER, "New article")
        text = shown(push, TITLE_2008, SUMMIT_2008, "as of 20 Nov 2008")
        assert "Dushanbe" not in text  # not the latest summit: the one the article is in
        assert TITLE_2008 in displayed(push).styled("bold")


async def test_daily_push_names_the_newest_article_and_its_summit(
    workdir: Path, api: FakeBotApi
) -> None:
    app = build_application(make_settings(workdir, api))
    async with running(app):
        shown((await ask(api, USER, "/subscribe daily 08:00 UTC"))[0], "Daily briefing")
        await asyncio.sleep(1.0)
        (workdir / "seeds" / "011_pacific.txt").write_text(pacific_2026(), encoding="utf-8")
        svc: Services = app.bot_data[SERVICES_KEY]
        for _ in range(600):  # until the new article is built (bounded: 120 s)
            if svc.library.article("011_pacific.txt") is not None:
                break
            await asyncio.sleep(0.2)
        assert svc.scheduler is not None
        since = api.mark()
        assert await svc.scheduler.daily_briefing(USER) is not None  # what the daily job runs
        push = await wait_for_push(api, since, USER, "Daily briefing")
        shown(push, TITLE_2026, SUMMIT_2026, "as of 14 Nov 2026")


async def test_push_after_a_restart_names_the_article_and_its_summit(
    workdir: Path, api: FakeBotApi
) -> None:
    settings = make_settings(workdir, api)
    async with running(build_application(settings)):
        shown((await ask(api, USER, "/subscribe"))[0], "Subscribed")
        await asyncio.sleep(1.0)
    (workdir / "seeds" / "010_arctic.txt").write_text(arctic_2008(), encoding="utf-8")
    since = api.mark()
    async with running(build_application(settings)):
        push = await wait_for_push(api, since, USER, "New article")
        text = shown(push, TITLE_2008, SUMMIT_2008)
        assert "Dushanbe" not in text


async def test_filtered_views_can_be_paged_with_their_filter(
    workdir: Path, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect 5: "/timeline 1900-2100" and "/quotes aliyev" said "Page 1 of N" with no way on."""
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    async with running(build_application(make_settings(workdir, api, seed_poll_seconds=30))):
        [timeline] = await ask(api, USER, "/timeline 1900-2100")
        pages = shown(timeline, "(1900–2100)", "Page 1 of ").split("Page 1 of ")[1].split()[0]
        assert int(pages) >= 2
        since = api.mark()
        api.inject_callback(USER, timeline.message_id or 0, buttons(timeline)["Next ›"])
        [edit] = await api.wait_for_messages(chat_id=USER, since=since, timeout=15)
        assert edit.method == "editMessageText"
        shown(edit, "(1900–2100)", f"Page 2 of {pages}")

        long_words = " ".join(["aliyev"] * 12)  # over 64 bytes with the page: kept by the bot
        for words in ("aliyev", long_words):
            [quotes] = await ask(api, USER, f"/quotes {words}")
            shown(quotes, "Page 1 of 2", allow=[words])
            data = buttons(quotes)["Next ›"]
            assert len(data.encode()) <= 64
            since = api.mark()
            api.inject_callback(USER, quotes.message_id or 0, data)
            [edit] = await api.wait_for_messages(chat_id=USER, since=since, timeout=15)
            shown(edit, "Page 2 of 2", "Aliyev", allow=[words])
            assert "‹ Prev" in buttons(edit)


async def test_deep_links_take_a_summit_name_and_say_when_it_is_unknown(
    workdir: Path, api: FakeBotApi
) -> None:
    async with running(build_application(make_settings(workdir, api, seed_poll_seconds=30))):
        [quotes] = await ask(api, USER, "/start quotes_cis")
        shown(quotes, "Quotes — CIS summit, Dushanbe, October 2025")
        [unknown] = await ask(api, USER, "/start timeline_nowhere")
        shown(unknown, "No summit matches “nowhere”", "CIS summit")


async def test_counts_use_the_right_plural_form(
    workdir: Path, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """Defect 8: "1 summits"."""
    caplog.set_level(logging.INFO, logger="bot.app")
    async with running(build_application(make_settings(workdir, api, seed_poll_seconds=30))):
        text = shown((await ask(api, USER, "/summary apec"))[0], "Known summits: CIS summit")
        assert "1 summits" not in text
        status = shown((await ask(api, USER, "/status"))[0], "2 articles", "2 summits")
        assert "1 summits" not in status
    assert "bot ready: 2 articles, 2 summits" in caplog.text


def test_plural_forms_in_every_count() -> None:
    """Defect 8, the singular side: one of a thing is never "1 summits" or "1 sources"."""
    from bot.render import plural

    assert [plural("summit", n) for n in (0, 1, 2)] == ["summits", "summit", "summits"]
    assert plural("source", 1) == "source" and plural("article", 3) == "articles"
