"""Access control and secrets: admin commands, group admins, the flood limit, the token in logs.

End to end against the fake Bot API (the real Application in-process, and ``python -m bot -v``
as a subprocess for what only a real process shows: its stderr and its exit code).
"""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import telegram
from pydantic import SecretStr
from support import (
    ADMIN,
    TOKEN,
    BotProcess,
    ask,
    database_url,
    db_rows,
    deliveries_per_chat,
    make_settings,
)

from bot.app import build_application, running
from bot.delivery.subscriptions import SubscriptionStore
from bot.logging_setup import configure_logging
from bot.services import SERVICES_KEY, Services
from fakeapi import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

STRANGER = 9001
GROUP = -100_555
#: Every form in which the token could leak: as is, URL-encoded, and its secret half alone.
TOKEN_FORMS = (TOKEN, quote(TOKEN, safe=""), quote(TOKEN), TOKEN.split(":", 1)[1])


def services_of(app: object) -> Services:
    svc = app.bot_data[SERVICES_KEY]  # type: ignore[attr-defined]
    assert isinstance(svc, Services)
    return svc


def leaks(text: str) -> list[str]:
    return [form for form in TOKEN_FORMS if form in text]


# --- admin commands ------------------------------------------------------------------------------


async def test_admin_commands_obey_admin_chat_ids_only(workdir: Path, api: FakeBotApi) -> None:
    admin_group = -100_777
    app = build_application(
        make_settings(workdir, api, admin_chat_ids=frozenset({ADMIN, admin_group}))
    )
    async with running(app):
        svc = services_of(app)
        assert svc.scheduler is not None
        reloads = 0
        real_reload = svc.scheduler.reload

        async def counting_reload() -> object:
            nonlocal reloads
            reloads += 1
            return await real_reload()

        svc.scheduler.reload = counting_reload  # type: ignore[method-assign]

        # Strangers: refused in private, in an ordinary group, also as /cmd@Bot.
        for chat, user, command in [
            (STRANGER, STRANGER, "/stats"),
            (STRANGER, STRANGER, "/reload"),
            (GROUP, STRANGER, "/stats"),
            (GROUP, STRANGER, f"/reload@{api.username}"),
        ]:
            [refused] = await ask(api, chat, command, user_id=user)
            assert "administrators" in (refused.text or ""), command
            assert "sent:" not in (refused.text or "")
        [help_text] = await ask(api, STRANGER, "/help")
        assert "/reload" not in (help_text.text or "") and "/stats" not in (help_text.text or "")
        assert reloads == 0

        # The listed user, wherever they write; a listed chat, whoever writes in it.
        [stats] = await ask(api, ADMIN, "/stats")
        assert "Stats" in (stats.text or "") and "subscriptions:" in (stats.text or "")
        [stats_in_group] = await ask(api, GROUP, "/stats", user_id=ADMIN)
        assert "Stats" in (stats_in_group.text or "")
        [reloaded] = await ask(api, admin_group, "/reload", user_id=STRANGER)
        assert "Reloaded:" in (reloaded.text or "")
        [admin_help] = await ask(api, ADMIN, "/help")
        assert "/reload" in (admin_help.text or "")
        assert reloads == 1


# --- group subscriptions: only chat admins -------------------------------------------------------


async def test_only_group_admins_change_subscriptions(workdir: Path, api: FakeBotApi) -> None:
    owner, admin, member, left = 1001, 1002, 1003, 1004
    api.set_chat_admins(GROUP, [admin], creator_id=owner)
    api.set_chat_member_status(GROUP, left, "left")

    def group_subscriptions() -> list[tuple[object, ...]]:
        return db_rows(
            workdir, "SELECT kind FROM subscriptions WHERE chat_id = ? ORDER BY kind", (GROUP,)
        )

    app = build_application(make_settings(workdir, api))
    async with running(app):
        for user in (member, left):
            for command in ("/subscribe", "/subscribe daily 08:00 Europe/Paris", "/unsubscribe"):
                [refused] = await ask(api, GROUP, command, user_id=user)
                assert "Only the group’s admins" in (refused.text or ""), (user, command)
        assert group_subscriptions() == []

        [ok] = await ask(api, GROUP, "/subscribe", user_id=admin)
        assert "Subscribed" in (ok.text or "")
        [daily] = await ask(api, GROUP, "/subscribe daily 07:30 Asia/Baku", user_id=owner)
        assert "Daily briefing" in (daily.text or "")
        assert group_subscriptions() == [("daily",), ("new",)]

        [refused] = await ask(api, GROUP, "/unsubscribe", user_id=member)
        assert "Only the group’s admins" in (refused.text or "")
        assert group_subscriptions() == [("daily",), ("new",)]

        # Telegram cannot say who the user is (getChatMember fails): refused, not allowed.
        api.fail_next("getChatMember", 500)
        [failed] = await ask(api, GROUP, "/unsubscribe", user_id=admin)
        assert "Unsubscribed" not in (failed.text or "")
        assert group_subscriptions() == [("daily",), ("new",)]

        [done] = await ask(api, GROUP, "/unsubscribe", user_id=admin)
        assert "Unsubscribed" in (done.text or "")
        assert group_subscriptions() == []


async def test_subscribe_button_in_a_group_obeys_the_admin_rule(
    workdir: Path, api: FakeBotApi
) -> None:
    admin, member = 1102, 1103
    api.set_chat_admins(GROUP, [admin])
    app = build_application(make_settings(workdir, api))
    async with running(app):
        [start] = await ask(api, GROUP, "/start", user_id=member)
        message_id = start.message_id or 0

        answers = len(api.callback_answers)
        since = api.mark()
        api.inject_callback(GROUP, message_id, "sub:new", user_id=member)
        [answer] = await api.wait_for_callback_answers(since=answers, timeout=10)
        await asyncio.sleep(0.5)
        assert "admins" in (answer.text or ""), "the refusal must be shown to the member"
        assert not [r for r in api.sent[since:] if "Subscribed" in (r.text or "")]
        assert db_rows(workdir, "SELECT count(*) FROM subscriptions") == [(0,)]

        answers = len(api.callback_answers)
        since = api.mark()
        api.inject_callback(GROUP, message_id, "sub:new", user_id=admin)
        await api.wait_for_callback_answers(since=answers, timeout=10)
        [ok] = await api.wait_for_messages(chat_id=GROUP, since=since, timeout=10)
        assert "Subscribed" in (ok.text or "")
        assert db_rows(workdir, "SELECT chat_id, kind FROM subscriptions") == [(GROUP, "new")]
    # Every query was answered exactly once; none failed.
    failed = [r for r in api.requests if r.method == "answerCallbackQuery" and not r.ok]
    assert failed == []


# --- the per-chat flood limit --------------------------------------------------------------------


async def test_a_flooding_chat_is_told_once_to_slow_down_and_others_stay_responsive(
    workdir: Path, api: FakeBotApi
) -> None:
    flooder, other = 4001, 4002
    app = build_application(make_settings(workdir, api, flood_window_seconds=3.0))
    async with running(app):
        since = api.mark()
        for _ in range(40):
            api.inject_message(flooder, "/help")
        started = time.monotonic()
        [answer] = await ask(api, other, "/help")
        other_latency = time.monotonic() - started
        assert "/summary" in (answer.text or "")
        await api.wait_for_messages(chat_id=flooder, since=since, count=31, timeout=15)
        await asyncio.sleep(1.0)  # any reply to the 9 dropped commands would arrive now
        to_flooder = [r.text or "" for r in api.sent[since:] if r.chat_id == flooder]
        slow_downs = [t for t in to_flooder if "slow down" in t]
        assert len(slow_downs) == 1
        assert sum("/summary" in t for t in to_flooder) == 30
        assert len(to_flooder) == 31
        assert other_latency < 3.0
        assert services_of(app).counters["flood refusals"] == 10

        await asyncio.sleep(3.0)  # the window has passed: the chat is answered again
        [again] = await ask(api, flooder, "/help")
        assert "/summary" in (again.text or "")
    print(
        f"\n[security] flood: 40 commands in <1s -> 30 answered, 1 'slow down', 9 dropped; "
        f"another chat answered in {other_latency:.2f}s"
    )


async def test_a_flooding_group_gets_no_more_answers_than_telegram_lets_the_bot_post(
    workdir: Path, api: FakeBotApi
) -> None:
    """Telegram lets a bot post 20 messages a minute into a group (AIORateLimiter enforces it).

    A reply beyond that waits inside its handler, holding one of the application's 64 concurrent
    update slots.  With only the per-chat budget (30 commands per 10 s) a group flooding steadily
    was promised 180 answers a minute of which 20 could go out: the backlog grew by one parked
    handler every few seconds until no slot was left for any chat.  A group's budget is therefore
    capped at 20 a minute: every answer it is promised goes out at once, nothing is parked.
    """
    groups = [-7001, -7002]
    app = build_application(make_settings(workdir, api))
    async with running(app):
        since = api.mark()
        for group in groups:
            for _ in range(35):
                api.inject_message(group, "/help", user_id=5)
        started = time.monotonic()
        [answer] = await ask(api, 4003, "/help")
        latency = time.monotonic() - started
        for group in groups:  # each group is told once, right after its 20 answers
            await api.wait_for_messages(
                chat_id=group,
                since=since,
                timeout=10,
                predicate=lambda r: "slow down" in (r.text or ""),
            )
        drained = time.monotonic() - started
        await asyncio.sleep(2.0)  # anything still parked would trickle in now
        stopping = time.monotonic()
    stop_time = time.monotonic() - stopping
    assert "/summary" in (answer.text or "")
    assert latency < 3.0, f"a private chat waited {latency:.1f}s behind flooding groups"
    for group in groups:
        texts = [r.text or "" for r in api.sent[since:] if r.chat_id == group]
        assert sum("slow down" in t for t in texts) == 1
        assert sum("/summary" in t for t in texts) == 20
    assert drained < 8 and stop_time < 5
    print(
        f"\n[security] 2 groups x 35 commands: 20 answered + 1 'slow down' each within "
        f"{drained:.1f}s; a private chat answered in {latency:.2f}s; stopped in {stop_time:.1f}s"
    )


# --- the token never reaches a log ---------------------------------------------------------------


class RawRecords(logging.Handler):
    """Unfiltered formatted records (runs before the redacting handler sees them)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


NOISY = ("httpx", "httpcore", "telegram", "apscheduler", "aiohttp", "asyncio", "bot", "briefings")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    levels = {name: logging.getLogger(name).level for name in NOISY}
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        logging.captureWarnings(False)


def test_anything_shaped_like_a_token_is_redacted_even_when_not_configured() -> None:
    from bot.logging_setup import REDACTED, RedactSecrets

    other = "5555555555" + ":" + "BBHanotherTokenShape_0123456789abcdef"
    redactor = RedactSecrets([])  # e.g. a second bot's token, or one pasted into a message
    for text in (
        f"POST https://api.telegram.org/bot{other}/sendMessage",
        f"token={quote(other, safe='')}&x=1",
        f"token {other}.",
    ):
        assert other.split(":")[1] not in redactor.redact(text)
        assert REDACTED in redactor.redact(text)
    for harmless in ("at 12:30 in Baku", "chat 123456: hello", "-1001234567890:short"):
        assert redactor.redact(harmless) == harmless


async def test_token_never_in_any_log_line_at_debug(
    workdir: Path, api: FakeBotApi, restore_logging: None
) -> None:
    # Logging exactly as `python -m bot -v` sets it up, then every library turned up to DEBUG.
    configure_logging(logging.DEBUG, secrets=[SecretStr(TOKEN)])
    root = logging.getLogger()
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    handler.setStream(written)
    raw = RawRecords()
    root.handlers.insert(0, raw)
    app = build_application(make_settings(workdir, api))
    for name in NOISY:  # build_application quiets httpx again; undo it
        logging.getLogger(name).setLevel(logging.DEBUG)

    async with running(app):
        svc = services_of(app)
        assert svc.subscriptions is not None and svc.sender is not None
        for command in ("/start", "/summary", "/quotes aliyev", "/frobnicate", "/subscribe"):
            await ask(api, STRANGER, command)
        await ask(api, ADMIN, "/stats")
        # A handler that fails (Telegram answers 500): logged with its traceback.
        api.fail_next("sendMessage", 500)
        since = api.mark()
        api.inject_message(STRANGER, "/help")
        await api.wait_for_messages(chat_id=STRANGER, since=since, timeout=10)
        # A broadcast with a failing send, a dropped connection and a 401.
        api.fail_next("sendMessage", 502)
        api.drop_connections(1, methods=["sendMessage"])
        await svc.subscriptions.create_briefing(
            "new:logs", {chat: [f"<b>Log briefing</b> {chat}"] for chat in range(1, 6)}
        )
        svc.sender.wake()
        await api.wait_for_messages(
            count=3, timeout=15, predicate=lambda r: "Log" in (r.text or "")
        )
        api.fail_next("sendMessage", 401)
        await svc.subscriptions.create_briefing("new:unauthorized", {6: ["<b>Log</b> 6"]})
        svc.sender.wake()
        await api.wait_for_requests("sendMessage", timeout=10, predicate=lambda r: r.status == 401)
        # PTB's own rejected-token error carries the token in its message.
        async with FakeBotApi(token="1:another-token") as other:
            try:
                await telegram.Bot(TOKEN, base_url=other.base_url).initialize()
            except telegram.error.InvalidToken as exc:
                logging.getLogger("bot").error("start-up failed", exc_info=exc)
        # A warning naming a request URL, and a URL-encoded token in a message.
        warnings.warn(f"slow request {api.base_url}{TOKEN}/getMe", UserWarning, stacklevel=1)
        logging.getLogger("bot").debug("webhook url %s", f"https://x.test/hook?t={quote(TOKEN)}")
        await asyncio.sleep(2.5)

    output = written.getvalue()
    raw_text = "\n".join(raw.lines)
    # The run exercised the dangerous paths: the unfiltered records did contain the token...
    assert sum(TOKEN in line for line in raw.lines) >= 20
    assert "HTTP Request: POST" in raw_text and "Traceback" in output
    assert "handler failed" in output and "Telegram rejected the bot token" in output
    # ...and none of it reached the log the bot writes.
    assert leaks(output) == [], [line for line in output.splitlines() if leaks(line)][:3]
    assert "[REDACTED]" in output
    print(
        f"\n[security] in-process DEBUG log: {len(output.splitlines())} lines written, "
        f"{sum(TOKEN in line for line in raw.lines)} raw records held the token, 0 leaked"
    )


async def test_token_never_in_the_stderr_of_a_verbose_bot_process(
    workdir: Path, api: FakeBotApi
) -> None:
    store = await SubscriptionStore.open(database_url(workdir))
    try:
        await store.create_briefing(
            "new:stderr", {chat: [f"<b>Stderr briefing</b> {chat}"] for chat in range(1, 6)}
        )
    finally:
        await store.close()
    api.fail_next("sendMessage", 502)  # the broadcast's first send fails and is retried
    bot = BotProcess(workdir, api, verbose=True, name="verbose")
    try:
        await api.wait_for_messages(
            count=5, timeout=60, predicate=lambda r: "Stderr" in (r.text or "")
        )
        for command in ("/start", "/summary", "/status", "/nonsense"):
            await ask(api, STRANGER, command)
        api.fail_next("sendMessage", 500)  # a handler fails
        since = api.mark()
        api.inject_message(STRANGER, "/help")
        await api.wait_for_messages(chat_id=STRANGER, since=since, timeout=10)
        await asyncio.sleep(0.5)
        bot.signal(signal.SIGTERM)
        code = await bot.wait(15)
    finally:
        await bot.stop()
    output = bot.output()
    assert code == 0, output[-3000:]
    assert set(deliveries_per_chat(api, "Stderr").values()) == {1}
    assert " DEBUG " in output and "bot ready" in output and "handler failed" in output
    assert "Traceback" in output and "sender stopped" in output
    assert leaks(output) == [], [line for line in output.splitlines() if leaks(line)][:3]


async def test_a_rejected_token_is_reported_without_printing_it(workdir: Path) -> None:
    async with FakeBotApi(token="1:the-real-token-is-another") as api:
        bot = BotProcess(workdir, api, verbose=True, name="rejected")
        try:
            code = await bot.wait(30)
        finally:
            await bot.stop()
    output = bot.output()
    assert code == 2, output[-3000:]
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in output
    assert leaks(output) == [], [line for line in output.splitlines() if leaks(line)][:3]
