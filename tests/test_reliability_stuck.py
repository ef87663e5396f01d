"""Issue 11, finding 5: nothing a seed or a worker does can hang the bot.

A seed swapped for a FIFO between the scan and the read (a plain ``open()`` of a FIFO with no
writer blocks forever), devices and sockets; a digest worker that stops answering (``SIGSTOP``:
whatever it was doing, it never finishes), in the engine and in ``python -m bot`` as a real
process, which must still answer ``/reload`` and end within 10 s of ``SIGTERM``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ADMIN, BotProcess, ask

from briefings import pipeline
from briefings.ingest.read import IngestError, read_article
from briefings.pipeline import build, digest_seed, make_pool, scan_seeds
from briefings.store.digests import DigestStore
from fakeapi import FakeBotApi

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)"),
]


def within(seconds: float, call: Callable[[], Any]) -> Any:
    """``call()`` in a daemon thread; fails the test (instead of hanging it) past ``seconds``."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise AssertionError(f"still blocked after {seconds}s")
    if "error" in box:
        raise box["error"]
    return box["value"]


@contextlib.contextmanager
def release_fifo(path: Path) -> Iterator[None]:
    """After the test, open the FIFO for writing once: a reader blocked on it (old code) ends."""
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def children(pid: int, marker: str = "spawn_main") -> list[int]:
    """Processes whose parent is ``pid`` and whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and marker in cmdline and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for its parent)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signum)


# --- the read: never blocks ----------------------------------------------------------------------


async def freeze_a_build(bot: BotProcess, api: FakeBotApi, workdir: Path, name: str) -> list[int]:
    """Freeze the bot's digest workers (SIGSTOP), then give it a new seed: the next build waits
    for a worker that never answers.  Returns the frozen workers' pids (kill them after)."""
    await api.wait_for_requests("setMyCommands", timeout=60)
    workers: list[int] = []
    for _ in range(180):  # the pool starts with the first fingerprint poll
        if workers := children(bot.pid):
            break
        await asyncio.sleep(0.5)
    assert workers, "the digest pool never started"
    signal_all(workers, signal.SIGSTOP)
    first = sorted((workdir / "seeds").glob("*.txt"))[0]
    (workdir / "seeds" / name).write_text(first.read_text() + "\nMore talks.\n")
    await asyncio.sleep(4)  # polls notice it; the build hands it to the frozen worker
    return workers


def test_a_seed_swapped_for_a_fifo_after_the_scan_is_reported_not_waited_for(
    tmp_path: Path,
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    article = seeds / "swapped.txt"
    article.write_text("The leaders met in Dushanbe on Friday. They signed a treaty.\n")
    [seed] = scan_seeds(seeds)
    article.unlink()
    os.mkfifo(article)  # what a plain open() would now wait on forever
    with release_fifo(article):
        outcome = within(5, lambda: digest_seed(seed))
        assert outcome.digest is None and "named pipe" in (outcome.error or "")
        with pytest.raises(IngestError, match="named pipe"):
            within(5, lambda: read_article(article))
    assert scan_seeds(seeds) == []  # and the scan itself lists only regular files


def test_devices_and_sockets_are_refused_unread(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="character device"):
        within(5, lambda: read_article(Path("/dev/zero"), name="zero.txt"))
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.txt"))
    try:
        with pytest.raises(IngestError):
            within(5, lambda: read_article(tmp_path / "sock.txt"))
    finally:
        server.close()


# --- a stuck worker: the build's deadline -------------------------------------------------------


def test_a_stuck_worker_is_replaced_after_the_file_deadline_and_the_build_goes_on(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    monkeypatch.setattr(pipeline, "FILE_DEADLINE_SECONDS", 4.0, raising=False)
    pool = make_pool(1)
    try:
        assert pool.submit(os.getpid).result(timeout=120) != os.getpid()  # worker up, model in
        workers = children(os.getpid())
        assert workers
        signal_all(workers, signal.SIGSTOP)  # from now on it never answers
        store = DigestStore(tmp_path / "digests.sqlite3")
        started = time.monotonic()
        report = within(90, lambda: build(seeds, store, executor=pool))
        elapsed = time.monotonic() - started
        store.close()
    finally:
        signal_all(children(os.getpid()), signal.SIGKILL)
        pool.shutdown(wait=False, cancel_futures=True)
    names = sorted(p.name for p in seeds.iterdir())
    [stuck] = report.errors
    assert stuck.file == names[0] and "longer than 4 s" in stuck.error
    assert report.built == names[1:]  # the rest went on in a new pool
    assert not [pid for pid in workers if alive(pid)]
    print(f"\n[reliability] stuck worker: file reported after 4 s deadline, build done in "
          f"{elapsed:.1f}s with a new worker")  # fmt: skip


# --- the bot: /reload answers, SIGTERM ends it within 10 s --------------------------------------


@pytest.mark.e2e
async def test_the_bot_with_a_stuck_worker_answers_reload_and_ends_on_sigterm(
    workdir: Path, api: FakeBotApi
) -> None:
    bot = BotProcess(workdir, api, name="stuck", env={"BUILD_FILE_TIMEOUT_SECONDS": "4"})
    workers: list[int] = []
    try:
        await api.wait_for_requests("setMyCommands", timeout=60)
        for _ in range(180):  # the pool starts with the first fingerprint poll
            if workers := children(bot.pid):
                break
            await asyncio.sleep(0.5)
        assert workers, "the digest pool never started"
        await asyncio.sleep(2)
        signal_all(workers, signal.SIGSTOP)
        new_seed = workdir / "seeds" / "010_new.txt"
        first = sorted((workdir / "seeds").glob("*.txt"))[0]
        new_seed.write_text(first.read_text() + "\nThe leaders met again on Friday.\n")

        started = time.monotonic()
        replies = await ask(api, ADMIN, "/reload")
        reload_time = time.monotonic() - started
        assert any("Reloaded" in (r.text or "") for r in replies), replies
        status = " ".join(r.text or "" for r in await ask(api, ADMIN, "/status"))
        assert "010_new.txt" in status and "longer than 4 s" in status, status

        signal_all(children(bot.pid), signal.SIGSTOP)  # whatever runs now is stuck too
        started = time.monotonic()
        bot.signal(signal.SIGTERM)
        code = await bot.wait(15)
        stop_time = time.monotonic() - started
    finally:
        await bot.stop()
        signal_all(workers, signal.SIGKILL)
    output = bot.output()
    assert code == 0, output[-3000:]
    assert stop_time < 10
    assert not [pid for pid in workers if alive(pid)]
    print(f"\n[reliability] stuck workers: /reload answered in {reload_time:.1f}s, "
          f"SIGTERM exit in {stop_time:.1f}s")  # fmt: skip


@pytest.mark.e2e
async def test_sigterm_ends_the_bot_within_10s_while_a_build_waits_for_a_stuck_worker(
    workdir: Path, api: FakeBotApi
) -> None:
    """The default deadline (120 s) has not passed: the build still waits for the worker."""
    bot = BotProcess(workdir, api, name="stuck-term")
    workers: list[int] = []
    try:
        workers = await freeze_a_build(bot, api, workdir, "011_new.txt")
        started = time.monotonic()
        bot.signal(signal.SIGTERM)
        code = await bot.wait(15)
        stop_time = time.monotonic() - started
    finally:
        await bot.stop()
        signal_all(workers, signal.SIGKILL)
    assert code == 0, bot.output()[-3000:]
    assert stop_time < 10
    assert not [pid for pid in workers if alive(pid)]
    print(f"\n[reliability] SIGTERM during a build stuck on a worker: exit in {stop_time:.1f}s")
