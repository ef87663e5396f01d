"""The offline demo: the real bot against the fake Bot API server, chatted with in a terminal.

A newcomer with no token runs ``python -m bot demo`` (or ``./scripts/run``), types ``/summary``
and reads the bot's reply as a Telegram client would show it (:mod:`bot.terminal`).  Every
message the chat receives is shown when it arrives, the briefings the bot pushes on its own
(``/subscribe``, then drop an article into the seeds folder) as well as replies.  Buttons are
shown numbered; typing the number presses one.  Input from a pipe works too
(``printf '/summary\\n/quotes\\n' | python -m bot demo``), so the demo can be scripted.

The terminal belongs to the chat: the log (and anything else written to stderr, by the bot's
worker processes too) goes to ``DATA_DIR/demo.log``.  Ctrl-C leaves at once: input is read in a
daemon thread, which nothing waits for at exit.  Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr

from bot.config import Settings
from bot.terminal import make_console, message_lines

DEMO_TOKEN = "123456:DEMO-offline-token-not-a-real-one"
DEMO_CHAT = 1001
DEMO_USER = 1001
LOG_NAME = "demo.log"
_REPLY_WAIT = 15.0
_SETTLE = 0.4
#: The demo checks its seeds folder at least this often, so an article dropped in is
#: announced within seconds (the bot's default is 30 s).
_DEMO_POLL_SECONDS = 2.0
_PROMPT = "you> "
#: The demo's local feed: short made-up reports kept in the repository (a user's clone has no
#: corpus); the first two are the feed's archive, the rest are published one by one.
DEMO_FEED_DIR = Path(__file__).resolve().parent.parent / "sources" / "demo_feed"
_FEED_INITIAL = 2
_FEED_POLL_SECONDS = 2.0
#: After ``/subscribe`` the feed publishes its next article this much later.
_FEED_DELAY = 5.0
_FEED_NOTE = "(the demo feed just published a new article: its briefing follows shortly)"
#: The front matter line of a seed file the demo feed wrote (its articles live at /demo/…).
_DEMO_SEED_URL = re.compile(r'^url: "http://127\.0\.0\.1:\d+/demo/', re.MULTILINE)

T = TypeVar("T")

BANNER = """\
Summit Briefings: offline demo (a local fake Telegram; nothing leaves this machine)
Type a command such as /summary, /quotes, /timeline 2025, /search Lachin, /help.
/subscribe: a local demo feed then publishes an article, and its briefing appears here.
Copy an article into {seeds} and its briefing appears too (the demo feed's own src_*.md files
there are removed when the demo ends).
Buttons appear as [1] [2] …: type the number to press one. Ctrl-D, Ctrl-C or /quit to leave.
The bot's log goes to {log}.
"""


def log_path(settings: Settings) -> Path:
    """Where the demo's log goes (inside ``DATA_DIR``)."""
    return settings.data_dir / LOG_NAME


def remove_demo_seeds(seeds_dir: Path) -> list[Path]:
    """Delete the seed files the demo feed wrote (``src_*.md`` whose ``url`` is the local demo
    feed's), so the demo leaves the person's seeds folder as it found it; also run at start, for
    the files of a demo that was killed.  Other files, ``src_*.md`` from real sources included,
    are left alone.  The next build forgets the removed files' digests."""
    removed = []
    for path in sorted(seeds_dir.glob("src_*.md")):
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:2000]
        except OSError:
            continue
        if _DEMO_SEED_URL.search(head.split("\n---", 1)[0]):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def divert_stderr(path: Path) -> None:
    """Send this process's stderr, and so its children's, to ``path`` (appending).

    The bot's digest workers are separate processes that inherit file descriptor 2; a log
    handler alone would leave their warnings in the middle of the chat.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stderr.flush()
    os.dup2(handle, 2)
    os.close(handle)


def run_demo(settings: Settings) -> int:
    """Run the demo until the person leaves; returns the exit code."""
    console = make_console()
    try:
        return asyncio.run(_demo(settings, console))
    except KeyboardInterrupt:
        console.print("\n(demo ended)")
        # The bot, the feed and the seeds clean-up are done.  The input thread is still inside
        # input() holding stdin's lock; interpreter shutdown can abort on that lock ("Fatal
        # Python error: _enter_buffered_busy"), so leave without it, streams flushed.
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    except Exception as exc:  # the log has the traceback; the chat gets one line
        console.print(f"the demo stopped: {exc}; see {log_path(settings)}")
        raise


class _LineReader:
    """Reads one line per request in a daemon thread (``input`` cannot be cancelled; a daemon
    thread blocked in it does not keep the process alive after Ctrl-C)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, prompt: str) -> None:
        self._loop = loop
        self.prompt = prompt
        self.prompting = False
        self._requests: list[asyncio.Future[str | None]] = []
        self._wake = threading.Condition()
        threading.Thread(target=self._run, name="demo-input", daemon=True).start()

    async def readline(self) -> str | None:
        """The next line, or None at end of input."""
        future: asyncio.Future[str | None] = self._loop.create_future()
        with self._wake:
            self._requests.append(future)
            self._wake.notify()
        return await future

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._requests:
                    self._wake.wait()
                future = self._requests.pop(0)
            self.prompting = True
            try:
                line: str | None = input(self.prompt)
            except (EOFError, OSError, ValueError):
                line = None
            finally:
                self.prompting = False
            with contextlib.suppress(RuntimeError):  # the loop is gone: the demo is ending
                self._loop.call_soon_threadsafe(_succeed, future, line)
            if line is None:
                return


async def _in_daemon_thread(function: Callable[[], T]) -> T:
    """``function()`` in a daemon thread: Ctrl-C need not wait for it (unlike ``to_thread``)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def work() -> None:
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting task
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_fail, future, exc)
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_succeed, future, result)

    threading.Thread(target=work, name="demo-build", daemon=True).start()
    return await future


def _succeed(future: asyncio.Future[T], result: T) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


class _Chat:
    """The transcript: shows each message the chat receives, numbers its buttons."""

    def __init__(self, api: Any, console: Any, reader: _LineReader, interactive: bool) -> None:
        self.api = api
        self.console = console
        self.reader = reader
        self.interactive = interactive
        #: Button number → (message id, callback data); renumbered from 1 after each input.
        self.buttons: dict[int, tuple[int, str]] = {}
        self._renumber = True

    def new_turn(self) -> None:
        """The person typed something: the next buttons shown are numbered from 1 again."""
        self._renumber = True

    def show(self, record: Any) -> None:
        """Print one sent or edited message as a Telegram client displays it."""
        labels: list[tuple[int, str]] = []
        rows = (record.reply_markup or {}).get("inline_keyboard", [])
        if rows and self._renumber:
            self.buttons.clear()
            self._renumber = False
        for row in rows:
            for button in row:
                number = len(self.buttons) + 1
                self.buttons[number] = (record.message_id, button.get("callback_data", ""))
                labels.append((number, button.get("text", "")))
        text = message_lines(
            record.raw_text if record.raw_text is not None else (record.text or ""),
            record.parse_mode,
            edited=record.method == "editMessageText",
            buttons=labels,
        )
        self.say(text)

    def say(self, text: Any) -> None:
        """Print above the prompt when one is waiting, then put the prompt back."""
        redraw = self.interactive and self.reader.prompting
        if redraw:
            self.console.file.write("\r\x1b[K")
        self.console.print(text)
        self.console.print()
        if redraw:
            self.console.file.write(self.reader.prompt + _line_buffer())
            self.console.file.flush()

    async def watch(self) -> None:
        """Show every message to the demo chat as it arrives (replies and pushed briefings)."""
        cursor = 0
        while True:
            with contextlib.suppress(TimeoutError):
                await self.api.wait_for_messages(chat_id=DEMO_CHAT, since=cursor, timeout=3600)
            sent = self.api.sent
            end = len(sent)
            for record in sent[cursor:end]:
                if record.chat_id == DEMO_CHAT:
                    self.show(record)
            cursor = end


def _line_buffer() -> str:
    """What the person has typed at the prompt so far (readline keeps it), if known."""
    try:
        import readline
    except ImportError:  # pragma: no cover - no readline on this platform
        return ""
    return str(readline.get_line_buffer())


async def _demo(settings: Settings, console: Any) -> int:
    from bot.app import build_application, running
    from briefings.pipeline import build
    from briefings.store import open_store
    from fakeapi import FakeBotApi
    from sources.demo import serve_demo_feed

    console.print(BANNER.format(seeds=settings.seeds_dir, log=log_path(settings)))
    remove_demo_seeds(settings.seeds_dir)
    feed_db = settings.data_dir / "demo-sources.sqlite3"
    feed_file = settings.data_dir / "demo-sources.txt"
    articles = sorted(DEMO_FEED_DIR.glob("*.txt"))
    async with (
        FakeBotApi(token=DEMO_TOKEN) as api,
        serve_demo_feed(articles, initial=_FEED_INITIAL, add_after=None) as feed,
    ):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        for stale in (feed_db, feed_db.with_name(feed_db.name + "-wal")):
            stale.unlink(missing_ok=True)  # the feed's port changes: each demo starts afresh
        feed_file.write_text(f"{feed.url} Demo wire\n", encoding="utf-8")
        demo_settings = settings.model_copy(
            update={
                "telegram_bot_token": SecretStr(DEMO_TOKEN),
                "telegram_base_url": api.base_url,
                "database_url": f"sqlite:///{(settings.data_dir / 'demo-bot.sqlite3').as_posix()}",
                "seed_poll_seconds": min(settings.seed_poll_seconds, _DEMO_POLL_SECONDS),
                # Only the local feed: never the person's own sources (nothing leaves 127.0.0.1).
                "sources_file": feed_file,
                "sources_db": feed_db,
                "source_poll_seconds": _FEED_POLL_SECONDS,
            }
        )
        console.print(
            "Preparing the digests of the seed articles (the first time takes a few seconds)…"
        )

        def prepare() -> Any:
            with open_store(demo_settings) as store:
                return build(demo_settings.seeds_dir, store)

        report = await _in_daemon_thread(prepare)
        console.print(
            f"{len(report.built)} built, {report.unchanged} already up to date, "
            f"{len(report.errors)} unreadable.\n"
        )
        try:
            async with running(build_application(demo_settings), poll_timeout=5):
                await _converse(api, console, feed.add_next)
        finally:
            remove_demo_seeds(settings.seeds_dir)
    return 0


async def _converse(api: Any, console: Any, publish: Callable[[], object]) -> None:
    """Read lines, send them as the demo user; the watcher shows whatever the bot sends.

    The first ``/subscribe`` has the demo feed ``publish`` its next article a few seconds
    later: the newcomer, now subscribed, sees a briefing arrive from a feed."""
    interactive = sys.stdin.isatty()
    if interactive:  # line editing and history; before the first input(), which then uses it
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401
    reader = _LineReader(asyncio.get_running_loop(), _PROMPT if interactive else "")
    chat = _Chat(api, console, reader, interactive)
    watcher = asyncio.create_task(chat.watch(), name="demo-watch")
    tasks: list[asyncio.Task[None]] = []

    async def publish_later() -> None:
        await asyncio.sleep(_FEED_DELAY)
        if publish() is not None:
            chat.say(_FEED_NOTE)

    try:
        while True:
            line = await reader.readline()
            if line is None:
                return
            line = line.strip()
            if not line:
                continue
            if line in {"/quit", "/exit", "quit", "exit"}:
                return
            if not interactive:
                chat.say(f"{_PROMPT}{line}")
            await _send(api, chat, line)
            if line.split()[0].split("@")[0] == "/subscribe" and not tasks:
                tasks.append(asyncio.create_task(publish_later(), name="demo-feed"))
    finally:
        for task in [watcher, *tasks]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _send(api: Any, chat: _Chat, line: str) -> None:
    """Send a line (or press a button) and wait for the bot's answer to be shown."""
    seen = api.mark()
    pressed = chat.buttons.get(int(line)) if line.isdigit() else None
    chat.new_turn()
    if pressed is not None:
        message_id, data = pressed
        answered = len(api.callback_answers)
        api.inject_callback(DEMO_CHAT, message_id, data, user_id=DEMO_USER)
        try:
            await api.wait_for_requests(
                "answerCallbackQuery", count=answered + 1, timeout=_REPLY_WAIT
            )
        except TimeoutError:
            chat.say("bot> (no answer; is the bot still running?)")
            return
        for answer in api.callback_answers[answered:]:
            if answer.text:
                chat.say(f"bot (notice)> {answer.text}")
    else:
        api.inject_message(DEMO_CHAT, line, user_id=DEMO_USER)
        try:
            await api.wait_for_messages(chat_id=DEMO_CHAT, since=seen, timeout=_REPLY_WAIT)
        except TimeoutError:
            chat.say("bot> (no answer; is the bot still running?)")
            return
    await asyncio.sleep(_SETTLE)  # long replies arrive in several parts; the watcher shows them
