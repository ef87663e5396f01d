"""The offline demo as a newcomer runs it: ``python -m bot demo`` as a real process, input piped.

One demo session (module fixture) subscribes, searches with markup in the words, and has an
article copied into its seeds folder while it runs; the tests read its transcript (stdout) the
way a person reads the terminal.  Everything runs on 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import PROJECT, make_workdir

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

#: A made-up article (our own sentences), so its title can only come from this file.
NEW_TITLE = "Harbour ministers agree on a shared tide-warning network in Valdoria"
NEW_ARTICLE = f"""{NEW_TITLE}

By Test Desk | 14 March 2026

PORT ELSA, 14 March 2026 - Ministers from nine coastal states met in Port Elsa on Friday for
the third Harbour Summit and agreed to link their tide gauges into one warning network.
"No harbour should learn about a surge from the evening news," said Mara Voss, who chaired the
meeting. The network is due to start operating in 2027, and the ministers will meet again in
Valdoria next spring to review its first tests. Delegates said the cost would be shared
according to the length of each coastline.
"""
#: The demo feed's articles (sources/demo_feed): the first two are its archive, the third is
#: published a few seconds after /subscribe.
FEED_ARCHIVE = "River states sign a compact on shared flood data"
FEED_TITLE = "Highland summit agrees a mountain rescue pact across the Karst range"
LITERAL = "<b>bold</b> & <script>"
#: What a Telegram client never shows: tags and character references of the message markup.
MARKUP = re.compile(r"</?(?:b|i|u|s|a|code|pre|blockquote)\b[^>]*>|&(?:lt|gt|amp|quot|#\d+);")


@dataclass
class Transcript:
    """What the demo printed, line by line, with the time each line arrived."""

    lines: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def text(self) -> str:
        with self.lock:
            return "\n".join(line for _, line in self.lines)

    def wait_for(self, needle: str, timeout: float, start: int = 0) -> tuple[int, float]:
        """Index and arrival time of the first line at or after ``start`` containing
        ``needle``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for index, (at, line) in enumerate(self.lines[start:], start):
                    if needle in line:
                        return index, at
            time.sleep(0.05)
        raise TimeoutError(f"{needle!r} not shown within {timeout}s:\n{self.text()[-3000:]}")

    def message_at(self, index: int) -> str:
        """The whole message starting at line ``index``: its first line, then its indented or
        blank lines, up to the next line the chat starts (``you>``, ``bot>``)."""
        with self.lock:
            lines = [line for _, line in self.lines[index:]]
        block = lines[:1]
        for line in lines[1:]:
            if line.strip() and not line.startswith("     "):
                break
            block.append(line)
        return "\n".join(block).strip()


def start_demo(workdir: Path) -> tuple[subprocess.Popen[str], Transcript]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "WEBHOOK_", "ADMIN_", "DATABASE_"))
    }
    environment.update(
        SEEDS_DIR=str(workdir / "seeds"), DATA_DIR=str(workdir / "data"), PYTHONUNBUFFERED="1"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo"],
        cwd=PROJECT,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    transcript = Transcript()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with transcript.lock:
                transcript.lines.append((time.monotonic(), line.rstrip("\n")))

    threading.Thread(target=pump, daemon=True).start()
    return proc, transcript


def type_line(proc: subprocess.Popen[str], line: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


@dataclass
class Session:
    workdir: Path
    transcript: Transcript
    stderr: str
    returncode: int
    push_index: int
    push_seconds: float
    feed_index: int
    feed_seconds: float


@pytest.fixture(scope="module")
def session(
    tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path, seed_store: Path
) -> Iterator[Session]:
    workdir = make_workdir(tmp_path_factory.mktemp("demo"), seeds_dir, seed_store)
    proc, transcript = start_demo(workdir)
    try:
        transcript.wait_for("already up to date", timeout=120)
        type_line(proc, "/subscribe")
        subscribed = len(transcript.lines)
        transcript.wait_for("Subscribed", timeout=30)
        asked_at = time.monotonic()
        feed_index, feed_shown = transcript.wait_for(FEED_TITLE, timeout=150, start=subscribed)
        feed_seconds = feed_shown - asked_at
        print(f"\n[demo] feed item's briefing shown {feed_seconds:.1f} s after subscribing")
        type_line(proc, f"/search {LITERAL}")
        asked, _ = transcript.wait_for(f"you> /search {LITERAL}", timeout=30)
        transcript.wait_for("Search", timeout=30, start=asked + 1)
        shown_before = len(transcript.lines)
        # Written elsewhere and moved in, as a finished download lands: one atomic rename.
        staging = workdir / "incoming.txt"
        staging.write_text(NEW_ARTICLE, encoding="utf-8")
        copied = time.monotonic()
        staging.replace(workdir / "seeds" / "harbour-summit.txt")
        index, shown = transcript.wait_for(NEW_TITLE, timeout=150, start=shown_before)
        push_seconds = shown - copied
        print(f"\n[demo] pushed briefing shown {push_seconds:.1f} s after the file was copied")
        type_line(proc, "/quit")
        returncode = proc.wait(timeout=30)
        assert proc.stderr is not None
        stderr = proc.stderr.read()
        start = max(i for i in range(index + 1) if transcript.lines[i][1].startswith("bot>"))
        feed_start = max(
            i for i in range(feed_index + 1) if transcript.lines[i][1].startswith("bot>")
        )
        yield Session(
            workdir, transcript, stderr, returncode, start, push_seconds, feed_start, feed_seconds
        )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_demo_shows_a_pushed_briefing_when_it_arrives(session: Session) -> None:
    """Nobody typed anything after the copy: the briefing is shown because the chat got it."""
    message = session.transcript.message_at(session.push_index)
    assert message.startswith("bot> ")
    assert "New article" in message and NEW_TITLE in message
    header = [line for line in message.splitlines() if NEW_TITLE in line or "New article" in line]
    assert header and not any(MARKUP.search(line) for line in header), header
    assert session.push_seconds < 150
    assert session.returncode == 0


def test_demo_feed_item_arrives_as_a_briefing(session: Session) -> None:
    """After /subscribe the local demo feed publishes an article; the bot fetches, digests and
    announces it, and the person reads it, unprompted, within a bounded time.  The feed's
    archive is digested but never announced, and its files leave the seeds folder at exit."""
    message = session.transcript.message_at(session.feed_index)
    assert message.startswith("bot> ") and "New article" in message, message
    assert FEED_TITLE in message and not MARKUP.search(message), message
    assert session.feed_seconds < 150
    text = session.transcript.text()
    assert FEED_ARCHIVE not in text.split("already up to date", 1)[1]  # the archive: no push
    assert "the demo feed just published" in text
    assert not list((session.workdir / "seeds").glob("src_*.md"))


def test_pushed_briefing_shows_no_markup(session: Session) -> None:
    message = session.transcript.message_at(session.push_index)
    assert not MARKUP.search(message), MARKUP.findall(message)[:5]


def test_demo_shows_what_the_user_typed_literally(session: Session) -> None:
    """The search echoes the words: a Telegram client shows them as typed, tags and all."""
    text = session.transcript.text()
    assert f"bot> Search: “{LITERAL}”" in text
    assert "bold & \n" not in text + "\n"


def test_log_lines_stay_out_of_the_chat(session: Session) -> None:
    text = session.transcript.text()
    assert not re.search(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL) [a-z_.]+: ", text), text[-2000:]
    assert "Traceback" not in text and session.stderr == ""
    log = session.workdir / "data" / "demo.log"
    assert str(log) in text  # the banner says where the log is
    logged = log.read_text(encoding="utf-8")
    assert "bot ready" in logged and "announced 1 new article(s) to 1 chat(s)" in logged


def test_ctrl_c_ends_the_demo_at_once(tmp_path: Path, seeds_dir: Path, seed_store: Path) -> None:
    """Input is still open (nobody pressed Enter): Ctrl-C must not wait for a line."""
    workdir = make_workdir(tmp_path, seeds_dir, seed_store)
    proc, transcript = start_demo(workdir)
    try:
        transcript.wait_for("already up to date", timeout=120)
        type_line(proc, "/status")
        transcript.wait_for("bot> Status", timeout=30)

        def feed_files() -> list[Path]:
            return list((workdir / "seeds").glob("src_*.md"))

        deadline = time.monotonic() + 60
        while not feed_files():  # the demo feed's archive, written into the seeds folder
            assert time.monotonic() < deadline, "the demo feed's archive was not written"
            time.sleep(0.2)
        interrupted = time.monotonic()
        proc.send_signal(signal.SIGINT)
        returncode = proc.wait(timeout=20)
        print(f"\n[demo] Ctrl-C: exited in {time.monotonic() - interrupted:.1f} s")
        assert returncode == 0
        assert time.monotonic() - interrupted < 10
        assert feed_files() == []  # Ctrl-C too leaves the person's seeds folder as it was
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_messages_are_styled_on_a_terminal_and_plain_in_a_pipe() -> None:
    from bot.terminal import make_console, message_lines

    raw = (
        '<b>Quotes</b> — <i>as of 4 Dec</i> <a href="https://example.org/a">source</a>\n'
        "<blockquote>We agree &amp; we sign.</blockquote>"
    )
    text = message_lines(raw, "HTML", buttons=[(1, "Summary"), (2, "Quotes")])
    assert text.plain.splitlines() == [
        "bot> Quotes — as of 4 Dec source",
        "     ▍ We agree & we sign.",
        "     [1] Summary  [2] Quotes",
    ]
    console = make_console()
    console_tty = type(console)(
        force_terminal=True, color_system="standard", highlight=False, markup=False,
        emoji=False, soft_wrap=True,
    )  # fmt: skip
    with console_tty.capture() as styled:
        console_tty.print(text)
    output = styled.get()
    assert "\x1b[1mQuotes\x1b[0m" in output  # bold
    assert "\x1b[3mas of 4 Dec\x1b[0m" in output  # italic
    assert "\x1b]8;" in output and "https://example.org/a" in output  # a real terminal link
    with Path(os.devnull).open("w") as devnull:
        assert not type(console)(file=devnull).is_terminal  # a pipe or a file: plain text


def test_on_a_terminal_a_push_is_styled_and_lands_above_the_prompt(
    tmp_path: Path, seeds_dir: Path, seed_store: Path
) -> None:
    """On a terminal the briefing is styled (ANSI), and printed above what the person is typing,
    which is put back on the prompt line instead of being lost in the middle of the chat."""
    import pty
    import select

    workdir = make_workdir(tmp_path, seeds_dir, seed_store)
    primary, secondary = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    environment.update(
        SEEDS_DIR=str(workdir / "seeds"), DATA_DIR=str(workdir / "data"), TERM="xterm"
    )
    environment.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo"], cwd=PROJECT, env=environment,
        stdin=secondary, stdout=secondary, stderr=secondary, start_new_session=True,
    )  # fmt: skip
    os.close(secondary)
    seen = bytearray()

    def until(needle: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while needle not in seen:
            assert time.monotonic() < deadline, f"{needle!r} not shown: {bytes(seen[-2000:])!r}"
            if select.select([primary], [], [], 0.1)[0]:
                seen.extend(os.read(primary, 65536))

    try:
        until(b"you> ", 120)
        os.write(primary, b"/subscribe\r")
        until(b"Subscribed", 30)
        until(FEED_TITLE.encode(), 150)  # the demo feed's article, published after /subscribe
        time.sleep(1)
        until(b"you> ", 30)
        os.write(primary, b"/sta")  # half typed when the briefing arrives
        (workdir / "seeds" / "harbour-summit.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        until(NEW_TITLE.encode(), 150)
        deadline = time.monotonic() + 30
        while seen.count(b"you> /sta") < 2:  # typed once, put back once after the briefing
            assert time.monotonic() < deadline, bytes(seen[-2000:])
            if select.select([primary], [], [], 0.1)[0]:
                seen.extend(os.read(primary, 65536))
        shown = bytes(seen).decode("utf-8", "replace")
        assert "\x1b[1mNew article\x1b[0m" in shown  # bold, as Telegram shows <b>
        push = shown.index("New article")
        typed = shown.rfind("you> /sta", 0, push)
        assert typed < shown.rfind("\r\x1b[K", 0, push)  # the prompt line is cleared first
        assert shown.find("you> /sta", push) > push  # and what was typed is put back after
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        os.close(primary)
