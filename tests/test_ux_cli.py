"""What a newcomer meets on the command line: skip reasons, warnings, help texts, start-up errors.

Every start-up test runs ``python -m bot`` as a real subprocess against 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from support import TOKEN, BotProcess, free_port

from fakeapi import FakeBotApi

PROJECT = Path(__file__).resolve().parent.parent


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "WEBHOOK_", "PTB_"))
    }
    environment.update({"DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT,
        timeout=120,
        check=False,
    )


# --- defect 9: ./scripts/test says why tests were skipped, and the suite has no warnings -------
def test_the_test_script_prints_skip_reasons() -> None:
    script = (PROJECT / "scripts" / "test").read_text(encoding="utf-8")
    pytest_line = next(line for line in script.splitlines() if "run --locked pytest" in line)
    assert " -rs" in pytest_line or " -ra" in pytest_line, pytest_line


def test_library_deprecation_warnings_are_handled(tmp_path: Path) -> None:
    """PTB's RetryAfter and spaCy's click import warn on every run unless opted in / silenced."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        textwrap.dedent(
            """
            import bot  # noqa: F401  (the bot's package opts in to PTB's timedelta)
            import spacy.cli  # noqa: F401
            from telegram.error import RetryAfter

            def test_probe():
                assert RetryAfter(1).retry_after.total_seconds() == 1
            """
        ),
        encoding="utf-8",
    )
    result = run(
        ["pytest", "-q", "-p", "no:cacheprovider", "-c", str(PROJECT / "pyproject.toml"),
         "--rootdir", str(PROJECT), str(probe)],
        tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout.lower(), result.stdout


# --- defect 10: --help is written for a user ---------------------------------------------------
@pytest.mark.parametrize(
    ("package", "commands", "variables"),
    [
        ("bot", ("run", "demo", "webhook"), ("TELEGRAM_BOT_TOKEN", "SEEDS_DIR", "DATA_DIR")),
        ("briefings", ("build", "show", "export"), ("SEEDS_DIR", "DATA_DIR")),
    ],
)
def test_help_is_written_for_a_user(
    tmp_path: Path, package: str, commands: tuple[str, ...], variables: tuple[str, ...]
) -> None:
    result = run([package, "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "`" not in text  # no RST or Markdown markup from docstrings
    lines = text.splitlines()
    for command in commands:  # each subcommand is named with what it does
        described = [ln for ln in lines if ln.split()[:1] == [command] and len(ln.split()) > 3]
        assert described, f"{command!r} is not described in:\n{text}"
    for variable in variables:
        assert variable in text
    assert "example" in text.lower()
    assert any(ln.strip().startswith(f"python -m {package}") for ln in lines), text


# --- defect 7: start-up problems are one clear line; a network down at start is waited for -----
def nonblank(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_an_unreachable_postgresql_is_one_line_before_any_telegram_request(
    tmp_path: Path,
) -> None:
    """A PostgreSQL ``DATABASE_URL`` is accepted; a server that is not there is one line that
    names the variable and never shows the URL's password, and Telegram is not called."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener, socket.socket() as closed:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        db_port = closed.getsockname()[1]
        started = time.monotonic()
        result = run(
            ["bot"], tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=f"http://127.0.0.1:{port}/bot",
            DATABASE_URL=f"postgresql://briefings:hunter2pass@127.0.0.1:{db_port}/briefings",
        )  # fmt: skip
        elapsed = time.monotonic() - started
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):  # nobody connected: no request was made
            listener.accept()
    assert result.returncode != 0, result.stderr
    assert "hunter2pass" not in result.stderr + result.stdout
    lines = nonblank(result.stderr)
    assert any("DATABASE_URL" in line or "database" in line.lower() for line in lines), lines
    assert "Traceback" not in result.stderr
    assert elapsed < 60


@pytest.mark.parametrize(
    ("variable", "value"),
    [("TELEGRAM_BASE_URL", "api.telegram.org/bot"), ("SEEDS_DIR", "/nonexistent/seeds")],
)
def test_configuration_mistakes_are_one_line(tmp_path: Path, variable: str, value: str) -> None:
    result = run(["bot"], tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, **{variable: value})
    assert result.returncode == 2
    [line] = nonblank(result.stderr)
    assert variable in line and value in line


async def test_a_refused_token_is_one_line(workdir: Path, api: FakeBotApi) -> None:
    bot = BotProcess(workdir, api, token="7000000001:" + "A" * 35)
    code = await bot.wait(60)
    assert code == 2
    lines = nonblank(bot.stderr())
    assert len(lines) == 1, "\n".join(lines)
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]


async def test_a_network_down_at_start_is_retried_until_telegram_answers(workdir: Path) -> None:
    """Telegram unreachable (a closed port on 127.0.0.1) when the bot starts: it warns and
    retries with backoff; once the server is up it connects and answers, no traceback."""
    port = free_port()
    unreachable = SimpleNamespace(base_url=f"http://127.0.0.1:{port}/bot")
    bot = BotProcess(workdir, unreachable)  # type: ignore[arg-type]
    try:
        deadline = time.monotonic() + 30
        while bot.stderr().count("cannot reach Telegram") < 2:
            assert bot.proc.poll() is None, bot.stderr()
            assert time.monotonic() < deadline, bot.stderr()
            await asyncio.sleep(0.1)
        async with FakeBotApi(token=TOKEN, port=port) as api:
            up = time.monotonic()
            api.inject_message(501, "/start")
            [reply] = await api.wait_for_messages(chat_id=501, timeout=60)
            print(f"\n[startup] answered {time.monotonic() - up:.1f} s after Telegram came up")
            assert "Summit Briefings" in (reply.text or "")
            assert await bot.stop() == 0
        log = bot.stderr()
        warnings = [ln for ln in nonblank(log) if "cannot reach Telegram" in ln]
        assert all(" WARNING " in ln and f"127.0.0.1:{port}" in ln for ln in warnings)
        delays = [float(ln.split("retrying in ")[1].split(" s")[0]) for ln in warnings]
        assert delays[:2] == [1, 2]  # backoff
        assert "Traceback" not in log
    finally:
        await bot.stop()
