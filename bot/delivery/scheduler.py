"""Notice new seed articles and daily times, and hand the resulting briefings to the sender.

Two kinds of briefing come from here:

* **New articles.**  A repeating job polls the seeds folder.  When files changed and have stopped
  changing, the digests are rebuilt *off the event loop*: the build runs in a worker thread and
  the NLP work in a process pool (``briefings.pipeline.make_pool``), so the bot process never
  imports spaCy and keeps answering while a build runs.  Articles that were never announced are
  then announced once to every "new" subscriber.
* **Daily briefings.**  Each chat's schedule is a database row with its next due time
  (computed in the chat's time zone, :mod:`bot.delivery.daily`); a repeating job in the elected
  sender (:mod:`bot.delivery.election`) creates the due briefings and advances the rows, so with
  several processes each daily briefing is made by one of them, and a schedule changed in any
  process is seen by all.

Exactly once: each briefing has a unique key ("new:<hash of the batch>",
"daily:<chat>:<local date>") in the ledger, so a double run, a race or a restart never creates it
twice; the sender then delivers each message once.  Which articles were already announced is
persisted too, so the first start-up does not announce the whole archive, and an announcement
interrupted by a crash is made on the next run instead of being lost.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import logging
import math
import os
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, JobQueue

from bot import corrections
from bot.config import Settings
from bot.delivery.daily import next_occurrence
from bot.delivery.db import StorageError
from bot.delivery.sender import Sender
from bot.delivery.subscriptions import Subscription, SubscriptionStore, time_zone
from bot.render import render
from briefings import build_queue, pipeline
from briefings.library import Library
from briefings.models import BuildError, Digest
from briefings.pipeline import BuildReport, SeedFile, scan_seeds, seeds_fingerprint
from briefings.store import DigestStore, open_store
from briefings.store_health import StoreDamage, damage_reason, recover, settable_aside

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyContext = CallbackContext[Any, Any, Any, Any]

#: ``get_state`` key of the JSON list of seed files already announced to subscribers.
ANNOUNCED_STATE_KEY = "seeds.announced"
POLL_JOB_NAME = "seeds:poll"
SETTLE_JOB_NAME = "seeds:settle"
DAILY_JOB_NAME = "daily:due"
#: Seconds between two looks at the daily schedules (by the elected sender): a daily briefing
#: is created at most this late.
DAILY_CHECK_SECONDS = 10.0
#: Seconds between the two looks at a changed file when the poll interval is longer: a new
#: article is built a couple of seconds after it was written, not one or two poll intervals.
SETTLE_SECONDS = 2.0
#: A daily job that could not run on time (event loop busy, clock jump) still runs this late.
DAILY_MISFIRE_GRACE = 3600
#: At stop, digest workers get this long to finish their file before they are ended.
STOP_GRACE_SECONDS = 2.0
#: A pool that cannot list the seeds folder in this long is busy or stuck: scan here instead
#: (a stuck worker is ended by the next build's deadline).
FINGERPRINT_TIMEOUT_SECONDS = 5.0

Stat = tuple[int, int]


class _SkippedPollFilter(logging.Filter):
    """Drop APScheduler's "skipped: maximum number of running instances reached" for the seed
    poll.  A build longer than the poll interval is normal (a large batch of new articles); the
    poll still running is that build, and the next poll after it picks up whatever changed
    meanwhile, so nothing is lost.  Logged every poll, it buried the log during long builds.
    Other jobs' skips are kept: for them it may mean something is stuck.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if "maximum number of running instances" not in str(record.msg):
            return True
        job = record.args[0] if isinstance(record.args, tuple) and record.args else None
        return getattr(job, "name", None) not in (POLL_JOB_NAME, SETTLE_JOB_NAME)


_SKIPPED_POLL_FILTER = _SkippedPollFilter()


class SeedWatcher:
    """Notices new/changed seed files; a file is 'ready' only when its size and mtime were the
    same on two consecutive polls (still being written otherwise).

    Why: an article being copied or downloaded into the folder would otherwise be digested (and
    announced) half-written.
    """

    def __init__(self, seeds_dir: Path) -> None:
        """Watch ``seeds_dir`` (nothing is read until the first :meth:`poll`)."""
        self.seeds_dir = seeds_dir
        self._previous: dict[str, Stat] | None = None
        self._reported: dict[str, Stat] = {}
        #: Files reported earlier that were gone at the last poll.
        self.removed: list[str] = []
        #: Fingerprint of the last scan, and whether every file in it was reported.
        self._fingerprint: str | None = None
        self._settled = False

    def poll(self, fingerprint: str | None = None) -> list[SeedFile]:
        """Files that changed since they were last reported AND are stable now.

        The first poll only takes a baseline, so it returns nothing.  Synchronous and cheap:
        one directory scan, no file is opened.  ``fingerprint``: the folder's
        :func:`~briefings.pipeline.scan_fingerprint`, taken by another process just before;
        when it matches the last scan and nothing was left settling, there is nothing to
        report and the scan is skipped (10,000 seeds take 0.1 s of this process's GIL).
        """
        if fingerprint is not None and fingerprint == self._fingerprint and self._settled:
            self.removed = []
            return []
        seeds = scan_seeds(self.seeds_dir)
        current = {s.name: (s.size, s.mtime_ns) for s in seeds}
        previous = self._previous or {}
        ready = [
            s
            for s in seeds
            if previous.get(s.name) == current[s.name]
            and self._reported.get(s.name) != current[s.name]
        ]
        for seed in ready:
            self._reported[seed.name] = current[seed.name]
        self.removed = sorted(name for name in self._reported if name not in current)
        for name in self.removed:
            del self._reported[name]
        self._previous = current
        self._fingerprint = seeds_fingerprint(seeds)
        self._settled = not self.settling
        return ready

    @property
    def names(self) -> frozenset[str]:
        """The files in the folder at the last poll."""
        return frozenset(self._previous or ())

    @property
    def has_baseline(self) -> bool:
        """True once a poll has taken the first look at the folder."""
        return self._previous is not None

    @property
    def settling(self) -> bool:
        """True when some file changed but was not stable yet at the last poll."""
        return any(
            self._reported.get(name) != stat for name, stat in (self._previous or {}).items()
        )

    def mark_seen(self) -> None:
        """Treat everything in the folder now as reported (after a forced build)."""
        seeds = scan_seeds(self.seeds_dir)
        current = {s.name: (s.size, s.mtime_ns) for s in seeds}
        self._previous = current
        self._reported = dict(current)
        self.removed = []
        self._fingerprint = seeds_fingerprint(seeds)
        self._settled = True


class BriefingScheduler:
    """Runs the seed poll and the daily jobs, and turns their results into ledger briefings."""

    def __init__(
        self,
        *,
        settings: Settings,
        subscriptions: SubscriptionStore,
        sender: Sender,
        render_new_articles: Callable[[Library, Sequence[str]], list[str]],
        render_daily: Callable[[Library, Subscription], list[str]] | None,
        on_library: Callable[[Library], None],
        executor: Executor | None = None,
        build_workers: int | None = None,
        loaded: Library | None = None,
    ) -> None:
        """Wire the scheduler (nothing runs until :meth:`start`).

        Args:
            settings: seeds folder, digest store, poll interval.
            subscriptions: the ledger.
            sender: woken after each new briefing.
            render_new_articles: message parts announcing ``files`` (called in a worker thread).
            render_daily: message parts of a chat's daily briefing (in a worker thread); None
                disables daily briefings.
            on_library: receives the fresh :class:`Library` after every build (on the loop).
            executor: pool to digest in.  Default: a process pool from
                :func:`briefings.pipeline.make_pool`, created on the first build and shut down
                by :meth:`stop`.  A given executor is used as is and not shut down (tests pass
                a thread pool).
            build_workers: size of the default process pool (each worker holds a spaCy model,
                so few are enough for a trickle of new articles); default ``min(4, CPUs)``.
            loaded: the library the bot already loaded at start-up, if any: the first build's
                reload reuses its digests and summits instead of parsing the archive again.
        """
        self._settings = settings
        self._subs = subscriptions
        self._sender = sender
        self._render_new = render_new_articles
        self._render_daily = render_daily
        self._on_library = on_library
        self._watcher = SeedWatcher(settings.seeds_dir)
        self._pool = executor
        self._own_pool = executor is None
        self._build_workers = build_workers or max(1, min(4, os.cpu_count() or 1))
        self._build_lock = asyncio.Lock()
        self._library: Library | None = None
        self._loaded = loaded
        #: Build at the next poll even if no file changes: no build happened yet in this
        #: process (so the library and the announced snapshot are brought up to date even for
        #: an empty or unchanged folder), or the last build failed.
        self._build_pending = True
        #: An announcement failed: make it at the next poll even if nothing is rebuilt.
        self._announce_pending = False
        self._stopped = False
        #: The last damaged digest store set aside (shown by /status), if any.
        self.store_damage: StoreDamage | None = None
        #: The last poll failure logged with its traceback (repeats get one line).
        self._last_failure: str | None = None
        #: The connection libraries read through (briefings and digests are read on demand, so
        #: it outlives each build's own connection); opened on first use, closed by stop().
        self._reader: DigestStore | None = None
        #: The starting archive: the seed files present when the bot started (taken by
        #: :meth:`start`, or by the first poll when it was not called).  The first build records
        #: these as known without announcing them; anything else it finds arrived later and is
        #: announced, even when it lands while that first build runs.
        self._starting: frozenset[str] | None = None
        #: Files recorded as archive (``add_known``) before the first build made its record.
        self._known_early: set[str] = set()
        #: Seeds of the starting archive not digested yet, until the first build has run.
        self._preparing = 0
        #: Jobs queued or being built by external builders at the last build (0: none).
        self._queue_open = 0

    @property
    def library(self) -> Library | None:
        """The library of the last build (None before the first one)."""
        return self._library

    @property
    def preparing(self) -> int:
        """How many articles the first build is still preparing (0 once it has run).

        The seed files found at start-up that the stored library did not hold: until the first
        build ends, commands that need articles say these are on their way instead of "none".
        """
        return 0 if self._library is not None else self._preparing

    @property
    def preparing_minutes(self) -> int:
        """A generous guess of how long the first build takes, in whole minutes (at least 1):
        loading the NLP model in the pool (about 15 s on a busy machine) plus the articles at 5
        a second, half the 10.7/s measured for a pool of 2 workers (bench/RESULTS.md, Build)."""
        return max(1, math.ceil((15 + self.preparing / 5) / 60))

    @property
    def watcher(self) -> SeedWatcher:
        """The seeds folder watcher (exposed for diagnostics and tests)."""
        return self._watcher

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, application: AnyApplication) -> None:
        """Schedule the repeating seed poll and every chat's daily job from the database.

        The poll starts at once (``first=0``); its first look only takes a baseline, and the
        first build follows a couple of seconds later (see :data:`SETTLE_SECONDS`), after which
        ``on_library`` is called.  That first build never announces: it records the articles
        already there as known.

        Raises:
            RuntimeError: the application has no job queue (PTB without the job-queue extra).
            StorageError: the daily subscriptions could not be read.
        """
        queue = _job_queue(application)
        logging.getLogger("apscheduler.scheduler").addFilter(_SKIPPED_POLL_FILTER)
        await self._take_starting_archive()
        for job in queue.get_jobs_by_name(POLL_JOB_NAME) + queue.get_jobs_by_name(DAILY_JOB_NAME):
            job.schedule_removal()
        queue.run_repeating(
            self._daily_due_job,
            interval=DAILY_CHECK_SECONDS,
            first=0,
            name=DAILY_JOB_NAME,
            job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        queue.run_repeating(
            self._poll_job,
            interval=self._settings.seed_poll_seconds,
            first=0,
            name=POLL_JOB_NAME,
            job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        log.info(
            "watching %s every %gs", self._settings.seeds_dir, self._settings.seed_poll_seconds
        )

    async def _take_starting_archive(self) -> None:
        """Note which seeds the folder holds now, and how many of them are not digested yet."""
        seeds = await asyncio.to_thread(scan_seeds, self._settings.seeds_dir)
        self._starting = frozenset(seed.name for seed in seeds)
        known: set[str] = set()
        if self._loaded is not None:
            known.update(card.file for card in self._loaded.articles)
            known.update(error.file for error in self._loaded.errors)
        self._preparing = len(self._starting - known)

    async def stop(self) -> None:
        """Shut the digest process pool down (cancelling queued work); idempotent."""
        self._stopped = True
        pool, self._pool = self._pool, None
        if isinstance(pool, pipeline.DigestPool) and self._own_pool:
            # Not shutdown(wait=True): a stuck worker would hold SIGTERM forever.  Ending the
            # workers also ends a build waiting for them (its thread sees BrokenProcessPool).
            await asyncio.to_thread(pool.kill_workers, STOP_GRACE_SECONDS)
        elif pool is not None and self._own_pool:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def _read_store(self) -> DigestStore:
        if self._reader is not None and self._reader.replaced():
            self._reader = None  # the store was set aside; in-flight reads keep the old one
        if self._reader is None:
            self._reader = open_store(self._settings)
        return self._reader

    # --- new articles ------------------------------------------------------------------------

    async def check_seeds(self) -> BuildReport | None:
        """One poll: build and announce if files changed and have settled.

        Returns:
            The build report, or None when there was nothing ready to build.

        Raises:
            StorageError: the announcement could not be recorded (it is retried on the next
                poll even if no file changes).
            Exception: the build itself failed (e.g. the digest store is unwritable).
        """
        async with self._build_lock:
            first_look = not self._watcher.has_baseline
            ready = await asyncio.to_thread(self._watcher.poll, await self._fingerprint())
            if first_look:
                if self._starting is None:
                    self._starting = self._watcher.names
                return None
            if ready or self._watcher.removed or self._build_pending:
                log.info(
                    "building digests (%d file(s) changed, %d removed)",
                    len(ready), len(self._watcher.removed),
                )  # fmt: skip
                return await self._build_and_announce([seed.name for seed in ready])
            if self._announce_pending and self._library is not None:
                await self._announce(self._library)
            return None

    async def reload(self) -> BuildReport:
        """/reload: build now, without waiting for changed files to settle, and announce."""
        async with self._build_lock:
            await asyncio.to_thread(self._watcher.mark_seen)
            try:
                return await self._build_and_announce()
            except BrokenProcessPool:
                # The pool was ended under this build (a stuck worker past its deadline, a
                # worker killed): the admin asked for a build, so it runs once more on a new
                # pool instead of answering "something went wrong".
                return await self._build_and_announce()

    async def add_known(self, names: Sequence[str], write: Callable[[], Awaitable[None]]) -> None:
        """Record ``names`` as announced, then ``write`` them (``sources/``: a feed's archive).

        Under the build lock, so no build or announcement runs in between: the files are
        digested by the next build but never announced.  Before the first build there is no
        record yet; they are kept and the first build records them with the starting archive
        (which, being what the folder held at start, would not include them).
        """
        async with self._build_lock:
            raw = await self._subs.get_state(ANNOUNCED_STATE_KEY)
            if raw is not None:
                known = set(json.loads(raw)).union(names)
                await self._subs.set_state(ANNOUNCED_STATE_KEY, json.dumps(sorted(known)))
            else:
                self._known_early.update(names)
            await write()

    async def _build_and_announce(self, changed: Sequence[str] = ()) -> BuildReport:
        """Build, announce new articles, and tell of corrections to announced ones among
        ``changed`` (their digests as shown are read before the build replaces them)."""
        loop = asyncio.get_running_loop()
        before = await asyncio.to_thread(corrections.old_digests, self._library, changed)
        pool = None if self._settings.build_workers == "external" else self._get_pool()
        self._build_pending = True  # until it succeeded: the watcher will not report it again
        damage_before = self.store_damage
        try:
            report, library = await loop.run_in_executor(None, self._build_sync, pool)
        except BrokenProcessPool:
            log.error("the digest process pool died (out of memory?); a new one will be used")
            if self._own_pool and pool is not None and self._pool is pool:
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise
        # Builders on the queue: look again (every couple of seconds) until they are done.
        self._build_pending = self._queue_open > 0
        log.info(
            "build: %d built, %d unchanged, %d removed, %d errors",
            len(report.built), report.unchanged, len(report.removed), len(report.errors),
        )  # fmt: skip
        self._library = library
        try:
            self._on_library(library)
        except Exception:
            log.exception("on_library failed; the new library may not be in use")
        if self.store_damage is not None and self.store_damage is not damage_before:
            await self.report_store_damage(self.store_damage)
        await self._announce(library)
        if before:
            await self._announce_corrections(before, library)
        return report

    async def _announce_corrections(self, before: dict[str, Digest], library: Library) -> None:
        """One short message per announced article whose quotes or dates were corrected
        (:mod:`bot.corrections`), to the chats that get new articles; once per new text."""
        raw = await self._subs.get_state(ANNOUNCED_STATE_KEY)
        announced = set(json.loads(raw)) if raw else set()
        found = await asyncio.to_thread(corrections.corrections_of, before, library, announced)
        chats = [s.chat_id for s in await self._subs.all_subscriptions("new")]
        if not found or not chats:
            return
        parts = await asyncio.to_thread(corrections.render_corrections, found)
        hashes = "\n".join(f"{c.file}\t{c.content_hash}" for c in found)
        key = "correction:" + hashlib.sha256(hashes.encode()).hexdigest()
        if await self._subs.create_briefing(key, {chat: parts for chat in chats}) is not None:
            log.info("told %d chat(s) of %d correction(s)", len(chats), len(found))
            self._sender.wake()

    async def recover_store(self, reason: str, seen_through: DigestStore) -> None:
        """A read through ``seen_through`` found the store damaged: set it aside and rebuild,
        unless that happened already (``seen_through`` then reads a store set aside)."""
        async with self._build_lock:
            if self._stopped or seen_through.replaced():
                return
            if not settable_aside(seen_through.location):
                return  # PostgreSQL: no file to set aside; the error was logged
            damage = await asyncio.to_thread(recover, self._settings.store_file, reason)
            self.store_damage = damage
            try:
                await self._build_and_announce()
            except Exception as exc:  # the next poll builds again (the build is pending)
                self._log_failure(exc)
            await self.report_store_damage(damage)

    async def report_store_damage(self, damage: StoreDamage) -> None:
        """Tell the admins (ADMIN_CHAT_IDS), through the ledger, that the store was set aside."""
        text = render(
            "notice", name="store_damaged", reason=damage.reason, moved_to=damage.moved_to.name
        )
        key = f"store-damaged:{damage.moved_to.name}"
        try:
            if await self._subs.record_notice(key, self._settings.admin_chat_ids, text):
                self._sender.wake()
        except StorageError as exc:
            log.warning("cannot tell the admins that the digest store was damaged: %s", exc)

    async def _fingerprint(self) -> str | None:
        """The seeds folder's fingerprint, taken in the digest pool's process when there is
        one (None otherwise: the watcher then scans in a thread of this process)."""
        pool = self._pool
        if not isinstance(pool, ProcessPoolExecutor) or self._stopped:
            return None
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(pool, pipeline.scan_fingerprint, self._settings.seeds_dir),
                FINGERPRINT_TIMEOUT_SECONDS,
            )
        except (BrokenProcessPool, RuntimeError, OSError, TimeoutError):
            return None  # the pool is gone, shutting down or stuck: scan here this time

    def _get_pool(self) -> Executor:
        if self._stopped:
            raise RuntimeError("the scheduler is stopped")
        if self._own_pool and pipeline.pool_broken(self._pool):
            self._pool = None  # its workers were ended after a file's deadline: a new one
        if self._pool is None:
            self._pool = pipeline.make_pool(self._build_workers)
        return self._pool

    def _build_sync(self, pool: Executor | None) -> tuple[BuildReport, Library]:
        """:meth:`_build_once`; a damaged store (a row that fails to read, a corrupt page) is
        set aside and everything is built again from the seeds, at once."""
        try:
            return self._build_once(pool)
        except Exception as exc:
            reason = damage_reason(exc)
            if reason is None or not settable_aside(self._settings.store_location()):
                raise
        self.store_damage = recover(self._settings.store_file, reason)
        return self._build_once(pool)

    def _build_once(self, pool: Executor | None) -> tuple[BuildReport, Library]:
        """The build and the library load, in a worker thread (they block for seconds)."""
        if pool is None:
            return self._queue_build(), Library.load(self._read_store())
        with open_store(self._settings) as store:
            report = pipeline.build(
                self._settings.seeds_dir,
                store,
                executor=pool,
                file_deadline=self._settings.build_file_timeout_seconds,
            )
        # Cards and summit heads only (summits were merged by the build, in the pool): a
        # reload does not stall the event loop (GIL) even on a large archive.
        return report, Library.load(self._read_store())

    def _queue_build(self) -> BuildReport:
        """``BUILD_WORKERS=external``: the new and changed seeds are queued for the builders
        (``python -m briefings worker``), removed ones forgotten; what the builders finished
        is in the library loaded next, and announced then.  (Corrections to announced
        articles are told only by local builds: the old digest is gone when a builder's lands.)
        """
        url = build_queue.queue_url(self._settings.database_url)
        assert url is not None  # Settings refuse BUILD_WORKERS=external without it
        with build_queue.connect(url) as conn, open_store(self._settings) as store:
            queued = build_queue.enqueue_changed(conn, self._settings.seeds_dir, store)
            self._queue_open = build_queue.open_jobs(conn)
        if queued.queued:
            log.info("%d seed(s) queued for the builders", len(queued.queued))
        errors = [BuildError(name, error) for name, error in queued.unreadable]
        return BuildReport(unchanged=queued.unchanged, removed=queued.removed, errors=errors)

    async def _announce(self, library: Library) -> None:
        """Announce, once, every article of ``library`` not announced before."""
        self._announce_pending = True
        current = {c.file: c.content_hash for c in library.articles}
        raw = await self._subs.get_state(ANNOUNCED_STATE_KEY)
        if raw is None:
            # The first build ever: the starting archive is known, not news.  What arrived
            # since the bot started (even during this build) is new and announced below.
            # Recorded by name whether digested yet or not: with external builders the archive
            # lands over minutes after this first look, and must not be announced then.
            starting = self._starting if self._starting is not None else frozenset(current)
            archive = starting | self._known_early
            existing = sorted(archive)
            await self._subs.set_state(ANNOUNCED_STATE_KEY, json.dumps(existing))
            log.info(
                "first build: %d existing article(s) recorded, not announced; %d new",
                len(existing), len([name for name in current if name not in archive]),
            )  # fmt: skip
            announced = set(existing)
        else:
            announced = set(json.loads(raw))
        new_files = sorted(name for name in current if name not in announced)
        if not new_files:
            self._announce_pending = False
            return
        batch = "\n".join(f"{name}\t{current[name]}" for name in new_files)
        key = "new:" + hashlib.sha256(batch.encode()).hexdigest()
        chats = [s.chat_id for s in await self._subs.all_subscriptions("new")]
        parts: list[str] = []
        if chats:
            parts = await asyncio.to_thread(self._render_new, library, new_files)
        chat_parts = {chat: parts for chat in chats} if parts else {}
        snapshot = json.dumps(sorted(announced.union(new_files)))
        briefing = await self._subs.create_briefing(
            key, chat_parts, state={ANNOUNCED_STATE_KEY: snapshot}
        )
        self._announce_pending = False
        log.info("announced %d new article(s) to %d chat(s)", len(new_files), len(chat_parts))
        if briefing is not None:
            self._sender.wake()

    def _log_failure(self, exc: Exception) -> None:
        """A failed poll: the traceback once, then one line per poll while it fails alike."""
        summary = f"{type(exc).__name__}: {exc}"[:300]
        if summary == self._last_failure:
            log.error("seed check still failing (%s); trying again at the next poll", summary)
            return
        self._last_failure = summary
        log.error("seed check failed; trying again at the next poll", exc_info=exc)

    async def _check_seeds_logged(self) -> None:
        try:
            await self.check_seeds()
        except Exception as exc:
            self._log_failure(exc)
        else:
            self._last_failure = None

    async def _poll_job(self, context: AnyContext) -> None:
        """The repeating job: check the seeds, keep daily jobs in sync, settle soon if needed."""
        await self._check_seeds_logged()
        self._schedule_settle(context.application)

    async def _settle_job(self, context: AnyContext) -> None:
        await self._check_seeds_logged()
        self._schedule_settle(context.application)

    def _schedule_settle(self, application: AnyApplication) -> None:
        """Look again soon when a file is still changing and the next poll is far off."""
        settle = min(SETTLE_SECONDS, self._settings.seed_poll_seconds)
        if settle >= self._settings.seed_poll_seconds:
            return
        if not (self._watcher.settling or self._build_pending):
            return
        queue = _job_queue(application)
        if not queue.get_jobs_by_name(SETTLE_JOB_NAME):
            queue.run_once(self._settle_job, when=settle, name=SETTLE_JOB_NAME)

    # --- daily briefings ---------------------------------------------------------------------

    async def run_due_dailies(self, now: float | None = None) -> int:
        """Create the daily briefings that are due and advance their schedules (a repeating
        job; only the elected sender runs it, see :attr:`Sender.leading`).

        Each chat's schedule is a row with its next due time (:mod:`bot.delivery.daily`).  The
        briefing is created before the row is advanced: a crash between the two creates it
        again under the same key, which is a no-op.  A run missed by more than
        :data:`DAILY_MISFIRE_GRACE` (the bot was down) is skipped, not sent hours late.

        Returns:
            How many briefings were created.

        Raises:
            StorageError: the schedules could not be read (the next run tries again).
        """
        moment = self._subs.now() if now is None else now
        created = 0
        for sub, due in await self._subs.due_dailies(moment):
            if sub.daily_time is None or not sub.timezone:
                continue
            zone = time_zone(sub.timezone)
            if zone is None:
                log.warning("chat %d has an unknown time zone %r", sub.chat_id, sub.timezone)
                continue
            next_due = next_occurrence(sub.daily_time, zone, max(moment, due or moment))
            if due is not None and moment - due <= DAILY_MISFIRE_GRACE:
                try:
                    when = datetime.datetime.fromtimestamp(due, datetime.UTC)
                    created += await self.daily_briefing(sub.chat_id, now=when) is not None
                except StorageError as exc:
                    log.warning("daily briefing of chat %d not recorded: %s", sub.chat_id, exc)
                    continue  # still due: the next run tries again
                except Exception:
                    log.exception("daily briefing for chat %d failed", sub.chat_id)
            elif due is not None:
                log.warning(
                    "daily briefing for chat %d due %.0f min ago skipped (the bot was down)",
                    sub.chat_id, (moment - due) / 60,
                )  # fmt: skip
            await self._subs.advance_daily(sub.chat_id, due, next_due)
        return created

    async def _daily_due_job(self, context: AnyContext) -> None:
        """The repeating job: due daily briefings, if this process is the elected sender."""
        if not self._sender.leading:
            return
        try:
            await self.run_due_dailies()
        except StorageError as exc:
            log.warning("cannot read the daily schedules: %s", exc)

    async def daily_briefing(
        self, chat_id: int, *, now: datetime.datetime | None = None
    ) -> int | None:
        """Create today's daily briefing of a chat (what the daily job runs).

        Args:
            chat_id: the chat.
            now: the moment to take "today" from (default: now); only the date of the
                scheduled run nearest to it matters, so a job running late still counts for the
                right day.

        Returns:
            The new briefing id, or None if the chat has no daily subscription, daily
            briefings are disabled, or today's briefing already exists.

        Raises:
            StorageError: the ledger is unavailable (the job retries).
        """
        sub = next(
            (s for s in await self._subs.subscriptions_of(chat_id) if s.kind == "daily"), None
        )
        if sub is None or sub.daily_time is None or not sub.timezone:
            return None
        if self._render_daily is None:
            log.warning("daily briefing for chat %d skipped: no daily renderer", chat_id)
            return None
        zone = ZoneInfo(sub.timezone)
        local_now = (now or datetime.datetime.now(datetime.UTC)).astimezone(zone)
        key = f"daily:{chat_id}:{_occurrence_date(local_now, sub.daily_time).isoformat()}"
        library = self._library
        if library is None:
            library = await asyncio.to_thread(self._load_library)
            self._library = self._library or library
        parts = await asyncio.to_thread(self._render_daily, library, sub)
        briefing = await self._subs.create_briefing(key, {chat_id: parts} if parts else {})
        if briefing is not None:
            self._sender.wake()
        return briefing

    def _load_library(self) -> Library:
        """The library as stored (before the first build of this run), in a worker thread."""
        return Library.load(self._read_store())


def _job_queue(application: AnyApplication) -> JobQueue[Any]:
    queue: JobQueue[Any] | None = application.job_queue
    if queue is None:
        raise RuntimeError(
            'the application has no job queue: install "python-telegram-bot[job-queue]"'
        )
    return queue


def _occurrence_date(local_now: datetime.datetime, at: datetime.time) -> datetime.date:
    """The local date of the scheduled run nearest to ``local_now``.

    A job for 23:59 that runs at 00:03 (busy loop, misfire grace) belongs to yesterday; keying
    by the plain current date would make it collide with, and suppress, tomorrow's briefing.
    """
    candidate = datetime.datetime.combine(local_now.date(), at, tzinfo=local_now.tzinfo)
    offset = local_now - candidate
    if offset < -datetime.timedelta(hours=12):
        candidate -= datetime.timedelta(days=1)
    elif offset > datetime.timedelta(hours=12):
        candidate += datetime.timedelta(days=1)
    return candidate.date()
