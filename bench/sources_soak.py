"""Soak: 50 local feeds of 20 items, a new item every few seconds, the real bot for 10 minutes.

The bot runs as ``python -m bot`` against the fake Bot API, following 50 feeds served by
:class:`sources.feedserver.FeedServer` (127.0.0.1).  Their 1,000 items are the archive (digested,
never announced).  Then one new item appears every ``EVERY`` seconds on a random feed; a
subscriber must be told of each exactly once, and of nothing from the archive.  Meanwhile
``/status`` is asked every half second from a few chats (latency as the server sees it, update to
first reply) and the bot's resident memory is sampled.

    uv run python -m bench.sources_soak [--quick] [--no-write]
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import re
import shutil
import sqlite3
import time
from pathlib import Path

from bench.common import (
    WORK,
    BotProcess,
    bot_env,
    fake_api,
    log,
    ms,
    parse_args,
    percentile,
    proc_status,
    publish,
    running_process,
    table,
    verdict,
    wait_until,
)
from fakeapi._html import parse_html
from sources.feedserver import Feed, FeedServer, Item, made_up_story

FEEDS, ITEMS = 50, 20
EVERY = 3.0
SUBSCRIBER = 5_000
ASKERS = (6_001, 6_002, 6_003)
#: The "latency while building" target of bench/: replies stay this fast while work goes on.
P99_TARGET = 0.050
#: Memory is flat when the last sample is within this of the first after the archive.
MEMORY_GROWTH_LIMIT_MB = 20.0
_TOTAL = re.compile(r"New articles?(?:: (\d+))?")


def soak_item(feed: int, n: int, base: str) -> Item:
    """A made-up report on ``feed``, unique by ``(feed, n)``, with a title naming it."""
    title, text = made_up_story(feed * 1000 + n)
    return Item(f"f{feed}-{n}", f"{base}/f{feed}/a{n}", f"{title} (feed {feed} item {n})", text)


def displayed_text(raw: str) -> str:
    return parse_html(raw)[0]


def bold_pieces(raw: str) -> list[str]:
    """What a reader sees in bold: the push's header and each article shown in full's title
    (summit briefings below them cite older articles too, in plain text)."""
    text, entities = parse_html(raw)
    units = text.encode("utf-16-le")
    return [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in entities
        if e["type"] == "bold"
    ]


async def run(quick: bool) -> tuple[str, bool]:
    duration = 60.0 if quick else 600.0
    feeds = 10 if quick else FEEDS
    work = WORK / "sources-soak"
    shutil.rmtree(work, ignore_errors=True)
    (work / "seeds").mkdir(parents=True)
    (work / "data").mkdir()
    async with FeedServer() as server, fake_api() as api:
        base = server.url("")
        for f in range(feeds):
            server.feeds[f"/f{f}"] = Feed(
                f"Outlet {f}", [soak_item(f, n, base) for n in range(ITEMS)][::-1]
            )
        (work / "sources.txt").write_text(
            "\n".join(f"{server.url(f'/f{f}')} Outlet {f}" for f in range(feeds)) + "\n"
        )
        env = bot_env(
            api, seeds_dir=work / "seeds", data_dir=work / "data",
            sources_file=work / "sources.txt", source_poll_seconds=EVERY,
            seed_poll_seconds=1.0,
        )  # fmt: skip
        proc = BotProcess("bot", env, work / "bot.log")
        async with running_process(proc):
            await proc.wait_for_log("bot ready", 120)
            since = api.mark()
            api.inject_message(SUBSCRIBER, "/subscribe")
            await api.wait_for_messages(chat_id=SUBSCRIBER, since=since, timeout=30)
            archive = feeds * ITEMS
            started = time.monotonic()
            log(f"waiting for the archive of {archive} items to be digested")
            built = await wait_until(lambda: _digested(work) >= archive, 900, interval=1.0)
            archive_seconds = time.monotonic() - started
            assert built, f"archive not digested: {_digested(work)} of {archive}"
            log(f"archive digested in {archive_seconds:.0f}s; soak for {duration:.0f}s")
            await asyncio.sleep(2 * EVERY)
            soak_start = api.mark()
            rss: list[float] = [proc_status(proc.pid).get("VmRSS", 0) / 1024]
            latencies: list[float] = []
            added: list[str] = []
            rng = random.Random(7)
            next_n = dict.fromkeys(range(feeds), ITEMS)
            end = time.monotonic() + duration

            async def ask_loop() -> None:
                i = 0
                while time.monotonic() < end:
                    chat = ASKERS[i % len(ASKERS)]
                    i += 1
                    sent = time.monotonic()
                    update = api.inject_message(chat, "/status")
                    replied = functools.partial(api.first_reply_at.__contains__, update)
                    if await wait_until(replied, 30, 0.002):
                        latencies.append(api.first_reply_at[update] - sent)
                    await asyncio.sleep(0.5)

            asker = asyncio.create_task(ask_loop())
            last_sample = time.monotonic()
            while time.monotonic() < end:
                f = rng.randrange(feeds)
                item = soak_item(f, next_n[f], base)
                next_n[f] += 1
                server.feeds[f"/f{f}"].items.insert(0, item)
                added.append(item.title)
                await asyncio.sleep(EVERY)
                if time.monotonic() - last_sample >= 10:
                    rss.append(proc_status(proc.pid).get("VmRSS", 0) / 1024)
                    last_sample = time.monotonic()
            await asker
            log(f"{len(added)} items added; waiting for their announcements")

            def pushes() -> list[str]:
                return [
                    displayed_text(r.raw_text or "")
                    for r in api.sent[soak_start:]
                    if r.method == "sendMessage" and r.chat_id == SUBSCRIBER
                ]

            def announced() -> int:
                return sum(int(m.group(1) or 1) for t in pushes() if (m := _TOTAL.search(t)))

            await wait_until(lambda: announced() >= len(added), 240, interval=1.0)
            await asyncio.sleep(3 * EVERY)  # a duplicate would arrive by now
            rss.append(proc_status(proc.pid).get("VmRSS", 0) / 1024)
            texts = pushes()
            bold = [
                piece
                for r in api.sent[soak_start:]
                if r.method == "sendMessage" and r.chat_id == SUBSCRIBER
                for piece in bold_pieces(r.raw_text or "")
            ]
            named = {t: sum(piece.count(t) for piece in bold) for t in added}
            twice = [t for t, c in named.items() if c > 1]
            archive_titles = {soak_item(f, n, base).title for f in range(feeds)
                              for n in range(ITEMS)}  # fmt: skip
            archive_shown = [p for p in bold if p in archive_titles]
            state = _announced_state(work)
    total = announced()
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    growth = rss[-1] - rss[0]
    ok_once = total == len(added) and not twice and not archive_shown
    ok_latency = p99 < P99_TARGET
    ok_memory = growth < MEMORY_GROWTH_LIMIT_MB
    rows = [
        ("feeds × items (archive)", f"{feeds} × {ITEMS} = {archive}, digested in "
         f"{archive_seconds:.0f} s; announced: {len(archive_shown)}", verdict(not archive_shown)),
        ("new items added (one every 3 s)", len(added), ""),
        ("announced (sum of the pushes' counts)", f"{total} in {len(texts)} messages",
         verdict(total == len(added))),
        ("new titles shown twice (as an article in full)", len(twice), verdict(not twice)),
        ("titles shown by name (≤ 5 in full per push)",
         sum(1 for c in named.values() if c == 1), ""),
        ("seeds recorded as announced (bot state)", state, ""),
        ("/status latency p50 · p99", f"{ms(p50)} · {ms(p99)} ({len(latencies)} commands)",
         f"p99 < {ms(P99_TARGET)}: {verdict(ok_latency)}"),
        ("bot RSS first · max · last (MB)", f"{rss[0]:.0f} · {max(rss):.0f} · {rss[-1]:.0f}",
         f"growth < {MEMORY_GROWTH_LIMIT_MB:.0f} MB: {verdict(ok_memory)}"),
    ]  # fmt: skip
    body = (
        f"{feeds} local feeds (`sources/feedserver.py`) of {ITEMS} made-up reports each, "
        f"followed by `python -m bot` (SOURCE_POLL_SECONDS={EVERY:g}, SEED_POLL_SECONDS=1) "
        f"against the fake Bot API; for {duration:.0f} s one new item every {EVERY:g} s on a "
        "random feed, and /status every 0.5 s from 3 chats.\n\n"
        + table(("measure", "value", "target"), rows)
    )
    return body, ok_once and ok_latency and ok_memory


def _digested(work: Path) -> int:
    path = work / "data" / "digests.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM files WHERE error IS NULL").fetchone()[0])
    except sqlite3.Error:
        return 0


def _announced_state(work: Path) -> int:
    try:
        with sqlite3.connect(work / "data" / "bot.sqlite3", timeout=5) as db:
            row = db.execute("SELECT value FROM state WHERE key='seeds.announced'").fetchone()
    except sqlite3.Error:
        return -1
    return len(json.loads(row[0])) if row else 0


def main() -> None:
    args = parse_args(__doc__)
    started = time.monotonic()
    body, ok = asyncio.run(run(args.quick))
    publish("Sources soak", "sources_soak", args, body, duration=time.monotonic() - started)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
