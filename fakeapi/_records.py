"""What the fake Bot API remembers for tests and benchmarks, and how tests wait for it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar

JSONDict = dict[str, Any]
T = TypeVar("T")


@dataclass(slots=True)
class SentRecord:
    """One successful send or edit made by the bot.

    Attributes:
        method: Canonical Bot API method name, e.g. ``"sendMessage"``.
        chat_id: Target chat (``None`` for inline messages).
        message_id: The message sent or edited.
        text: The message text after entity parsing (plain text, no HTML).
        parse_mode: ``parse_mode`` as requested.
        reply_markup: The ``reply_markup`` dict as requested, if any.
        entities: Entities of the resulting message (UTF-16 offsets).
        at: ``time.monotonic()`` when the request was handled.
        reply_to: ``update_id`` this send answers, when it can be linked (see
            :meth:`fakeapi.FakeBotApi.reply_latency`).
        raw_text: ``text`` exactly as sent (with markup).
        params: All request parameters (JSON-decoded where applicable).
        inline_message_id: Set for edits of inline messages.
    """

    method: str
    chat_id: int | None
    message_id: int | None
    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None
    entities: list[JSONDict]
    at: float
    reply_to: int | None = None
    raw_text: str | None = None
    params: JSONDict = field(default_factory=dict)
    inline_message_id: str | None = None

    def as_dict(self) -> JSONDict:
        """The record as a JSON-friendly dict."""
        return asdict(self)

    def __str__(self) -> str:
        text = self.text if self.text is None or len(self.text) <= 60 else self.text[:57] + "..."
        return f"{self.method} -> {self.chat_id} #{self.message_id}: {text!r}"


@dataclass(slots=True)
class RequestRecord:
    """One request that reached the server, successful or not.

    Attributes:
        method: Method name as requested (canonical spelling when known).
        status: HTTP status answered; 0 when the connection was dropped on purpose,
            499 when the client hung up first (e.g. a cancelled long poll).
        at: ``time.monotonic()`` when the request arrived.
        params: Request parameters (JSON-decoded where applicable).
        description: Error description for failures.
        duration: Seconds spent answering (includes long-poll waits and latency).
    """

    method: str
    status: int
    at: float
    params: JSONDict
    description: str | None = None
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the request succeeded."""
        return 200 <= self.status < 300

    def __str__(self) -> str:
        suffix = f" {self.description}" if self.description else ""
        return f"{self.method} -> {self.status}{suffix}"


@dataclass(slots=True)
class CallbackAnswer:
    """An ``answerCallbackQuery`` call."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    at: float
    update_id: int | None


@dataclass(slots=True)
class WebhookDelivery:
    """One attempt to POST an update to the webhook.

    Attributes:
        update_id: The update delivered.
        status: HTTP status the webhook answered; 0 when the connection failed.
        at: ``time.monotonic()`` when the attempt finished.
        error: Error text for failed attempts.
    """

    update_id: int
    status: int
    at: float
    error: str | None = None


@dataclass(slots=True)
class _Waiter(Generic[T]):
    matches: Callable[[T], bool]
    count: int
    found: list[T]
    future: asyncio.Future[list[T]]


class Waiters(Generic[T]):
    """Event-based waiting for records appended to a list."""

    def __init__(self, records: list[T]) -> None:
        self._records = records
        self._waiters: list[_Waiter[T]] = []

    def notify(self, record: T) -> None:
        """Call after appending ``record`` to the list."""
        for waiter in self._waiters:
            if not waiter.future.done() and waiter.matches(record):
                waiter.found.append(record)
                if len(waiter.found) >= waiter.count:
                    waiter.future.set_result(waiter.found[: waiter.count])

    async def wait(
        self, matches: Callable[[T], bool], count: int, seconds: float, since: int
    ) -> tuple[list[T], bool]:
        """Waits for ``count`` matching records at index ``since`` or later.

        Returns:
            The first ``count`` matching records and ``True``, or what was found and
            ``False`` on timeout.
        """
        found = [record for record in self._records[since:] if matches(record)]
        if len(found) >= count:
            return found[:count], True
        future: asyncio.Future[list[T]] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(matches, count, found, future)
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(seconds):
                return await future, True
        except TimeoutError:
            return list(found), False
        finally:
            self._waiters.remove(waiter)
