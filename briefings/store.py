"""The digest store: one SQLite file holding every digest, build error and a full-text index.

Why SQLite: a no-op rebuild must compare 10,000 seeds against what was built in well under a
second (one indexed table of file states), loading digests must not need the NLP model (they are
stored as JSON), and /search must stay fast on a large archive (an FTS5 index of sentences and
quotes).  Writes happen only in the builder process; the bot opens the file read-mostly.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from briefings.models import DIGEST_FORMAT_VERSION, BuildError, Digest
from briefings.sentences import split_sentences

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    format_version INTEGER NOT NULL,
    error TEXT,
    digest TEXT,
    published TEXT,
    built_at REAL NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5(
    text, file UNINDEXED, kind UNINDEXED, speaker UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""


@dataclass(frozen=True, slots=True)
class FileState:
    """What the store knows about a seed file from its last build."""

    size: int
    mtime_ns: int
    content_hash: str
    format_version: int
    failed: bool


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A sentence or quote matching a search."""

    file: str
    kind: str  # "sentence" | "quote"
    text: str
    speaker: str | None
    snippet: str


class DigestStore:
    """Digests and build errors of one seeds folder, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Serialized SQLite (threadsafety 3): the bot loads in a worker thread and searches on
        # the event loop through the same connection.
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> DigestStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so a crash never leaves half a build recorded."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- build bookkeeping -------------------------------------------------------------------

    def file_states(self) -> dict[str, FileState]:
        """Every recorded file with its size, mtime, hash and whether it failed."""
        rows = self._db.execute(
            "SELECT name, size, mtime_ns, content_hash, format_version, error IS NOT NULL "
            "FROM files"
        )
        return {r[0]: FileState(r[1], r[2], r[3], r[4], bool(r[5])) for r in rows}

    def put_digest(self, digest: Digest, size: int, mtime_ns: int) -> None:
        """Record a freshly built digest (replacing whatever the file had)."""
        self._delete_passages(digest.file)
        self._db.execute(
            "INSERT OR REPLACE INTO files (name, size, mtime_ns, content_hash, format_version, "
            "error, digest, published, built_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)",
            (
                digest.file,
                size,
                mtime_ns,
                digest.content_hash,
                digest.format_version,
                json.dumps(digest.to_dict(), ensure_ascii=False),
                digest.meta.published,
                time.time(),
            ),
        )
        self._db.executemany(
            "INSERT INTO passages (text, file, kind, speaker) VALUES (?, ?, ?, ?)",
            _passages(digest),
        )

    def put_error(self, error: BuildError, size: int, mtime_ns: int, content_hash: str) -> None:
        """Record a failed build so it is reported, and retried only once the file changes."""
        self._delete_passages(error.file)
        self._db.execute(
            "INSERT OR REPLACE INTO files (name, size, mtime_ns, content_hash, format_version, "
            "error, digest, published, built_at) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
            (
                error.file,
                size,
                mtime_ns,
                content_hash,
                DIGEST_FORMAT_VERSION,
                error.error,
                time.time(),
            ),
        )

    def touch(self, name: str, size: int, mtime_ns: int) -> None:
        """The file's stat changed but its content did not: remember the new stat only."""
        self._db.execute(
            "UPDATE files SET size = ?, mtime_ns = ? WHERE name = ?", (size, mtime_ns, name)
        )

    def remove(self, names: Iterable[str]) -> None:
        """Forget removed seed files."""
        wanted = list(names)
        for start in range(0, len(wanted), 500):  # one scan of the index per 500 files
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            self._db.execute(f"DELETE FROM passages WHERE file IN ({marks})", chunk)
            self._db.execute(f"DELETE FROM files WHERE name IN ({marks})", chunk)

    def _delete_passages(self, name: str) -> None:
        # ``file`` is not indexed in the full-text table, so this DELETE reads every passage
        # (~30 ms per 1,000 articles).  Only a file recorded with a digest has passages: a new
        # file, the common case in a build, costs one primary-key lookup instead.
        row = self._db.execute(
            "SELECT 1 FROM files WHERE name = ? AND digest IS NOT NULL", (name,)
        ).fetchone()
        if row is not None:
            self._db.execute("DELETE FROM passages WHERE file = ?", (name,))

    # --- reading -----------------------------------------------------------------------------

    def digests(self) -> list[Digest]:
        """Every stored digest of the current format, by file name."""
        rows = self._db.execute(
            "SELECT digest FROM files WHERE digest IS NOT NULL AND format_version = ? "
            "ORDER BY name",
            (DIGEST_FORMAT_VERSION,),
        )
        return [Digest.from_dict(json.loads(r[0])) for r in rows]

    def digest_hashes(self) -> dict[str, str]:
        """File name → content hash of every stored digest of the current format (no parsing)."""
        rows = self._db.execute(
            "SELECT name, content_hash FROM files WHERE digest IS NOT NULL AND format_version = ?",
            (DIGEST_FORMAT_VERSION,),
        )
        return {r[0]: r[1] for r in rows}

    def digests_named(self, names: Iterable[str]) -> list[Digest]:
        """The stored digests (current format) of the given files; missing ones are left out."""
        wanted = list(names)
        found: list[Digest] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._db.execute(
                "SELECT digest FROM files WHERE digest IS NOT NULL AND format_version = ? "
                f"AND name IN ({', '.join('?' * len(chunk))})",
                (DIGEST_FORMAT_VERSION, *chunk),
            )
            found.extend(Digest.from_dict(json.loads(r[0])) for r in rows)
        return found

    def digest(self, name: str) -> Digest | None:
        """One stored digest by seed file name."""
        row = self._db.execute(
            "SELECT digest FROM files WHERE name = ? AND digest IS NOT NULL", (name,)
        ).fetchone()
        return Digest.from_dict(json.loads(row[0])) if row else None

    def errors(self) -> list[BuildError]:
        """Files whose last build failed, with the reason."""
        rows = self._db.execute(
            "SELECT name, error FROM files WHERE error IS NOT NULL ORDER BY name"
        )
        return [BuildError(r[0], r[1]) for r in rows]

    def last_built_at(self) -> float | None:
        """Unix time of the most recent successful build of any file."""
        row = self._db.execute("SELECT max(built_at) FROM files").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def search(self, words: str, limit: int = 10) -> list[SearchHit]:
        """Sentences and quotes matching every word (prefix match), best first."""
        query = _fts_query(words)
        if not query:
            return []
        rows = self._db.execute(
            "SELECT file, kind, text, speaker, snippet(passages, 0, '\x02', '\x03', '…', 24) "
            "FROM passages WHERE passages MATCH ? ORDER BY bm25(passages) LIMIT ?",
            (query, limit),
        )
        return [SearchHit(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def _fts_query(words: str) -> str:
    """Turn free text into a safe FTS5 query: every word, as a quoted prefix term."""
    terms = [w for w in "".join(c if c.isalnum() else " " for c in words).split() if w]
    return " ".join(f'"{t}"*' for t in terms[:12])


def _passages(digest: Digest) -> Iterator[tuple[str, str, str, str | None]]:
    for sentence in split_sentences("\n".join(digest.paragraphs)):
        yield sentence.text, digest.file, "sentence", None
    for quote in digest.quotes:
        yield quote.text, digest.file, "quote", quote.speaker
