"""Sources end to end: a local feed server, the real bot, the fake Bot API (127.0.0.1 only).

What a subscriber receives (displayed text, how many times) and what ``/sources`` shows, while
feeds are followed, grow, change their GUIDs, edit an item, carry another outlet's copy, or fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from sources_support import item
from support import ADMIN, ask, displayed, make_settings, shown

from bot.app import build_application, running
from bot.services import SERVICES_KEY, Services
from fakeapi import FakeBotApi
from sources.feedserver import Feed, FeedServer
from sources.urls import seed_name

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

USER = 611


async def until(condition: Callable[[], bool], limit: float = 150.0) -> None:
    """Wait (bounded by ``limit`` seconds) until ``condition()`` is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.2)


def pushes(api: FakeBotApi, chat: int, words: str) -> list[str]:
    """Texts of the messages ``chat`` was sent that display ``words``."""
    return [
        displayed(r).text
        for r in api.sent
        if r.method == "sendMessage" and r.chat_id == chat and words in displayed(r).text
    ]


async def test_a_followed_feed_announces_only_new_items_once(
    workdir: Path, api: FakeBotApi
) -> None:
    async with FeedServer() as server:
        base = server.url("")
        feed = server.feeds["/wire"] = Feed("Summit Wire", [item(0, base), item(1, base)])
        (workdir / "sources.txt").write_text(f"# test feeds\n{server.url('/wire')} Summit Wire\n")
        settings = make_settings(
            workdir, api, sources_file=workdir / "sources.txt", source_poll_seconds=0.5
        )
        app = build_application(settings)
        async with running(app):
            svc: Services = app.bot_data[SERVICES_KEY]
            shown((await ask(api, USER, "/subscribe"))[0], "Subscribed")
            archive = [seed_name(server.url(f"/articles/{n}")) for n in (0, 1)]
            await until(lambda: all(svc.library.article(n) is not None for n in archive))
            await asyncio.sleep(1.5)  # an announcement would have been recorded by now
            assert pushes(api, USER, "grain corridor") == []  # the archive floods nobody
            assert pushes(api, USER, "climate") == []

            # A new item is announced, once, with its words as the reader sees them.
            feed.items.insert(0, item(2, base))
            new = seed_name(server.url("/articles/2"))
            await until(lambda: len(pushes(api, USER, "eight stations")) >= 1)
            [push] = [r for r in api.sent if r.chat_id == USER and "eight stations" in
                      displayed(r).text]  # fmt: skip
            shown(push, "New article", "Arctic council", "eight stations")

            # GUIDs changing on every fetch, then the item edited in place.
            feed.rotate_guids = True
            await asyncio.sleep(2.0)
            card = svc.library.article(new)
            assert card is not None
            feed.items[0].text = feed.items[0].text.replace("in the summer", "in the winter")
            path = workdir / "seeds" / new
            await until(lambda: "in the winter" in path.read_text("utf-8"))
            await until(
                lambda: (
                    getattr(svc.library.article(new), "content_hash", "")
                    not in ("", card.content_hash)
                )
            )  # fmt: skip  (re-digested)

            # The same story from another outlet: one story, not a second announcement.
            copy = item(2, server.url("/other"), title="Polar research data sharing restarts")
            copy.guid, copy.text = "other-1", "TROMSO (Other Agency) - " + copy.text
            server.feeds["/other"] = Feed("Other Agency", [])
            shown((await ask(api, ADMIN, f"/source add {server.url('/other')} Other"))[0],
                  "Now following", "Other")  # fmt: skip
            await asyncio.sleep(1.5)  # first fetch: an empty archive
            server.feeds["/other"].items.append(copy)
            await asyncio.sleep(3.0)
            assert not (workdir / "seeds" / seed_name(copy.link)).exists()

            assert len(pushes(api, USER, "eight stations")) == 1
            assert pushes(api, USER, "Polar research") == []
            listing = await ask(api, USER, "/sources")
            text = shown(listing[-1], "Followed feeds and pages (2)", "1. Summit Wire", "✓ OK",
                         "2. Other")  # fmt: skip
            assert "3 articles taken" in text, text
            # The other outlet's copy is shown with the story it joined, and only there.
            articles = shown(listing[0], "Sources")
            also = [line for line in articles.splitlines() if "also reported by" in line]
            assert len(also) == 1, articles
            assert item(2, base).title in also[0], also
            assert also[0].endswith("; also reported by Other Agency"), also


async def test_source_commands_health_and_a_failing_source_reported_once(
    workdir: Path, api: FakeBotApi
) -> None:
    async with FeedServer() as server:
        server.failures["/down"] = [(503, "1")] * 1000
        settings = make_settings(
            workdir, api, sources_file=workdir / "sources.txt", source_poll_seconds=0.3,
            source_fail_report_seconds=2.0,
        )  # fmt: skip
        async with running(build_application(settings)):
            refused = await ask(api, USER, f"/source add {server.url('/down')}")
            shown(refused[0], "administrators")
            bad = await ask(api, ADMIN, "/source add ftp://example.org/feed")
            shown(bad[0], "not a web address")
            shown((await ask(api, ADMIN, "/source remove x"))[0], "not a number")
            shown((await ask(api, ADMIN, "/source remove 5"))[0], "no source number 5")
            added = await ask(api, ADMIN, f"/source add {server.url('/down')} Ministry feed")
            shown(added[0], "Now following", "Ministry feed")
            await until(lambda: len(pushes(api, ADMIN, "A source is failing")) >= 1, limit=30)
            await asyncio.sleep(2.0)
            [report] = pushes(api, ADMIN, "A source is failing")
            assert "Ministry feed" in report and "HTTP 503" in report
            listing = await ask(api, USER, "/sources")
            text = shown(listing[-1], "1. Ministry feed", "failing since", "HTTP 503")
            assert "/source add" not in text  # not an admin: no admin hints
            removed = await ask(api, ADMIN, "/source remove 1")
            shown(removed[0], "Stopped following", "Ministry feed")
            listing = await ask(api, ADMIN, "/sources")
            shown(listing[-1], "No feeds or pages are followed", "/source add")


def _cp1251_feed(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed encoded in cp1251 while its header and declaration say UTF-8."""
    body = "".join(
        f"<item><title>{title}</title><link>http://127.0.0.1/ru/{guid}</link><guid>{guid}</guid>"
        f"<description>{text}</description></item>"
        for guid, title, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Лента'
        f"</title>{body}</channel></rss>"
    ).encode("cp1251")


RU_OLD = ("ru-1", "Министры обсудили зерновой коридор",
          "Министры иностранных дел обсудили во вторник зерновой коридор в Лиссабоне. "
          "Председатель заявил, что соглашение будет пересмотрено "
          "в марте.")  # fmt: skip
RU_NEW = ("ru-2", "Лидеры обещают климатический фонд",
          "Лидеры обещают климатический фонд: главы правительств на встрече в Найроби "
          "пообещали четыре миллиарда долларов фонду адаптации. Президент сказал, что "
          "деньги сначала получат прибрежные города.")  # fmt: skip


async def test_redirects_bad_xml_and_a_mislabelled_feed_as_subscribers_see_them(
    workdir: Path, api: FakeBotApi
) -> None:
    async with FeedServer() as server:
        server.feeds["/wire"] = Feed("Summit Wire", [item(0, server.url(""))])
        server.redirects["/old"] = (301, "/wire")
        server.raw["/bad"] = (b"<?xml version='1.0'?><rss><channel><item><title>Cut", "text/xml")
        ctype = "application/rss+xml; charset=utf-8"
        server.raw["/ru"] = (_cp1251_feed([RU_OLD]), ctype)
        (workdir / "sources.txt").write_text(
            f"{server.url('/old')} Moved wire\n{server.url('/bad')} Broken\n"
            f"{server.url('/ru')} Russian wire\n"
        )
        settings = make_settings(
            workdir, api, sources_file=workdir / "sources.txt", source_poll_seconds=0.5
        )
        app = build_application(settings)
        async with running(app):
            svc: Services = app.bot_data[SERVICES_KEY]
            shown((await ask(api, USER, "/subscribe"))[0], "Subscribed")
            ru_old = seed_name("http://127.0.0.1/ru/ru-1")
            await until(lambda: svc.library.article(ru_old) is not None)
            server.raw["/ru"] = (_cp1251_feed([RU_NEW, RU_OLD]), ctype)
            await until(lambda: len(pushes(api, USER, "климатический фонд")) >= 1)
            await asyncio.sleep(2.0)
            [push] = pushes(api, USER, "климатический фонд")
            # One article is new; the archive's (Russian and English) are not announced (the
            # summit briefing below may cite them).
            assert push.startswith("📰 New article\nЛидеры обещают климатический фонд — Лента")
            assert len([p for p in pushes(api, USER, "New article")]) == 1
            listing = await ask(api, USER, "/sources")
            text = shown(listing[-1], "1. Moved wire", "2. Broken", "not a readable feed",
                         "3. Russian wire", "✓ OK")  # fmt: skip
            assert text.count("✓ OK") == 2
            assert len(server.requests("/old")) == 1  # the 301 was remembered
            assert "Ð" not in push and "Ñ" not in push  # no mojibake
