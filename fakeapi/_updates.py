"""Pending updates: real long polling for getUpdates, or delivery to a loopback webhook."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from ._errors import DEFAULT_DESCRIPTIONS, ApiError, bad_request
from ._params import get_bool, get_float, get_int, get_json, get_str
from ._records import WebhookDelivery
from ._state import BotState

JSONDict = dict[str, Any]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Update types Telegram sends when ``allowed_updates`` is empty or was never set.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "inline_query", "chosen_inline_result", "callback_query",
        "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
        "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)  # fmt: skip
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, the way the Bot API answers."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class RawResult:
    """A pre-serialised response body (getUpdates joins stored update bytes)."""

    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        self.body = body


@dataclass(slots=True)
class _Update:
    update_id: int
    kind: str
    body: bytes  # serialised once, when injected


@dataclass(slots=True)
class _Webhook:
    url: str
    secret_token: str | None
    allowed: frozenset[str]
    allowed_given: list[str] | None
    max_connections: int


class UpdateHub:
    """Holds pending updates and hands them out by long polling or webhook POSTs.

    Args:
        state: Chat state (told which updates the bot has received, for reply linking).
        retry_delay: First back-off after a failed webhook delivery (doubles up to 2 s).
    """

    def __init__(self, state: BotState, retry_delay: float) -> None:
        self.state = state
        self.available_at: dict[int, float] = {}
        self.deliveries: list[WebhookDelivery] = []
        self.stopped = asyncio.Event()
        self._running = False
        self._updates: deque[_Update] = deque()
        self._next_update_id = 1
        self._pollers: list[asyncio.Future[str]] = []
        self._allowed = DEFAULT_ALLOWED_UPDATES
        self._webhook: _Webhook | None = None
        self._webhook_queue: deque[_Update] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._error: tuple[int, str] | None = None
        self._retry_delay = retry_delay

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        """Called from the running loop when the server starts."""
        self._running = True
        self.stopped = asyncio.Event()
        self._wakeup = asyncio.Event()
        if self._webhook is not None:
            self._ensure_worker()

    async def stop(self) -> None:
        """Answers pending long polls with ``[]`` and stops webhook delivery."""
        self._running = False
        self.stopped.set()
        self._wakeup.set()
        self._release_pollers("stop")
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def pause(self, seconds: float) -> None:
        """Sleeps, but returns early when the server stops."""
        if seconds <= 0:
            return
        try:
            async with asyncio.timeout(seconds):
                await self.stopped.wait()
        except TimeoutError:
            pass

    # ----------------------------------------------------------------- queue
    @property
    def next_update_id(self) -> int:
        """The id the next injected update gets."""
        return self._next_update_id

    @property
    def pending_count(self) -> int:
        """Updates not yet confirmed (polling) or not yet delivered (webhook)."""
        return len(self._webhook_queue) if self._webhook is not None else len(self._updates)

    @property
    def webhook_url(self) -> str | None:
        """The active webhook URL."""
        return self._webhook.url if self._webhook else None

    @property
    def webhook_secret_token(self) -> str | None:
        """The active webhook's secret token."""
        return self._webhook.secret_token if self._webhook else None

    def enqueue(self, update: JSONDict, chat_id: int | None, message_id: int | None) -> int:
        """Adds an update (assigning ``update_id`` if missing) and wakes the consumer."""
        update_id = update.get("update_id")
        if not isinstance(update_id, int):
            update_id = self._next_update_id
            update = {"update_id": update_id, **update}
        self._next_update_id = max(self._next_update_id, update_id + 1)
        kind = next((key for key in update if key != "update_id"), "unknown")
        item = _Update(update_id, kind, dumps(update))
        self.state.note_update(update_id, chat_id, message_id)
        if self._webhook is not None:
            self._webhook_queue.append(item)
            self._wakeup.set()
        else:
            self._updates.append(item)
            self.available_at[update_id] = time.monotonic()
            self._release_pollers("update")
        return update_id

    def _release_pollers(self, reason: str) -> None:
        pollers, self._pollers = self._pollers, []
        for future in pollers:
            if not future.done():
                future.set_result(reason)

    def _confirm(self, offset: int | None) -> None:
        updates = self._updates
        if offset is None:
            return
        if offset < 0:
            while len(updates) > -offset:
                updates.popleft()
        else:
            while updates and updates[0].update_id < offset:
                updates.popleft()

    def _collect(self, limit: int) -> list[_Update]:
        allowed = self._allowed
        batch: list[_Update] = []
        skipped = False
        for item in self._updates:
            if item.kind not in allowed:
                skipped = True
                continue
            batch.append(item)
            if len(batch) >= limit:
                break
        if skipped:  # Telegram never delivers (nor keeps) updates of unwanted types
            self._updates = deque(item for item in self._updates if item.kind in allowed)
        return batch

    # ----------------------------------------------------------------- Bot API methods
    async def get_updates(self, params: JSONDict, now: float) -> RawResult:
        """``getUpdates`` with real long polling."""
        if self._webhook is not None:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        offset = get_int(params, "offset")
        limit = min(max(get_int(params, "limit") or 100, 1), 100)
        timeout = max(get_float(params, "timeout", 0.0), 0.0)
        allowed = get_json(params, "allowed_updates")
        if isinstance(allowed, list):
            self._allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        self._confirm(offset)
        batch = self._collect(limit)
        if not batch and timeout > 0 and self._running:
            self._release_pollers("conflict")  # Telegram answers the older poll with 409
            future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._pollers.append(future)
            try:
                async with asyncio.timeout(timeout):
                    reason = await future
            except TimeoutError:
                reason = "timeout"
            finally:
                if future in self._pollers:
                    self._pollers.remove(future)
            if reason == "conflict":
                raise ApiError(409, DEFAULT_DESCRIPTIONS[409])
            if reason == "webhook":
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            if reason == "update":
                batch = self._collect(limit)
        if not batch:
            return RawResult(b'{"ok":true,"result":[]}')
        self.state.delivered_upto = max(self.state.delivered_upto, batch[-1].update_id)
        return RawResult(b'{"ok":true,"result":[' + b",".join(u.body for u in batch) + b"]}")

    def set_webhook(self, params: JSONDict, now: float) -> bool:
        """``setWebhook`` (loopback URLs only; an empty URL removes the webhook)."""
        url = get_str(params, "url") or ""
        if not url:
            self._remove_webhook(get_bool(params, "drop_pending_updates"))
            return True
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if parts.hostname not in LOOPBACK_HOSTS:
            raise bad_request(
                "bad webhook: the fake Bot API only delivers to 127.0.0.1, localhost or ::1"
            )
        secret = get_str(params, "secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = get_json(params, "allowed_updates")
        allowed_list = [str(item) for item in allowed] if isinstance(allowed, list) else None
        self._webhook = _Webhook(
            url=url,
            secret_token=secret,
            allowed=frozenset(allowed_list) if allowed_list else DEFAULT_ALLOWED_UPDATES,
            allowed_given=allowed_list,
            max_connections=get_int(params, "max_connections") or 40,
        )
        self._error = None
        if get_bool(params, "drop_pending_updates"):
            self._updates.clear()
            self._webhook_queue.clear()
        elif self._updates:
            merged = sorted([*self._webhook_queue, *self._updates], key=lambda u: u.update_id)
            self._webhook_queue = deque(merged)
            self._updates.clear()
        self._release_pollers("webhook")
        self._ensure_worker()
        self._wakeup.set()
        return True

    def _remove_webhook(self, drop_pending: bool) -> None:
        self._webhook = None
        self._error = None
        if drop_pending:
            self._updates.clear()
            self._webhook_queue.clear()
            return
        now = time.monotonic()
        while self._webhook_queue:
            item = self._webhook_queue.popleft()
            self.available_at.setdefault(item.update_id, now)
            self._updates.append(item)

    def delete_webhook(self, params: JSONDict, now: float) -> bool:
        """``deleteWebhook``: undelivered updates become available to getUpdates."""
        self._remove_webhook(get_bool(params, "drop_pending_updates"))
        return True

    def get_webhook_info(self, params: JSONDict, now: float) -> JSONDict:
        """``getWebhookInfo``."""
        hook = self._webhook
        info: JSONDict = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": self.pending_count,
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            info["ip_address"] = "127.0.0.1"
            if hook.allowed_given is not None:
                info["allowed_updates"] = hook.allowed_given
            if self._error is not None:
                info["last_error_date"], info["last_error_message"] = self._error
        return info

    # ----------------------------------------------------------------- webhook delivery
    def _ensure_worker(self) -> None:
        if not self._running:
            return  # start() launches it
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._deliver_forever(), name="fakeapi-webhook"
            )

    async def _deliver_forever(self) -> None:
        """POSTs queued updates one at a time, in order, retrying with back-off."""
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            failures = 0
            while self._running:
                hook = self._webhook
                if hook is None or not self._webhook_queue:
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                item = self._webhook_queue[0]
                if item.kind not in hook.allowed:
                    self._webhook_queue.popleft()
                    continue
                self.available_at.setdefault(item.update_id, time.monotonic())
                self.state.delivered_upto = max(self.state.delivered_upto, item.update_id)
                status, error = await self._post(session, hook, item)
                self.deliveries.append(
                    WebhookDelivery(item.update_id, status, time.monotonic(), error)
                )
                if error is None:
                    failures = 0
                    if self._webhook_queue and self._webhook_queue[0] is item:
                        self._webhook_queue.popleft()
                    continue
                self._error = (int(time.time()), error)
                failures += 1
                await self.pause(min(self._retry_delay * 2 ** (failures - 1), 2.0))

    @staticmethod
    async def _post(
        session: aiohttp.ClientSession, hook: _Webhook, item: _Update
    ) -> tuple[int, str | None]:
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with session.post(hook.url, data=item.body, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return response.status, None
                return (
                    response.status,
                    f"Wrong response from the webhook: {response.status} {response.reason}",
                )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return 0, f"Connection failed: {exc}"
