"""Deliver pending briefing messages once each, within Telegram's limits, and record the outcome.

The scheduler writes briefings into the ledger
(:class:`~bot.delivery.subscriptions.SubscriptionStore`); this module sends what the ledger says
is owed.  Why it is shaped this way:

* **Exactly once, as far as Telegram allows.**  Each delivery is marked sent the moment Telegram
  confirms it, so a crash re-sends at most the messages that were in flight.  Each send and its
  bookkeeping run in a task shielded from cancellation, so a shutdown lets them finish.  (A
  timeout *can* hide a message Telegram did deliver; the Bot API has no idempotency key, so such a
  message may arrive twice.  That is the only duplicate this design allows.)
* **In order per chat.**  A chat's deliveries are sent one after another by one worker, and the
  ledger withholds a chat's later messages while an earlier one waits for a retry.
* **Fast across chats, and steady.**  Up to ``concurrency`` chats are served at once, and the
  sender paces itself: ``max_rate``, a little under Telegram's 30/s, and ``per_chat_interval``
  between the parts sent to one chat.  The application's rate limiter
  (:class:`bot.delivery.rate_limiter.BudgetRateLimiter`) still counts every send against the
  overall and group limits, but it does not retry them: a 429 comes back here as
  ``RetryAfter``.  The sender then holds all new sends for ``retry_after`` (a 429 during a
  broadcast is almost always the global limit) and lets them go again one by one at its paced
  rate.  The limiter's own retry would hold every request and then release them together, a
  burst that draws the next 429.
* **Errors by meaning.**  Only an answer that no retry can change ends a delivery: a blocked
  chat or one Telegram does not know is unsubscribed and never retried, a ``BadRequest`` is our
  bug and fails at once.  Everything passing (5xx, dropped connections, timeouts, 429) keeps the
  delivery pending, however long it lasts, up to a horizon (24 h from the briefing by default):
  outages last longer than any fixed number of tries.  Retries back off exponentially with
  jitter up to ``max_backoff`` (a minute), and when sends keep failing the whole sender holds
  for that long too, then probes again, so an outage costs a few requests a minute.  Admins are
  told once when deliveries are held for long.
* **A slow answer is not a lost message.**  Sends wait ``read_timeout`` (15 s, well above
  Telegram's usual answer times) for an answer.  A send that timed out may well have been
  delivered, and the Bot API has no idempotency key: it is retried once, after
  ``timeout_retry_delay`` and with twice the timeout; if that times out too, it is recorded as
  sent, unconfirmed.  So a timed-out message arrives at most twice.
* **One sender among several processes.**  With a :class:`~bot.delivery.election.SenderLease`
  (what the bot uses), this sender sends only while its process holds the lease, claims each
  batch under it and checks it right before every send, so two processes never send at once
  and a sender that lost the lease (frozen past it) sends nothing more.  A takeover re-sends at
  most what the dead sender had in flight.
* **An ``ok`` answer is a send.**  The answer is not parsed into a ``Message`` (``Bot._post``):
  an answer with fields PTB cannot read (an emulator, a newer API) would otherwise turn a
  delivered message into a failure, and a resend.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import math
import random
import time
from collections import deque
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import httpx
import telegram
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.delivery.db import StorageError
from bot.delivery.election import SenderLease
from bot.delivery.held import HeldNotice
from bot.delivery.rate_limiter import SINGLE_ATTEMPT, BudgetRateLimiter
from bot.delivery.subscriptions import Delivery, SubscriptionStore
from bot.ptb_compat import post_unparsed, rate_limit_api_kwargs, retry_after_seconds

log = logging.getLogger(__name__)

#: A group can be migrated only once, but never follow a chain of migrations forever.
_MAX_MIGRATION_HOPS = 3
#: How long shutdown waits for in-flight sends to finish and be recorded.
_DRAIN_TIMEOUT = 30.0
#: Briefing messages per second the bot's sender starts: a little under Telegram's 30/s.
BROADCAST_RATE = 28.5
#: Seconds a send waits for Telegram's answer.  Telegram answers sendMessage in well under a
#: second, a few seconds when it is busy; PTB's default of 5 s turned busy moments into
#: timeouts, and every timeout into a possible duplicate.
SEND_READ_TIMEOUT = 15.0
#: Sends that fail in a row (with no success between) before the whole sender holds.
_HOLD_AFTER = 3


@dataclass(slots=True)
class SendReport:
    """What one :meth:`Sender.flush` did."""

    #: Messages Telegram accepted.
    sent: int = 0
    #: Deliveries rescheduled (flood control, network trouble, timeouts).
    retried: int = 0
    #: Deliveries given up on (bad request, held beyond the horizon).
    failed: int = 0
    #: Chats that blocked the bot (their deliveries are failed and subscriptions dropped).
    blocked: int = 0
    #: Groups followed to their new supergroup id.
    migrated: int = 0

    @property
    def attempted(self) -> int:
        """Deliveries that reached an outcome in this flush."""
        return self.sent + self.retried + self.failed + self.blocked


class _SendResult(enum.Enum):
    SENT = "sent"
    RETRY = "retry"  # the chat's later messages must wait
    FAILED = "failed"  # final; the chat's later messages may go
    BLOCKED = "blocked"  # the chat is gone; everything it was owed is failed


class Sender:
    """Sends every due pending delivery of the ledger through one ``telegram.Bot``."""

    def __init__(
        self,
        bot: telegram.Bot,
        store: SubscriptionStore,
        *,
        base_backoff: float = 1.0,
        concurrency: int = 30,
        max_backoff: float = 60.0,
        batch_size: int = 1000,
        progress_every: int = 500,
        max_rate: float | None = None,
        per_chat_interval: float = 0.0,
        horizon: float = 24 * 3600.0,
        read_timeout: float = SEND_READ_TIMEOUT,
        timeout_retry_delay: float = 30.0,
        admin_chat_ids: frozenset[int] = frozenset(),
        held_alert_after: float = 600.0,
        lease: SenderLease | None = None,
    ) -> None:
        """Set up a sender (nothing is sent until :meth:`flush` or :meth:`run_forever`).

        Args:
            bot: an initialised bot, normally ``application.bot``.  With the application's
                :class:`~bot.delivery.rate_limiter.BudgetRateLimiter` each send is tried once
                and a 429 is handled here; with any other limiter, that limiter's retries apply.
            store: the ledger.
            base_backoff: first retry delay in seconds after a network error; doubles per
                attempt (with jitter), up to ``max_backoff``.
            concurrency: chats served at the same time.
            max_backoff: longest delay between two retries of a delivery, and longest hold of
                all sends while they keep failing, in seconds.
            batch_size: deliveries read from the ledger at a time.
            progress_every: log progress at INFO every this many sends in a big broadcast.
            max_rate: messages per second this sender starts at most, evenly spaced (None: no
                pacing of its own).  Just under Telegram's 30/s, every sliding second stays
                within the flood limit: each 429 would hold *all* sends for a second or more.
            per_chat_interval: seconds between two messages to the same chat (the parts of a
                long briefing); Telegram allows about one message per second per chat.
            horizon: seconds after a briefing was recorded until which a delivery that keeps
                failing for passing reasons is retried; then it is failed with the last error.
            read_timeout: seconds a send waits for Telegram's answer.
            timeout_retry_delay: seconds to wait before the one retry of a timed-out send.
            admin_chat_ids: chats told (once) when deliveries are held for long.
            held_alert_after: seconds after which a delivery still held counts as "long".
            lease: the election of the one sender among several processes: with it, this
                sender sends only while it holds the lease, and claims what it sends
                (:meth:`SubscriptionStore.claim_deliveries`); without it (one process, tests),
                it sends whatever is pending.
        """
        if concurrency < 1 or batch_size < 1:
            raise ValueError("concurrency and batch_size must be at least 1")
        self._bot = bot
        self._store = store
        self._horizon = max(0.0, horizon)
        self._read_timeout = read_timeout
        self._timeout_retry_delay = max(0.0, timeout_retry_delay)
        self._base_backoff = max(0.0, base_backoff)
        self._max_backoff = max(self._base_backoff, max_backoff)
        self._concurrency = concurrency
        self._batch_size = batch_size
        self._progress_every = max(1, progress_every)
        self._lock = asyncio.Lock()
        self._wake_event = asyncio.Event()
        self._stop_event = asyncio.Event()
        self._flood_until = 0.0  # time.monotonic() before which no new send starts
        self._interval = 1.0 / max_rate if max_rate else 0.0
        self._last_slot = -1e9  # time.monotonic() the last paced send was let go
        #: When the last ``ceil(max_rate)`` paced sends really went (time.monotonic()).
        self._recent: deque[float] = deque(maxlen=math.ceil(max_rate) if max_rate else 1)
        self._slot_lock = asyncio.Lock()  # paced sends queue here, first come first served
        self._per_chat_interval = max(0.0, per_chat_interval)
        limiter = getattr(bot, "rate_limiter", None)
        self._api_kwargs: dict[str, Any] | None = (
            rate_limit_api_kwargs(SINGLE_ATTEMPT)
            if isinstance(limiter, BudgetRateLimiter)
            else None
        )
        #: Delivery id -> sends of it that timed out (Telegram may have delivered them).
        self._timeouts: dict[int, int] = {}
        self._failing = 0  # sends failed for passing reasons since the last success
        self._failing_since = 0.0  # time.monotonic() of the first of them
        self._unreadable_logged = False
        self._inflight: set[asyncio.Task[tuple[_SendResult, int]]] = set()
        #: Delivery id -> new chat id, when sending it followed a group migration.
        self._moved: dict[int, int] = {}
        #: Sent, but recording it failed (database locked): delivery id -> (message id, note).
        #: Kept so the message is never sent again while this process lives; written later.
        self._unrecorded: dict[int, tuple[int | None, str | None]] = {}
        self._rng = random.Random()
        self._progress = 0
        self._total = 0
        self._lease = lease
        self._held = HeldNotice(
            bot, store, admin_chat_ids,
            alert_after=held_alert_after, horizon=self._horizon,
            read_timeout=read_timeout, retry_every=self._max_backoff,
        )  # fmt: skip

    # --- public API --------------------------------------------------------------------------

    @property
    def leading(self) -> bool:
        """True when this process is the one that sends (and runs the daily schedules)."""
        return self._lease is None or self._lease.held

    def wake(self) -> None:
        """Ask a running :meth:`run_forever` loop to flush now (call from the event loop)."""
        self._wake_event.set()

    async def flush(self) -> SendReport:
        """Send every due pending delivery and record each outcome.

        Safe to call concurrently: calls run one after another (a later call then finds only
        what is still due).  Returns early, without starting new sends, when shutting down.

        Raises:
            StorageError: the ledger could not be read; nothing was sent by this call after
                that point, and every send that did happen was recorded or is kept in memory.
        """
        async with self._lock:
            report = SendReport()
            started = time.monotonic()
            await self._record_unrecorded()
            if not self.leading:
                return report
            self._total = await self._store.pending_count()
            self._progress = 0
            attempted: set[int] = set()
            while self._may_send():
                rows = await self._next_rows()
                if rows is None:
                    break
                fresh = [r for r in rows if r.id not in attempted and r.id not in self._unrecorded]
                if not fresh:
                    break
                attempted.update(r.id for r in fresh)
                await self._send_batch(fresh, report)
            if report.attempted or report.migrated:
                log.info(
                    "broadcast: %d sent, %d retrying, %d failed, %d blocked, %d migrated "
                    "in %.1fs",
                    report.sent, report.retried, report.failed, report.blocked,
                    report.migrated, time.monotonic() - started,
                )  # fmt: skip
            return report

    async def _next_rows(self) -> list[Delivery] | None:
        """The next batch: claimed under the lease, or simply read without one (None: the
        lease was lost)."""
        if self._lease is None:
            return await self._store.pending_deliveries(self._batch_size)
        rows = await self._store.claim_deliveries(
            self._lease.holder, self._lease.name, self._batch_size
        )
        if rows is None:
            log.warning("the sender's lease was taken over; this process stops sending")
        return rows

    def _may_send(self) -> bool:
        """Whether a send may start now: not stopping, and (elected) still holding the lease.

        Checked right before every send with no wait in between: a sender that was frozen past
        its lease (and may have been replaced) finds it expired on its own clock and stops.
        """
        return not self._stopping and self.leading

    async def run_forever(self, interval: float = 2.0) -> None:
        """Flush whenever woken, when a retry falls due, and at least every ``interval`` s.

        Runs until cancelled.  On cancellation no new send starts; sends already in flight
        finish and are recorded (for up to 30 s) before the cancellation propagates.  Storage
        errors are logged and retried on the next round, never fatal.
        """
        self._stop_event.clear()
        log.info("sender started (every %gs, %d chats at a time)", interval, self._concurrency)
        election = None
        if self._lease is not None:
            election = asyncio.create_task(self._lease.run(self.wake), name="sender-lease")
        try:
            while True:
                self._wake_event.clear()
                retried = False
                try:
                    retried = (await self.flush()).retried > 0
                    if retried:
                        self._held.arm()
                    if self.leading:
                        await self._held.check()
                except StorageError as exc:
                    log.warning("sending paused, the database is unavailable: %s", exc)
                except Exception:
                    log.exception("unexpected error while sending briefings; continuing")
                await self._sleep_until_next_round(interval, retried=retried)
        except asyncio.CancelledError:
            self._stop_event.set()
            await self._drain()
            if election is not None:
                election.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await election
                assert self._lease is not None
                await self._lease.release()
            log.info("sender stopped")
            raise

    def stop_starting(self) -> None:
        """Start no new send from now on; sends in flight finish and are recorded.

        Called the moment a stop is asked for (SIGTERM, Ctrl-C): the application's own stop
        then waits for running jobs (a seed poll may wait seconds for a digest worker), and
        the sender must not go on broadcasting meanwhile.
        """
        self._stop_event.set()

    # --- internals ---------------------------------------------------------------------------

    @property
    def _stopping(self) -> bool:
        return self._stop_event.is_set()

    async def _sleep_until_next_round(self, interval: float, *, retried: bool) -> None:
        timeout = interval
        with contextlib.suppress(StorageError):
            due = await self._store.next_retry_at()
            if retried:
                # A flush tries each delivery once: a retry it scheduled early in a long
                # broadcast may be due already, and goes now, not a whole interval on.
                due_now = await self._store.pending_deliveries(len(self._unrecorded) + 1)
                if any(row.id not in self._unrecorded for row in due_now):
                    due = time.time()
            if due is not None:
                timeout = min(interval, max(0.1, due - time.time() + 0.01))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wake_event.wait()

    async def _drain(self) -> None:
        """Let in-flight sends finish and be recorded (shutdown path)."""
        pending = set(self._inflight)
        if pending:
            log.info("sender stopping: waiting for %d message(s) in flight", len(pending))
            _done, still = await asyncio.wait(pending, timeout=_DRAIN_TIMEOUT)
            if still:
                log.warning("sender stopping: %d send(s) did not finish in time", len(still))
        await self._record_unrecorded()
        if self._unrecorded:
            log.error(
                "sender stopping: %d sent message(s) could not be recorded and may be sent "
                "again after the restart",
                len(self._unrecorded),
            )

    async def _record_unrecorded(self) -> None:
        for delivery_id, (message_id, note) in list(self._unrecorded.items()):
            try:
                await self._store.mark_sent(delivery_id, message_id, note)
            except StorageError as exc:
                log.warning("still cannot record sent delivery %d: %s", delivery_id, exc)
                return
            del self._unrecorded[delivery_id]

    async def _send_batch(self, rows: list[Delivery], report: SendReport) -> None:
        by_chat: dict[int, list[Delivery]] = {}
        for row in rows:  # rows are in id order, so each chat's list is too
            by_chat.setdefault(row.chat_id, []).append(row)
        queue = list(by_chat.values())
        queue.reverse()  # pop() from the end serves chats in id order

        async def worker() -> None:
            while queue and self._may_send():
                await self._send_chat(queue.pop(), report)

        workers = [
            asyncio.create_task(worker()) for _ in range(min(self._concurrency, len(queue)))
        ]
        try:
            results = await asyncio.gather(*workers, return_exceptions=True)
        except asyncio.CancelledError:
            for task in workers:
                task.cancel()
            raise
        for result in results:
            if isinstance(result, BaseException):
                log.error("a send worker crashed", exc_info=result)

    async def _send_chat(self, rows: list[Delivery], report: SendReport) -> None:
        """Send one chat's deliveries in order, stopping at the first that must wait."""
        chat_id = rows[0].chat_id
        previous = 0.0
        for row in rows:
            if not self._may_send():
                return
            if previous:
                await self._pause_until(previous + self._per_chat_interval)
            await self._wait_for_flood_control()
            await self._wait_for_slot()
            if not self._may_send():
                return
            previous = time.monotonic()
            task = asyncio.create_task(self._deliver(row, chat_id, report))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
            outcome, chat_id = await asyncio.shield(task)
            if outcome in (_SendResult.RETRY, _SendResult.BLOCKED):
                return

    async def _wait_for_slot(self) -> None:
        """Pacing: wait until ``1 / max_rate`` after the previous send was let go.

        Sends queue for their turn instead of holding slots of a fixed timetable: after the
        event loop stalls (a garbage collection, a busy thread), the senders that were due go
        one by one again instead of all at once, since a burst over Telegram's 30 per sliding
        second costs a 429 that holds every send for a second or more.
        """
        if not self._interval:
            return
        async with self._slot_lock:
            while True:
                # A 429 while this send waits holds it too; afterwards the queue goes on, paced.
                due = max(
                    self._last_slot + self._interval, self._flood_until, self._window_opens()
                )
                if time.monotonic() >= due or self._stopping:
                    break
                await self._pause_until(due)
            # Woken a little late (the usual timer lag): keep the timetable, or the rate
            # drifts below max_rate.  Woken very late: catch up by half a slot at most.
            self._last_slot = max(due, time.monotonic() - self._interval / 2)
            self._recent.append(time.monotonic())

    def _window_opens(self) -> float:
        """When one more send keeps every sliding second at ``ceil(max_rate)`` sends at most.

        Telegram counts 30 per sliding second as the messages arrive.  Spacing alone lets a
        second hold more than ``max_rate`` sends, after late wake-ups are caught up; with the
        network's jitter on top, that made one 429 a minute on a loaded machine (each holds
        every send for a second).  The cap is on when the sends really went.
        """
        if len(self._recent) < (self._recent.maxlen or 1):
            return 0.0
        return self._recent[0] + 1.0

    async def _pause_until(self, moment: float) -> None:
        """Sleep until ``moment`` (monotonic), or until the sender stops."""
        remaining = moment - time.monotonic()
        if remaining > 0 and not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._stop_event.wait()

    async def _wait_for_flood_control(self) -> None:
        while not self._stopping:
            remaining = self._flood_until - time.monotonic()
            if remaining <= 0:
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._stop_event.wait()

    async def _deliver(
        self, row: Delivery, chat_id: int, report: SendReport
    ) -> tuple[_SendResult, int]:
        """One delivery: send it (following a migration) and record what happened.

        Runs as its own task, shielded by the caller, so a shutdown never separates a send
        from its record.  Never raises: every failure becomes an outcome.

        Returns:
            The outcome and the chat id to use for the chat's next deliveries (the new id after
            a migration).
        """
        outcome = await self._attempt(row, chat_id, report)
        if outcome is not _SendResult.RETRY:
            self._timeouts.pop(row.id, None)
        return outcome, self._moved.pop(row.id, chat_id)

    async def _attempt(self, row: Delivery, chat_id: int, report: SendReport) -> _SendResult:
        for _hop in range(_MAX_MIGRATION_HOPS + 1):
            try:
                result = await self._send(row, chat_id)
            except ChatMigrated as exc:
                new_chat_id = int(exc.new_chat_id)
                log.info("chat %d became supergroup %d; following it", chat_id, new_chat_id)
                if not await self._record(self._store.migrate_chat(chat_id, new_chat_id)):
                    report.retried += 1
                    return _SendResult.RETRY
                report.migrated += 1
                self._moved[row.id] = chat_id = new_chat_id
                continue
            except RetryAfter as exc:
                delay = retry_after_seconds(exc)
                self._flood_until = max(self._flood_until, time.monotonic() + delay)
                log.warning("flood control: holding new sends for %.0fs (chat %d)", delay, chat_id)
                await self._record(
                    self._store.mark_retry(
                        row.id, delay, f"flood control: retry after {delay:.0f}s",
                        count_attempt=False,
                    )
                )  # fmt: skip
                report.retried += 1
                return _SendResult.RETRY
            except Forbidden as exc:
                log.info("chat %d blocked the bot (%s); unsubscribing it", chat_id, exc)
                await self._record(self._store.forget_chat(chat_id))
                report.blocked += 1
                return _SendResult.BLOCKED
            except BadRequest as exc:
                if "chat not found" in str(exc).lower():
                    log.info("chat %d does not exist (%s); unsubscribing it", chat_id, exc)
                    await self._record(self._store.forget_chat(chat_id, "chat not found"))
                    report.blocked += 1
                    return _SendResult.BLOCKED
                log.error(
                    "delivery %d (briefing %d part %d) to chat %d rejected, not retried: %s",
                    row.id, row.briefing_id, row.part, chat_id, exc,
                )  # fmt: skip
                await self._record(self._store.mark_failed(row.id, f"bad request: {exc}"))
                report.failed += 1
                return _SendResult.FAILED
            except InvalidToken as exc:
                # A configuration problem, not this message's: wait, counting no attempt.
                log.error("Telegram rejected the bot token (%s); deliveries are on hold", exc)
                await self._record(
                    self._store.mark_retry(
                        row.id, self._max_backoff, f"invalid token: {exc}", count_attempt=False
                    )
                )
                report.retried += 1
                return _SendResult.RETRY
            except TimedOut as exc:
                if _maybe_delivered(exc):
                    return await self._timed_out(row, chat_id, exc, report)
                return await self._back_off(row, chat_id, f"{type(exc).__name__}: {exc}", report)
            except (NetworkError, TelegramError) as exc:
                return await self._back_off(row, chat_id, f"{type(exc).__name__}: {exc}", report)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug below us; the horizon bounds it
                log.exception("unexpected error sending delivery %d", row.id)
                return await self._back_off(row, chat_id, f"{type(exc).__name__}: {exc}", report)
            else:
                await self._mark_sent(row, self._message_id(result))
                report.sent += 1
                self._count_progress(report)
                return _SendResult.SENT
        await self._record(self._store.mark_failed(row.id, "chat migrated too many times"))
        report.failed += 1
        return _SendResult.FAILED

    async def _send(self, row: Delivery, chat_id: int) -> object:
        """``sendMessage`` as ``Bot.send_message`` sends it, returning Telegram's raw result.

        Not parsed into a :class:`~telegram.Message`: once Telegram said ``ok``, the message
        is delivered whatever else its answer holds (finding: an emulator echoing
        ``link_preview_options`` as a string made PTB's parser fail after a real send).
        A retry after a timeout waits twice as long for its answer.
        """
        data: dict[str, Any] = {
            "chat_id": chat_id,
            "text": row.text,
            "parse_mode": ParseMode.HTML,
            "link_preview_options": LinkPreviewOptions(is_disabled=True),
        }
        timeout = self._read_timeout * (2 if row.id in self._timeouts else 1)
        return await post_unparsed(
            self._bot,
            "sendMessage",
            data,
            read_timeout=timeout,
            api_kwargs=dict(self._api_kwargs) if self._api_kwargs else None,
        )

    def _message_id(self, result: object) -> int | None:
        """The sent message's id from Telegram's answer; None (logged once) if unreadable."""
        message_id = result.get("message_id") if isinstance(result, dict) else None
        if isinstance(message_id, int) and not isinstance(message_id, bool):
            return message_id
        if not self._unreadable_logged:
            self._unreadable_logged = True
            log.warning(
                "Telegram's answer to sendMessage could not be read (%.200r); the message was "
                "accepted (ok), so it is recorded as sent (logged once)",
                result,
            )
        return None

    async def _mark_sent(
        self, row: Delivery, message_id: int | None, note: str | None = None
    ) -> None:
        self._failing = 0
        self._timeouts.pop(row.id, None)
        try:
            await self._store.mark_sent(row.id, message_id, note)
        except StorageError as exc:
            self._unrecorded[row.id] = (message_id, note)
            log.error(
                "delivery %d was sent but cannot be recorded yet (%s); will record it later",
                row.id, exc,
            )  # fmt: skip

    async def _timed_out(
        self, row: Delivery, chat_id: int, exc: TimedOut, report: SendReport
    ) -> _SendResult:
        """No answer in time: Telegram may have delivered it.  Retry once, then presume sent.

        Each retry of a message Telegram did deliver is a duplicate the reader sees, and a
        message that timed out twice, the second time with twice the patience, was almost
        certainly handled by a slow Telegram: a third copy would be worse than the small risk
        that it was lost.  The count lives in memory: a restart in between allows one more.
        """
        count = self._timeouts.get(row.id, 0) + 1
        self._hold_after_failure()
        if count >= 2:
            log.warning(
                "delivery %d to chat %d timed out twice; Telegram probably delivered it, "
                "recorded as sent (unconfirmed), not sent a third time",
                row.id, chat_id,
            )  # fmt: skip
            await self._mark_sent(row, None, "unconfirmed: the send and its retry timed out")
            report.sent += 1
            self._count_progress(report)
            return _SendResult.SENT
        self._timeouts[row.id] = count
        error = f"timed out after {self._read_timeout:g}s ({exc}); retried once"
        log.warning("delivery %d to chat %d: %s", row.id, chat_id, error)
        await self._record(self._store.mark_retry(row.id, self._timeout_retry_delay, error))
        report.retried += 1
        return _SendResult.RETRY

    def _hold_after_failure(self) -> None:
        """Sends keep failing (an outage, a slow Telegram): hold all of them for a while.

        After ``_HOLD_AFTER`` failures in a row, each failure holds every send for half as
        long as the failures have lasted (``base_backoff`` at least, ``max_backoff`` at most),
        then one send probes again: a blip of a few dropped connections costs a second, an
        outage of ten minutes a request a minute.  A failure while a hold is on (a send that
        was already in flight) changes nothing; any success ends it.
        """
        now = time.monotonic()
        if now < self._flood_until:
            return
        if not self._failing:
            self._failing_since = now
        self._failing += 1
        if self._failing < _HOLD_AFTER:
            return
        lasted = now - self._failing_since
        hold = min(self._max_backoff, max(self._base_backoff, lasted / 2))
        hold *= self._rng.uniform(0.75, 1.0)
        self._flood_until = now + hold
        log.log(
            logging.WARNING if self._failing == _HOLD_AFTER else logging.INFO,
            "sends keep failing (%d in a row for %.0fs); holding them for %.1fs",
            self._failing, lasted, hold,
        )  # fmt: skip

    async def _back_off(
        self, row: Delivery, chat_id: int, error: str, report: SendReport
    ) -> _SendResult:
        """A passing failure: the delivery stays pending; it fails only past the horizon."""
        self._hold_after_failure()
        age = self._store.now() - row.created_at
        if age >= self._horizon:
            hours = self._horizon / 3600
            log.warning(
                "delivery %d to chat %d not delivered within %.3g h of its briefing, given up: %s",
                row.id, chat_id, hours, error,
            )  # fmt: skip
            await self._record(
                self._store.mark_failed(
                    row.id, f"not delivered within {hours:.3g} h (the horizon): {error}"
                )
            )
            report.failed += 1
            return _SendResult.FAILED
        delay = self._base_backoff * 2 ** min(row.attempts, 30) * self._rng.uniform(0.5, 1.5)
        delay = min(self._max_backoff, delay)
        log.info(
            "delivery %d to chat %d: %s; retry %d in %.1fs",
            row.id, chat_id, error, row.attempts + 1, delay,
        )  # fmt: skip
        await self._record(self._store.mark_retry(row.id, delay, error))
        report.retried += 1
        return _SendResult.RETRY

    @staticmethod
    async def _record(write: Awaitable[None]) -> bool:
        """Run a ledger write; a storage failure is logged, and the delivery stays pending.

        A pending delivery whose failure could not be recorded is simply attempted again later,
        which is safe: it was not sent.
        """
        try:
            await write
        except StorageError as exc:
            log.error("cannot record a delivery outcome, it stays pending: %s", exc)
            return False
        return True

    def _count_progress(self, report: SendReport) -> None:
        self._progress += 1
        if self._total >= self._progress_every and self._progress % self._progress_every == 0:
            log.info(
                "broadcast: %d/%d sent, %d retrying, %d failed",
                self._progress, self._total, report.retried, report.failed + report.blocked,
            )  # fmt: skip


def _maybe_delivered(exc: TimedOut) -> bool:
    """Whether Telegram may have handled a send that timed out.

    A connect, pool or write timeout means the request never reached Telegram whole; a read
    timeout means it did, and only the answer is missing.
    """
    never_sent = httpx.ConnectTimeout | httpx.PoolTimeout | httpx.WriteTimeout
    return not isinstance(exc.__cause__, never_sent) and ("pool timeout" not in str(exc).lower())
