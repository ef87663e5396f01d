"""Telling a damaged digest store from other failures, and setting it aside.

The digest store holds nothing that cannot be rebuilt from the seeds, so damage is never worth
stalling for: a store whose pages are corrupt (flipped bytes, a torn write, a truncated copy),
that is not a database at all, or whose rows no longer decode is moved aside (kept for a post
mortem, never deleted) and a fresh store is built in its place.  What is *not* damage, and must
not set a good store aside, is everything transient: a lock held by another process, a full disk,
a missing permission.

Damage shows in two ways: SQLite's own check at start-up (:func:`check_store`, page level), and
a failing row when it is read (:func:`damage_reason` of the exception), since a flipped byte
inside a stored text passes SQLite's integrity check and is only found when that row is decoded.

All of this is about the SQLite file.  A store on PostgreSQL has no file to check or move: the
server keeps its own integrity, so :func:`open_library` opens it as it is, and callers set a
store aside only when its location is a path (:func:`settable_aside`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from briefings.library import Library
from briefings.store import StoreLocation, open_store_at
from briefings.store.digests import DigestStore

log = logging.getLogger(__name__)

_HEADER = b"SQLite format 3\x00"
#: Messages of errors that mean the file's content is damaged (SQLite's and the sqlite3 module's).
_DAMAGE_MESSAGES = (
    "malformed",
    "not a database",
    "could not decode to utf-8",
    "file is encrypted",
)
_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


class StoreDamagedError(Exception):
    """The digest store at ``path`` is damaged; ``reason`` says how, in a few words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"the digest store {path} is damaged ({reason})")
        self.path = path
        self.reason = reason


def damage_reason(exc: BaseException) -> str | None:
    """How ``exc`` shows the store's file is damaged, or None when it does not.

    Locks, a full disk, permissions and programming errors are not damage: setting the store
    aside would not help and would throw a good store away.
    """
    if isinstance(exc, StoreDamagedError):
        return exc.reason
    if isinstance(exc, sqlite3.DatabaseError):
        code = str(getattr(exc, "sqlite_errorname", "") or "")
        text = str(exc).lower()
        if code.startswith(_DAMAGE_CODES) or any(m in text for m in _DAMAGE_MESSAGES):
            return _short(str(exc))
        return None
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
        return f"a stored row cannot be decoded: {_short(str(exc))}"
    cause = exc.__cause__ or exc.__context__
    return damage_reason(cause) if cause is not None and cause is not exc else None


def _short(text: str) -> str:
    """The first line of an error, without the (possibly long, garbled) row text it quotes."""
    first = text.splitlines()[0] if text else "unknown damage"
    head, sep, _ = first.partition(" with text ")
    return (head if sep else first)[:160]


def check_store(path: Path) -> str | None:
    """SQLite's check of the store at ``path``: None when sound (or absent), else the reason.

    Reads the header first (a truncated copy or a file that is not a database is named as
    such), then runs ``PRAGMA quick_check`` (every page and record; it skips only the
    cross-check of index entries against their rows, which a rebuild of the index fixes and
    which costs as much again).
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None  # SQLite makes a new database of an empty file
    with path.open("rb") as handle:
        header = handle.read(100)
    if header[: len(_HEADER)] != _HEADER:
        return "not an SQLite database"
    expected = _expected_size(header)
    if expected is not None and size < expected:
        return f"truncated: {size:,} of its {expected:,} bytes"
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        return damage_reason(exc)
    try:
        rows = connection.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as exc:
        return damage_reason(exc)
    finally:
        connection.close()
    findings = [str(row[0]) for row in rows]
    if findings == ["ok"]:
        return None
    lines = [line for f in findings for line in f.splitlines() if not line.startswith("***")]
    return "integrity check failed: " + _short(lines[0] if lines else findings[0])


def _expected_size(header: bytes) -> int | None:
    """The size the database header promises (page size × page count), when it says so."""
    if len(header) < 100:
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The count is valid only when the change counter matches "version valid for" (SQLite's
    # rule: an old writer may have left it stale).
    if pages == 0 or header[24:28] != header[92:96]:
        return None
    return page_size * pages


def set_aside(path: Path) -> Path:
    """Rename the damaged store (and its WAL and shared-memory files) beside it; return the new
    name of the store.  Nothing is deleted: the damaged file is kept for inspection."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.replace(target.with_name(target.name + suffix))
    if path.exists():
        path.replace(target)
    return target


@dataclass(frozen=True, slots=True)
class StoreDamage:
    """A damaged store that was set aside: why, where it went, when (Unix time)."""

    reason: str
    path: Path
    moved_to: Path
    at: float


def recover(path: Path, reason: str) -> StoreDamage:
    """Set the damaged store at ``path`` aside and say so in one line (the caller rebuilds).

    Raises:
        OSError: the store could not be moved (logged with what to do by hand).
    """
    try:
        moved = set_aside(path)
    except OSError as exc:
        log.critical(
            "the digest store %s is damaged (%s) and cannot be moved aside (%s): "
            "move or delete it by hand, then restart; it is rebuilt from the seeds",
            path, reason, exc.strerror or exc,
        )  # fmt: skip
        raise
    log.error(
        "the digest store %s is damaged (%s): set aside as %s and rebuilt from the seeds; "
        "nothing else to do (if it happens again, check the disk)",
        path, reason, moved.name,
    )  # fmt: skip
    return StoreDamage(reason, path, moved, time.time())


def settable_aside(location: StoreLocation) -> bool:
    """Whether damage to the store at ``location`` can be recovered from here (a SQLite file)."""
    return isinstance(location, Path)


def open_library(
    location: StoreLocation,
) -> tuple[DigestStore, Library, StoreDamage | None]:
    """Open the store at ``location`` and load its library, setting a damaged store aside first.

    Damage is looked for twice: SQLite's check before opening, and any failing row while the
    library loads.  After a set-aside the store is empty and the library too, until a build.
    A store on PostgreSQL is opened and loaded as it is (nothing to check or set aside).
    """
    if not isinstance(location, Path):
        return (*_open(location), None)
    path = location
    damage: StoreDamage | None = None
    reason = check_store(path)
    if reason is not None:
        damage = recover(path, reason)
    try:
        return (*_open(path), damage)
    except Exception as exc:
        reason = damage_reason(exc)
        if reason is None or damage is not None:
            raise
    damage = recover(path, reason)
    return (*_open(path), damage)


def _open(location: StoreLocation) -> tuple[DigestStore, Library]:
    store = open_store_at(location)
    try:
        return store, Library.load(store)
    except BaseException:
        store.close()
        raise
