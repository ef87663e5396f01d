"""Helpers shared by the end-to-end, reliability, hostile-input, security and webhook tests.

Everything talks to 127.0.0.1 only: the fake Bot API server runs in the test process, the bot runs
either in-process (``bot.app.running``) or as a real ``python -m bot`` subprocess.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.config import Settings
from briefings.library import Library
from briefings.models import BuildError, Digest
from briefings.pipeline import build
from briefings.store import StoreLocation, open_store_at
from briefings.store.digests import DigestStore
from fakeapi import FakeBotApi, SentRecord
from fakeapi._html import parse_html, trim_text
from fakeapi._records import CallbackAnswer

PROJECT = Path(__file__).resolve().parent.parent

#: Shaped like a real token (10-digit bot id, 35 characters after the colon), so the redactor's
#: "anything token-shaped" rule is exercised as well as its exact-secret rule.
# Built from parts so that no token-shaped literal sits in the repository (secret scanners).
TOKEN = "7012345678" + ":" + "AAHrelTestTokenXyz_0123456789abcdefghij"
ADMIN = 777


# --- what a Telegram client displays ----------------------------------------------------------

#: Markup a reader must never see: a tag the client did not turn into formatting, or a
#: character reference it did not turn into its character (``&lt;``, ``&amp;``, ``&#39;``...).
LITERAL_MARKUP = re.compile(
    r"</?(?:a|b|strong|i|em|u|ins|s|strike|del|span|tg-[a-z]+|code|pre|blockquote)\b[^<>]*>"
    r"|&(?:[A-Za-z][A-Za-z0-9]{1,7}|#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,8});"
)
#: How many messages and button answers were checked as displayed, in this test session.
CHECKED = {"messages": 0}


@dataclass(frozen=True, slots=True)
class Displayed:
    """A message as a Telegram client shows it: plain text, and the formatting over it."""

    text: str
    entities: tuple[dict[str, Any], ...]

    def styled(self, kind: str) -> list[str]:
        """The pieces of text shown with formatting ``kind`` ("bold", "italic", ...)."""
        units = self.text.encode("utf-16-le")
        return [
            units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
            for e in self.entities
            if e["type"] == kind
        ]


def displayed(item: SentRecord | CallbackAnswer | str) -> Displayed:
    """What the reader sees of a sent or edited message (parsed from the HTML exactly as sent,
    the way the Bot API parses it: tags become entities, references their characters), of a
    button's answer (plain text), or of a rendered HTML string."""
    if isinstance(item, CallbackAnswer):
        return Displayed(item.text or "", ())
    if isinstance(item, str):
        raw, mode = item, "HTML"
    else:
        raw = item.raw_text if item.raw_text is not None else item.text or ""
        mode = item.parse_mode or ""
    if mode.upper() != "HTML":
        return Displayed(raw, ())
    text, entities = trim_text(*parse_html(raw))
    return Displayed(text, tuple(entities))


def shown(item: SentRecord | CallbackAnswer | str, *words: str, allow: Iterable[str] = ()) -> str:
    """The displayed text of ``item``, after checking that the reader sees every one of
    ``words`` and no literal markup (except inside ``allow``: text the user typed, shown back).

    Returns the displayed text, so tests assert on what a person reads.
    """
    text = displayed(item).text
    visible = text
    for literal in allow:
        visible = visible.replace(literal, "")
    leaked = LITERAL_MARKUP.findall(visible)
    assert not leaked, f"the reader sees markup {leaked[:5]} in: {text[:300]!r}"
    missing = [w for w in words if w not in text]
    assert not missing, f"the reader does not see {missing} in: {text[:600]!r}"
    CHECKED["messages"] += 1
    return text


#: What users typed through :func:`ask`, per fake server: the bot may show it back as typed.
TYPED: dict[int, list[str]] = {}


def typed(api: FakeBotApi, text: str) -> None:
    """Remember that a user typed ``text`` (the command's argument may be shown back)."""
    argument = text.partition(" ")[2].strip()
    TYPED.setdefault(id(api), []).extend(t for t in (text, argument) if t)


def check_everything_displayed(api: FakeBotApi, allow: Iterable[str] = ()) -> int:
    """:func:`shown` on every message the bot sent or edited and every button answer
    (what users typed may be shown back literally: it is their text, not markup)."""
    allowed = sorted({*allow, *TYPED.pop(id(api), ())}, key=len, reverse=True)
    records: list[SentRecord | CallbackAnswer] = [
        r for r in api.sent if r.method in ("sendMessage", "editMessageText")
    ]
    records += api.callback_answers
    for record in records:
        shown(record, allow=allowed)
    return len(records)


def library_of(
    digests: Iterable[Digest], path: StoreLocation, errors: Iterable[BuildError] = ()
) -> Library:
    """A library of the given digests, stored at ``path`` (a SQLite file or a PostgreSQL
    location) and loaded as the bot loads one."""
    store = open_store_at(path)
    with store.transaction():
        for digest in digests:
            store.put_digest(digest, size=1, mtime_ns=1)
        for error in errors:
            store.put_error(error, size=1, mtime_ns=1, content_hash="broken")
    return Library.load(store)


def make_workdir(tmp_path: Path, seeds_dir: Path, seed_store: Path) -> Path:
    """Seeds folder with both sample seeds, data folder with their digests already built.

    The bot's first build then finds nothing to digest, so no spaCy process pool is started.
    """
    shutil.copytree(seeds_dir, tmp_path / "seeds")
    (tmp_path / "data").mkdir()
    shutil.copy(seed_store, tmp_path / "data" / "digests.sqlite3")
    with DigestStore(tmp_path / "data" / "digests.sqlite3") as store:
        build(tmp_path / "seeds", store)  # records the copied files' own stat
    return tmp_path


def make_settings(workdir: Path, api: FakeBotApi, **extra: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": SecretStr(TOKEN),
        "telegram_base_url": api.base_url,
        "seeds_dir": workdir / "seeds",
        "data_dir": workdir / "data",
        "seed_poll_seconds": 0.3,
        "admin_chat_ids": frozenset({ADMIN}),
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]


def database_url(workdir: Path) -> str:
    return f"sqlite:///{(workdir / 'data' / 'bot.sqlite3').as_posix()}"


async def ask(api: FakeBotApi, chat_id: int, text: str, **kwargs: object) -> list[SentRecord]:
    """Send ``text`` as a user and return the bot's reply (all parts)."""
    since = api.mark()
    typed(api, text)
    api.inject_message(chat_id, text, **kwargs)  # type: ignore[arg-type]
    replies = await api.wait_for_messages(chat_id=chat_id, since=since, timeout=15)
    await asyncio.sleep(0.2)  # a long answer arrives in several parts
    return [r for r in api.sent[since:] if r.chat_id == chat_id] or replies


def deliveries_per_chat(api: FakeBotApi, marker: str) -> Counter[int]:
    """How many sendMessage calls containing ``marker`` each chat received."""
    return Counter(
        r.chat_id
        for r in api.sent
        if r.method == "sendMessage" and r.chat_id is not None and marker in (r.raw_text or "")
    )


def db_rows(workdir: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Read the bot's database directly (another process may have it open: WAL allows that)."""
    with sqlite3.connect(workdir / "data" / "bot.sqlite3", timeout=10) as conn:
        return [tuple(row) for row in conn.execute(sql, params)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """``python -m bot [mode] [-v]`` as a real subprocess; stderr goes to a file."""

    def __init__(
        self,
        workdir: Path,
        api: FakeBotApi,
        *,
        mode: str = "run",
        verbose: bool = False,
        token: str = TOKEN,
        env: dict[str, str] | None = None,
        name: str = "bot",
    ) -> None:
        self.stderr_path = workdir / f"{name}.stderr.log"
        self.stdout_path = workdir / f"{name}.stdout.log"
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TELEGRAM_", "WEBHOOK_", "ADMIN_", "DATABASE_"))
        }
        environment.update(
            TELEGRAM_BOT_TOKEN=token,
            TELEGRAM_BASE_URL=api.base_url,
            SEEDS_DIR=str(workdir / "seeds"),
            DATA_DIR=str(workdir / "data"),
            SEED_POLL_SECONDS="0.5",
            ADMIN_CHAT_IDS=str(ADMIN),
            PYTHONUNBUFFERED="1",
            **(env or {}),
        )
        args = [sys.executable, "-m", "bot", mode] + (["-v"] if verbose else [])
        self._err = self.stderr_path.open("wb")
        self._out = self.stdout_path.open("wb")
        self.proc = subprocess.Popen(
            args, cwd=PROJECT, env=environment, stdout=self._out, stderr=self._err
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def signal(self, signum: int) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signum)

    async def wait(self, timeout: float) -> int:  # noqa: ASYNC109
        """Wait (without blocking the event loop) for the process to exit."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"bot process {self.pid} still running after {timeout}s")
            await asyncio.sleep(0.05)
        self._close_files()
        return int(self.proc.returncode)

    async def stop(self, timeout: float = 15.0) -> int:  # noqa: ASYNC109
        """SIGTERM, then SIGKILL if it does not exit in time (cleanup path)."""
        self.signal(signal.SIGTERM)
        try:
            return await self.wait(timeout)
        except TimeoutError:
            self.signal(signal.SIGKILL)
            return await self.wait(5)

    def _close_files(self) -> None:
        for handle in (self._err, self._out):
            if not handle.closed:
                handle.close()

    def stderr(self) -> str:
        if not self._err.closed:
            self._err.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def output(self) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.stderr() + self.stdout_path.read_text(encoding="utf-8", errors="replace")
