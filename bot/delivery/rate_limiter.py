"""The application's rate limiter: PTB's ``AIORateLimiter``, plus single-attempt requests.

``AIORateLimiter`` answers a 429 by retrying the request after ``retry_after``, and while it
waits it holds *every* other request; when the wait ends, the held requests go all at once.
That suits interactive replies, which are few.  It does not suit the broadcast sender, which
keeps about 30 sends a second coming: a hold of a second gathers some thirty of them, their
release together with the retry is a burst over Telegram's 30 per sliding second, the burst
draws the next 429, and the cycle repeats until the broadcast ends (measured: 24 messages/s
and 855 × 429 for 10,000 chats, against 28.5/s without a 429).

A request sent with ``rate_limit_args=SINGLE_ATTEMPT`` still counts against the overall and the
group limits, but it is tried once, a ``RetryAfter`` goes to the caller, and it neither waits for
nor starts the limiter's hold.  The sender then holds its own sends and lets them go again one
by one at its paced rate (:mod:`bot.delivery.sender`).

**One budget for everything the bot sends.**  ``AIORateLimiter``'s overall limit is a leaky
bucket: it lets a burst through after a quiet moment, so the broadcast's paced 28.5/s plus a few
replies made 31 messages in one second.  :class:`SendBudget` replaces it: at most 30 requests to
chats in any sliding window of a second (plus a margin for the network's jitter, since Telegram
counts when they arrive), and when a slot frees up a waiting reply gets it before a waiting
broadcast message: a person is waiting for the reply, nobody is waiting for one message of a
broadcast.  Broadcasts take what is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Final

from telegram.ext import AIORateLimiter

from bot.ptb_compat import JSONDict, group_limiter, replace_overall_limiter

#: ``rate_limit_args`` for one attempt, with a 429 raised to the caller as ``RetryAfter``.
#: (Negative because ``ExtBot`` drops a falsy value, so 0 cannot say "no retries".)
SINGLE_ATTEMPT: Final = -1

_Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]

#: Priorities in the budget's queue: lower goes first.
REPLY: Final = 0
BROADCAST: Final = 1
#: Added to the budget's window: a request let go at t arrives a few ms later, and not always
#: the same few; without a margin, 30 sends in one second at the bot can be 31 in 0.99 s at
#: Telegram.
JITTER_MARGIN: Final = 0.05


class SendBudget:
    """At most ``limit`` requests in any sliding ``period``; replies before broadcasts.

    Each request takes a slot when it is let go; the slot is counted until ``period`` after
    that.  Waiting requests queue by (priority, arrival): a reply that arrives while broadcast
    messages wait gets the next free slot.  Cancelled waiters just leave the queue.

    While people are being answered (a reply went in the last ``2 * period``), broadcasts stop
    at ``limit - headroom`` slots: the replies find a free slot at once, and the total stays
    below the limit by a margin, so the network's jitter does not push a second over it at
    Telegram (each 429 a reply draws holds every reply for a second).  Without replies, a
    broadcast may use the whole budget.
    """

    def __init__(
        self, limit: int = 30, period: float = 1.0 + JITTER_MARGIN, *, headroom: int = 2
    ) -> None:
        """A budget of ``limit`` requests per sliding ``period`` seconds."""
        if limit < 1 or period <= 0:
            raise ValueError("limit must be at least 1 and period positive")
        self.limit = limit
        self.period = period
        self._headroom = max(0, min(headroom, limit - 1))
        self._last_reply = -1e9  # time.monotonic() of the last slot given to a reply
        self._granted: deque[float] = deque()  # time.monotonic() of each slot in the window
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    async def acquire(self, priority: int) -> None:
        """Wait for a slot (``REPLY`` before ``BROADCAST``), then count it as used now."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (priority, next(self._order), future))
        self._dispatch()
        await future

    def slot(self, priority: int) -> _Slot:
        """An ``async with`` context manager taking one slot (as ``AsyncLimiter`` is used)."""
        return _Slot(self, priority)

    def _dispatch(self) -> None:
        if self._timer is not None:  # one timer at most: this call replaces it
            self._timer.cancel()
            self._timer = None
        now = time.monotonic()
        while self._granted and self._granted[0] <= now - self.period:
            self._granted.popleft()
        cap = self.limit
        while self._queue:
            priority, _, future = self._queue[0]
            if future.done():  # its waiter was cancelled
                heapq.heappop(self._queue)
                continue
            cap = self.limit
            if priority != REPLY and now - self._last_reply < 2 * self.period:
                cap = self.limit - self._headroom
            if len(self._granted) >= cap:
                break
            heapq.heappop(self._queue)
            self._granted.append(now)
            if priority == REPLY:
                self._last_reply = now
            future.set_result(None)
        if self._queue:
            # When the window has room for the head of the queue again.
            over = len(self._granted) - cap
            wait = self._granted[over] + self.period - now if over >= 0 else 0.0
            self._timer = asyncio.get_running_loop().call_later(max(0.0, wait), self._dispatch)


class _Slot:
    """``async with budget.slot(priority)``: waits for a slot; nothing to give back."""

    def __init__(self, budget: SendBudget, priority: int) -> None:
        self._budget = budget
        self._priority = priority

    async def __aenter__(self) -> None:
        await self._budget.acquire(self._priority)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class BudgetRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` with one :class:`SendBudget` for all, and single-attempt requests.

    Requests with ``rate_limit_args=SINGLE_ATTEMPT`` (the broadcast sender's) take the budget
    at ``BROADCAST`` priority and see their 429 themselves; all others (replies, edits) take it
    at ``REPLY`` priority with ``AIORateLimiter``'s retries.
    """

    def __init__(
        self, overall_max_rate: float = 30, *, max_retries: int = 0, **kwargs: Any
    ) -> None:
        """Like ``AIORateLimiter``; ``overall_max_rate`` (per second) sizes the budget, 0: off."""
        super().__init__(overall_max_rate=0, max_retries=max_retries, **kwargs)
        self.budget = SendBudget(int(overall_max_rate)) if overall_max_rate >= 1 else None
        # AIORateLimiter enters its overall limiter as a context manager: replies use ours.
        replace_overall_limiter(self, self.budget.slot(REPLY) if self.budget else None)

    async def process_request(
        self,
        callback: _Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Rate-limit one request; see the module docstring for ``SINGLE_ATTEMPT``."""
        if rate_limit_args != SINGLE_ATTEMPT:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        async with self._group_limit(data.get("chat_id")), self._overall_limit(data):
            return await callback(*args, **kwargs)

    def _overall_limit(self, data: dict[str, Any]) -> contextlib.AbstractAsyncContextManager[Any]:
        # As AIORateLimiter: the overall limit counts requests to a chat.
        if data.get("chat_id") is None or self.budget is None:
            return contextlib.nullcontext()
        return self.budget.slot(BROADCAST)

    def _group_limit(self, chat_id: object) -> contextlib.AbstractAsyncContextManager[Any]:
        # As AIORateLimiter: a negative or a string chat id is a group or a channel.
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[call-overload]
        group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        limit = group_limiter(self, chat_id) if group else None  # type: ignore[arg-type]
        return contextlib.nullcontext() if limit is None else limit
