"""The HTTP side of the fake Bot API: routing, long polling, webhooks, faults, test hooks."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from types import TracebackType
from typing import Any, NoReturn

from aiohttp import web

from ._errors import ApiError, bad_request
from ._limits import Faults, FloodControl, MethodFilter
from ._records import CallbackAnswer, RequestRecord, SentRecord, Waiters, WebhookDelivery
from ._state import BotState, Chat, default_chat_type
from ._updates import LOOPBACK_HOSTS, RawResult, UpdateHub, dumps

JSONDict = dict[str, Any]
_LOG = logging.getLogger("fakeapi")

_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,100}")
_JSON_CT = "application/json"


_Handler = Callable[[JSONDict, float], Any]


class FakeBotApi:
    """A local, in-process imitation of ``https://api.telegram.org`` for tests and demos.

    Use it as ``async with FakeBotApi(token="123:ABC") as api:`` and give
    ``api.base_url`` to ``ApplicationBuilder().base_url(...)`` or ``telegram.Bot``.
    It binds to 127.0.0.1 only and never opens outgoing connections except to a webhook URL
    on the loopback interface.

    Args:
        token: The only token accepted in URLs; ``None`` accepts any well-formed token.
        username: The bot's username (``getMe``).
        first_name: The bot's display name.
        rate_limits: Enforce Telegram's flood limits (30/s global, 1/s per chat,
            20/min per group); see :meth:`enable_rate_limits`.
        strict_chats: Answer "chat not found" for chats that never wrote to the bot
            (default: chats are created on first use).
        port: TCP port; 0 picks a free one.
        host: Loopback address to bind (127.0.0.1, localhost or ::1).
        webhook_retry_delay: First back-off in seconds after a failed webhook delivery.
    """

    def __init__(
        self,
        token: str | None = "123456:TEST-TOKEN",
        *,
        username: str = "SummitBriefingsBot",
        first_name: str = "Summit Briefings",
        rate_limits: bool = False,
        strict_chats: bool = False,
        port: int = 0,
        host: str = "127.0.0.1",
        webhook_retry_delay: float = 0.05,
    ) -> None:
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"FakeBotApi only binds to loopback addresses, not {host!r}")
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token and token.split(":", 1)[0].isdigit() else 0
        self.bot_user: JSONDict = {
            "id": bot_id or 123456,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.state = BotState(self.bot_user, strict_chats=strict_chats)
        self.faults = Faults()
        self.requests: list[RequestRecord] = []
        self._hub = UpdateHub(self.state, webhook_retry_delay)
        #: ``update_id`` -> ``time.monotonic()`` when it became available to the bot
        #: (injected for getUpdates, or first POSTed to the webhook).
        self.update_available_at: dict[int, float] = self._hub.available_at
        #: Every webhook POST attempt.
        self.webhook_deliveries: list[WebhookDelivery] = self._hub.deliveries
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._stopping = False
        self._query_counter = 0
        self._sent_waiters: Waiters[SentRecord] = Waiters(self.state.sent)
        self._request_waiters: Waiters[RequestRecord] = Waiters(self.requests)
        self._answer_waiters: Waiters[CallbackAnswer] = Waiters(self.state.callback_answers)
        self.state.on_sent = self._sent_waiters.notify
        self.state.on_answer = self._answer_waiters.notify
        if rate_limits:
            self.enable_rate_limits()
        self._dispatch: dict[str, tuple[str, _Handler]] = {}
        handlers: dict[str, _Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._hub.get_updates,
            "setWebhook": self._hub.set_webhook,
            "deleteWebhook": self._hub.delete_webhook,
            "getWebhookInfo": self._hub.get_webhook_info,
            "close": self._harmless,
            "logOut": self._harmless,
            **self.state.methods(),
        }
        for name, handler in handlers.items():
            self._dispatch[name.lower()] = (name, handler)

    # ================================================================ lifecycle
    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Starts the HTTP server on ``host:port`` (port 0 = any free port)."""
        if self._runner is not None:
            raise RuntimeError("FakeBotApi is already running")
        self._stopping = False
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._file)
        app.router.add_route("*", "/_fake/{action}", self._control)
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._requested_port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._hub.start()
        _LOG.debug("fake Bot API listening on %s", self.url)

    async def stop(self) -> None:
        """Stops the server; pending long polls are answered with ``[]`` at once."""
        runner = self._runner
        if runner is None:
            return
        self._stopping = True
        await self._hub.stop()
        await runner.cleanup()
        self._runner = None

    @property
    def running(self) -> bool:
        """Whether the server is accepting requests."""
        return self._runner is not None and not self._stopping

    @property
    def port(self) -> int:
        """The bound TCP port."""
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:PORT``."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What PTB's ``base_url`` needs: ``http://127.0.0.1:PORT/bot``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What PTB's ``base_file_url`` needs: ``http://127.0.0.1:PORT/file/bot``."""
        return f"{self.url}/file/bot"

    @property
    def bot_id(self) -> int:
        """The bot's user id."""
        return int(self.bot_user["id"])

    @property
    def username(self) -> str:
        """The bot's username."""
        return str(self.bot_user["username"])

    # ================================================================ HTTP plumbing
    def _token_ok(self, token: str) -> bool:
        if self.token is None:
            return _TOKEN.fullmatch(token) is not None
        return token == self.token

    @staticmethod
    async def _read_params(request: web.Request) -> JSONDict:
        params: JSONDict = dict(request.query) if request.query_string else {}
        if not request.body_exists:
            return params
        content_type = request.content_type
        if content_type == _JSON_CT:
            try:
                data = json.loads(await request.read())
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(data, dict):
                raise bad_request("can't parse JSON object")
            params.update(data)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = value
                elif isinstance(value, bytes | bytearray):
                    params[key] = bytes(value).decode("utf-8", "replace")
                else:
                    params[key] = f"<file {value.filename}>"
        return params

    def _record(
        self, method: str, status: int, started: float, params: JSONDict, description: str | None
    ) -> None:
        record = RequestRecord(
            method, status, started, params, description, time.monotonic() - started
        )
        self.requests.append(record)
        self._request_waiters.notify(record)

    @staticmethod
    def _error_response(error: ApiError) -> web.Response:
        return web.Response(
            status=error.status, body=dumps(error.payload()), content_type=_JSON_CT
        )

    def _error(
        self, method: str, error: ApiError, started: float, params: JSONDict
    ) -> web.Response:
        self._record(method, error.status, started, params, error.description)
        return self._error_response(error)

    def _drop(
        self, request: web.Request, method: str, started: float, params: JSONDict, note: str
    ) -> NoReturn:
        self._record(method, 0, started, params, note)
        if request.transport is not None:
            request.transport.abort()
        raise web.HTTPOk()  # never written: the transport is gone

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        key = request.match_info["method"].lower()
        entry = self._dispatch.get(key)
        method = entry[0] if entry is not None else request.match_info["method"]
        if not self._token_ok(request.match_info["token"]):
            return self._error(method, ApiError(401, "Unauthorized"), started, {})
        if entry is None:
            return self._error(method, ApiError(404, "Not Found: method not found"), started, {})
        drop = self.faults.take_drop(key)
        if drop is False:
            self._drop(request, method, started, {}, "connection dropped")
        try:
            params = await self._read_params(request)
        except ApiError as error:
            return self._error(method, error, started, {})
        delay = self.faults.delay(key)
        if delay > 0:
            await self._hub.pause(delay)
        now = time.monotonic()
        try:
            fault = self.faults.check(key, now)
            if fault is not None:
                raise fault
            result = entry[1](params, now)
            if isinstance(result, Awaitable):
                result = await result
        except asyncio.CancelledError:  # the client hung up (e.g. PTB cancelled a long poll)
            self._record(method, 499, started, params, "client closed the connection")
            raise
        except ApiError as error:
            if drop:
                self._drop(request, method, started, params, f"dropped after: {error}")
            return self._error(method, error, started, params)
        except Exception as exc:  # a bug in the fake must show up in tests, not hang them
            _LOG.exception("fake Bot API failed on %s", method)
            bug = ApiError(500, f"Internal Server Error: fake Bot API bug: {exc!r}")
            return self._error(method, bug, started, params)
        if drop:
            self._drop(request, method, started, params, "dropped after processing")
        self._record(method, 200, started, params, None)
        await self._hub.pause(self.faults.answer_delay(key))  # handled; the answer comes late
        result = self.faults.patch_result(key, result)
        if isinstance(result, RawResult):
            return web.Response(body=result.body, content_type=_JSON_CT)
        return web.Response(body=dumps({"ok": True, "result": result}), content_type=_JSON_CT)

    async def _file(self, request: web.Request) -> web.Response:
        return web.Response(
            status=404,
            body=dumps({"ok": False, "error_code": 404, "description": "Not Found"}),
            content_type=_JSON_CT,
        )

    # ================================================================ getMe, close, logOut
    def _get_me(self, params: JSONDict, now: float) -> JSONDict:
        return self.bot_user

    @staticmethod
    def _harmless(params: JSONDict, now: float) -> bool:
        return True

    # ================================================================ injecting updates
    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[JSONDict] | None = None,
        sender_chat_id: int | None = None,
    ) -> int:
        """Simulates a user writing ``text`` to the bot.

        A leading ``/command`` (also ``/command@BotName``) gets a ``bot_command`` entity,
        so PTB's ``CommandHandler`` matches.

        Args:
            chat_id: Chat the message appears in (groups are negative).
            text: Message text.
            user_id: Sender; defaults to ``chat_id`` in private chats, else 1000.
            chat_type: ``private``, ``group``, ``supergroup`` or ``channel``; derived from
                the sign of ``chat_id`` when omitted.
            username: Sender's username.
            first_name: Sender's first name.
            language_code: Sender's language (default ``en``).
            chat_title: Title for group chats.
            reply_to_message_id: Makes the message a reply to that message.
            entities: Explicit entities instead of the detected bot commands.
            sender_chat_id: Post on behalf of a chat: ``chat_id`` itself (an anonymous admin)
                or a channel; ``user_id`` is then ignored.

        Returns:
            The ``update_id`` of the new update.
        """
        if user_id is None:
            private = (chat_type or default_chat_type(chat_id)) == "private"
            user_id = chat_id if private else 1000
        message = self.state.user_message(
            chat_id,
            text,
            user_id=user_id,
            chat_type=chat_type,
            username=username,
            first_name=first_name,
            language_code=language_code,
            chat_title=chat_title,
            reply_to_message_id=reply_to_message_id,
            entities=entities,
            sender_chat_id=sender_chat_id,
        )
        return self._hub.enqueue({"message": message}, chat_id, message["message_id"])

    def inject_callback(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        username: str | None = None,
    ) -> int:
        """Simulates a user pressing an inline button with ``callback_data=data``.

        Args:
            chat_id: Chat of the message with the keyboard.
            message_id: The message carrying the keyboard (an ``InaccessibleMessage`` is
                sent if it does not exist).
            data: The button's ``callback_data``.
            user_id: Who pressed it; defaults to ``chat_id`` in private chats, else 1000.
            username: That user's username.

        Returns:
            The ``update_id``; the query id is in ``callback_answers`` once answered.
        """
        chat = self.state.ensure_chat(chat_id)
        if user_id is None:
            user_id = chat_id if chat.type == "private" else 1000
        user = self.state.ensure_user(user_id, username=username)
        message = chat.messages.get(message_id) or {
            "chat": chat.as_dict(),
            "message_id": message_id,
            "date": 0,
        }
        self._query_counter += 1
        query_id = f"{self.bot_id}{self._query_counter:010d}"
        update_id = self._hub.next_update_id
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(chat_id * 7919 + 13),
            "data": data,
        }
        self.state.register_query(query_id, chat_id, update_id)
        return self._hub.enqueue({"update_id": update_id, "callback_query": query}, chat_id, None)

    def inject_raw(self, update: JSONDict) -> int:
        """Queues an arbitrary Update dict (``update_id`` is assigned when missing).

        Returns:
            The ``update_id``.
        """
        chat_id: int | None = None
        for value in update.values():
            if isinstance(value, dict):
                chat = value.get("chat") or (value.get("message") or {}).get("chat")
                if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                    chat_id = chat["id"]
                    break
        return self._hub.enqueue(dict(update), chat_id, None)

    @property
    def pending_update_count(self) -> int:
        """Updates not yet confirmed (polling) or not yet delivered (webhook)."""
        return self._hub.pending_count

    @property
    def webhook_url(self) -> str | None:
        """The URL given to ``setWebhook``, or ``None``."""
        return self._hub.webhook_url

    @property
    def webhook_secret_token(self) -> str | None:
        """The ``secret_token`` given to ``setWebhook``."""
        return self._hub.webhook_secret_token

    # ================================================================ records & waiting
    @property
    def sent(self) -> list[SentRecord]:
        """Every successful send/edit, in order."""
        return self.state.sent

    @property
    def commands(self) -> list[JSONDict] | None:
        """The command list of the last ``setMyCommands`` call (``None`` if never called)."""
        return self.state.last_commands

    def commands_for(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """Commands currently set for ``scope`` (default scope) and language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return list(self.state.commands.get((key, language_code), []))

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """``CallbackAnswer`` records of ``answerCallbackQuery`` calls."""
        return self.state.callback_answers

    @property
    def deleted(self) -> list[tuple[int, int, float]]:
        """``(chat_id, message_id, monotonic time)`` of deleted messages."""
        return self.state.deleted

    @property
    def chat_actions(self) -> list[tuple[int, str, float]]:
        """``(chat_id, action, monotonic time)`` of ``sendChatAction`` calls."""
        return self.state.chat_actions

    @property
    def first_reply_at(self) -> dict[int, float]:
        """``update_id`` -> monotonic time of the first send/edit linked to it."""
        return self.state.first_reply_at

    def messages_to(self, chat_id: int) -> list[SentRecord]:
        """Sends and edits to ``chat_id``, in order."""
        return [record for record in self.state.sent if record.chat_id == chat_id]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """Current content of a stored message (after edits), or ``None``."""
        chat = self.state.chats.get(chat_id)
        return chat.messages.get(message_id) if chat else None

    def chat(self, chat_id: int) -> Chat | None:
        """The stored chat, if known."""
        return self.state.chats.get(chat_id)

    def reply_latency(self, update_id: int) -> float | None:
        """Seconds from the update becoming available to the first reply linked to it.

        A send/edit is linked to the oldest unanswered, already delivered update of its
        chat, or to the update whose message it explicitly replies to.
        """
        start = self.update_available_at.get(update_id)
        end = self.state.first_reply_at.get(update_id)
        if start is None or end is None:
            return None
        return end - start

    def reply_latencies(self) -> dict[int, float]:
        """``update_id`` -> reply latency for every answered update."""
        result: dict[int, float] = {}
        for update_id, end in self.state.first_reply_at.items():
            start = self.update_available_at.get(update_id)
            if start is not None:
                result[update_id] = end - start
        return result

    def mark(self) -> int:
        """Current length of :attr:`sent`; pass it as ``since`` to wait for newer sends."""
        return len(self.state.sent)

    async def wait_for_messages(
        self,
        chat_id: int | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test API
        predicate: Callable[[SentRecord], bool] | None = None,
        *,
        since: int = 0,
        methods: Collection[str] | None = None,
    ) -> list[SentRecord]:
        """Waits until ``count`` matching sends/edits exist (already present ones count).

        Args:
            chat_id: Only records for this chat.
            count: How many are needed.
            timeout: Seconds to wait.
            predicate: Extra filter on :class:`SentRecord`.
            since: Only look at ``sent[since:]`` (see :meth:`mark`).
            methods: Only these methods, e.g. ``{"sendMessage"}``.

        Returns:
            The first ``count`` matching records.

        Raises:
            TimeoutError: With a summary of what was sent and what failed.
        """

        def matches(record: SentRecord) -> bool:
            return (
                (chat_id is None or record.chat_id == chat_id)
                and (methods is None or record.method in methods)
                and (predicate is None or predicate(record))
            )

        found, ok = await self._sent_waiters.wait(matches, count, timeout, since)
        if ok:
            return found
        target = f" to chat {chat_id}" if chat_id is not None else ""
        raise TimeoutError(
            f"wait_for_messages: expected {count} message(s){target} within {timeout}s, "
            f"got {len(found)} matching.\n{self.summary()}"
        )

    async def wait_for_requests(
        self,
        method: str | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test API
        predicate: Callable[[RequestRecord], bool] | None = None,
        *,
        since: int = 0,
    ) -> list[RequestRecord]:
        """Waits until ``count`` requests (optionally of ``method``) were answered.

        Raises:
            TimeoutError: With a summary of the server state.
        """
        wanted = method.lower() if method else None

        def matches(record: RequestRecord) -> bool:
            return (wanted is None or record.method.lower() == wanted) and (
                predicate is None or predicate(record)
            )

        found, ok = await self._request_waiters.wait(matches, count, timeout, since)
        if ok:
            return found
        raise TimeoutError(
            f"wait_for_requests: expected {count} {method or 'request'}(s) within {timeout}s, "
            f"got {len(found)}.\n{self.summary()}"
        )

    async def wait_for_callback_answers(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test API
        predicate: Callable[[CallbackAnswer], bool] | None = None,
        *,
        since: int = 0,
    ) -> list[CallbackAnswer]:
        """Waits for ``count`` answerCallbackQuery calls in ``callback_answers[since:]``.

        Raises:
            TimeoutError: With a summary of the server state.
        """

        def matches(answer: CallbackAnswer) -> bool:
            return predicate is None or predicate(answer)

        found, ok = await self._answer_waiters.wait(matches, count, timeout, since)
        if ok:
            return found
        raise TimeoutError(
            f"wait_for_callback_answers: expected {count} answer(s) within {timeout}s, "
            f"got {len(found)}.\n{self.summary()}"
        )

    def summary(self, last: int = 8) -> str:
        """A human-readable digest of recent traffic, used in timeout errors."""
        failures = [record for record in self.requests if not record.ok]
        lines = [
            f"sent so far: {len(self.state.sent)}; requests: {len(self.requests)} "
            f"({len(failures)} failed); pending updates: {self.pending_update_count}"
            + (f"; webhook: {self.webhook_url}" if self.webhook_url else ""),
        ]
        if self.state.sent:
            lines.append("last sends:")
            lines += [f"  {record}" for record in self.state.sent[-last:]]
        if failures:
            lines.append("last failed requests:")
            lines += [f"  {record}" for record in failures[-last:]]
        if self.requests:
            lines.append("last requests: " + ", ".join(r.method for r in self.requests[-last:]))
        return "\n".join(lines)

    def clear_records(self) -> None:
        """Forgets sends, requests, answers and timing data (chats and messages stay)."""
        self.state.sent.clear()
        self.state.deleted.clear()
        self.state.chat_actions.clear()
        self.state.callback_answers.clear()
        self.state.first_reply_at.clear()
        self.requests.clear()
        self.update_available_at.clear()
        self.webhook_deliveries.clear()

    # ================================================================ configuration & faults
    def add_chat(
        self,
        chat_id: int,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> None:
        """Makes a chat known (needed with ``strict_chats=True``)."""
        self.state.ensure_chat(
            chat_id, chat_type=chat_type, title=title, username=username, first_name=first_name
        )

    def set_chat_admins(
        self,
        chat_id: int,
        user_ids: Iterable[int],
        *,
        creator_id: int | None = None,
        anonymous: Iterable[int] = (),
    ) -> None:
        """Sets who ``getChatMember``/``getChatAdministrators`` report as admins.

        Args:
            chat_id: The group.
            user_ids: Administrators; earlier admins not listed become members.
            creator_id: Optional owner (status ``creator``).
            anonymous: Those of ``user_ids`` who post as the group (``is_anonymous``).
        """
        chat = self.state.ensure_chat(chat_id)
        chat.anonymous_admins = set(anonymous)
        for user_id, role in list(chat.roles.items()):
            if role in ("administrator", "creator"):
                chat.roles[user_id] = "member"
        for user_id in user_ids:
            chat.roles[user_id] = "administrator"
        if creator_id is not None:
            chat.roles[creator_id] = "creator"

    def set_chat_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Sets one member's status: creator, administrator, member, left or kicked."""
        self.state.set_member_status(chat_id, user_id, status)

    def enable_rate_limits(
        self,
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        per_group_per_minute: int = 20,
    ) -> None:
        """Enforces flood limits on sends and edits with sliding windows (429 beyond).

        Args:
            global_per_second: Messages per second over all chats.
            per_chat_per_second: Messages per second into one chat.
            per_group_per_minute: Messages per minute into one group (chat id < 0).
        """
        self.state.limiter = FloodControl(
            global_per_second, per_chat_per_second, per_group_per_minute
        )

    def disable_rate_limits(self) -> None:
        """Switches flood limits off."""
        self.state.limiter = None

    def fail_next(
        self,
        method: str | None,
        status: int,
        count: int = 1,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Answers the next ``count`` calls of ``method`` with an error.

        Args:
            method: Method name (case-insensitive); ``None`` = any method except
                getUpdates; ``"*"`` = any method.
            status: HTTP status / error_code (400, 403, 429, 500, 502, ...).
            count: How many calls fail.
            retry_after: ``parameters.retry_after`` (default 1 for 429).
            description: Custom description; Telegram's wording by default.
            migrate_to_chat_id: Adds ``parameters.migrate_to_chat_id``.
        """
        self.faults.plan(
            MethodFilter(method), status, count, description, retry_after, migrate_to_chat_id
        )

    def block_chat(self, chat_id: int) -> None:
        """Sends/edits/chat actions to ``chat_id`` get 403 (user blocked the bot)."""
        self.state.blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undoes :meth:`block_chat`."""
        self.state.blocked.discard(chat_id)

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Group ``old_id`` became supergroup ``new_id``: requests to the old id get 400
        with ``parameters.migrate_to_chat_id`` (PTB raises ``ChatMigrated``)."""
        self.state.migrate(old_id, new_id)

    def set_latency(
        self, seconds: float, *, jitter: float = 0.0, methods: Iterable[str] | None = None
    ) -> None:
        """Delays every answer by ``seconds`` (+ up to ``jitter``); 0 switches it off.

        Args:
            seconds: Fixed delay.
            jitter: Extra random delay in ``[0, jitter]``.
            methods: Affected methods; ``None`` = all but getUpdates, ``["*"]`` = all.
        """
        self.faults.set_latency(seconds, jitter, MethodFilter(methods))

    def fail_rate(
        self,
        status: int | Sequence[int] = 500,
        probability: float = 0.1,
        seed: int | None = None,
        *,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Fails a random share of requests with 5xx (probability 0 switches it off).

        Args:
            status: Status, or statuses to pick from (e.g. ``(500, 502)``).
            probability: Chance per request, 0..1.
            seed: Seed for reproducible runs.
            methods: Affected methods; ``None`` = all but getUpdates, ``["*"]`` = all.
        """
        statuses = (status,) if isinstance(status, int) else tuple(status)
        self.faults.set_random(MethodFilter(methods), statuses, probability, seed)

    def drop_connections(
        self,
        count: int = 1,
        *,
        methods: Iterable[str] | None = None,
        after_processing: bool = False,
    ) -> None:
        """Closes the connection of the next ``count`` requests without an answer.

        Args:
            count: Number of requests to drop.
            methods: Affected methods; ``None`` = all but getUpdates, ``["*"]`` = all.
            after_processing: Perform the call first (the message *is* sent) and then drop
                the answer, to test duplicate-safe retries.
        """
        self.faults.add_drops(MethodFilter(methods), count, after_processing)

    def storm_429(
        self,
        duration_s: float,
        retry_after: int | None = None,
        *,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Answers 429 to every request for ``duration_s`` seconds.

        Args:
            duration_s: Storm length.
            retry_after: ``retry_after`` to announce; default: the storm's remaining time.
            methods: Affected methods; ``None`` = all but getUpdates, ``["*"]`` = all.
        """
        self.faults.set_storm(MethodFilter(methods), time.monotonic() + duration_s, retry_after)

    def slow_answers(self, seconds: float, *, methods: Iterable[str] | None = None) -> None:
        """Handles each call at once (a message *is* sent) but answers ``seconds`` later.

        Unlike :meth:`set_latency`, which waits before handling, this is Telegram busy after
        the fact: a client whose read timeout is shorter sees a timeout for a delivered message.
        0 switches it off.  ``methods``: ``None`` = all but getUpdates, ``["*"]`` = all.
        """
        self.faults.set_answer_delay(seconds, MethodFilter(methods))

    def patch_results(
        self, fields: dict[str, Any], *, methods: Iterable[str] | None = None
    ) -> None:
        """Answers ``ok: true`` as usual, but with ``fields`` overwritten in the result.

        Imitates emulators and future API versions whose answers a client cannot parse (e.g.
        ``{"link_preview_options": "off"}``).  An empty dict switches it off.
        """
        self.faults.set_result_patch(fields, MethodFilter(methods))

    def clear_faults(self) -> None:
        """Switches off every fault, block, migration and rate limit."""
        self.faults.clear()
        self.state.blocked.clear()
        self.state.migrated.clear()
        self.state.limiter = None

    # ================================================================ demo control endpoints
    async def _control(self, request: web.Request) -> web.Response:
        """Tiny JSON API for the standalone demo (``/_fake/message`` etc.)."""
        action = request.match_info["action"]
        try:
            body: JSONDict = {}
            if request.body_exists:
                loaded = json.loads(await request.read())
                if not isinstance(loaded, dict):
                    raise ValueError("body must be a JSON object")
                body = loaded
            result: Any
            if action == "message" and request.method == "POST":
                result = {
                    "update_id": self.inject_message(
                        int(body["chat_id"]),
                        str(body["text"]),
                        user_id=body.get("user_id"),
                        chat_type=body.get("chat_type"),
                        username=body.get("username"),
                    )
                }
            elif action == "callback" and request.method == "POST":
                result = {
                    "update_id": self.inject_callback(
                        int(body["chat_id"]),
                        int(body["message_id"]),
                        str(body["data"]),
                        user_id=body.get("user_id"),
                    )
                }
            elif action == "update" and request.method == "POST":
                result = {"update_id": self.inject_raw(body)}
            elif action == "sent" and request.method == "GET":
                chat = request.query.get("chat_id")
                records = self.messages_to(int(chat)) if chat else self.state.sent
                result = [
                    {k: v for k, v in record.as_dict().items() if k != "params"}
                    for record in records
                ]
            else:
                return web.json_response(
                    {"ok": False, "description": "no such action"}, status=404
                )
        except (KeyError, ValueError, TypeError) as exc:
            return web.json_response({"ok": False, "description": repr(exc)}, status=400)
        return web.Response(body=dumps({"ok": True, "result": result}), content_type=_JSON_CT)
