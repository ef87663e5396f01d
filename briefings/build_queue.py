"""The build queue: seed files to digest, as rows of one PostgreSQL table that builders claim.

Why plain ``FOR UPDATE SKIP LOCKED`` rows and not procrastinate or pgqueuer (both well kept,
both installable): what a build job needs is one table and five short statements, and the
parts that matter here are ones those libraries leave to the application anyway.

* A job is *content*: (file name, content hash, digest format).  A unique key on the three
  makes an unchanged file impossible to queue twice, even after its job finished, and a changed
  file a new job.  The libraries' de-duplication keys (procrastinate's queueing lock, pgqueuer's
  dedupe key) hold only while a job waits or runs.
* A claimed job has a lease that its builder renews while it works; a job whose lease ran out
  (its builder was killed, or its machine lost) is claimed again by the next builder, and
  counts as an attempt, so a file that kills its builder every time ends failed too.  In those
  libraries a stalled job is found and retried by a periodic task the application writes.
* A file that hangs the digest is bounded by ending the process that digests it (see
  :mod:`briefings.build_worker`), which no queue library does for a synchronous CPU task.

Adding one of them would add its own schema, its own worker loop and an async framework for
what is here about 200 lines, read in one sitting.  The queue lives in the database named by
``DATABASE_URL``; one database serves one seeds folder.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from briefings.models import DIGEST_FORMAT_VERSION
from briefings.store.digests import DigestStore

log = logging.getLogger(__name__)

#: Told to listening builders when jobs were queued (they also look every second or so).
CHANNEL = "briefings_build_jobs"
#: Serializes the table's creation between builders starting at the same moment.
_SCHEMA_LOCK = 0x6272_6A6F  # "brjo"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS build_jobs (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    format_version INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'done', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    builds INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    lease_until TIMESTAMPTZ,
    error TEXT,
    queued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    UNIQUE (name, content_hash, format_version)
);
CREATE INDEX IF NOT EXISTS build_jobs_open ON build_jobs (id) WHERE state IN ('queued', 'running')
"""


@dataclass(frozen=True, slots=True)
class BuildJob:
    """One claimed job: which file, which content, and how many times it was claimed."""

    id: int
    name: str
    content_hash: str
    attempts: int


@dataclass(slots=True)
class EnqueueReport:
    """What :func:`enqueue` did: files queued, already queued or built, and unreadable."""

    queued: list[str] = field(default_factory=list)
    known: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: Files not opened (size and mtime as stored), and files removed from the store.
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def queue_url(url: str | None) -> str | None:
    """``url`` as psycopg takes it when it names PostgreSQL (``postgresql://``,
    ``postgres://``, ``postgresql+psycopg://``), else None: the queue lives only there."""
    scheme, sep, rest = (url or "").partition("://")
    if sep and scheme.lower() in ("postgres", "postgresql", "postgresql+psycopg"):
        return f"postgresql://{rest}"
    return None


def connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection to the queue's database, its table created if missing."""
    conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            for statement in _SCHEMA.split(";"):
                conn.execute(statement)
    except BaseException:
        conn.close()
        raise
    return conn


def worker_name() -> str:
    """How a builder names itself in the queue (host and process): who holds which job."""
    import os

    return f"{socket.gethostname()}:{os.getpid()}"


def refused(seeds_dir: Path, name: str) -> str | None:
    """Why ``name`` is not a seed a builder may read (None: it may): a job names a file of the
    seeds folder by its path there, never a file elsewhere (``../``, an absolute path, a
    symlink out), and only a type the engine reads."""
    from briefings.pipeline import SUPPORTED_SUFFIXES

    root = seeds_dir.resolve()
    if not (root / name).resolve().is_relative_to(root) or Path(name).is_absolute():
        return "not a file of the seeds folder (SEEDS_DIR)"
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        return "not an article file (.txt, .md, .markdown, .html, .htm)"
    return None


def file_hash(path: Path) -> str:
    """The content hash a job is keyed by: SHA-256 of the file's bytes, as the store keeps it."""
    from briefings.ingest.read import read_seed_bytes
    from briefings.pipeline import MAX_SEED_BYTES

    return hashlib.sha256(read_seed_bytes(path, MAX_SEED_BYTES)).hexdigest()


def database_now(conn: psycopg.Connection[tuple[object, ...]]) -> datetime.datetime:
    """The database's clock (jobs' ``finished_at`` is on it): take it before reading the store
    for :func:`enqueue`'s ``as_of``."""
    row = conn.execute("SELECT now()").fetchone()
    assert row is not None and isinstance(row[0], datetime.datetime)
    return row[0]


def enqueue(
    conn: psycopg.Connection[tuple[object, ...]],
    seeds_dir: Path,
    names: Iterable[str],
    *,
    stored: Mapping[str, str] | None = None,
    as_of: datetime.datetime | None = None,
) -> EnqueueReport:
    """Queue the files ``names`` of ``seeds_dir`` as they are now (their content hashed).

    A content queued, running, built or failed already is not queued again, except a job that
    was skipped (the file was gone or changing when it ran).  ``stored``: the content hash the
    digest store holds for each file, read at ``as_of`` (:func:`database_now`): a file holding
    that content is not queued, and a job built before ``as_of`` whose digest the store does not
    hold (the store was set aside, the file removed and put back) is queued again.  A file that
    cannot be read is reported and not queued (it is queued once it can be).
    """
    report = EnqueueReport()
    stored = stored or {}
    for name in names:
        reason = refused(seeds_dir, name)
        if reason is not None:
            report.unreadable.append((name, reason))
            continue
        try:
            content_hash = file_hash(seeds_dir / name)
        except Exception as exc:  # missing, a FIFO, too large, unreadable: said, not queued
            report.unreadable.append((name, str(exc) or type(exc).__name__))
            continue
        if stored.get(name) == content_hash:
            report.known += 1
            continue
        row = conn.execute(
            """
            INSERT INTO build_jobs (name, content_hash, format_version) VALUES (%s, %s, %s)
            ON CONFLICT (name, content_hash, format_version) DO UPDATE
                SET state = 'queued', attempts = 0, error = NULL, finished_at = NULL
                WHERE build_jobs.state = 'skipped'
                    OR (build_jobs.state = 'done' AND build_jobs.finished_at < %s)
            RETURNING id
            """,
            (name, content_hash, DIGEST_FORMAT_VERSION, as_of),
        ).fetchone()
        if row is None:
            report.known += 1
        else:
            report.queued.append(name)
    if report.queued:
        conn.execute(f"NOTIFY {CHANNEL}")
    return report


def enqueue_changed(
    conn: psycopg.Connection[tuple[object, ...]], seeds_dir: Path, store: DigestStore
) -> EnqueueReport:
    """What a local build does before digesting, with the digesting left to the builders:
    forget the files no longer in ``seeds_dir``, and queue the new and changed ones (a file's
    size and mtime as stored: not opened; the same content as stored: not queued)."""
    from briefings.pipeline import plan_build, scan_seeds

    as_of = database_now(conn)  # before the store is read: see enqueue()
    seeds = scan_seeds(seeds_dir)
    states = store.file_states()
    present = {seed.name for seed in seeds}
    removed = sorted(name for name in states if name not in present)
    if removed:
        with store.transaction():
            store.remove(removed)
    todo, unchanged = plan_build(seeds, states)
    stored = {
        name: state.content_hash
        for name, state in states.items()
        if state.format_version == DIGEST_FORMAT_VERSION
    }
    report = enqueue(conn, seeds_dir, [seed.name for seed, _ in todo], stored=stored, as_of=as_of)
    report.unchanged, report.removed = unchanged, removed
    return report


def open_jobs(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    """How many jobs are queued or being built."""
    row = conn.execute(
        "SELECT count(*) FROM build_jobs WHERE state IN ('queued', 'running')"
    ).fetchone()
    return int(str(row[0])) if row else 0


def claim(
    conn: psycopg.Connection[tuple[object, ...]], worker: str, lease_seconds: float
) -> BuildJob | None:
    """Take the oldest queued job, or one whose builder's lease ran out; None when there is
    none.  Concurrent builders never take the same row (``SKIP LOCKED``)."""
    row = conn.execute(
        """
        UPDATE build_jobs SET state = 'running', attempts = attempts + 1, worker = %s,
            lease_until = now() + make_interval(secs => %s)
        WHERE id = (
            SELECT id FROM build_jobs
            WHERE state = 'queued' OR (state = 'running' AND lease_until < now())
            ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, name, content_hash, attempts
        """,
        (worker, lease_seconds),
    ).fetchone()
    if row is None:
        return None
    job_id, name, content_hash, attempts = row
    assert isinstance(job_id, int) and isinstance(name, str)
    assert isinstance(content_hash, str) and isinstance(attempts, int)
    return BuildJob(job_id, name, content_hash, attempts)


def renew(
    conn: psycopg.Connection[tuple[object, ...]], job: BuildJob, worker: str, lease_seconds: float
) -> bool:
    """Extend this builder's lease on ``job``; False when it is no longer this builder's."""
    row = conn.execute(
        "UPDATE build_jobs SET lease_until = now() + make_interval(secs => %s)"
        " WHERE id = %s AND state = 'running' AND worker = %s AND attempts = %s RETURNING id",
        (lease_seconds, job.id, worker, job.attempts),
    ).fetchone()
    return row is not None


def finish(
    conn: psycopg.Connection[tuple[object, ...]],
    job: BuildJob,
    state: str,
    *,
    error: str | None = None,
    built: bool = False,
) -> None:
    """Record how ``job`` ended: ``done`` (``built``: a digest was written), ``failed`` or
    ``skipped``, with the error or reason when there is one."""
    conn.execute(
        "UPDATE build_jobs SET state = %s, error = %s, builds = builds + %s,"
        " lease_until = NULL, finished_at = now() WHERE id = %s",
        (state, error, 1 if built else 0, job.id),
    )


def retry(conn: psycopg.Connection[tuple[object, ...]], job: BuildJob, error: str) -> None:
    """Put ``job`` back in the queue after a failed attempt, keeping the attempt and its
    error: the next builder to look takes it (possibly this one, on a fresh process)."""
    conn.execute(
        "UPDATE build_jobs SET state = 'queued', error = %s, worker = NULL, lease_until = NULL"
        " WHERE id = %s",
        (error, job.id),
    )


def supersede(
    conn: psycopg.Connection[tuple[object, ...]], job: BuildJob, content_hash: str
) -> None:
    """The file no longer holds ``job``'s content: skip it, and make sure the content it holds
    now is a job of its own (queued unless it is known already), built once like any other."""
    with conn.transaction():
        finish(conn, job, "skipped", error="the file changed after it was queued")
        conn.execute(
            "INSERT INTO build_jobs (name, content_hash, format_version) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (job.name, content_hash, DIGEST_FORMAT_VERSION),
        )


def release(conn: psycopg.Connection[tuple[object, ...]], job: BuildJob, worker: str) -> None:
    """Give ``job`` back unfinished (the builder is stopping): queued again, the attempt not
    counted, so a builder restarted for a deploy costs the file nothing."""
    conn.execute(
        "UPDATE build_jobs SET state = 'queued', attempts = attempts - 1, worker = NULL,"
        " lease_until = NULL WHERE id = %s AND state = 'running' AND worker = %s",
        (job.id, worker),
    )


def failed_jobs(conn: psycopg.Connection[tuple[object, ...]]) -> list[tuple[str, str]]:
    """Every failed job's file and error, for the CLI to report."""
    rows = conn.execute(
        "SELECT name, coalesce(error, '') FROM build_jobs WHERE state = 'failed' ORDER BY name"
    ).fetchall()
    return [(str(name), str(error)) for name, error in rows]
