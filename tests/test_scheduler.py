"""The scheduler: settled seeds become one announcement, daily schedules are database rows."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import telegram
from telegram.ext import Application, ApplicationBuilder

from bot.config import Settings
from bot.delivery import scheduler as scheduler_module
from bot.delivery.db import StorageError
from bot.delivery.election import SenderLease
from bot.delivery.scheduler import ANNOUNCED_STATE_KEY, BriefingScheduler, SeedWatcher
from bot.delivery.sender import Sender
from bot.delivery.subscriptions import Subscription, SubscriptionStore
from briefings import pipeline
from briefings.library import Library
from briefings.models import ArticleMeta, Digest, Entities
from briefings.pipeline import Outcome, SeedFile, scan_fingerprint
from fakeapi import FakeBotApi

pytestmark = pytest.mark.timeout(60)

TOKEN = "123456:TEST-TOKEN"
PROJECT = Path(__file__).resolve().parent.parent


def fake_digest_seed(seed: SeedFile, stored_hash: str | None = None) -> Outcome:
    """Stands in for the NLP digest, so these tests need neither spaCy nor a process pool."""
    data = seed.path.read_bytes()
    content_hash = hashlib.sha256(data).hexdigest()
    if stored_hash == content_hash:
        return Outcome(seed.name, seed.size, seed.mtime_ns, content_hash, unchanged=True)
    digest = Digest(
        article_id=content_hash[:16],
        file=seed.name,
        content_hash=content_hash,
        meta=ArticleMeta(title=seed.name),
        summary=(),
        quotes=(),
        timeline=(),
        unresolved_dates=(),
        entities=Entities(),
        paragraphs=(data.decode(),),
    )
    return Outcome(seed.name, seed.size, seed.mtime_ns, content_hash, digest=digest)


class RecordingSender(Sender):
    """A sender that only counts wake-ups (nothing is sent in these tests)."""

    def __init__(self, store: SubscriptionStore, lease: SenderLease | None = None) -> None:
        super().__init__(telegram.Bot(TOKEN), store, lease=lease)
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


class Renders:
    """Stub renderers that record their calls."""

    def __init__(self) -> None:
        self.new_calls: list[list[str]] = []
        self.daily_calls: list[Subscription] = []
        self.libraries: list[Library] = []

    def new_articles(self, library: Library, files: Sequence[str]) -> list[str]:
        self.new_calls.append(list(files))
        return [f"<b>New:</b> {', '.join(files)}", f"{len(library.articles)} articles in total"]

    def daily(self, library: Library, sub: Subscription) -> list[str]:
        self.daily_calls.append(sub)
        return [f"Daily for {sub.chat_id}"]

    def on_library(self, library: Library) -> None:
        self.libraries.append(library)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.txt").write_text("Leaders met in Dushanbe.\n")
    (folder / "b.md").write_text("# Summit\n\nThe summit ended.\n")
    return folder


@pytest.fixture
def settings(tmp_path: Path, seeds: Path) -> Settings:
    return Settings(seeds_dir=seeds, data_dir=tmp_path / "data", seed_poll_seconds=30)


@pytest.fixture
async def store() -> AsyncIterator[SubscriptionStore]:
    store = await SubscriptionStore.open("sqlite:///:memory:")
    yield store
    await store.close()


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadPoolExecutor]:
    monkeypatch.setattr(pipeline, "digest_seed", fake_digest_seed)
    with ThreadPoolExecutor(2) as executor:
        yield executor


@pytest.fixture
def renders() -> Renders:
    return Renders()


@pytest.fixture
async def scheduler(
    settings: Settings, store: SubscriptionStore, threads: ThreadPoolExecutor, renders: Renders
) -> AsyncIterator[BriefingScheduler]:
    scheduler = BriefingScheduler(
        settings=settings,
        subscriptions=store,
        sender=RecordingSender(store),
        render_new_articles=renders.new_articles,
        render_daily=renders.daily,
        on_library=renders.on_library,
        executor=threads,
    )
    yield scheduler
    await scheduler.stop()


def sender_of(scheduler: BriefingScheduler) -> RecordingSender:
    sender = scheduler._sender
    assert isinstance(sender, RecordingSender)
    return sender


def names(files: list[SeedFile]) -> list[str]:
    return [f.name for f in files]


# --- the watcher -------------------------------------------------------------------------------


@pytest.mark.parametrize("fingerprinted", [False, True], ids=["scan", "fingerprint"])
def test_watcher_reports_a_file_only_once_it_stopped_changing(
    seeds: Path, fingerprinted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with the folder's fingerprint taken elsewhere first (what the bot does once
    its process pool runs): skipping unchanged scans must not change what is reported."""
    scans = 0
    real_scan = scheduler_module.scan_seeds

    def counting_scan(folder: Path) -> list[SeedFile]:
        nonlocal scans
        scans += 1
        return real_scan(folder)

    monkeypatch.setattr(scheduler_module, "scan_seeds", counting_scan)
    watcher = SeedWatcher(seeds)
    real_poll = watcher.poll

    def poll() -> list[SeedFile]:
        return real_poll(scan_fingerprint(seeds) if fingerprinted else None)

    watcher.poll = poll  # type: ignore[method-assign]
    assert watcher.poll() == []  # baseline
    assert watcher.settling
    assert names(watcher.poll()) == ["a.txt", "b.md"]
    assert watcher.poll() == [] and not watcher.settling
    before = scans
    assert watcher.poll() == [] and watcher.removed == []
    assert scans == before + (0 if fingerprinted else 1)  # nothing changed: no scan here

    growing = seeds / "c.txt"
    growing.write_text("first half")
    assert watcher.poll() == []
    with growing.open("a") as handle:
        handle.write(" and the second half")
    assert watcher.poll() == []  # still growing: not ready
    assert watcher.settling
    assert names(watcher.poll()) == ["c.txt"]

    os.utime(seeds / "a.txt", ns=(1, 1))  # touched: reported again once stable
    assert watcher.poll() == []
    assert names(watcher.poll()) == ["a.txt"]

    (seeds / "b.md").unlink()
    assert watcher.poll() == [] and watcher.removed == ["b.md"]
    assert watcher.poll() == [] and watcher.removed == []


# --- new articles ------------------------------------------------------------------------------


async def test_first_build_records_the_archive_without_announcing(
    scheduler: BriefingScheduler, store: SubscriptionStore, renders: Renders
) -> None:
    await store.subscribe_new(1)
    assert await scheduler.check_seeds() is None  # baseline poll
    report = await scheduler.check_seeds()
    assert report is not None and sorted(report.built) == ["a.txt", "b.md"]
    assert (await store.stats())["briefings"] == 0
    assert renders.new_calls == []
    assert json.loads(await store.get_state(ANNOUNCED_STATE_KEY) or "") == ["a.txt", "b.md"]
    assert [d.file for d in renders.libraries[-1].articles] == ["a.txt", "b.md"]
    assert sender_of(scheduler).wakes == 0


async def test_the_first_article_of_an_empty_folder_is_announced(
    scheduler: BriefingScheduler, store: SubscriptionStore, renders: Renders, seeds: Path
) -> None:
    (seeds / "a.txt").unlink()
    (seeds / "b.md").unlink()
    await store.subscribe_new(1)
    assert await scheduler.check_seeds() is None  # baseline
    report = await scheduler.check_seeds()  # nothing changed, but the first build is owed
    assert report is not None and report.built == []
    assert await store.get_state(ANNOUNCED_STATE_KEY) == "[]"
    assert await scheduler.check_seeds() is None

    (seeds / "first.txt").write_text("The very first article.\n")
    await scheduler.check_seeds()
    await scheduler.check_seeds()
    assert renders.new_calls == [["first.txt"]]


async def test_a_new_seed_is_announced_once_to_new_subscribers(
    scheduler: BriefingScheduler, store: SubscriptionStore, renders: Renders, seeds: Path
) -> None:
    await scheduler.check_seeds()
    await scheduler.check_seeds()  # first build: snapshot only
    await store.subscribe_new(1)
    await store.subscribe_new(-200)
    await store.subscribe_daily(3, datetime.time(8), "UTC")  # daily only: not announced to

    (seeds / "c.txt").write_text("A new article about the summit.\n")
    assert await scheduler.check_seeds() is None  # not settled yet
    report = await scheduler.check_seeds()

    assert report is not None and report.built == ["c.txt"]
    assert renders.new_calls == [["c.txt"]]
    pending = await store.pending_deliveries()
    assert [(d.chat_id, d.part) for d in pending] == [(-200, 0), (-200, 1), (1, 0), (1, 1)]
    assert pending[0].text == "<b>New:</b> c.txt"
    assert sender_of(scheduler).wakes == 1

    assert await scheduler.check_seeds() is None
    again = await scheduler.reload()
    assert again.built == [] and again.unchanged == 3
    assert (await store.stats())["briefings"] == 1
    assert renders.new_calls == [["c.txt"]]
    assert sender_of(scheduler).wakes == 1


async def test_reload_does_not_wait_for_settling(
    scheduler: BriefingScheduler, store: SubscriptionStore, renders: Renders, seeds: Path
) -> None:
    await scheduler.reload()  # first build
    await store.subscribe_new(1)
    (seeds / "fresh.txt").write_text("Just written.\n")
    report = await scheduler.reload()
    assert report.built == ["fresh.txt"]
    assert renders.new_calls == [["fresh.txt"]]
    # The watcher took the forced build into account: no second build for the same file.
    assert await scheduler.check_seeds() is None
    assert await scheduler.check_seeds() is None


async def test_an_interrupted_announcement_is_made_later(
    settings: Settings,
    store: SubscriptionStore,
    threads: ThreadPoolExecutor,
    renders: Renders,
    seeds: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def make() -> BriefingScheduler:
        return BriefingScheduler(
            settings=settings,
            subscriptions=store,
            sender=RecordingSender(store),
            render_new_articles=renders.new_articles,
            render_daily=None,
            on_library=renders.on_library,
            executor=threads,
        )

    first = make()
    await first.reload()
    await store.subscribe_new(1)
    (seeds / "late.txt").write_text("Built, but the announcement failed.\n")

    real_create = store.create_briefing

    async def locked(*args: Any, **kwargs: Any) -> int | None:
        raise StorageError("cannot create briefing: database is locked")

    monkeypatch.setattr(store, "create_briefing", locked)
    with pytest.raises(StorageError):
        await first.reload()
    monkeypatch.setattr(store, "create_briefing", real_create)

    # Nothing changes on disk, and the process restarts: the digest is already stored, so the
    # build reports nothing new, yet the article still gets announced, exactly once.
    second = make()
    report = await second.reload()
    assert report.built == []
    assert renders.new_calls[-1] == ["late.txt"]
    assert [d.chat_id for d in await store.pending_deliveries()] == [1, 1]
    await second.reload()
    assert (await store.stats())["briefings"] == 1

    # The same retry also happens within one process, on the next poll.
    monkeypatch.setattr(store, "create_briefing", locked)
    (seeds / "later.txt").write_text("Another one.\n")
    with pytest.raises(StorageError):
        await second.reload()
    monkeypatch.setattr(store, "create_briefing", real_create)
    assert await second.check_seeds() is None
    assert renders.new_calls[-1] == ["later.txt"]
    assert (await store.stats())["briefings"] == 2


async def test_a_failed_build_is_tried_again_at_the_next_poll(
    scheduler: BriefingScheduler, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_build = pipeline.build
    calls = 0

    def failing_once(*args: Any, **kwargs: Any) -> pipeline.BuildReport:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("disk full")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build", failing_once)
    assert await scheduler.check_seeds() is None
    with pytest.raises(OSError, match="disk full"):
        await scheduler.check_seeds()
    report = await scheduler.check_seeds()  # no file changed since, but the build is owed
    assert report is not None and sorted(report.built) == ["a.txt", "b.md"]
    assert await scheduler.check_seeds() is None


# --- daily briefings ---------------------------------------------------------------------------


def offline_application() -> Application[Any, Any, Any, Any, Any, Any]:
    return ApplicationBuilder().token(TOKEN).base_url("http://127.0.0.1:9/bot").build()


async def test_the_daily_job_is_one_repeating_job_not_one_per_chat(
    scheduler: BriefingScheduler, store: SubscriptionStore
) -> None:
    await store.subscribe_daily(10, datetime.time(8, 30), "Asia/Tokyo")
    await store.subscribe_daily(-11, datetime.time(7, 0), "Europe/Paris")
    app = offline_application()
    assert app.job_queue is not None

    await scheduler.start(app)

    assert sorted(str(job.name) for job in app.job_queue.jobs()) == ["daily:due", "seeds:poll"]


async def test_due_daily_rows_create_one_briefing_per_local_day(
    scheduler: BriefingScheduler, store: SubscriptionStore, renders: Renders
) -> None:
    await scheduler.reload()
    await store.subscribe_daily(10, datetime.time(23, 59), "Asia/Tokyo")
    tokyo = ZoneInfo("Asia/Tokyo")
    due = await store.next_daily_run(10)
    assert due is not None and (due.hour, due.minute) == (23, 59)
    assert due.tzinfo is not None and due.utcoffset() == datetime.timedelta(hours=9)

    assert await scheduler.run_due_dailies(due.timestamp() - 1) == 0  # not due yet
    assert await scheduler.run_due_dailies(due.timestamp() + 240) == 1  # 4 minutes late
    assert [(d.chat_id, d.text) for d in await store.pending_deliveries()] == [
        (10, "Daily for 10")
    ]
    assert renders.daily_calls == [Subscription(10, "daily", datetime.time(23, 59), "Asia/Tokyo")]
    # The row moved on to the next day: another look the same day creates nothing.
    assert await scheduler.run_due_dailies(due.timestamp() + 300) == 0
    following = await store.next_daily_run(10)
    assert following is not None and following.astimezone(tokyo).date() == (
        due.date() + datetime.timedelta(days=1)
    )
    assert (await store.stats())["briefings"] == 1
    assert sender_of(scheduler).wakes == 1

    # Missed by more than the grace (the bot was down): skipped, not sent hours late.
    late = following.timestamp() + scheduler_module.DAILY_MISFIRE_GRACE + 60
    assert await scheduler.run_due_dailies(late) == 0
    assert (await store.stats())["briefings"] == 1
    after_late = await store.next_daily_run(10)
    assert after_late is not None and after_late.timestamp() > late

    # A chat that unsubscribed since has no row: nothing is due for it.
    await store.unsubscribe(10)
    assert await store.next_daily_run(10) is None
    assert await scheduler.run_due_dailies(after_late.timestamp() + 1) == 0

    # The key is the local date of the run: a run late past midnight still counts for its day.
    await store.subscribe_daily(10, datetime.time(23, 59), "Asia/Tokyo")
    late_run = datetime.datetime(2030, 5, 2, 0, 3, tzinfo=tokyo)  # the 1 May run, 4 min late
    assert await scheduler.daily_briefing(10, now=late_run) is not None
    on_time = datetime.datetime(2030, 5, 1, 23, 59, tzinfo=tokyo)
    assert await scheduler.daily_briefing(10, now=on_time) is None
    next_day = datetime.datetime(2030, 5, 2, 23, 59, 1, tzinfo=tokyo)
    assert await scheduler.daily_briefing(10, now=next_day) is not None


async def test_only_the_elected_sender_runs_the_daily_schedules(
    settings: Settings, store: SubscriptionStore, threads: ThreadPoolExecutor, renders: Renders
) -> None:
    lease = SenderLease(store, holder="this process", handover_gap=0.0)
    scheduler = BriefingScheduler(
        settings=settings,
        subscriptions=store,
        sender=RecordingSender(store, lease),
        render_new_articles=renders.new_articles,
        render_daily=renders.daily,
        on_library=renders.on_library,
        executor=threads,
    )
    try:
        await scheduler.reload()
        await store.subscribe_daily(10, datetime.time(8, 0), "UTC")
        scheduled = await store.next_daily_run(10)
        assert scheduled is not None
        assert await store.advance_daily(10, scheduled.timestamp(), store.now() - 60)  # due
        app = offline_application()
        await scheduler.start(app)
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name("daily:due")

        assert await SenderLease(store, holder="another process").try_acquire()
        await job.run(app)  # another process sends: this one leaves the schedules alone
        assert (await store.stats())["briefings"] == 0 and renders.daily_calls == []

        await store.database.run(  # the other process stopped and gave the lease up
            lambda: store.database.execute("UPDATE leases SET expires_at = 0"), "release"
        )
        assert await lease.try_acquire()
        await job.run(app)
        assert (await store.stats())["briefings"] == 1
        assert [d.text for d in await store.pending_deliveries()] == ["Daily for 10"]
    finally:
        await scheduler.stop()


async def test_poll_job_announces_a_new_seed_through_the_application(
    tmp_path: Path,
    seeds: Path,
    store: SubscriptionStore,
    threads: ThreadPoolExecutor,
    renders: Renders,
) -> None:
    settings = Settings(seeds_dir=seeds, data_dir=tmp_path / "data", seed_poll_seconds=0.2)
    async with FakeBotApi(token=TOKEN) as api:
        app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()
        sender = Sender(app.bot, store)
        scheduler = BriefingScheduler(
            settings=settings,
            subscriptions=store,
            sender=sender,
            render_new_articles=renders.new_articles,
            render_daily=renders.daily,
            on_library=renders.on_library,
            executor=threads,
        )
        await store.subscribe_new(77)
        async with app:
            await app.start()
            sending = asyncio.create_task(sender.run_forever(interval=0.1))
            try:
                await scheduler.start(app)
                async with asyncio.timeout(10):
                    # The first build ends by recording the snapshot: poll the database for it.
                    while await store.get_state(ANNOUNCED_STATE_KEY) is None:  # noqa: ASYNC110
                        await asyncio.sleep(0.05)
                assert api.sent == []  # the existing archive is not announced

                (seeds / "breaking.txt").write_text("Leaders agreed on a new treaty.\n")
                [message] = await api.wait_for_messages(chat_id=77, timeout=10)
                assert message.text == "New: breaking.txt"
                await api.wait_for_messages(chat_id=77, count=2, timeout=5)
            finally:
                sending.cancel()
                await asyncio.gather(sending, return_exceptions=True)
                await scheduler.stop()
                await app.stop()
        assert len(api.messages_to(77)) == 2


@pytest.mark.timeout(120)  # spawns a worker that loads the spaCy model
def test_the_build_runs_in_a_process_pool_and_the_bot_never_imports_spacy(
    tmp_path: Path,
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT / "seeds", seeds)
    script = textwrap.dedent(
        """
        import asyncio, json, sys
        from pathlib import Path

        import telegram
        from briefings import pipeline
        from bot.config import Settings
        from bot.delivery.scheduler import BriefingScheduler
        from bot.delivery.sender import Sender
        from bot.delivery.subscriptions import SubscriptionStore

        pools = []
        make_pool = pipeline.make_pool

        def recording_make_pool(workers=None):
            pool = make_pool(workers)
            pools.append(type(pool).__name__)
            return pool

        pipeline.make_pool = recording_make_pool

        async def main(seeds, data):
            store = await SubscriptionStore.open("sqlite:///:memory:")
            libraries = []
            scheduler = BriefingScheduler(
                settings=Settings(seeds_dir=Path(seeds), data_dir=Path(data)),
                subscriptions=store,
                sender=Sender(telegram.Bot("1:A"), store),
                render_new_articles=lambda library, files: [],
                render_daily=None,
                on_library=libraries.append,
                build_workers=1,
            )
            try:
                report = await scheduler.reload()
            finally:
                await scheduler.stop()
                await store.close()
            print(json.dumps({
                "built": sorted(report.built),
                "errors": [e.error for e in report.errors],
                "digests": len(libraries[-1].articles),
                "pools": pools,
                "spacy": sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "thinc")),
            }))

        if __name__ == "__main__":
            asyncio.run(main(sys.argv[1], sys.argv[2]))
        """
    )
    (tmp_path / "check_pool.py").write_text(script)
    env = {k: v for k, v in os.environ.items() if k not in ("SEEDS_DIR", "DATA_DIR")}
    env["PYTHONPATH"] = str(PROJECT)
    done = subprocess.run(
        [sys.executable, str(tmp_path / "check_pool.py"), str(seeds), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=110,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["built"] == sorted(p.name for p in seeds.iterdir())
    assert result["digests"] == len(result["built"])
    assert result["pools"] == ["DigestPool"]  # a ProcessPoolExecutor that can end its workers
    assert result["spacy"] == []
