"""Issue 11, finding 4: the webhook secret never reaches a log, and an unusable one is refused.

``python -m bot webhook -v`` as a real subprocess against the fake Bot API: PTB's DEBUG line for
``setWebhook`` lists its parameters, the secret token among them.
"""

from __future__ import annotations

import io
import logging
import signal
import time
from pathlib import Path

import pytest
from support import TOKEN, BotProcess, free_port

from bot.logging_setup import REDACTED, RedactSecrets
from briefings.pipeline import make_pool
from fakeapi import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

SECRET = "hook-Secret_98765432109876543210-zyxw"


async def test_the_webhook_secret_is_not_in_the_stderr_of_a_verbose_bot(
    workdir: Path, api: FakeBotApi
) -> None:
    port = free_port()
    bot = BotProcess(
        workdir,
        api,
        mode="webhook",
        verbose=True,
        name="webhook-verbose",
        env={
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        },
    )
    try:
        [registered] = await api.wait_for_requests("setWebhook", timeout=30)
        assert registered.ok and api.webhook_secret_token == SECRET  # it was really used
        await api.wait_for_requests("setMyCommands", timeout=10)
        since = api.mark()
        api.inject_message(3201, "/help")  # delivered with the secret header
        await api.wait_for_messages(chat_id=3201, since=since, timeout=20)
        bot.signal(signal.SIGTERM)
        code = await bot.wait(15)
    finally:
        await bot.stop()
    output = bot.output()
    assert code == 0, output[-2000:]
    assert "setWebhook" in output, "the DEBUG line of setWebhook must be there to be checked"
    assert SECRET not in output and SECRET[5:25] not in output
    assert TOKEN not in output
    print(f"\n[security] webhook -v: {output.count(chr(10))} stderr lines, secret in none")


@pytest.mark.parametrize(
    ("secret", "says"),
    [("", "WEBHOOK_SECRET"), ("has spaces and é", "WEBHOOK_SECRET"), ("x" * 257, "1-256")],
)
async def test_an_unusable_webhook_secret_is_refused_in_one_line(
    workdir: Path, api: FakeBotApi, secret: str, says: str
) -> None:
    bot = BotProcess(
        workdir,
        api,
        mode="webhook",
        name="bad-secret",
        env={"WEBHOOK_URL": "http://127.0.0.1:9/telegram", "WEBHOOK_SECRET": secret},
    )
    try:
        code = await bot.wait(30)
    finally:
        await bot.stop()
    output = bot.output().strip()
    assert code == 2, output[-2000:]
    assert len(output.splitlines()) == 1 and says in output, output[-2000:]
    assert "Traceback" not in output
    assert not [r for r in api.requests if r.method == "setWebhook"]


def test_values_labelled_as_secrets_are_redacted_even_when_not_configured() -> None:
    redactor = RedactSecrets([])
    setwebhook = "Calling `setWebhook` with `{'url': 'x', 'secret_token': 'abc-DEF_123'}`"
    lines = {
        setwebhook: "abc-DEF_123",
        "headers: X-Telegram-Bot-Api-Secret-Token: s3cr3t-value": "s3cr3t-value",
        "connecting to postgresql://bot:hunter2pass@db.local/briefings": "hunter2pass",
        'config {"password": "pa55word!"}': "pa55word!",
    }
    for line, secret in lines.items():
        clean = redactor.redact(line)
        assert secret not in clean and REDACTED in clean, clean
    assert redactor.redact("no secret here: 12 summits") == "no secret here: 12 summits"


def test_a_digest_worker_logs_through_the_parent_s_redacting_handler() -> None:
    """A spawned worker had no handler: its warnings went to Python's last-resort handler on
    stderr, past the redacting filter.  Now they are logged by the process that started it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets([TOKEN]))
    root = logging.getLogger()
    root.addHandler(handler)
    pool = make_pool(1)
    try:
        logger = logging.getLogger("briefings.worker-test")
        pool.submit(logger.warning, "a worker saw %s", TOKEN).result(timeout=120)
        deadline = time.monotonic() + 10
        while "a worker saw" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        pool.shutdown()
        root.removeHandler(handler)
    out = stream.getvalue()
    assert f"a worker saw {REDACTED}" in out, out
    assert TOKEN not in out
