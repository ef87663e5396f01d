"""One sender, elected: which process sends broadcasts and runs the daily schedules.

Telegram's 30 messages a second are per bot, not per process, so with several processes exactly
one sends.  It is chosen through the database with a **lease row** (table ``leases``: holder id
and expiry), renewed every couple of seconds; when the holder dies, its lease runs out and the
next process to try takes it over, within ``duration + renew_every`` seconds.

Why a lease row and not a PostgreSQL advisory lock:

* It works on both engines (several processes on one SQLite file too), with the same SQL.
* It fences.  An advisory lock belongs to a session: a process that is frozen (SIGSTOP, a
  stalled VM, a long GC) keeps its connection and so its lock, and nobody sends until it wakes;
  a lease has an expiry.  The holder stops sending when its lease may have run out, measured on
  its own monotonic clock from *before* the renewal it sent (so it stops a margin before the
  expiry any other process sees), and every claim of deliveries checks the lease inside the
  claiming transaction, so a sender that lost it claims nothing more.
* A dropped connection, which the database layer replaces silently, would drop an advisory
  lock with it, unnoticed by the process that thought it held it.

The expiry is wall-clock time of the process that wrote it; processes on several machines
need clocks in step (NTP) to well within ``margin``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable

from bot.delivery.db import StorageError
from bot.delivery.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)

#: The lease row's name: the one sender of broadcasts and daily schedules.
SENDER_LEASE = "sender"
#: Seconds a lease lasts after each renewal.
LEASE_SECONDS = 5.0
#: Seconds between renewals (and between tries of a process that does not hold it).
RENEW_SECONDS = 1.5
#: The holder stops sending this long before its lease expires.
LEASE_MARGIN = 1.5
#: A new holder starts sending this long after it took the lease: the previous one, which
#: released it after its last send, may have sent within the last second, and Telegram's 30 a
#: second count across both.
HANDOVER_GAP = 1.0


def holder_id() -> str:
    """A name for this process that no other process, now or later, has."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SenderLease:
    """This process's part in the election: acquire, renew, release the sender's lease."""

    def __init__(
        self,
        store: SubscriptionStore,
        *,
        name: str = SENDER_LEASE,
        holder: str | None = None,
        duration: float = LEASE_SECONDS,
        renew_every: float = RENEW_SECONDS,
        margin: float = LEASE_MARGIN,
        handover_gap: float = HANDOVER_GAP,
    ) -> None:
        """Take part in the election of ``name`` (nothing happens until :meth:`run`).

        Args:
            store: the ledger whose database holds the lease.
            name: the lease's name.
            holder: this process's id (default: host, pid and a random part).
            duration: seconds a lease lasts after a renewal.
            renew_every: seconds between renewals and tries; well under ``duration``.
            margin: seconds before the expiry at which the holder stops counting on it.
            handover_gap: seconds after taking the lease before this process starts sending.
        """
        if not 0 < renew_every < duration - margin:
            raise ValueError("renew_every must be shorter than duration - margin")
        self._store = store
        self.name = name
        self.holder = holder or holder_id()
        self._duration = duration
        self._renew_every = renew_every
        self._margin = margin
        self._handover_gap = handover_gap
        self._valid_until = 0.0  # time.monotonic() until which this process may send
        self._valid_from = 0.0  # time.monotonic() from which it may (after taking the lease)
        self._was_held = False

    @property
    def held(self) -> bool:
        """True while this process holds the lease (with the margin to spare), from the
        handover gap after it took it."""
        return self._valid_from <= time.monotonic() < self._valid_until

    async def try_acquire(self) -> bool:
        """One round: take the lease if it is free or expired, renew it if it is ours.

        Renewing extends this holder's claims on deliveries to the new expiry.  A storage
        failure counts as not renewed (the lease then runs out by itself).

        Returns:
            Whether this process holds the lease now.
        """
        started = time.monotonic()
        db = self._store.database

        async def op() -> bool:
            now = self._store.now()
            expires = now + self._duration
            await db.begin()
            row = await db.fetchone(
                "INSERT INTO leases (name, holder, expires_at, acquired_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "expires_at = excluded.expires_at, acquired_at = CASE "
                "WHEN leases.holder = excluded.holder THEN leases.acquired_at "
                "ELSE excluded.acquired_at END "
                "WHERE leases.holder = excluded.holder OR leases.expires_at <= ? "
                "RETURNING holder",
                (self.name, self.holder, expires, now, now),
            )
            if row is not None:
                await db.execute(
                    "UPDATE deliveries SET claim_until = ? "
                    "WHERE claimed_by = ? AND status = 'pending'",
                    (expires, self.holder),
                )
            await db.commit()
            return row is not None

        try:
            won = await db.run(op, f"renew the {self.name} lease")
        except StorageError as exc:
            log.warning("cannot renew the %s lease: %s", self.name, exc)
            won = False
        if won:
            if not self._was_held:
                self._valid_from = time.monotonic() + self._handover_gap
            self._valid_until = started + self._duration - self._margin
        else:
            self._valid_until = 0.0
        if won != self._was_held:
            log.info(
                "%s the %s lease (%s)",
                "took" if won else "lost", self.name, self.holder,
            )  # fmt: skip
            self._was_held = won
        return won

    async def release(self) -> None:
        """Give the lease up now (graceful stop), so another process takes over at once."""
        self._valid_until = 0.0
        db = self._store.database

        async def op() -> None:  # one transaction: the successor finds the claims freed
            await db.begin()
            await db.execute(
                "UPDATE deliveries SET claimed_by = NULL, claim_until = NULL "
                "WHERE claimed_by = ? AND status = 'pending'",
                (self.holder,),
            )
            await db.execute(
                "UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ?",
                (self.name, self.holder),
            )
            await db.commit()

        try:
            await db.run(op, f"release the {self.name} lease")
        except StorageError as exc:
            log.warning("cannot release the %s lease (it runs out by itself): %s", self.name, exc)
        if self._was_held:
            log.info("released the %s lease", self.name)
            self._was_held = False

    async def run(self, on_gain: Callable[[], None]) -> None:
        """Try or renew every ``renew_every`` s until cancelled; ``on_gain`` when taken.

        Cancelling does not release the lease: the caller releases it once its sends in
        flight are recorded (:meth:`release`).
        """
        while True:
            had = self._was_held
            if await self.try_acquire() and not had:
                asyncio.get_running_loop().call_later(self._handover_gap, on_gain)
            await asyncio.sleep(self._renew_every)
