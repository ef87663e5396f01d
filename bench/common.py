"""Helpers shared by the benchmarks: mode, statistics, bot processes, load, and reporting.

Every benchmark is a module runnable alone (``python -m bench.latency [--quick] [--no-write]``);
``python -m bench`` runs them all.  Figures are medians of interleaved rounds, and where a target
is relative (the bot against the echo bot) the reference is measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import resource
import signal
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fakeapi import FakeBotApi

PROJECT = Path(__file__).resolve().parent.parent
WORK = PROJECT / "bench" / ".work"
TOKEN = "4242:bench-token-abcdefghijklmnopqrstuvwxyz"


def log(message: str) -> None:
    """Progress on stderr (figures go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- command line and reporting -------------------------------------------------------------


def parse_args(
    description: str | None, argv: Sequence[str] | None = None, *, postgres: bool = False
) -> argparse.Namespace:
    """``--quick`` (smaller sizes, for a run of the whole suite in under two minutes),
    ``--no-write`` (print only, leave bench/RESULTS.md alone) and, where the benchmark offers
    it, ``--postgres`` (the bot's database on a throwaway local PostgreSQL)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, same targets")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    if postgres:
        parser.add_argument(
            "--postgres", action="store_true", help="the bot's database on a local PostgreSQL"
        )
    return parser.parse_args(argv)


def mode_name(quick: bool) -> str:
    """How a section names the mode that produced its figures."""
    return "quick (`--quick`: smaller sizes)" if quick else "full"


def command(module: str, quick: bool) -> str:
    """The command line that reproduces a section."""
    return f"uv run python -m bench.{module}" + (" --quick" if quick else "")


def verdict(ok: bool) -> str:
    """Target column text."""
    return "met" if ok else "**missed**"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def publish(
    name: str, module: str, args: argparse.Namespace, body: str, *, duration: float
) -> None:
    """Print a section and (unless ``--no-write``) store it in bench/RESULTS.md."""
    from bench.results import write_section

    title = f"{name} (quick)" if args.quick else name  # both modes keep their own section
    text = f"Mode: {mode_name(args.quick)}; this benchmark took {duration:.0f} s.\n\n{body}"
    print(f"\n## {title}\n\n{text}\n", flush=True)
    if not args.no_write:
        write_section(title, command(module, args.quick), text)


# --- statistics -----------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Iterable[float]) -> float:
    """Median, NaN for no values."""
    found = list(values)
    return statistics.median(found) if found else math.nan


def ms(seconds: float) -> str:
    """Seconds as milliseconds for a table."""
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def ratio(value: float, reference: float) -> float:
    """``value / reference`` (NaN when the reference is 0 or missing)."""
    return value / reference if reference and not math.isnan(reference) else math.nan


# --- processes ------------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, … of a process, in kB (from /proc/PID/status)."""
    found: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                found[key] = int(value.split()[0])
    return found


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) used so far by process ``pid``, or by this process."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def maps_mention(pid: int, needle: str) -> bool:
    """Whether a file whose path contains ``needle`` is mapped into the process (e.g. spaCy's
    compiled modules once ``import spacy`` ran)."""
    try:
        return needle in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@dataclass
class BotProcess:
    """``python -m <module>`` as a subprocess talking to a fake Bot API, logging to a file."""

    module: str
    env: dict[str, str]
    log_path: Path
    #: Arguments after the module (``("webhook",)``).
    args: tuple[str, ...] = ()
    started_at: float = 0.0
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        """The process id (after start)."""
        assert self.process is not None
        return self.process.pid

    async def start(self) -> None:
        """Spawn the process; ``started_at`` is ``time.monotonic()`` just before."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = ["-m", self.module, *self.args]
        profiler = os.environ.get("BENCH_PROFILE")  # diagnosis: profile the bot processes
        if profiler == "cprofile":
            argv = ["-m", "cProfile", "-o", str(self.log_path.with_suffix(".pstats")), *argv]
        elif profiler:
            report = self.log_path.with_suffix(".profile.txt")
            argv = ["-m", "pyinstrument", "-r", "text", "-o", str(report), *argv]
        with self.log_path.open("wb") as out:
            self.started_at = time.monotonic()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *argv, cwd=PROJECT, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out,
            )  # fmt: skip

    def log_text(self) -> str:
        """Everything the process logged so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    async def wait_for_log(self, pattern: str, timeout: float, *, count: int = 1) -> str:  # noqa: ASYNC109
        """Wait until ``pattern`` (a regex) matched ``count`` times in the log; return the last
        match's line.

        Raises:
            TimeoutError: not seen in time, or the process exited.
        """
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = [line for line in self.log_text().splitlines() if regex.search(line)]
            if len(lines) >= count:
                return lines[count - 1]
            if self.process is not None and self.process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        raise TimeoutError(f"{self.module}: no {pattern!r} in the log:\n{self.log_text()[-3000:]}")

    async def stop(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """SIGINT (a graceful stop, like Ctrl-C), then SIGKILL after ``timeout`` seconds."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        if os.environ.get("BENCH_PROFILE"):
            timeout = max(timeout, 300.0)  # writing the profile takes a while
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            log(f"{self.module} did not stop in {timeout:.0f}s; killing it")
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


def bot_env(api: FakeBotApi, **settings: object) -> dict[str, str]:
    """Environment for ``python -m bot`` / ``python -m bench.echo_bot`` against ``api``.

    ``settings`` are Settings fields (``seeds_dir=…``) written as the variables the bot reads.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    }
    # BENCH_PYTHONPATH: extra import paths for the bots only (A/B tests of a package).
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [os.environ.get("BENCH_PYTHONPATH"), str(PROJECT)])
    )
    env["TELEGRAM_BOT_TOKEN"] = TOKEN
    env["TELEGRAM_BASE_URL"] = api.base_url
    for key, value in settings.items():
        env[key.upper()] = str(value)
    return env


@contextlib.asynccontextmanager
async def running_process(proc: BotProcess) -> AsyncIterator[BotProcess]:
    """Start ``proc`` and always stop it."""
    await proc.start()
    try:
        yield proc
    finally:
        await proc.stop()


@contextlib.asynccontextmanager
async def fake_api(*, rate_limits: bool = False) -> AsyncIterator[FakeBotApi]:
    """A fake Bot API server on 127.0.0.1 accepting the benchmarks' token."""
    from fakeapi import FakeBotApi

    async with FakeBotApi(token=TOKEN, rate_limits=rate_limits) as api:
        yield api


async def ask(api: FakeBotApi, chat_id: int, text: str, timeout: float = 30.0) -> float:  # noqa: ASYNC109
    """Send one command and wait for the first reply; returns when it arrived (monotonic)."""
    return await wait_reply(api, api.inject_message(chat_id, text), timeout)


async def wait_reply(api: FakeBotApi, update_id: int, timeout: float = 30.0) -> float:  # noqa: ASYNC109
    """Wait for the first reply to ``update_id``; returns when it arrived (monotonic)."""
    if not await wait_until(lambda: update_id in api.first_reply_at, timeout, interval=0.002):
        raise TimeoutError(f"no reply to update {update_id} in {timeout:.0f}s\n{api.summary()}")
    return api.first_reply_at[update_id]


async def wait_until(
    condition: Callable[[], bool],
    timeout: float,  # noqa: ASYNC109
    interval: float = 0.01,
) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds passed (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(interval)
    return True


# --- load -----------------------------------------------------------------------------------

Script = Sequence[tuple[int, str]]


def command_script(count: int, chats: int, commands: Sequence[str], *, first_chat: int) -> Script:
    """``count`` (chat, command) pairs, chats round-robin, commands cycling through the mix."""
    return [(first_chat + i % chats, commands[i % len(commands)]) for i in range(count)]


@dataclass(frozen=True, slots=True)
class Sample:
    """One command: when it became available to the bot, and its reply latency (None: none)."""

    at: float
    command: str
    latency: float | None


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The commands of one paced load and their reply latencies (seconds)."""

    samples: list[Sample]

    @property
    def all(self) -> list[float]:
        """Every latency, whatever the command."""
        return [s.latency for s in self.samples if s.latency is not None]

    @property
    def unanswered(self) -> int:
        """Commands without a reply."""
        return sum(1 for s in self.samples if s.latency is None)

    @property
    def latencies(self) -> dict[str, list[float]]:
        """Latencies by command text."""
        found: dict[str, list[float]] = {}
        for sample in self.samples:
            if sample.latency is not None:
                found.setdefault(sample.command, []).append(sample.latency)
        return found

    def between(self, start: float, end: float) -> LoadResult:
        """The commands that became available in ``[start, end]`` (monotonic times)."""
        return LoadResult([s for s in self.samples if start <= s.at <= end])


async def paced_load(
    api: FakeBotApi,
    script: Script,
    rate: float,
    *,
    timeout: float = 30.0,  # noqa: ASYNC109
    stop: Callable[[], bool] | None = None,
) -> LoadResult:
    """Inject ``script`` at ``rate`` commands per second (evenly spaced: an open loop, so a slow
    reply never delays the next command) and collect each reply's latency as the server saw it:
    from the update being available to getUpdates to the first reply arriving.

    ``stop`` ends the injection early when it returns True.
    """
    sent: list[tuple[int, str]] = []
    start = time.monotonic()
    for index, (chat, text) in enumerate(script):
        if stop is not None and stop():
            break
        delay = start + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent.append((api.inject_message(chat, text), text))
    await wait_until(lambda: all(u in api.first_reply_at for u, _ in sent), timeout)
    return LoadResult(
        [Sample(api.update_available_at[u], text, api.reply_latency(u)) for u, text in sent]
    )


def summarize_rounds(rounds: Mapping[str, list[LoadResult]]) -> dict[str, tuple[float, float]]:
    """Per contender: (median of the rounds' p50, median of the rounds' p99)."""
    return {
        name: (
            median(percentile(r.all, 50) for r in results),
            median(percentile(r.all, 99) for r in results),
        )
        for name, results in rounds.items()
    }


# --- the bot and its reference, side by side -------------------------------------------------


@dataclass
class Contenders:
    """The real bot and the echo bot, each polling its own fake Bot API server."""

    apis: dict[str, FakeBotApi]
    processes: dict[str, BotProcess]
    workdir: Path


@contextlib.asynccontextmanager
async def echo_and_bot(
    name: str, *, archive: int, bot_settings: Mapping[str, object] | None = None, **shared: object
) -> AsyncIterator[Contenders]:
    """Start ``bench.echo_bot`` and ``bot`` (answering from a private copy of the
    ``archive``-article store) and wait until both answer and the bot's start-up build is done.

    ``shared`` settings go to both bots (e.g. ``rate_limit_overall=0``), ``bot_settings`` to the
    real bot only.  Logs are in ``bench/.work/run/<name>/``.
    """
    from bench import corpus

    info = corpus.ensure_store(archive)
    workdir = WORK / "run" / name
    seeds = corpus.copy_seeds(info, workdir / "seeds")
    corpus.copy_store(info, workdir / "data")
    settings = {"seeds_dir": seeds, "data_dir": workdir / "data", "seed_poll_seconds": 5}
    settings.update(bot_settings or {})
    async with fake_api() as echo_api, fake_api() as bot_api:
        echo = BotProcess("bench.echo_bot", bot_env(echo_api, **shared), workdir / "echo.log")
        bot = BotProcess("bot", bot_env(bot_api, **shared, **settings), workdir / "bot.log")
        async with running_process(echo), running_process(bot):
            await asyncio.gather(ask(echo_api, 1, "/help", 90), ask(bot_api, 1, "/help", 90))
            await bot.wait_for_log(r"build: \d+ built", 120)
            yield Contenders(
                {"echo": echo_api, "bot": bot_api}, {"echo": echo, "bot": bot}, workdir
            )


def interleaved(rounds: int) -> list[list[str]]:
    """The order of the contenders in each round: alternating, so drift hits both alike."""
    return [["echo", "bot"] if index % 2 == 0 else ["bot", "echo"] for index in range(rounds)]
