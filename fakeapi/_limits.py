"""Flood control (sliding windows) and the fault switches of the fake Bot API."""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from ._errors import ApiError, make_error, too_many_requests

#: Method (lower-case) that ``methods=None`` leaves alone so that long polling keeps working.
POLLING_METHOD = "getupdates"


class MethodFilter:
    """Which methods a switch applies to.

    ``None`` means every method except ``getUpdates``; ``"*"`` in the list means every
    method. Names are case-insensitive like Bot API method names.
    """

    __slots__ = ("_everything", "_names")

    def __init__(self, methods: str | Iterable[str] | None) -> None:
        if isinstance(methods, str):
            methods = [methods]
        self._names = None if methods is None else frozenset(m.lower() for m in methods)
        self._everything = self._names is not None and "*" in self._names

    def matches(self, method: str) -> bool:
        """Whether ``method`` (lower-case) is covered."""
        if self._names is None:
            return method != POLLING_METHOD
        return self._everything or method in self._names


class _Window:
    __slots__ = ("hits", "limit", "period")

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.hits: dict[Hashable, deque[float]] = {}

    def wait(self, key: Hashable, now: float) -> float:
        hits = self.hits.get(key)
        if not hits:
            return 0.0
        cutoff = now - self.period
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if len(hits) < self.limit:
            return 0.0
        return hits[len(hits) - self.limit] + self.period - now

    def hit(self, key: Hashable, now: float) -> None:
        hits = self.hits.get(key)
        if hits is None:
            hits = self.hits[key] = deque()
        hits.append(now)


class FloodControl:
    """Telegram's documented flood limits as sliding windows.

    Args:
        global_per_second: Messages per second over all chats (0 disables).
        per_chat_per_second: Messages per second into one chat (0 disables).
        per_group_per_minute: Messages per minute into one group, i.e. chat id < 0
            (0 disables).
    """

    def __init__(
        self,
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        per_group_per_minute: int = 20,
    ) -> None:
        self._global = _Window(global_per_second, 1.0) if global_per_second > 0 else None
        self._chat = _Window(per_chat_per_second, 1.0) if per_chat_per_second > 0 else None
        self._group = _Window(per_group_per_minute, 60.0) if per_group_per_minute > 0 else None

    def check(self, chat_id: int | None, now: float) -> int | None:
        """Returns ``retry_after`` seconds if a message to ``chat_id`` would exceed a limit."""
        wait = 0.0
        if self._global is not None:
            wait = self._global.wait(None, now)
        if chat_id is not None:
            if self._chat is not None:
                wait = max(wait, self._chat.wait(chat_id, now))
            if self._group is not None and chat_id < 0:
                wait = max(wait, self._group.wait(chat_id, now))
        if wait <= 0.0:
            return None
        return max(1, math.ceil(wait))

    def record(self, chat_id: int | None, now: float) -> None:
        """Counts one message to ``chat_id`` at ``now``."""
        if self._global is not None:
            self._global.hit(None, now)
        if chat_id is not None:
            if self._chat is not None:
                self._chat.hit(chat_id, now)
            if self._group is not None and chat_id < 0:
                self._group.hit(chat_id, now)


@dataclass(slots=True)
class _Planned:
    methods: MethodFilter
    status: int
    description: str | None
    retry_after: int | None
    migrate_to_chat_id: int | None
    remaining: int


@dataclass(slots=True)
class _Drop:
    methods: MethodFilter
    remaining: int
    after_processing: bool


@dataclass(slots=True)
class _RandomFailure:
    methods: MethodFilter
    statuses: tuple[int, ...]
    probability: float
    rng: random.Random


@dataclass(slots=True)
class _Storm:
    methods: MethodFilter
    until: float
    retry_after: int | None


class Faults:
    """Request-level fault switches; chat-level ones (blocked, migrated) live in the state."""

    _planned: list[_Planned]
    _drops: list[_Drop]
    _random: _RandomFailure | None
    _storm: _Storm | None
    _latency: float
    _jitter: float
    _latency_methods: MethodFilter
    _latency_rng: random.Random
    _answer_delay: float
    _answer_methods: MethodFilter
    _patch: dict[str, Any]
    _patch_methods: MethodFilter

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Switches every fault off."""
        self._planned = []
        self._drops = []
        self._random = None
        self._storm = None
        self._latency = 0.0
        self._jitter = 0.0
        self._latency_methods = MethodFilter(None)
        self._latency_rng = random.Random(0)
        self._answer_delay = 0.0
        self._answer_methods = MethodFilter(None)
        self._patch = {}
        self._patch_methods = MethodFilter(None)

    def set_answer_delay(self, seconds: float, methods: MethodFilter) -> None:
        """Handles the matching calls at once, then holds their answers ``seconds``."""
        self._answer_delay = max(0.0, seconds)
        self._answer_methods = methods

    def answer_delay(self, method: str) -> float:
        """Seconds to hold the answer of ``method`` after handling it."""
        if self._answer_delay > 0.0 and self._answer_methods.matches(method):
            return self._answer_delay
        return 0.0

    def set_result_patch(self, fields: dict[str, Any], methods: MethodFilter) -> None:
        """Overwrites ``fields`` in the ``result`` object of the matching successful calls."""
        self._patch = dict(fields)
        self._patch_methods = methods

    def patch_result(self, method: str, result: Any) -> Any:
        """``result`` with the patched fields, when a patch applies to ``method``."""
        if self._patch and isinstance(result, dict) and self._patch_methods.matches(method):
            return {**result, **self._patch}
        return result

    def plan(
        self,
        methods: MethodFilter,
        status: int,
        count: int,
        description: str | None,
        retry_after: int | None,
        migrate_to_chat_id: int | None,
    ) -> None:
        """Queues ``count`` failures for the matching methods."""
        if count > 0:
            self._planned.append(
                _Planned(methods, status, description, retry_after, migrate_to_chat_id, count)
            )

    def add_drops(self, methods: MethodFilter, count: int, after_processing: bool) -> None:
        """Queues ``count`` dropped connections."""
        if count > 0:
            self._drops.append(_Drop(methods, count, after_processing))

    def set_random(
        self,
        methods: MethodFilter,
        statuses: tuple[int, ...],
        probability: float,
        seed: int | None,
    ) -> None:
        """Fails the given share of requests with a random status from ``statuses``."""
        if probability <= 0.0:
            self._random = None
        else:
            self._random = _RandomFailure(
                methods, statuses, min(probability, 1.0), random.Random(seed)
            )

    def set_storm(self, methods: MethodFilter, until: float, retry_after: int | None) -> None:
        """Answers 429 to the matching methods until ``until`` (monotonic)."""
        self._storm = _Storm(methods, until, retry_after)

    def set_latency(self, seconds: float, jitter: float, methods: MethodFilter) -> None:
        """Delays answers by ``seconds`` plus up to ``jitter`` seconds."""
        self._latency = max(0.0, seconds)
        self._jitter = max(0.0, jitter)
        self._latency_methods = methods

    def delay(self, method: str) -> float:
        """Seconds to wait before answering ``method``."""
        if (self._latency <= 0.0 and self._jitter <= 0.0) or not self._latency_methods.matches(
            method
        ):
            return 0.0
        if self._jitter > 0.0:
            return self._latency + self._latency_rng.uniform(0.0, self._jitter)
        return self._latency

    def take_drop(self, method: str) -> bool | None:
        """``None``: answer normally; ``False``: drop before handling; ``True``: after."""
        for drop in self._drops:
            if drop.methods.matches(method):
                drop.remaining -= 1
                if drop.remaining <= 0:
                    self._drops.remove(drop)
                return drop.after_processing
        return None

    def check(self, method: str, now: float) -> ApiError | None:
        """Returns the failure to answer ``method`` with, if a switch says so."""
        for planned in self._planned:
            if planned.methods.matches(method):
                planned.remaining -= 1
                if planned.remaining <= 0:
                    self._planned.remove(planned)
                return make_error(
                    planned.status,
                    planned.description,
                    retry_after=planned.retry_after,
                    migrate_to_chat_id=planned.migrate_to_chat_id,
                )
        storm = self._storm
        if storm is not None:
            if now >= storm.until:
                self._storm = None
            elif storm.methods.matches(method):
                retry = storm.retry_after
                return too_many_requests(
                    retry if retry is not None else math.ceil(storm.until - now)
                )
        chaos = self._random
        if (
            chaos is not None
            and chaos.methods.matches(method)
            and chaos.rng.random() < chaos.probability
        ):
            return make_error(chaos.rng.choice(chaos.statuses))
        return None
