"""Scale of the archive: start-up, memory and /search with 100, 1,000 and 10,000 digests.

For each archive size the bot runs as its own process (``python -m bot``) against a fake Bot API
server in this process:

* start-up: from spawning the process (a /summary already waiting) to that reply at the server;
* memory: VmRSS (and the peak, VmHWM) of the bot's process from /proc once it settled and has
  answered commands; whether spaCy is mapped into it (it must not be: only builders load it);
* /search: latency of /search commands through the bot (paced, 10/s), and of the FTS5 query
  itself in this process (``DigestStore.search``);
* ``Library.load``: what the bot does at start-up, timed in this process.

    uv run python -m bench.archive [--quick] [--no-write]
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench import corpus
from bench.common import (
    WORK,
    BotProcess,
    bot_env,
    command_script,
    fake_api,
    log,
    maps_mention,
    median,
    ms,
    paced_load,
    parse_args,
    percentile,
    proc_status,
    publish,
    running_process,
    table,
    verdict,
    wait_reply,
)
from briefings.store.passages import SEARCH_WINDOW

STARTUP_TARGET = 2.0
RSS_TARGET_MB = 150
SEARCH_TARGET = 0.050
#: /search commands per second: a steady load well under what one FTS connection serves, so the
#: figure is each search's latency rather than a queue's (the FTS query p99 is shown apart).
SEARCH_RATE = 10.0
QUERIES = (
    "nato summit",
    "putin",
    "climate change",
    "trade agreement",
    "ukraine",
    "security council",
    "g20 leaders",
    "economic crisis",
    "Lachin capital",
    "sanctions",
    "declaration",
    "president said",
    "cooperation",
    "energy security",
    "washington",
    "terrorism",
    "the summit",
    "prime minister",
    "Azerbaijan",
    "heads of state",
)


@dataclass(frozen=True, slots=True)
class Scale:
    """Figures at one archive size."""

    size: int
    load: float
    shape: str
    startup: float
    rss_mb: float
    hwm_mb: float
    spacy: bool
    search: list[float]
    fts: list[float]


def fts_latencies(info: corpus.StoreInfo, rounds: int) -> list[float]:
    """Each query of :data:`QUERIES`, ``rounds`` times, straight on the store."""
    from briefings.store.digests import DigestStore

    found: list[float] = []
    with DigestStore(info.path) as store:
        for _ in range(rounds):
            for query in QUERIES:
                started = time.perf_counter()
                store.search(query)
                found.append(time.perf_counter() - started)
    return found


def load_seconds(info: corpus.StoreInfo, rounds: int) -> tuple[float, str]:
    """Median ``Library.load`` time, and the shape of the library (summits, conflicts)."""
    from briefings.library import Library
    from briefings.store.digests import DigestStore
    from briefings.summits.grouping import MAX_MERGED_ARTICLES

    times = []
    for _ in range(rounds):
        with DigestStore(info.path) as store:
            started = time.perf_counter()
            library = Library.load(store)
            times.append(time.perf_counter() - started)
    with DigestStore(info.path) as store:
        library = Library.load(store)
        summits = [s for h in library.summits if (s := library.summit(h.key)) is not None]
    largest = max(summits, key=lambda s: len(s.files))
    shape = (
        f"{len(summits)} summits, largest {len(largest.files)} articles "
        f"({largest.name}, {len(largest.conflicts)} conflicts, {len(largest.quotes)} quotes, "
        f"merged from its {min(len(largest.files), MAX_MERGED_ARTICLES)} most recent); "
        f"{sum(len(s.conflicts) for s in summits)} conflicts in all"
    )
    return median(times), shape


async def run_bot(info: corpus.StoreInfo, starts: int, searches: int) -> tuple[float, ...]:
    """Start the bot ``starts`` times; after the last start, measure memory and /search.

    Returns (median start-up s, VmRSS MB, VmHWM MB, spaCy mapped, *search latencies).
    """
    workdir = WORK / "run" / f"archive-n{info.count}"
    seeds = corpus.copy_seeds(info, workdir / "seeds")
    startups: list[float] = []
    async with fake_api() as api:
        env = bot_env(api, seeds_dir=seeds, data_dir=workdir / "data", seed_poll_seconds=5)
        for attempt in range(starts):
            corpus.copy_store(info, workdir / "data")
            bot = BotProcess("bot", env, workdir / "bot.log")
            update = api.inject_message(7, "/summary")  # waiting before the bot exists
            async with running_process(bot):
                startups.append(await wait_reply(api, update, 120) - bot.started_at)
                log(f"n={info.count} start {attempt + 1}: first reply after {startups[-1]:.2f}s")
                if attempt < starts - 1:
                    continue
                await bot.wait_for_log(r"build: \d+ built", 300)
                script = command_script(
                    searches, 50, [f"/search {q}" for q in QUERIES], first_chat=20_000
                )
                result = await paced_load(api, script, SEARCH_RATE)
                await asyncio.sleep(1.0)
                status = proc_status(bot.pid)
                spacy = maps_mention(bot.pid, "/spacy/")
    return (
        median(startups),
        status.get("VmRSS", 0) / 1024,
        status.get("VmHWM", 0) / 1024,
        float(spacy),
        *result.all,
    )


def measure(size: int, quick: bool, with_bot: bool = True) -> Scale:
    """Every figure at one archive size (without the bot process: the in-process ones only)."""
    info = corpus.ensure_store(size)
    load, shape = load_seconds(info, 1 if quick else 3)
    fts = fts_latencies(info, 3 if quick else 10)
    if not with_bot:
        return Scale(size, load, shape, math.nan, math.nan, math.nan, False, [], fts)
    startup, rss, hwm, spacy, *search = asyncio.run(
        run_bot(info, 1 if quick else 3, 30 if quick else 300)
    )
    return Scale(size, load, shape, startup, rss, hwm, bool(spacy), search, fts)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, write the "Archive scale" section."""
    args = parse_args(__doc__, argv)
    started = time.monotonic()
    sizes = (100, 1000) if args.quick else (100, 1000, 10_000)
    # --quick runs the bot process at the largest size only.
    scales = [measure(size, args.quick, not args.quick or size == sizes[-1]) for size in sizes]
    big = scales[-1]
    p99 = percentile(big.search, 99)
    rows = [
        [f"start-up to first reply, {big.size} digests", f"{big.startup:.2f} s",
         f"< {STARTUP_TARGET:.0f} s: {verdict(big.startup < STARTUP_TARGET)}"],
        ["bot resident memory (VmRSS; peak VmHWM)", f"{big.rss_mb:.0f} MB ({big.hwm_mb:.0f} MB)",
         f"< {RSS_TARGET_MB} MB: {verdict(big.hwm_mb < RSS_TARGET_MB)}"],
        ["spaCy in the bot's process", "yes" if big.spacy else "no", verdict(not big.spacy)],
        [f"/search through the bot, p99 ({len(big.search)} commands)", ms(p99),
         f"< {ms(SEARCH_TARGET)}: {verdict(p99 < SEARCH_TARGET)}"],
    ]  # fmt: skip
    curve = [
        [s.size, f"{s.load:.2f} s",
         "not run" if math.isnan(s.startup) else f"{s.startup:.2f} s",
         "not run" if math.isnan(s.rss_mb) else f"{s.rss_mb:.0f} / {s.hwm_mb:.0f} MB",
         ms(percentile(s.search, 50)), ms(percentile(s.search, 99)),
         ms(percentile(s.fts, 50)), ms(percentile(s.fts, 99))]
        for s in scales
    ]  # fmt: skip
    body = (
        f"/search at {SEARCH_RATE:.0f} commands/s; queries: {', '.join(QUERIES)} (stop words "
        "dropped, the other words stemmed; the best 10 by BM25 among the "
        f"{SEARCH_WINDOW} most recent matching passages).  The memory target is checked "
        "against the peak (VmHWM), which includes start-up.\n\n"
        + table(["measure", "value", "target"], rows)
        + "\n\nHow it grows with the archive:\n\n"
        + table(
            [
                "digests",
                "Library.load",
                "start-up → 1st reply",
                "RSS / peak",
                "/search p50",
                "/search p99",
                "FTS query p50",
                "FTS query p99",
            ],
            curve,
        )
        + "\n\nWhat the bot loads:\n\n"
        + "\n".join(f"- {s.size} digests: {s.shape}" for s in scales)
    )
    publish("Archive scale", "archive", args, body, duration=time.monotonic() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
