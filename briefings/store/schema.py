"""The store's tables: the schema, its version, and how rowids encode order.

Split from :mod:`briefings.store.digests` (the store's reads and writes) so the layout of the
SQLite file can be read in one place.
"""

from __future__ import annotations

#: Bumped when the tables change; an older store is migrated when opened (see ``_migrate``).
STORE_VERSION = 4

#: Quotes are matched by word beginnings ("put" finds Putin): a summit has few of them.
_TOKENIZER = "tokenize = 'unicode61 remove_diacritics 2'"
#: Passages are matched by stem ("summits" finds "summit", "negotiations" "negotiated"): whole
#: stemmed terms are single index lookups, where a prefix term merges every word it begins.
_STEMMING_TOKENIZER = "tokenize = 'porter unicode61 remove_diacritics 2'"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS files (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    format_version INTEGER NOT NULL,
    error TEXT,
    digest TEXT,
    published TEXT,
    built_at REAL NOT NULL,
    card TEXT,
    summit TEXT,
    passages_lo INTEGER,
    passages_hi INTEGER
);
CREATE INDEX IF NOT EXISTS files_built_at ON files (built_at);
CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5(
    text, file UNINDEXED, kind UNINDEXED, speaker UNINDEXED, {_STEMMING_TOKENIZER}
);
CREATE TABLE IF NOT EXISTS summits (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    rank INTEGER NOT NULL,
    name TEXT NOT NULL,
    latest_published TEXT,
    files TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    briefing TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS summit_quotes USING fts5(
    speaker, text, kind UNINDEXED, files UNINDEXED, {_TOKENIZER}
);
CREATE TABLE IF NOT EXISTS claims (
    file TEXT NOT NULL,
    key TEXT NOT NULL,
    subject TEXT NOT NULL,
    attribute TEXT NOT NULL,
    value TEXT NOT NULL,
    sentence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS claims_file ON claims (file);
CREATE INDEX IF NOT EXISTS claims_key ON claims (key, value);
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

#: Columns of ``files`` derived from the digest (added to an older store by ``_migrate``).
_DERIVED_COLUMNS = {
    "card": "TEXT",
    "summit": "TEXT",
    "passages_lo": "INTEGER",
    "passages_hi": "INTEGER",
}

#: Passage rowids are ``day << 32 | sequence``: ``day`` is the article's publication date as a
#: day number (0 when undated), so rowid order is publication order and /search can rank the
#: most recent matches without reading every match of a common word.  A file's passages get
#: consecutive rowids, recorded in ``files``, so replacing them is a range delete, not a scan.
_DAY_SHIFT = 32
#: Quote rowids of summit ``id`` are ``id << 20 | position``: one range per summit.
_QUOTE_SHIFT = 20
