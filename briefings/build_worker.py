"""A builder: ``python -m briefings worker`` claims build jobs from the queue and digests them.

Digesting is CPU work; a builder is a process that does only that, on this machine or any other
that reaches the database and the seeds folder.  Each builder digests one file at a time in a
child process (a :class:`~briefings.workers.DigestPool` of one, the model loaded once), so a file
that hangs the digest is bounded by ``BUILD_FILE_TIMEOUT_SECONDS`` as in a local build: the child
is ended, a fresh one started, and the attempt counted.

What is guaranteed (the queue's rows, :mod:`briefings.build_queue`, carry it):

* each content of each file is digested once by one builder (two builders never claim one job);
* a builder killed mid-job loses nothing: its lease runs out (``BUILD_LEASE_SECONDS``; a live
  builder renews it while it works) and another builder takes the job;
* a job whose attempts (timeouts, a dead digest process, a dead builder) reach
  ``BUILD_MAX_ATTEMPTS`` is recorded as failed with its error, in the queue and in the digest
  store's errors (which the bot and ``export`` show), and not retried until the file changes;
  a file the reader refuses (empty, binary, too large) fails at once, as in a local build:
  the same bytes give the same answer;
* SIGTERM (or Ctrl-C): the file being digested gets :data:`STOP_GRACE_SECONDS` to finish, else its
  job is given back to the queue without counting the attempt, and the builder exits.

A digest is written to the store, then its job marked done; a builder dying between the two has
its job done again by another, writing the same digest (at least once, and idempotent).
"""

from __future__ import annotations

import logging
import signal
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from types import FrameType

import psycopg

from briefings import build_queue
from briefings.build_queue import BuildJob
from briefings.config import EngineSettings
from briefings.models import BuildError
from briefings.pipeline import Outcome, SeedFile, digest_seed
from briefings.store import open_store
from briefings.store.digests import DigestStore
from briefings.store.summit_index import refresh_summits
from briefings.workers import POOL_START_SECONDS, DigestPool, make_pool, pool_broken

log = logging.getLogger(__name__)

#: At SIGTERM, the file being digested gets this long to finish before its job is given back.
STOP_GRACE_SECONDS = 2.0
#: How often an idle builder looks at the queue when no notification came.
IDLE_POLL_SECONDS = 1.0
#: Wait between two tries to reach a database that went away.
RECONNECT_SECONDS = 2.0
#: Lets one idle builder merge the summits at a time (others go on building).
_SUMMITS_LOCK = 0x6272_736D  # "brsm"


def warm_up() -> None:
    """In the digest process, before its first job: what the first digest would otherwise pay
    on the file's clock (the stages' imports, the model's first run)."""
    import briefings.digest
    import briefings.ingest.read
    from briefings.text.nlp import load_nlp

    assert briefings.digest and briefings.ingest.read
    load_nlp()("Ministers met in Geneva on Monday and agreed to talk again.")


class Stopping(Exception):
    """SIGTERM arrived while the builder was starting its digest process."""


class Builder:
    """Claims jobs, digests them in a child process, records the results (see the module)."""

    def __init__(self, settings: EngineSettings, url: str, *, until_empty: bool = False) -> None:
        """A builder for ``settings``' seeds folder and store, on the queue at ``url``.

        ``until_empty``: exit once no job is left to claim (benchmarks, one-off catch-ups).
        """
        self.settings = settings
        self.url = url
        self.until_empty = until_empty
        self.name = build_queue.worker_name()
        self.stopping = False
        self._pool: DigestPool | None = None
        #: Where digests and errors are written (closed by :meth:`run` at exit).
        self.store: DigestStore = open_store(settings)
        #: Jobs this builder recorded a digest for (logged at exit).
        self.built = 0

    def request_stop(self, signum: int, _frame: FrameType | None = None) -> None:
        """Signal handler: finish or give back the current job, then exit."""
        if not self.stopping:
            log.info("builder %s: %s received, stopping", self.name, signal.Signals(signum).name)
        self.stopping = True

    def run(self) -> int:
        """Build until stopped; 0 when stopped by a signal or (``until_empty``) out of work."""
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        conn = build_queue.connect(self.url)
        store = self.store
        log.info("builder %s: waiting for build jobs", self.name)
        try:
            conn.execute(f"LISTEN {build_queue.CHANNEL}")
            while not self.stopping:
                try:
                    if not self._step(conn, store):
                        break
                except psycopg.OperationalError as exc:
                    log.error(
                        "builder %s: the queue's database is unreachable (%s); trying again",
                        self.name,
                        str(exc).strip().splitlines()[0],
                    )
                    self._end_pool()  # its file, if any, goes to another builder
                    time.sleep(RECONNECT_SECONDS)
                    conn = self._reconnect(conn)
        except Stopping:
            pass
        finally:
            self._end_pool()
            store.close()
            conn.close()
        log.info("builder %s: stopped after building %d file(s)", self.name, self.built)
        return 0

    def _reconnect(
        self, conn: psycopg.Connection[tuple[object, ...]]
    ) -> psycopg.Connection[tuple[object, ...]]:
        conn.close()
        try:
            fresh = build_queue.connect(self.url)
            fresh.execute(f"LISTEN {build_queue.CHANNEL}")
        except psycopg.OperationalError:
            return conn  # closed: the next step fails again and waits again
        return fresh

    def _step(self, conn: psycopg.Connection[tuple[object, ...]], store: DigestStore) -> bool:
        """Build one job, or wait a little for one; False when there is nothing more to do."""
        pool = self._ready_pool()
        job = build_queue.claim(conn, self.name, self.settings.build_lease_seconds)
        if job is None:
            self._refresh_summits(conn, store)
            if self.until_empty:
                return False
            for _ in conn.notifies(timeout=IDLE_POLL_SECONDS, stop_after=1):
                pass
            return True
        self._build(conn, store, pool, job)
        return True

    def _ready_pool(self) -> DigestPool:
        """The digest process, started (model loaded) before a job is claimed, so its start
        never counts against a file's deadline; a pool that broke or was ended is replaced."""
        if self._pool is not None and not pool_broken(self._pool):
            return self._pool
        self._end_pool()
        self._pool = pool = make_pool(1)
        probe: Future[None] = pool.submit(warm_up)
        deadline = time.monotonic() + POOL_START_SECONDS
        while True:
            try:
                probe.result(timeout=0.2)
                log.info("builder %s: digest process ready", self.name)
                return pool
            except FuturesTimeout:
                if self.stopping:
                    raise Stopping from None
                if time.monotonic() > deadline:
                    raise RuntimeError("the digest process did not start") from None

    def _end_pool(self) -> None:
        """End the digest process now (a file it holds is abandoned); the next job starts one."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.kill_workers()

    def _build(
        self,
        conn: psycopg.Connection[tuple[object, ...]],
        store: DigestStore,
        pool: DigestPool,
        job: BuildJob,
    ) -> None:
        limit = self.settings.build_max_attempts
        if job.attempts > limit:
            error = (
                f"its builder stopped {limit} times while building it (killed, or out of memory?)"
            )
            self._fail(conn, job, None, error)
            return
        reason = build_queue.refused(self.settings.seeds_dir, job.name)
        if reason is not None:  # a row not written by enqueue(): never read outside the folder
            build_queue.finish(conn, job, "failed", error=reason)
            return
        path = self.settings.seeds_dir / job.name
        try:
            stat = path.stat()
        except OSError:
            build_queue.finish(conn, job, "skipped", error="no longer in the seeds folder")
            return
        seed = SeedFile(job.name, str(path), stat.st_size, stat.st_mtime_ns)
        outcome = self._digest(conn, pool, job, seed)
        if outcome is None:
            return
        if outcome.content_hash and outcome.content_hash != job.content_hash:
            build_queue.supersede(conn, job, outcome.content_hash)
        elif outcome.digest is not None:
            with store.transaction():
                store.put_digest(outcome.digest, outcome.size, outcome.mtime_ns)
            build_queue.finish(conn, job, "done", built=True)
            self.built += 1
            log.info("builder %s: built %s", self.name, job.name)
        elif outcome.transient:
            build_queue.finish(conn, job, "skipped", error=outcome.error)
        else:
            self._fail(conn, job, seed, outcome.error or "unknown error")

    def _digest(
        self,
        conn: psycopg.Connection[tuple[object, ...]],
        pool: DigestPool,
        job: BuildJob,
        seed: SeedFile,
    ) -> Outcome | None:
        """The file's outcome; None when the attempt ended otherwise (timed out, the digest
        process died, or the builder is stopping), the job then being retried or given back."""
        timeout = self.settings.build_file_timeout_seconds
        lease = self.settings.build_lease_seconds
        future = pool.submit(digest_seed, seed, None)
        started = time.monotonic()
        renew_at = started + lease / 3
        stop_at: float | None = None
        while True:
            try:
                return future.result(timeout=0.2)
            except FuturesTimeout:
                pass
            except BrokenProcessPool:
                if self.stopping:
                    build_queue.release(conn, job, self.name)
                    return None
                self._attempt_failed(conn, job, seed, "its digest process died (out of memory?)")
                return None
            now = time.monotonic()
            if self.stopping:
                stop_at = stop_at or now + STOP_GRACE_SECONDS
                if now >= stop_at:
                    log.info("builder %s: %s given back to the queue", self.name, job.name)
                    build_queue.release(conn, job, self.name)
                    self._end_pool()
                    return None
            if now - started > timeout:
                self._end_pool()
                self._attempt_failed(
                    conn, job, seed, f"reading or digesting took longer than {timeout:g} s"
                )
                return None
            if now >= renew_at:
                renew_at = now + lease / 3
                if not build_queue.renew(conn, job, self.name, lease):
                    # Another builder took it (this one was stopped or cut off longer than the
                    # lease): it is theirs now, and building it twice would be waste.
                    log.warning("builder %s: %s was taken by another builder", self.name, job.name)
                    self._end_pool()
                    return None

    def _attempt_failed(
        self,
        conn: psycopg.Connection[tuple[object, ...]],
        job: BuildJob,
        seed: SeedFile,
        error: str,
    ) -> None:
        """One attempt failed: tried again, or recorded as failed after the last one."""
        limit = self.settings.build_max_attempts
        if job.attempts < limit:
            log.warning("builder %s: %s: %s (attempt %d of %d)",
                        self.name, job.name, error, job.attempts, limit)  # fmt: skip
            build_queue.retry(conn, job, error)
            return
        self._fail(conn, job, seed, f"{error} ({limit} tries)")

    def _fail(
        self,
        conn: psycopg.Connection[tuple[object, ...]],
        job: BuildJob,
        seed: SeedFile | None,
        error: str,
    ) -> None:
        """Record the job as failed, in the queue and in the store's errors (what users see)."""
        log.error("builder %s: %s failed: %s", self.name, job.name, error)
        size, mtime_ns = (seed.size, seed.mtime_ns) if seed is not None else (0, 0)
        with self.store.transaction():
            self.store.put_error(BuildError(job.name, error), size, mtime_ns, job.content_hash)
        build_queue.finish(conn, job, "failed", error=error)

    def _refresh_summits(
        self, conn: psycopg.Connection[tuple[object, ...]], store: DigestStore
    ) -> None:
        """Out of work: merge the summits whose articles changed, one builder at a time."""
        if not store.summits_stale():
            return
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (_SUMMITS_LOCK,)).fetchone()
        if not row or not row[0]:
            return
        try:
            refresh_summits(store)  # logs what it merged
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SUMMITS_LOCK,))


def run_worker(settings: EngineSettings, url: str, *, until_empty: bool = False) -> int:
    """``python -m briefings worker``: one builder until SIGTERM."""
    return Builder(settings, url, until_empty=until_empty).run()
