"""Noticing that the bot's database vanished, instead of starting afresh without a word.

SQLite creates a missing database file, so a deleted or unmounted ``bot.sqlite3`` would look like
a first start: every subscription silently gone, subscribers never told.  A marker file beside the
database records that one existed; a marker without its database is a loud warning, in the log
and to the admins.  (A data folder lost as a whole takes the marker with it: that case looks
like a first start and cannot be told apart from one.)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from pathlib import Path

from bot.delivery.db import StorageError, parse_database_url
from bot.delivery.subscriptions import SubscriptionStore
from bot.render import render

log = logging.getLogger(__name__)

MARKER_SUFFIX = ".marker"


def _database_path(url: str) -> Path | None:
    """The SQLite file (a PostgreSQL server keeps its own data: nothing to guard here)."""
    parsed = parse_database_url(url)
    if parsed.dialect != "sqlite" or parsed.in_memory:
        return None
    return Path(parsed.database)


def _marker(path: Path) -> Path:
    return path.with_name(path.name + MARKER_SUFFIX)


def database_lost(url: str) -> Path | None:
    """The database's path when it existed before (its marker is there) but is missing now;
    logs the loud warning.  Call before opening the database (opening creates it)."""
    path = _database_path(url)
    if path is None or path.exists() or not _marker(path).exists():
        return None
    try:
        created = json.loads(_marker(path).read_text(encoding="utf-8")).get("created", "?")
    except (OSError, ValueError, AttributeError):
        created = "?"
    log.critical(
        "the bot's database %s is MISSING although it existed (created %s): every subscription "
        "and pending delivery it held is gone; a new, empty one is started. Restore it from a "
        "backup (stop the bot first), or ask subscribers to /subscribe again",
        path, created,
    )  # fmt: skip
    return path


def mark_database(url: str) -> None:
    """Record, beside the database, that it exists (once opened successfully)."""
    path = _database_path(url)
    if path is None or not path.exists() or _marker(path).exists():
        return
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        _marker(path).write_text(
            json.dumps({"database": path.name, "created": stamp}) + "\n", encoding="utf-8"
        )
    except OSError as exc:
        log.warning("cannot write %s (%s): a lost database would go unnoticed", path, exc)


async def report_lost_database(
    subscriptions: SubscriptionStore, admins: Iterable[int], path: Path
) -> None:
    """Tell the admins, through the ledger of the new database, that the old one is gone."""
    text = render("notice", name="subscriptions_lost", path=str(path))
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        await subscriptions.record_notice(f"database-lost:{stamp}", admins, text)
    except StorageError as exc:
        log.warning("cannot tell the admins that the database was lost: %s", exc)
