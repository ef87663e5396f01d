"""What the sources remember, for the life of the archive: ``DATA_DIR/sources.sqlite3``.

* ``sources``: each followed source, its validators (ETag, Last-Modified), where a permanent
  redirect moved it, when it is due, and its health (failures since when, last error, whether
  admins were told).
* ``items``: each article taken from any source, with its seed file and content hash, and
  ``aliases``: every GUID, canonical URL, content hash and wire-copy fingerprint that led to it.
  An item re-published with a new GUID, dropped and re-added, or moved to a new URL meets one of
  its aliases and is not a new article.  Nothing is ever pruned: a ring buffer would forget an
  item that a feed drops and re-adds a month later.

One connection, used from worker threads one at a time (a lock), so the event loop never waits
on SQLite.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    url TEXT PRIMARY KEY,
    label TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT 'file',      -- 'file' (SOURCES_FILE) or 'chat' (/source add)
    removed INTEGER NOT NULL DEFAULT 0,       -- /source remove: not followed even if in the file
    fetch_url TEXT,                           -- where a permanent redirect moved it
    etag TEXT, last_modified TEXT,
    next_due REAL NOT NULL DEFAULT 0,
    primed INTEGER NOT NULL DEFAULT 0,        -- its first fetch was taken as the archive
    failures INTEGER NOT NULL DEFAULT 0,
    failing_since REAL, last_error TEXT, reported INTEGER NOT NULL DEFAULT 0,
    last_ok REAL, items INTEGER NOT NULL DEFAULT 0, added REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    seed TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '[]',       -- JSON: every outlet that carried the story
    first_seen REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS aliases (
    kind TEXT NOT NULL,    -- 'guid' (per source), 'url', 'hash', 'band<i>', 'minhash'
    value TEXT NOT NULL,
    item INTEGER NOT NULL REFERENCES items(id),
    PRIMARY KEY (kind, value, item)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aliases_item ON aliases(item);
"""


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A source's stored state."""

    url: str
    label: str
    origin: str
    removed: bool
    fetch_url: str | None
    etag: str | None
    last_modified: str | None
    next_due: float
    primed: bool
    failures: int
    failing_since: float | None
    last_error: str | None
    reported: bool
    last_ok: float | None
    items: int


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An article taken from a source."""

    id: int
    seed: str
    url: str
    content_hash: str
    sources: tuple[str, ...]


class SourceStore:
    """The sources database (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        """Open (creating) the database at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    # --- sources -------------------------------------------------------------------------

    def sync_file_sources(self, specs: list[tuple[str, str]]) -> None:
        """Make the 'file' sources match ``SOURCES_FILE`` (``(url, label)`` pairs).

        A URL removed from the file is forgotten as a source (its articles stay in the
        archive); one removed in the chat stays removed even while it is in the file.
        """
        with self._lock, self._db:
            now = time.time()
            wanted = dict(specs)
            rows = self._db.execute("SELECT url FROM sources WHERE origin='file'").fetchall()
            for (url,) in rows:
                if url not in wanted:
                    self._db.execute("DELETE FROM sources WHERE url=? AND removed=0", (url,))
            for index, (url, label) in enumerate(specs):
                self._db.execute(
                    "INSERT INTO sources(url, label, origin, added) VALUES (?, ?, 'file', ?) "
                    "ON CONFLICT(url) DO UPDATE SET label=excluded.label WHERE origin='file'",
                    (url, label, now + index * 1e-6),  # listed in the file's order
                )

    def add_source(self, url: str, label: str) -> bool:
        """Follow ``url`` (from the chat); False when it is followed already."""
        with self._lock, self._db:
            row = self._db.execute("SELECT removed FROM sources WHERE url=?", (url,)).fetchone()
            if row is not None and not row[0]:
                return False
            if row is not None:
                self._db.execute(
                    "UPDATE sources SET removed=0, label=?, next_due=0 WHERE url=?", (label, url)
                )
            else:
                self._db.execute(
                    "INSERT INTO sources(url, label, origin, added) VALUES (?, ?, 'chat', ?)",
                    (url, label, time.time()),
                )
            return True

    def remove_source(self, url: str) -> None:
        """Stop following ``url``; its articles stay in the archive and in the dedupe tables."""
        with self._lock, self._db:
            self._db.execute("UPDATE sources SET removed=1 WHERE url=?", (url,))

    def sources(self, *, include_removed: bool = False) -> list[SourceRow]:
        """Sources in the order they were added."""
        sql = "SELECT * FROM sources" + ("" if include_removed else " WHERE removed=0")
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY added, url").fetchall()
        return [_source_row(r) for r in rows]

    def update_source(self, url: str, **fields: object) -> None:
        """Set some columns of a source (names are this module's own, never user input)."""
        if not fields:
            return
        assignments = ", ".join(f"{name}=?" for name in fields)
        with self._lock, self._db:
            self._db.execute(
                f"UPDATE sources SET {assignments} WHERE url=?", (*fields.values(), url)
            )

    # --- items ---------------------------------------------------------------------------

    def find(self, keys: list[tuple[str, str]]) -> ItemRow | None:
        """The first item one of ``keys`` (``(kind, value)``, strongest first) points to."""
        with self._lock:
            for kind, value in keys:
                row = self._db.execute(
                    "SELECT i.id, i.seed, i.url, i.content_hash, i.sources FROM aliases a "
                    "JOIN items i ON i.id=a.item WHERE a.kind=? AND a.value=? "
                    "ORDER BY i.id LIMIT 1",
                    (kind, value),
                ).fetchone()
                if row is not None:
                    return _item_row(row)
        return None

    def near(self, bands: list[str]) -> list[tuple[ItemRow, str]]:
        """Items sharing a fingerprint band with ``bands``, each with its stored fingerprint."""
        clauses = " OR ".join("(a.kind=? AND a.value=?)" for _ in bands)
        params = [part for i, band in enumerate(bands) for part in (f"band{i}", band)]
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT i.id, i.seed, i.url, i.content_hash, i.sources, f.value "
                "FROM aliases a JOIN items i ON i.id=a.item "
                "JOIN aliases f ON f.item=i.id AND f.kind='minhash' "
                f"WHERE {clauses} LIMIT 50",
                params,
            ).fetchall()
        return [(_item_row(r[:5]), str(r[5])) for r in rows]

    def insert(
        self, *, seed: str, url: str, content_hash: str, title: str, source: str,
        keys: list[tuple[str, str]],
    ) -> int:  # fmt: skip
        """Record a new article and its aliases; its id."""
        now = time.time()
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO items(seed, url, content_hash, title, sources, first_seen, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seed, url, content_hash, title, json.dumps([source]), now, now),
            )
            item = int(cursor.lastrowid or 0)
            self._add_keys(item, keys)
        return item

    def touch(
        self, item: int, *, keys: list[tuple[str, str]], content_hash: str | None = None,
        source: str | None = None,
    ) -> None:  # fmt: skip
        """Add aliases to an item; record a new content hash or another outlet."""
        with self._lock, self._db:
            self._add_keys(item, keys)
            if content_hash is not None:
                self._db.execute(
                    "UPDATE items SET content_hash=?, updated=? WHERE id=?",
                    (content_hash, time.time(), item),
                )
            if source is not None:
                query = "SELECT sources FROM items WHERE id=?"
                (raw,) = self._db.execute(query, (item,)).fetchone()
                names = json.loads(raw)
                if source not in names:
                    names.append(source)
                    self._db.execute(
                        "UPDATE items SET sources=? WHERE id=?", (json.dumps(names), item)
                    )

    def forget(self, seeds: list[str], previous: dict[str, str]) -> None:
        """Undo a fetch whose files could not be written: its new items and their aliases go,
        edited items get their former content hash back."""
        with self._lock, self._db:
            for seed in seeds:
                row = self._db.execute("SELECT id FROM items WHERE seed=?", (seed,)).fetchone()
                if row is not None:
                    self._db.execute("DELETE FROM aliases WHERE item=?", row)
                    self._db.execute("DELETE FROM items WHERE id=?", row)
            for seed, old_hash in previous.items():
                self._db.execute("UPDATE items SET content_hash=? WHERE seed=?", (old_hash, seed))

    def outlets(self, seeds: list[str]) -> dict[str, tuple[str, ...]]:
        """Every outlet that carried each of ``seeds`` (taken from the first; the others had
        a near-identical copy of the story); seeds the sources did not give are absent."""
        found: dict[str, tuple[str, ...]] = {}
        with self._lock:
            for start in range(0, len(seeds), 500):  # SQLite's limit on parameters
                chunk = seeds[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT seed, sources FROM items WHERE seed IN ({marks})"
                for seed, raw in self._db.execute(query, chunk).fetchall():
                    found[str(seed)] = tuple(str(name) for name in json.loads(raw))
        return found

    def _add_keys(self, item: int, keys: list[tuple[str, str]]) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO aliases(kind, value, item) VALUES (?, ?, ?)",
            [(kind, value, item) for kind, value in keys],
        )


def _source_row(row: tuple[Any, ...]) -> SourceRow:
    (url, label, origin, removed, fetch_url, etag, last_modified, next_due, primed, failures,
     failing_since, last_error, reported, last_ok, items, _added) = row  # fmt: skip
    return SourceRow(
        url=url, label=label, origin=origin, removed=bool(removed), fetch_url=fetch_url,
        etag=etag, last_modified=last_modified, next_due=float(next_due), primed=bool(primed),
        failures=int(failures), failing_since=failing_since, last_error=last_error,
        reported=bool(reported), last_ok=last_ok, items=int(items),
    )  # fmt: skip


def _item_row(row: tuple[Any, ...]) -> ItemRow:
    item, seed, url, content_hash, sources = row
    return ItemRow(int(item), str(seed), str(url), str(content_hash), tuple(json.loads(sources)))
