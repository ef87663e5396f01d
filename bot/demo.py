"""The offline demo: the real bot against the fake Bot API server, chatted with in a terminal.

A newcomer with no token runs ``python -m bot demo`` (or ``./scripts/run``), types ``/summary``
and reads the bot's reply as text.  Buttons are shown numbered; typing the number presses one.
Input from a pipe works too (``printf '/summary\\n/quotes\\n' | python -m bot demo``), so the demo
can be scripted.  Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import textwrap
from typing import Any

from pydantic import SecretStr

from bot.config import Settings
from bot.render import strip_html

log = logging.getLogger(__name__)

DEMO_TOKEN = "123456:DEMO-offline-token-not-a-real-one"
DEMO_CHAT = 1001
DEMO_USER = 1001
_REPLY_WAIT = 15.0
_SETTLE = 0.4

BANNER = """\
Summit Briefings: offline demo (a local fake Telegram; nothing leaves this machine)
Type a command such as /summary, /quotes, /timeline 2025, /search Lachin, /help.
Buttons appear as [1] [2] …: type the number to press one. Ctrl-D or /quit to leave.
"""


def run_demo(settings: Settings) -> int:
    """Run the demo until the person leaves; returns the exit code."""
    try:
        return asyncio.run(_demo(settings))
    except KeyboardInterrupt:
        return 0


def _print(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _show(record: Any, buttons: list[tuple[int, str]]) -> None:
    """Print one bot message as plain text, buttons numbered."""
    body = strip_html(record.text or "")
    prefix = "bot (edited)> " if record.method == "editMessageText" else "bot> "
    lines = body.splitlines() or [""]
    _print(prefix + lines[0])
    for line in lines[1:]:
        _print(textwrap.indent(line, " " * 5) if line else "")
    markup = record.reply_markup or {}
    labels = []
    for row in markup.get("inline_keyboard", []):
        for button in row:
            buttons.append((record.message_id, button.get("callback_data", "")))
            labels.append(f"[{len(buttons)}] {button.get('text', '')}")
    if labels:
        _print("     " + "  ".join(labels))


async def _demo(settings: Settings) -> int:
    from bot.app import build_application, running
    from bot.fakeapi import FakeBotApi
    from briefings.pipeline import build
    from briefings.store import DigestStore

    _print(BANNER)
    async with FakeBotApi(token=DEMO_TOKEN) as api:
        demo_settings = settings.model_copy(
            update={
                "telegram_bot_token": SecretStr(DEMO_TOKEN),
                "telegram_base_url": api.base_url,
                "database_url": f"sqlite:///{(settings.data_dir / 'demo-bot.sqlite3').as_posix()}",
            }
        )
        _print("Preparing the digests of the seed articles (the first time takes a few seconds)…")
        with DigestStore(demo_settings.store_file) as store:
            report = await asyncio.to_thread(build, demo_settings.seeds_dir, store)
        _print(
            f"{len(report.built)} built, {report.unchanged} already up to date, "
            f"{len(report.errors)} unreadable.\n"
        )
        async with running(build_application(demo_settings), poll_timeout=5):
            await _chat(api)
    return 0


async def _chat(api: Any) -> None:
    """Read lines, send them as the demo user, print whatever the bot sends back."""
    buttons: list[tuple[int, str]] = []
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = await asyncio.to_thread(input, "you> " if interactive else "")
        except EOFError:
            return
        line = line.strip()
        if not line:
            continue
        if line in {"/quit", "/exit", "quit", "exit"}:
            return
        if not interactive:
            _print(f"you> {line}")
        seen = api.mark()
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            message_id, data = buttons[int(line) - 1]
            answered = len(api.callback_answers)
            api.inject_callback(DEMO_CHAT, message_id, data, user_id=DEMO_USER)
            try:
                await api.wait_for_requests(
                    "answerCallbackQuery", count=answered + 1, timeout=_REPLY_WAIT
                )
            except TimeoutError:
                _print("bot> (no answer; is the bot still running?)")
                continue
            for answer in api.callback_answers[answered:]:
                if answer.text:
                    _print(f"bot (notice)> {answer.text}")
        else:
            api.inject_message(DEMO_CHAT, line, user_id=DEMO_USER)
            try:
                await api.wait_for_messages(chat_id=DEMO_CHAT, since=seen, timeout=_REPLY_WAIT)
            except TimeoutError:
                _print("bot> (no answer; is the bot still running?)")
                continue
        await asyncio.sleep(_SETTLE)  # long replies arrive in several parts
        shown: list[tuple[int, str]] = []
        for record in api.sent[seen:]:
            if record.chat_id == DEMO_CHAT:
                _show(record, shown)
        buttons = shown or buttons
        _print()
