"""Who gets briefings, when, and what was delivered: subscriptions and the delivery ledger.

Why a ledger: a briefing to thousands of chats takes minutes (Telegram allows ~30 messages per
second), and the bot can be restarted or killed in the middle.  So a briefing is first written
down as one *pending* row per (chat, message part), under a unique key ("new:<hash>",
"daily:<chat>:<date>") so creating it twice is a no-op; the sender then marks each row sent the
moment Telegram confirms it.  After a restart the sender simply continues with the pending rows:
nothing is lost and nothing already sent is sent again.

All SQL is plain (``?`` placeholders, ``ON CONFLICT`` upserts) so a PostgreSQL backend only needs
a new :class:`bot.delivery.db.Database`; see :mod:`bot.delivery.db`.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.delivery.daily import local_moment, next_occurrence
from bot.delivery.db import Database, Row, StorageError

__all__ = ["Delivery", "StorageError", "Subscription", "SubscriptionStore"]

log = logging.getLogger(__name__)

Kind = Literal["new", "daily"]
Status = Literal["pending", "sent", "failed"]
KINDS: tuple[Kind, ...] = ("new", "daily")

#: Longer than any IANA zone name; a longer "zone" is refused before touching the file system.
_MAX_ZONE_NAME = 64


def time_zone(name: str) -> ZoneInfo | None:
    """The IANA zone ``name``, or None when it is not one.

    ``ZoneInfo`` looks the name up as a path below the tz database: a folder ("Europe") raises
    ``IsADirectoryError`` and a very long name ``OSError``, neither of which is a
    ``ZoneInfoNotFoundError``; every one of them means "not a zone I know".
    """
    if not name or len(name) > _MAX_ZONE_NAME:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@dataclass(frozen=True, slots=True)
class Subscription:
    """One chat's subscription to one kind of briefing."""

    chat_id: int
    kind: Kind
    #: Local time of day for "daily" (naive; interpret it in :attr:`timezone`).
    daily_time: datetime.time | None = None
    #: IANA zone name for "daily".
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message (one part of a briefing) owed to one chat."""

    id: int
    briefing_id: int
    chat_id: int
    part: int
    text: str
    attempts: int
    status: Status
    #: When the briefing was recorded (Unix time): a delivery is kept for a horizon from it.
    created_at: float = 0.0


_SET_STATE = (
    "INSERT INTO state (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_DELIVERY_COLUMNS = (
    "d.id, d.briefing_id, d.chat_id, d.part, d.text, d.attempts, d.status, b.created_at"
)
_DELIVERIES = "deliveries d JOIN briefings b ON b.id = d.briefing_id"


def _delivery(row: Row) -> Delivery:
    return Delivery(
        id=int(row[0]),
        briefing_id=int(row[1]),
        chat_id=int(row[2]),
        part=int(row[3]),
        text=str(row[4]),
        attempts=int(row[5]),
        status=cast(Status, row[6]),
        created_at=float(row[7]),
    )


def _subscription(row: Row) -> Subscription:
    daily = datetime.time.fromisoformat(row[2]) if row[2] else None
    return Subscription(int(row[0]), cast(Kind, row[1]), daily, row[3])


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown subscription kind {kind!r} (expected one of {KINDS})")


class SubscriptionStore:
    """Subscriptions, briefings and their deliveries, in the bot's database.

    Use one instance per process and event loop; every method may raise
    :class:`~bot.delivery.db.StorageError` when the database is unavailable (a write that raised
    did not happen, so the caller can retry it).
    """

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        """Wrap an open database; prefer :meth:`open`."""
        self._db = db
        self._clock = clock

    @property
    def database(self) -> Database:
        """The connection (the sender's lease, :mod:`bot.delivery.election`, shares it)."""
        return self._db

    @classmethod
    async def open(
        cls,
        database_url: str,
        *,
        busy_timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> SubscriptionStore:
        """Connect to ``database_url`` and create or migrate the schema.

        Args:
            database_url: ``sqlite:///path/to/bot.sqlite3`` or ``sqlite:///:memory:``.
            busy_timeout: seconds a write waits for another process's lock before failing with
                :class:`StorageError` (short in tests, generous in production).
            clock: Unix time source; tests inject one to move retry times without sleeping.
        """
        return cls(await Database.open(database_url, busy_timeout=busy_timeout), clock=clock)

    async def close(self) -> None:
        """Close the database (waits for a running operation; idempotent)."""
        await self._db.close()

    # --- subscriptions -----------------------------------------------------------------------

    async def subscribe_new(self, chat_id: int) -> bool:
        """Subscribe a chat to "new articles" announcements; True if it was not subscribed."""

        async def op() -> bool:
            changed = await self._db.execute(
                "INSERT INTO subscriptions (chat_id, kind, created_at) VALUES (?, 'new', ?) "
                "ON CONFLICT (chat_id, kind) DO NOTHING",
                (chat_id, self._clock()),
            )
            return changed == 1

        return await self._db.run(op, f"subscribe chat {chat_id}")

    async def subscribe_daily(self, chat_id: int, at: datetime.time, timezone: str) -> None:
        """Set (or replace) the chat's daily briefing time.

        Args:
            chat_id: the chat.
            at: local time of day; a tzinfo on it is ignored (``timezone`` says where).
            timezone: IANA zone name, validated here so a typo fails now, not at 3 a.m.

        Raises:
            ValueError: unknown time zone.
        """
        zone = time_zone(timezone)
        if zone is None:
            raise ValueError(f"unknown time zone {timezone[:80]!r}")
        local = at.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")

        async def op() -> None:
            now = self._clock()
            due = next_occurrence(at, zone, now)
            await self._db.execute(
                "INSERT INTO subscriptions (chat_id, kind, daily_time, timezone, created_at, "
                "next_due_at) VALUES (?, 'daily', ?, ?, ?, ?) ON CONFLICT (chat_id, kind) "
                "DO UPDATE SET daily_time = excluded.daily_time, timezone = excluded.timezone, "
                "next_due_at = excluded.next_due_at",
                (chat_id, local, timezone, now, due),
            )

        await self._db.run(op, f"set the daily time of chat {chat_id}")

    async def unsubscribe(self, chat_id: int, kind: str | None = None) -> int:
        """Remove the chat's subscriptions (only ``kind`` if given); returns how many."""
        _check_kind(kind)

        async def op() -> int:
            if kind is None:
                return await self._db.execute(
                    "DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)
                )
            return await self._db.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND kind = ?", (chat_id, kind)
            )

        return await self._db.run(op, f"unsubscribe chat {chat_id}")

    async def subscriptions_of(self, chat_id: int) -> list[Subscription]:
        """The chat's subscriptions ("daily" after "new")."""

        async def op() -> list[Row]:
            return await self._db.fetchall(
                "SELECT chat_id, kind, daily_time, timezone FROM subscriptions "
                "WHERE chat_id = ? ORDER BY kind DESC",
                (chat_id,),
            )

        return [_subscription(r) for r in await self._db.run(op, "read subscriptions")]

    async def all_subscriptions(self, kind: str | None = None) -> list[Subscription]:
        """Every subscription (of ``kind`` if given), by chat id."""
        _check_kind(kind)

        async def op() -> list[Row]:
            sql = "SELECT chat_id, kind, daily_time, timezone FROM subscriptions"
            if kind is None:
                return await self._db.fetchall(sql + " ORDER BY chat_id, kind DESC")
            return await self._db.fetchall(sql + " WHERE kind = ? ORDER BY chat_id", (kind,))

        return [_subscription(r) for r in await self._db.run(op, "read subscriptions")]

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: move its subscriptions and pending deliveries.

        If the new chat already has a subscription of the same kind, the old chat's one wins
        (it is what the group's members set up).  A pending delivery the new chat already owes
        for the same briefing part is not duplicated: the old row is marked failed with the
        reason instead (never silently deleted).
        """
        if old_chat_id == new_chat_id:
            return

        async def op() -> None:
            now = self._clock()
            await self._db.begin()
            await self._db.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND kind IN "
                "(SELECT kind FROM subscriptions WHERE chat_id = ?)",
                (new_chat_id, old_chat_id),
            )
            await self._db.execute(
                "UPDATE subscriptions SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            await self._db.execute(
                "UPDATE deliveries SET status = 'failed', updated_at = ?, "
                "error = 'duplicate after chat migration' "
                "WHERE chat_id = ? AND status = 'pending' AND EXISTS ("
                "SELECT 1 FROM deliveries n WHERE n.chat_id = ? "
                "AND n.briefing_id = deliveries.briefing_id AND n.part = deliveries.part)",
                (now, old_chat_id, new_chat_id),
            )
            await self._db.execute(
                "UPDATE deliveries SET chat_id = ?, updated_at = ? "
                "WHERE chat_id = ? AND status = 'pending'",
                (new_chat_id, now, old_chat_id),
            )
            await self._db.commit()

        await self._db.run(op, f"migrate chat {old_chat_id} to {new_chat_id}")
        log.info("chat %d migrated to %d", old_chat_id, new_chat_id)

    async def forget_chat(self, chat_id: int, reason: str = "blocked") -> None:
        """The bot was blocked or removed: drop the chat's subscriptions, fail what it is owed.

        Pending deliveries are marked failed with ``reason`` (``blocked``, ``chat not found``;
        kept for the record, never retried).
        """

        async def op() -> None:
            await self._db.begin()
            await self._db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            await self._db.execute(
                "UPDATE deliveries SET status = 'failed', error = ?, updated_at = ? "
                "WHERE chat_id = ? AND status = 'pending'",
                (reason, self._clock(), chat_id),
            )
            await self._db.commit()

        await self._db.run(op, f"forget chat {chat_id}")

    # --- the ledger --------------------------------------------------------------------------

    async def record_notice(self, key: str, chats: Iterable[int], text: str) -> bool:
        """One message ``text`` to each of ``chats`` (the admins), recorded once under ``key``.

        Returns:
            True when the notice is new and has recipients (wake the sender then); False when
            there is nobody to tell or the same key was recorded before.

        Raises:
            StorageError: the ledger could not be written.
        """
        recipients = sorted(set(chats))
        if not recipients:
            return False
        return await self.create_briefing(key, {chat: [text] for chat in recipients}) is not None

    async def create_briefing(
        self,
        key: str,
        chat_parts: Mapping[int, Sequence[str]],
        *,
        state: Mapping[str, str] | None = None,
    ) -> int | None:
        """Record a briefing and one pending delivery per (chat, part), atomically.

        Args:
            key: unique name of the briefing; a second call with the same key does nothing, which
                is what makes a briefing go out exactly once across restarts and races.
            chat_parts: the rendered message parts for every recipient chat, in sending order.
            state: key-value state (see :meth:`set_state`) to write in the same transaction,
                e.g. "these articles are announced now", so a crash can never leave the
                briefing recorded without the state or the other way round.  Written even when
                the briefing already existed.

        Returns:
            The briefing id, or None if a briefing with this key already existed.
        """
        rows = [
            (chat_id, part, text)
            for chat_id, parts in chat_parts.items()
            for part, text in enumerate(parts)
        ]

        async def op() -> int | None:
            now = self._clock()
            await self._db.begin()
            for state_key, value in (state or {}).items():
                await self._db.execute(_SET_STATE, (state_key, value))
            row = await self._db.fetchone(
                "INSERT INTO briefings (key, created_at) VALUES (?, ?) "
                "ON CONFLICT (key) DO NOTHING RETURNING id",
                (key, now),
            )
            if row is None:
                await self._db.commit()
                return None
            briefing_id = int(row[0])
            await self._db.executemany(
                "INSERT INTO deliveries (briefing_id, chat_id, part, text, next_attempt_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(briefing_id, chat, part, text, now, now) for chat, part, text in rows],
            )
            await self._db.commit()
            return briefing_id

        briefing_id = await self._db.run(op, f"create briefing {key}")
        if briefing_id is None:
            log.info("briefing %s already exists; not created again", key)
        else:
            log.info(
                "briefing %s created (#%d): %d messages to %d chats",
                key, briefing_id, len(rows), len(chat_parts),
            )  # fmt: skip
        return briefing_id

    async def pending_deliveries(self, limit: int = 1000) -> list[Delivery]:
        """Pending deliveries that are due now, oldest first.

        A delivery is left out while an earlier pending delivery to the same chat is waiting for
        a retry, so a chat never receives part 2 before part 1 (or tomorrow's briefing before
        today's).
        """

        async def op() -> list[Row]:
            now = self._clock()
            return await self._db.fetchall(
                f"SELECT {_DELIVERY_COLUMNS} FROM {_DELIVERIES} "
                "WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND NOT EXISTS ("
                "SELECT 1 FROM deliveries e WHERE e.chat_id = d.chat_id "
                "AND e.status = 'pending' AND e.id < d.id AND e.next_attempt_at > ?) "
                "ORDER BY d.id LIMIT ?",
                (now, now, limit),
            )

        return [_delivery(r) for r in await self._db.run(op, "read pending deliveries")]

    async def claim_deliveries(
        self, holder: str, lease: str, limit: int = 1000
    ) -> list[Delivery] | None:
        """Claim the due pending deliveries for ``holder``, who must hold the lease ``lease``.

        The lease is checked inside the claiming transaction (fencing), so a sender whose lease
        ran out (paused longer than it lasts) claims nothing once another has taken over.  A
        claim lasts as long as the lease (renewing the lease renews its claims), so the rows of
        a sender that died are free again the moment its lease expires.  The rows are those of
        :meth:`pending_deliveries`, minus rows another holder's live claim still covers;
        PostgreSQL skips rows locked by another claim instead of waiting for it.

        Returns:
            The claimed deliveries, oldest first; None when ``holder`` does not hold the lease.
        """

        async def op() -> list[Row] | None:
            now = self._clock()
            await self._db.begin()
            held = await self._db.fetchone(
                "SELECT expires_at FROM leases WHERE name = ? AND holder = ? AND expires_at > ?"
                + self._db.keep_rows,
                (lease, holder, now),
            )
            if held is None:
                await self._db.commit()
                return None
            rows = await self._db.fetchall(
                f"SELECT {_DELIVERY_COLUMNS} FROM {_DELIVERIES} "
                "WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND ("
                "d.claimed_by IS NULL OR d.claimed_by = ? OR d.claim_until <= ?) AND NOT EXISTS ("
                "SELECT 1 FROM deliveries e WHERE e.chat_id = d.chat_id "
                "AND e.status = 'pending' AND e.id < d.id AND e.next_attempt_at > ?) "
                "ORDER BY d.id LIMIT ?" + self._db.claim_rows.format(alias="d"),
                (now, holder, now, now, limit),
            )
            if rows:
                await self._db.executemany(
                    "UPDATE deliveries SET claimed_by = ?, claim_until = ? WHERE id = ?",
                    [(holder, float(held[0]), row[0]) for row in rows],
                )
            await self._db.commit()
            return rows

        rows = await self._db.run(op, "claim pending deliveries")
        return None if rows is None else [_delivery(r) for r in rows]

    async def pending_count(self) -> int:
        """How many deliveries are pending (due or waiting for a retry)."""

        async def op() -> Row | None:
            return await self._db.fetchone(
                "SELECT count(*) FROM deliveries WHERE status = 'pending'"
            )

        row = await self._db.run(op, "count pending deliveries")
        return int(row[0]) if row else 0

    async def next_retry_at(self) -> float | None:
        """Unix time of the earliest retry still in the future (None if none is waiting).

        Deliveries already due are not considered: after a flush, the due ones left are held
        back behind a waiting delivery of the same chat, so they cannot go before this time.
        """

        async def op() -> Row | None:
            return await self._db.fetchone(
                "SELECT min(next_attempt_at) FROM deliveries "
                "WHERE status = 'pending' AND next_attempt_at > ?",
                (self._clock(),),
            )

        row = await self._db.run(op, "read the next attempt time")
        return float(row[0]) if row and row[0] is not None else None

    async def delivery(self, delivery_id: int) -> Delivery | None:
        """One delivery by id, whatever its status (for tests and diagnostics)."""

        async def op() -> Row | None:
            return await self._db.fetchone(
                f"SELECT {_DELIVERY_COLUMNS} FROM {_DELIVERIES} WHERE d.id = ?", (delivery_id,)
            )

        row = await self._db.run(op, f"read delivery {delivery_id}")
        return _delivery(row) if row else None

    async def deliveries_of(self, briefing_id: int) -> list[Delivery]:
        """Every delivery of a briefing, by id (for tests, /stats and diagnostics)."""

        async def op() -> list[Row]:
            return await self._db.fetchall(
                f"SELECT {_DELIVERY_COLUMNS} FROM {_DELIVERIES} WHERE d.briefing_id = ? "
                "ORDER BY d.id",
                (briefing_id,),
            )

        return [_delivery(r) for r in await self._db.run(op, "read deliveries")]

    async def mark_sent(
        self, delivery_id: int, message_id: int | None, note: str | None = None
    ) -> None:
        """Telegram accepted the message: never send this delivery again.

        Recorded whatever the row's status (a send that raced with :meth:`forget_chat` still
        happened).  ``message_id`` is None when Telegram's answer did not hold a readable one,
        or when the send is only presumed (``note`` then says why, e.g. unconfirmed).
        """

        async def op() -> None:
            now = self._clock()
            await self._db.execute(
                "UPDATE deliveries SET status = 'sent', message_id = ?, sent_at = ?, "
                "updated_at = ?, error = ? WHERE id = ?",
                (message_id, now, now, note, delivery_id),
            )

        await self._db.run(op, f"mark delivery {delivery_id} sent")

    async def mark_retry(
        self, delivery_id: int, delay_s: float, error: str, *, count_attempt: bool = True
    ) -> None:
        """The send failed for a passing reason: try again after ``delay_s`` seconds.

        Args:
            delivery_id: the delivery.
            delay_s: seconds from now until the next attempt.
            error: why, kept for diagnostics.
            count_attempt: False for flood control (429), which says nothing about whether the
                message can ever be delivered and so must not use up the failure budget.
        """
        increment = 1 if count_attempt else 0

        async def op() -> None:
            now = self._clock()
            await self._db.execute(
                "UPDATE deliveries SET attempts = attempts + ?, next_attempt_at = ?, error = ?, "
                "updated_at = ?, failing_since = CASE WHEN ? = 1 "
                "THEN coalesce(failing_since, ?) ELSE failing_since END "
                "WHERE id = ? AND status = 'pending'",
                (
                    increment, now + max(0.0, delay_s), error[:1000], now, increment, now,
                    delivery_id,
                ),
            )  # fmt: skip

        await self._db.run(op, f"reschedule delivery {delivery_id}")

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        """Give up on a pending delivery, keeping the reason."""

        async def op() -> None:
            await self._db.execute(
                "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, error = ?, "
                "updated_at = ? WHERE id = ? AND status = 'pending'",
                (error[:1000], self._clock(), delivery_id),
            )

        await self._db.run(op, f"mark delivery {delivery_id} failed")

    async def held_deliveries(self, since: float) -> tuple[int, int, int, str]:
        """Deliveries kept pending after failed sends: for the admins' "held" notice.

        Returns:
            How many pending deliveries are failing (for passing reasons: a 429 does not
            count); how many of them have been failing since before ``since`` (Unix time),
            i.e. held for long; to how many chats those go; and the last error recorded on one.
        """

        async def op() -> tuple[int, int, int, str]:
            row = await self._db.fetchone(
                "SELECT count(*), sum(CASE WHEN failing_since < ? THEN 1 ELSE 0 END), "
                "count(DISTINCT CASE WHEN failing_since < ? THEN chat_id END), "
                "max(updated_at) "
                "FROM deliveries WHERE status = 'pending' AND failing_since IS NOT NULL",
                (since, since),
            )
            if row is None or not row[0]:
                return 0, 0, 0, ""
            last = await self._db.fetchone(
                "SELECT error FROM deliveries WHERE status = 'pending' "
                "AND failing_since IS NOT NULL AND updated_at = ? LIMIT 1",
                (row[3],),
            )
            return int(row[0]), int(row[1] or 0), int(row[2] or 0), str(last[0] if last else "")

        return await self._db.run(op, "read held deliveries")

    def now(self) -> float:
        """The store's clock (Unix time), the one deliveries are scheduled by."""
        return self._clock()

    async def last_delivery_to(self, chat_id: int) -> datetime.datetime | None:
        """When the chat last received a message from a briefing (UTC), if ever."""

        async def op() -> Row | None:
            return await self._db.fetchone(
                "SELECT max(sent_at) FROM deliveries WHERE chat_id = ? AND status = 'sent'",
                (chat_id,),
            )

        row = await self._db.run(op, "read the last delivery")
        if not row or row[0] is None:
            return None
        return datetime.datetime.fromtimestamp(float(row[0]), datetime.UTC)

    async def stats(self) -> dict[str, int]:
        """Counts for /stats: subscriptions, chats, briefings and deliveries by status."""

        async def op() -> dict[str, int]:
            result = {"subscriptions": 0, "chats": 0, "briefings": 0}
            result.update(sent=0, pending=0, failed=0)
            row = await self._db.fetchone(
                "SELECT count(*), count(DISTINCT chat_id) FROM subscriptions"
            )
            if row:
                result["subscriptions"], result["chats"] = int(row[0]), int(row[1])
            row = await self._db.fetchone("SELECT count(*) FROM briefings")
            result["briefings"] = int(row[0]) if row else 0
            for status, count in await self._db.fetchall(
                "SELECT status, count(*) FROM deliveries GROUP BY status"
            ):
                result[str(status)] = int(count)
            return result

        return await self._db.run(op, "read statistics")

    # --- daily schedules ---------------------------------------------------------------------

    async def due_dailies(self, now: float) -> list[tuple[Subscription, float | None]]:
        """Daily subscriptions due at ``now``, with their due time (None: never computed, a
        row from before schedules were rows), by due time."""

        async def op() -> list[Row]:
            return await self._db.fetchall(
                "SELECT chat_id, kind, daily_time, timezone, next_due_at FROM subscriptions "
                "WHERE kind = 'daily' AND (next_due_at IS NULL OR next_due_at <= ?) "
                "ORDER BY next_due_at, chat_id",
                (now,),
            )

        rows = await self._db.run(op, "read due daily schedules")
        return [(_subscription(r), None if r[4] is None else float(r[4])) for r in rows]

    async def advance_daily(self, chat_id: int, due: float | None, next_due: float) -> bool:
        """Move a chat's daily schedule from ``due`` to ``next_due``.

        Only if the row still says ``due``: a /subscribe daily that changed the time meanwhile
        (in any process) wins, and two processes advancing the same occurrence advance it once.

        Returns:
            True if this call advanced it.
        """

        async def op() -> int:
            if due is None:
                return await self._db.execute(
                    "UPDATE subscriptions SET next_due_at = ? WHERE chat_id = ? "
                    "AND kind = 'daily' AND next_due_at IS NULL",
                    (next_due, chat_id),
                )
            return await self._db.execute(
                "UPDATE subscriptions SET next_due_at = ? WHERE chat_id = ? "
                "AND kind = 'daily' AND next_due_at = ?",
                (next_due, chat_id, due),
            )

        return await self._db.run(op, f"advance the daily schedule of chat {chat_id}") == 1

    async def next_daily_run(self, chat_id: int) -> datetime.datetime | None:
        """When the chat's next daily briefing is due (aware, in its zone), or None."""

        async def op() -> Row | None:
            return await self._db.fetchone(
                "SELECT daily_time, timezone, next_due_at FROM subscriptions "
                "WHERE chat_id = ? AND kind = 'daily'",
                (chat_id,),
            )

        row = await self._db.run(op, f"read the daily schedule of chat {chat_id}")
        if row is None or not row[0] or not row[1] or time_zone(str(row[1])) is None:
            return None
        due = row[2]
        if due is None:  # not computed yet: what the sender will compute
            at = datetime.time.fromisoformat(str(row[0]))
            due = next_occurrence(at, ZoneInfo(str(row[1])), self._clock())
        return local_moment(float(due), str(row[1]))

    # --- small key-value state ---------------------------------------------------------------

    async def get_state(self, key: str) -> str | None:
        """A value stored with :meth:`set_state`, or None."""

        async def op() -> Row | None:
            return await self._db.fetchone("SELECT value FROM state WHERE key = ?", (key,))

        row = await self._db.run(op, f"read state {key}")
        return str(row[0]) if row else None

    async def set_state(self, key: str, value: str) -> None:
        """Store a small value under ``key`` (replacing the old one)."""

        async def op() -> None:
            await self._db.execute(_SET_STATE, (key, value))

        await self._db.run(op, f"write state {key}")
