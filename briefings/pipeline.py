"""Build the digests of a seeds folder, rebuilding only what changed.

A build is: scan the folder (stat only), compare with what the store recorded, digest the new and
changed files (in a process pool when there are many: spaCy is CPU-bound), record results and
errors, and forget removed files.  A file whose size and mtime are unchanged is not even opened,
so a no-op rebuild of 10,000 seeds costs one directory scan and one query.

Bad input never stops a build: each failure becomes a :class:`BuildError` with a clear reason.
Failures caused by the file itself are recorded and retried only once the file changes; transient
ones (deleted or still being written during the build) are reported but not recorded, so the next
build tries again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefings.models import DIGEST_FORMAT_VERSION, BuildError, Digest
from briefings.store import StoreLocation, open_store_at
from briefings.store.digests import DigestStore, FileState
from briefings.store.summit_index import RefreshReport, refresh_summits

# Re-exported: the pool is part of what the pipeline offers its callers (bot, bench, tests).
from briefings.workers import DigestPool as DigestPool
from briefings.workers import make_pool as make_pool
from briefings.workers import pool_broken as pool_broken
from briefings.workers import started

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
#: Seeds larger than this are refused (a real article is a few dozen kB).
MAX_SEED_BYTES = 10 * 1024 * 1024
#: Below this many files to build, the pool's start-up costs more than it saves.
_POOL_THRESHOLD = 6


@dataclass(frozen=True, slots=True)
class SeedFile:
    """A seed file as seen by a directory scan."""

    name: str
    #: The file's path as a string: a scan of 10,000 files spends most of its time building
    #: ``Path`` objects, so one is made only when the file is read.
    location: str
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        """Where the file is."""
        return Path(self.location)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What building one file produced."""

    name: str
    size: int
    mtime_ns: int
    content_hash: str = ""
    digest: Digest | None = None
    error: str | None = None
    #: The failure is about this moment (file vanished or still being written), not the file.
    transient: bool = False
    #: Content identical to what is stored: only the stat needs updating.
    unchanged: bool = False


@dataclass(slots=True)
class BuildReport:
    """What a build did, for the CLI, the logs and the bot's notifier."""

    built: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    errors: list[BuildError] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when any digest was added, replaced or removed."""
        return bool(self.built or self.removed)


#: Symlinks already reported as pointing outside the seeds folder (path, target): a poll every
#: few seconds would otherwise repeat the same warning forever.  Bounded: cleared when full.
_REPORTED_LINKS: set[tuple[str, str]] = set()
_MAX_REPORTED_LINKS = 10_000


def _warn_outside_link(path: str, target: Path) -> None:
    key = (path, str(target))
    if key in _REPORTED_LINKS:
        return
    if len(_REPORTED_LINKS) >= _MAX_REPORTED_LINKS:
        _REPORTED_LINKS.clear()
    _REPORTED_LINKS.add(key)
    log.warning(
        "skipping %s: symlink points outside the seeds folder (to %s); "
        "reported once per link", _text(path), _text(str(target)),
    )  # fmt: skip


def scan_seeds(seeds_dir: Path, *, report: bool = True) -> list[SeedFile]:
    """List the seed files below ``seeds_dir`` (stat only, never opening a file).

    Hidden files, editor and partial-download files and unsupported types are skipped; a symlink is
    followed only when it points inside the seeds folder.  ``report=False`` logs nothing (the
    fingerprint scan of a pool worker: its process has no log handler of the bot's, and the
    bot's own scan reports the same links).
    """
    root = seeds_dir.resolve()
    prefix = len(str(root)) + 1  # entry paths below root start with "<root>/"
    found: list[SeedFile] = []
    stack = [str(root)]
    visited = {root}
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            if report:
                log.warning("cannot list %s: %s", directory, exc)
            continue
        for entry in entries:
            name = entry.name
            if name.startswith((".", "~")) or name.endswith(("~", ".part", ".tmp")):
                continue
            try:
                if entry.is_symlink():
                    target = Path(entry.path).resolve()
                    if not target.is_relative_to(root):
                        if report:
                            _warn_outside_link(entry.path, target)
                        continue
                if entry.is_dir():
                    real = Path(entry.path).resolve()
                    if real not in visited:  # a symlink loop is listed once
                        visited.add(real)
                        stack.append(entry.path)
                    continue
                _, dot, extension = name.rpartition(".")
                if f"{dot}{extension}".lower() not in SUPPORTED_SUFFIXES:
                    continue
                if not entry.is_file():
                    continue
                stat = entry.stat()
            except (OSError, RuntimeError):
                continue  # vanished between listing and stat, or a symlink loop
            relative = entry.path[prefix:].replace(os.sep, "/")
            found.append(SeedFile(_text(relative), entry.path, stat.st_size, stat.st_mtime_ns))
    return sorted(found, key=lambda s: s.name)


def seeds_fingerprint(seeds: Iterable[SeedFile]) -> str:
    """One hash of every seed's name, size and mtime: equal fingerprints, same folder state."""
    digest = hashlib.sha1(usedforsecurity=False)
    for seed in seeds:
        digest.update(f"{seed.name}\0{seed.size}\0{seed.mtime_ns}\n".encode("utf-8", "replace"))
    return digest.hexdigest()


def scan_fingerprint(seeds_dir: Path) -> str:
    """:func:`seeds_fingerprint` of a fresh :func:`scan_seeds` (run in a pool worker, so a
    watcher polling 10,000 seeds costs its own process one short message, not a scan)."""
    return seeds_fingerprint(scan_seeds(seeds_dir, report=False))


def _text(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def digest_seed(seed: SeedFile, stored_hash: str | None = None) -> Outcome:
    """Read, ingest and digest one seed file; never raises for a bad file.

    Runs in worker processes, so it loads the NLP model lazily (once per process).
    """
    from briefings.ingest.read import (
        FileTooLargeError,
        IngestError,
        NotRegularFileError,
        read_article,
        read_seed_bytes,
    )

    def result(**fields: Any) -> Outcome:
        return Outcome(seed.name, seed.size, seed.mtime_ns, **fields)

    if seed.size > MAX_SEED_BYTES:
        return result(
            error=f"file is too large ({seed.size / 1e6:.1f} MB; the limit is "
            f"{MAX_SEED_BYTES / 1e6:.0f} MB)"
        )
    try:
        # Never a plain open(): the file may have been swapped for a FIFO since the scan.
        data = read_seed_bytes(seed.path, MAX_SEED_BYTES)
        after = seed.path.stat()
    except FileNotFoundError:
        return result(error="file disappeared during the build", transient=True)
    except NotRegularFileError as exc:
        return result(error=str(exc), transient=True)  # checked again once it changes
    except FileTooLargeError:
        return result(
            error="file changed while being read (it grew past the size limit)", transient=True
        )
    except OSError as exc:
        return result(error=f"cannot read file: {exc.strerror or exc}")
    if (after.st_size, after.st_mtime_ns) != (seed.size, seed.mtime_ns) or len(data) != seed.size:
        return result(
            error="file changed while being read (still being written?); "
            "it will be built once it is complete",
            transient=True,
        )
    content_hash = hashlib.sha256(data).hexdigest()
    if stored_hash == content_hash:
        return result(content_hash=content_hash, unchanged=True)
    try:
        article = read_article(seed.path, name=seed.name, max_bytes=MAX_SEED_BYTES, data=data)
    except IngestError as exc:
        return result(content_hash=content_hash, error=str(exc))
    except Exception as exc:  # defensive: one bad file must not stop the build
        log.exception("unexpected failure reading %s", seed.name)
        return result(content_hash=content_hash, error=f"could not read article: {exc}")
    try:
        from briefings.digest import build_digest
        from briefings.text.nlp import load_nlp

        digest = build_digest(article, load_nlp())
    except Exception as exc:
        log.exception("unexpected failure digesting %s", seed.name)
        return result(content_hash=content_hash, error=f"digest failed: {exc}")
    return result(content_hash=content_hash, digest=digest)


#: A file whose digest is not back this many seconds after the build started waiting for it
#: is given up: its worker is ended and replaced, the file reported (and retried when it
#: changes).  A real article takes well under a second; the largest allowed, tens.
FILE_DEADLINE_SECONDS = 120.0


def _digest_in_pool(
    todo: list[tuple[SeedFile, str | None]], pool: DigestPool, deadline: float
) -> Iterator[Outcome]:
    """Digest ``todo`` in ``pool``, in order, none waiting more than ``deadline`` seconds.

    A file over its deadline is reported as failed; every worker of the pool is ended (the
    stuck one cannot be told from the others, and ``ProcessPoolExecutor`` cannot end one), and
    the files not finished yet go on in a new pool of the same size.  Pools made here are shut
    down here; the caller's pool is left broken (see :func:`pool_broken`).
    """
    pending = todo
    current, own = pool, False
    try:
        while pending:
            futures = [(item, current.submit(digest_seed, *item)) for item in pending]
            pending = []
            for index, ((seed, _), future) in enumerate(futures):
                try:
                    yield future.result(timeout=deadline)
                except FuturesTimeout:
                    log.error(
                        "%s: no digest after %.0fs; its worker is ended and replaced",
                        seed.name, deadline,
                    )  # fmt: skip
                    yield Outcome(
                        seed.name, seed.size, seed.mtime_ns,
                        error=f"reading or digesting took longer than {deadline:.0f} s; "
                        "skipped (it is tried again when the file changes)",
                    )  # fmt: skip
                    later = futures[index + 1 :]
                    current.kill_workers()
                    for item, other in later:
                        if other.done() and not other.cancelled() and other.exception() is None:
                            yield other.result()
                        else:
                            pending.append(item)
                    current, own = DigestPool(pool.workers), True
                    pool.successors.append(current)  # ended with the caller's pool
                    if pending and not started(current):
                        for item_seed, _ in pending:
                            yield Outcome(
                                item_seed.name, item_seed.size, item_seed.mtime_ns,
                                error="the digest workers could not be restarted; "
                                "it is tried again at the next build",
                                transient=True,
                            )  # fmt: skip
                        pending = []
                    break
    finally:
        if own:
            current.kill_workers(grace=1.0)


def plan_build(
    seeds: Iterable[SeedFile], states: dict[str, FileState]
) -> tuple[list[tuple[SeedFile, str | None]], int]:
    """Split a scan into files to (re)build, with their stored hash, and a count of unchanged."""
    todo: list[tuple[SeedFile, str | None]] = []
    unchanged = 0
    for seed in seeds:
        state = states.get(seed.name)
        if state is None:
            todo.append((seed, None))
        elif (
            state.size == seed.size
            and state.mtime_ns == seed.mtime_ns
            and state.format_version == DIGEST_FORMAT_VERSION
        ):
            unchanged += 1
        else:
            current = state.format_version == DIGEST_FORMAT_VERSION and not state.failed
            todo.append((seed, state.content_hash if current else None))
    return todo, unchanged


def build(
    seeds_dir: Path,
    store: DigestStore,
    *,
    executor: Executor | None = None,
    progress: Callable[[int], object] | None = None,
    file_deadline: float | None = None,
) -> BuildReport:
    """Bring ``store`` up to date with ``seeds_dir``.

    Args:
        seeds_dir: folder of seed articles.
        store: where digests are kept.
        executor: pool to digest in; by default a process pool when many files changed.
        progress: called with the number of files finished, after each file (for a progress bar).
        file_deadline: seconds a file may hold the build in a :class:`DigestPool` before it
            is reported and the pool's workers replaced (other executors cannot end a task);
            default :data:`FILE_DEADLINE_SECONDS`.
    """
    seeds = scan_seeds(seeds_dir)
    states = store.file_states()
    todo, unchanged = plan_build(seeds, states)
    report = BuildReport(unchanged=unchanged)
    present = {s.name for s in seeds}
    report.removed = sorted(name for name in states if name not in present)
    own_pool = None
    if executor is None and len(todo) >= _POOL_THRESHOLD:
        executor = own_pool = make_pool(min(len(todo), os.cpu_count() or 1))
    try:
        if executor is None:
            outcomes: Iterable[Outcome] = (digest_seed(s, h) for s, h in todo)
        elif isinstance(executor, DigestPool):
            outcomes = _digest_in_pool(todo, executor, file_deadline or FILE_DEADLINE_SECONDS)
        else:
            outcomes = (
                executor.map(digest_seed, *zip(*todo, strict=True), chunksize=4)
                if todo
                else iter(())
            )
        with store.transaction():
            store.remove(report.removed)
            for outcome in outcomes:
                _record(outcome, store, report)
                if progress:
                    progress(1)
        if store.summits_stale():
            # Merging reads whole digests and compares their events pairwise: in the pool, so
            # a bot building in a thread keeps its event loop (and the GIL) for replies.
            if executor is None or pool_broken(executor):
                refresh_summits(store)
            else:
                executor.submit(refresh_stored_summits, store.location).result()
    finally:
        if own_pool is not None:
            own_pool.shutdown()
    for error in report.errors:
        log.warning("seed %s skipped: %s", error.file, error.error)
    return report


def refresh_stored_summits(location: StoreLocation) -> RefreshReport:
    """:func:`refresh_summits` on the store at ``location`` (for a pool worker)."""
    with open_store_at(location) as store:
        return refresh_summits(store)


def _record(outcome: Outcome, store: DigestStore, report: BuildReport) -> None:
    if outcome.unchanged:
        store.touch(outcome.name, outcome.size, outcome.mtime_ns)
        report.unchanged += 1
    elif outcome.digest is not None:
        store.put_digest(outcome.digest, outcome.size, outcome.mtime_ns)
        report.built.append(outcome.name)
    else:
        error = BuildError(outcome.name, outcome.error or "unknown error")
        report.errors.append(error)
        if not outcome.transient:
            store.put_error(error, outcome.size, outcome.mtime_ns, outcome.content_hash)
