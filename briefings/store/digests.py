"""The digest store: every digest, build error, article card, summit briefing and search index.

Why SQLite by default: a no-op rebuild must compare 10,000 seeds against what was built in well
under a second (one indexed table of file states), loading digests must not need the NLP model
(they are stored as JSON), and /search must stay fast on a large archive (an FTS5 index of
sentences and quotes).  Writes happen only in the builder process; the bot opens the file
read-mostly.

The reads and writes here are plain SQL with ``?`` placeholders and ``ON CONFLICT`` upserts, which
PostgreSQL understands too: :class:`~briefings.store.postgres.PostgresDigestStore` runs the same
methods through its own connection and overrides only what differs (the schema, the full-text
indexes and their queries, locking), so the two engines cannot drift apart in what they store.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefings.models import (
    DIGEST_FORMAT_VERSION,
    ArticleCard,
    ArticleStamp,
    BuildError,
    Digest,
    Summit,
    SummitHead,
)
from briefings.store.location import StoreLocation
from briefings.store.passages import _card_json, _day_number, _passages
from briefings.store.schema import (
    _DAY_SHIFT,
    _DERIVED_COLUMNS,
    _QUOTE_SHIFT,
    _SCHEMA,
    STORE_VERSION,
)
from briefings.store.search import _SearchQueries
from briefings.summits.claims import Claim, claims_of_digest


def _identity(path: Path) -> tuple[int, int] | None:
    """The file's device and inode (None when it is gone)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


@dataclass(frozen=True, slots=True)
class FileState:
    """What the store knows about a seed file from its last build."""

    size: int
    mtime_ns: int
    content_hash: str
    format_version: int
    failed: bool


class DigestStore(_SearchQueries):
    """Digests, summit briefings and build errors of one seeds folder, in one SQLite file."""

    #: The column that orders a table's rows (SQLite's implicit ``rowid``; PostgreSQL's ``id``).
    _ROW_ID = "rowid"

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Serialized SQLite (threadsafety 3): the bot loads in a worker thread and searches on
        # the event loop through the same connection.
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._identity = _identity(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._open_schema()

    @property
    def location(self) -> StoreLocation:
        """Where this store lives, for opening it again in another process or thread."""
        return self.path

    def reopen(self) -> DigestStore:
        """A new connection to the same store."""
        return DigestStore(self.path)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def replaced(self) -> bool:
        """True when the file at :attr:`path` is no longer the one this connection reads (a
        damaged store was set aside and a new one built): the caller should open it anew."""
        return _identity(self.path) != self._identity

    def __enter__(self) -> DigestStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so a crash never leaves half a build recorded; one writer at a time."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- statements (the PostgreSQL store runs them through its own connection) -------------

    def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._db.execute(sql, params)

    def _run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._db.executemany(sql, rows)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._db.execute(sql, params).fetchall()

    def _row(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._db.execute(sql, params).fetchone()
        return row

    # --- schema ------------------------------------------------------------------------------

    def _open_schema(self) -> None:
        """Create or migrate the tables, once, under the store's write lock."""
        if self._schema_version() < STORE_VERSION:
            with self.transaction():
                self._migrate()

    def _schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _set_schema_version(self, version: int) -> None:
        self._db.execute(f"PRAGMA user_version = {int(version)}")

    def _migrate(self) -> None:
        """Create the tables, or bring a store written by an older version up to date.

        The one migration path of both engines: :meth:`_create_tables` (the engine's DDL) brings
        the tables to :data:`STORE_VERSION`; what older versions lacked (cards, summits, dated
        passages, claims) is then derived from the stored digests (no seed is re-read and no
        model is loaded), and summits are merged by the next load.
        """
        version = self._schema_version()
        if version >= STORE_VERSION:
            return  # another process migrated it while this one waited for the lock
        reindex = self._create_tables(version)
        rows = self._rows("SELECT digest FROM files WHERE digest IS NOT NULL")
        for (stored,) in rows:
            digest = Digest.from_dict(json.loads(stored))
            self._run(
                "UPDATE files SET card = ?, summit = ? WHERE name = ?",
                (_card_json(digest), digest.summit, digest.file),
            )
            if reindex:
                self._index_passages(digest)
            if version < 4:
                self._index_claims(digest)
        self._bump_generation()
        self._set_schema_version(STORE_VERSION)

    def _create_tables(self, version: int) -> bool:
        """SQLite's DDL from ``version``; True when the passages must be indexed again.

        Version 1 stores lack the article cards and summits, and their passages have undated
        rowids (the index is rebuilt); version 2 stores lack the ``summit`` column; version 3
        stores the claims table.
        """
        existing = {r[1] for r in self._db.execute("PRAGMA table_info(files)")}
        reindex = bool(existing) and version < 2
        if reindex:
            self._db.execute("DROP TABLE IF EXISTS passages")
        for column, kind in _DERIVED_COLUMNS.items():
            if existing and column not in existing:
                self._db.execute(f"ALTER TABLE files ADD COLUMN {column} {kind}")
        for statement in _SCHEMA.split(";"):  # not executescript: it would COMMIT
            if statement.strip():
                self._db.execute(statement)
        return reindex

    # --- build bookkeeping -------------------------------------------------------------------

    def file_states(self) -> dict[str, FileState]:
        """Every recorded file with its size, mtime, hash and whether it failed."""
        rows = self._rows(
            "SELECT name, size, mtime_ns, content_hash, format_version, error IS NOT NULL "
            "FROM files"
        )
        return {r[0]: FileState(r[1], r[2], r[3], r[4], bool(r[5])) for r in rows}

    def _put_file(self, values: Sequence[Any]) -> None:
        """Insert or wholly replace a file's row (every column, as ``INSERT OR REPLACE`` did)."""
        self._run(
            "INSERT INTO files (name, size, mtime_ns, content_hash, format_version, error, "
            "digest, published, built_at, card, summit, passages_lo, passages_hi) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL) ON CONFLICT (name) DO UPDATE "
            "SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "content_hash = excluded.content_hash, format_version = excluded.format_version, "
            "error = excluded.error, digest = excluded.digest, published = excluded.published, "
            "built_at = excluded.built_at, card = excluded.card, summit = excluded.summit, "
            "passages_lo = NULL, passages_hi = NULL",
            values,
        )

    def put_digest(self, digest: Digest, size: int, mtime_ns: int) -> None:
        """Record a freshly built digest (replacing whatever the file had)."""
        self._delete_passages(digest.file)
        self._put_file(
            (
                digest.file,
                size,
                mtime_ns,
                digest.content_hash,
                digest.format_version,
                None,
                json.dumps(digest.to_dict(), ensure_ascii=False),
                digest.meta.published,
                time.time(),
                _card_json(digest),
                digest.summit,
            ),
        )
        self._index_passages(digest)
        self._index_claims(digest)
        self._bump_generation()

    def put_error(self, error: BuildError, size: int, mtime_ns: int, content_hash: str) -> None:
        """Record a failed build so it is reported, and retried only once the file changes."""
        self._delete_passages(error.file)
        self._put_file(
            (
                error.file,
                size,
                mtime_ns,
                content_hash,
                DIGEST_FORMAT_VERSION,
                error.error,
                None,
                None,
                time.time(),
                None,
                None,
            ),
        )
        self._bump_generation()

    def touch(self, name: str, size: int, mtime_ns: int) -> None:
        """The file's stat changed but its content did not: remember the new stat only."""
        self._run("UPDATE files SET size = ?, mtime_ns = ? WHERE name = ?", (size, mtime_ns, name))

    def remove(self, names: Iterable[str]) -> None:
        """Forget removed seed files."""
        wanted = list(names)
        for name in wanted:
            self._delete_passages(name)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            self._run(f"DELETE FROM files WHERE name IN ({marks})", chunk)
        if wanted:
            self._bump_generation()

    def _index_passages(self, digest: Digest) -> None:
        """Add the digest's sentences and quotes to the search index, under dated rowids."""
        rows = list(_passages(digest))
        if not rows:
            return
        day = _day_number(digest.meta.published)
        first = self._next_sequence(len(rows))
        base = day << _DAY_SHIFT
        self._insert_passages([(base + first + i, *row) for i, row in enumerate(rows)])
        self._run(
            "UPDATE files SET passages_lo = ?, passages_hi = ? WHERE name = ?",
            (base + first, base + first + len(rows) - 1, digest.file),
        )

    def _insert_passages(self, rows: Sequence[tuple[int, str, str, str, str | None]]) -> None:
        """Index ``(id, text, file, kind, speaker)`` rows."""
        self._run_many(
            "INSERT INTO passages (rowid, text, file, kind, speaker) VALUES (?, ?, ?, ?, ?)", rows
        )

    def _next_sequence(self, count: int) -> int:
        """Reserve ``count`` consecutive passage sequence numbers (unique across the store)."""
        first = self._meta("passage_seq")
        if first + count >= 1 << _DAY_SHIFT:
            first = 0  # after four billion passages: start again (old ones are long replaced)
        self._set_meta("passage_seq", first + count)
        return first

    def _index_claims(self, digest: Digest) -> None:
        """Record the digest's checkable claims, compared across the archive by summit merges."""
        self._run_many(
            "INSERT INTO claims (file, key, subject, attribute, value, sentence) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (c.file, "\x1f".join(c.key), c.subject, c.attribute, c.value, c.sentence)
                for c in claims_of_digest(digest)
            ],
        )

    def claims(self, *, disputable: bool = False) -> list[Claim]:
        """Every claim of the current digests (``disputable``: only those whose subject and
        attribute have more than one value in the archive: one indexed query)."""
        where = (
            "AND c.key IN (SELECT key FROM claims GROUP BY key HAVING COUNT(DISTINCT value) > 1)"
            if disputable
            else ""
        )
        rows = self._rows(
            "SELECT c.subject, c.attribute, c.value, c.sentence, c.file FROM claims c "
            "JOIN files f ON f.name = c.file "
            f"WHERE f.digest IS NOT NULL AND f.format_version = ? {where} "
            f"ORDER BY c.file, c.{self._ROW_ID}",
            (DIGEST_FORMAT_VERSION,),
        )
        return [Claim(*row) for row in rows]

    def _delete_passages(self, name: str) -> None:
        self._run("DELETE FROM claims WHERE file = ?", (name,))
        row = self._row("SELECT passages_lo, passages_hi FROM files WHERE name = ?", (name,))
        if row is not None and row[0] is not None:
            self._run(f"DELETE FROM passages WHERE {self._ROW_ID} BETWEEN ? AND ?", row)

    def _bump_generation(self) -> None:
        """Mark the stored summits as out of date (the digests they merge have changed)."""
        self._run(
            "INSERT INTO store_meta (key, value) VALUES ('generation', 1) "
            "ON CONFLICT (key) DO UPDATE SET value = store_meta.value + 1"
        )

    def _meta(self, key: str) -> int:
        row = self._row("SELECT value FROM store_meta WHERE key = ?", (key,))
        return int(row[0]) if row else 0

    def _set_meta(self, key: str, value: int) -> None:
        self._run(
            "INSERT INTO store_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- summit briefings (written by summit_index.refresh_summits) --------------------------

    def summits_stale(self) -> bool:
        """Whether digests changed since the summit briefings were last merged."""
        return self._meta("summits_generation") != self._meta("generation")

    def summits_generation(self) -> int:
        """The digests' generation: pass it to :meth:`mark_summits_current` after merging."""
        return self._meta("generation")

    def landed_generation(self) -> int | None:
        """The digests' generation once their summits are merged too (a build has landed), or
        None while a build is between its digests and its summits: one small indexed read, so
        a replica can ask every few seconds whether another process's build has landed."""
        values = dict(
            self._rows(
                "SELECT key, value FROM store_meta "
                "WHERE key IN ('generation', 'summits_generation')"
            )
        )
        generation = int(values.get("generation", 0))
        return generation if int(values.get("summits_generation", 0)) == generation else None

    def mark_summits_current(self, generation: int) -> None:
        """Record that the stored summits merge the digests of ``generation``."""
        self._set_meta("summits_generation", generation)

    def summit_fingerprints(self) -> dict[str, str]:
        """Summit key → fingerprint of the articles it was merged from."""
        return {r[0]: r[1] for r in self._rows("SELECT key, fingerprint FROM summits")}

    def put_summit(self, summit: Summit, fingerprint: str) -> None:
        """Store (or replace) a summit's merged briefing and index its quotes."""
        row = self._row("SELECT id FROM summits WHERE key = ?", (summit.key,))
        values = (
            summit.name,
            summit.latest_published,
            json.dumps(summit.files, ensure_ascii=False),
            fingerprint,
            json.dumps(summit.to_dict(), ensure_ascii=False),
        )
        if row is None:
            row = self._row(
                "INSERT INTO summits (key, rank, name, latest_published, files, fingerprint, "
                "briefing) VALUES (?, -1, ?, ?, ?, ?, ?) RETURNING id",
                (summit.key, *values),
            )
            assert row is not None
            summit_id = int(row[0])
        else:
            summit_id = int(row[0])
            self._delete_summit_quotes(summit_id)
            self._run(
                "UPDATE summits SET name = ?, latest_published = ?, files = ?, fingerprint = ?, "
                "briefing = ? WHERE id = ?",
                (*values, summit_id),
            )
        base = summit_id << _QUOTE_SHIFT
        self._insert_summit_quotes(
            [
                (base + i, q.speaker or "", q.text, q.kind, json.dumps(q.files))
                for i, q in enumerate(summit.quotes[: 1 << _QUOTE_SHIFT])
            ]
        )

    def _insert_summit_quotes(self, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
        """Index ``(id, speaker, text, kind, files)`` rows."""
        self._run_many(
            "INSERT INTO summit_quotes (rowid, speaker, text, kind, files) VALUES (?, ?, ?, ?, ?)",
            rows,
        )

    def remove_summits(self, keys: Iterable[str]) -> None:
        """Forget summits that no longer have articles."""
        for key in keys:
            row = self._row("SELECT id FROM summits WHERE key = ?", (key,))
            if row is not None:
                self._delete_summit_quotes(int(row[0]))
                self._run("DELETE FROM summits WHERE id = ?", (row[0],))

    def rank_summits(self, keys_newest_first: Sequence[str]) -> None:
        """Record the order summits are listed in (newest first)."""
        self._run_many(
            "UPDATE summits SET rank = ? WHERE key = ? AND rank != ?",
            [(rank, key, rank) for rank, key in enumerate(keys_newest_first)],
        )

    def _delete_summit_quotes(self, summit_id: int) -> None:
        self._run(
            f"DELETE FROM summit_quotes WHERE {self._ROW_ID} BETWEEN ? AND ?",
            (summit_id << _QUOTE_SHIFT, ((summit_id + 1) << _QUOTE_SHIFT) - 1),
        )

    # --- reading -----------------------------------------------------------------------------

    def digests(self) -> list[Digest]:
        """Every stored digest of the current format, by file name."""
        rows = self._rows(
            "SELECT digest FROM files WHERE digest IS NOT NULL AND format_version = ? "
            "ORDER BY name",
            (DIGEST_FORMAT_VERSION,),
        )
        return [Digest.from_dict(json.loads(r[0])) for r in rows]

    def cards(self) -> list[ArticleCard]:
        """The card of every stored digest of the current format, by file name."""
        rows = self._rows(
            "SELECT card FROM files WHERE digest IS NOT NULL AND format_version = ? ORDER BY name",
            (DIGEST_FORMAT_VERSION,),
        )
        return [ArticleCard.from_row(json.loads(r[0])) for r in rows]

    def stamps(self) -> list[ArticleStamp]:
        """What summit merging needs of every stored digest (current format): no JSON parsed."""
        rows = self._rows(
            "SELECT name, content_hash, published, summit FROM files "
            "WHERE digest IS NOT NULL AND format_version = ?",
            (DIGEST_FORMAT_VERSION,),
        )
        return [ArticleStamp(*r) for r in rows]

    def digests_named(self, names: Iterable[str]) -> list[Digest]:
        """The stored digests (current format) of the given files; missing ones are left out."""
        wanted = list(names)
        found: list[Digest] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._rows(
                "SELECT digest FROM files WHERE digest IS NOT NULL AND format_version = ? "
                f"AND name IN ({', '.join('?' * len(chunk))})",
                (DIGEST_FORMAT_VERSION, *chunk),
            )
            found.extend(Digest.from_dict(json.loads(r[0])) for r in rows)
        return found

    def digest(self, name: str) -> Digest | None:
        """One stored digest by seed file name."""
        row = self._row("SELECT digest FROM files WHERE name = ? AND digest IS NOT NULL", (name,))
        return Digest.from_dict(json.loads(row[0])) if row else None

    def summit_heads(self) -> list[SummitHead]:
        """Every summit without its briefing, newest first."""
        rows = self._rows("SELECT key, name, files, latest_published FROM summits ORDER BY rank")
        return [SummitHead(r[0], r[1], tuple(json.loads(r[2])), r[3]) for r in rows]

    def summit(self, key: str) -> Summit | None:
        """One summit's merged briefing."""
        row = self._row("SELECT briefing FROM summits WHERE key = ?", (key,))
        return Summit.from_dict(json.loads(row[0])) if row else None

    def errors(self) -> list[BuildError]:
        """Files whose last build failed, with the reason."""
        rows = self._rows("SELECT name, error FROM files WHERE error IS NOT NULL ORDER BY name")
        return [BuildError(r[0], r[1]) for r in rows]

    def last_built_at(self) -> float | None:
        """Unix time of the most recent successful build of any file."""
        row = self._row("SELECT max(built_at) FROM files")
        return float(row[0]) if row and row[0] is not None else None
