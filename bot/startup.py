"""Start-up checks that turn configuration and connection problems into one clear line each.

Without them, a bot started while the network is down printed PTB's 230-line traceback and
exited, and a refused token a 60-line one.  Here:

* the folders are checked before anything else (exit code 2, saying which variable to fix);
* a PostgreSQL ``DATABASE_URL`` is tried once before Telegram is (exit code 1 when the server
  cannot be reached, saying so without the URL's password: a restart policy or a fixed URL
  cures it, and serving commands without the database would lose subscriptions);
* the first request to Telegram (``getMe``, inside ``Application.initialize``) is retried with
  backoff while Telegram cannot be reached, with one WARNING per attempt, as long-running bots
  do (a server that boots before its network, a Telegram outage);
* a refused token is one CRITICAL line (exit code 2).

The application is initialized on the event loop that ``run_polling``/``run_webhook`` then
reuse, so their own initialization finds it done.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import Any
from urllib.parse import urlsplit

from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.config import Settings
from bot.ptb_compat import retry_after_seconds

log = logging.getLogger("bot")

#: Seconds before the first retry; doubled after each failure up to :data:`MAX_DELAY`.
FIRST_DELAY = 1.0
MAX_DELAY = 60.0


def check_folders(settings: Settings) -> str | None:
    """None when SEEDS_DIR can be read and DATA_DIR written; else the line to print."""
    if not settings.seeds_dir.is_dir():
        return (
            f"SEEDS_DIR {settings.seeds_dir} is not a folder: create it (the bot reads its "
            "articles there) or set SEEDS_DIR to the folder that holds them"
        )
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"DATA_DIR {settings.data_dir} cannot be created ({exc.strerror}): set DATA_DIR"
    if not os.access(settings.data_dir, os.W_OK | os.X_OK):
        return (
            f"DATA_DIR {settings.data_dir} is not writable by this user: make it writable or "
            "set DATA_DIR to a folder the bot may write"
        )
    return None


def check_database(settings: Settings, timeout: float = 10.0) -> str | None:
    """None when the database can be reached (SQLite always: it is a file the bot creates);
    else the line to print."""
    from bot.delivery.db import parse_database_url
    from briefings.store.location import redact_url

    url = parse_database_url(settings.resolved_database_url)
    if url.dialect != "postgresql":
        return None
    import psycopg

    try:
        with psycopg.connect(url.database, connect_timeout=max(2, round(timeout))):
            return None
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            f"cannot reach the PostgreSQL server of DATABASE_URL ({redact_url(url.database)}): "
            f"{redact_url(reason)}"
        )


def connect(application: Any, settings: Settings) -> int | None:
    """Initialize ``application`` on a fresh event loop (left current for ``run_polling``).

    Returns:
        None when connected; else the exit code (2: token refused, 1: another refusal,
        0: stopped by SIGINT/SIGTERM while waiting for the network).
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    task = loop.create_task(_initialize(application, settings))
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    try:
        return loop.run_until_complete(task)
    except asyncio.CancelledError:
        log.info("stopped before Telegram could be reached")
        return 0
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def _initialize(application: Any, settings: Settings) -> int | None:
    server = urlsplit(settings.telegram_base_url).netloc or settings.telegram_base_url
    delay = FIRST_DELAY
    attempt = 0
    while True:
        attempt += 1
        try:
            await application.initialize()
        except InvalidToken:
            log.critical(
                "Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?): "
                "check it with @BotFather"
            )
            return 2
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            log.warning("Telegram asks to wait %.0f s before connecting; waiting", wait)
            await asyncio.sleep(wait)
            continue
        except BadRequest as exc:  # a NetworkError subclass, but retrying would not help
            log.critical("Telegram refused the bot's first request: %s", exc.message)
            return 1
        except NetworkError as exc:
            log.warning(
                "cannot reach Telegram at %s (%s); retrying in %.0f s (attempt %d)",
                server, exc.message, delay, attempt,
            )  # fmt: skip
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
            continue
        except TelegramError as exc:
            log.critical("Telegram refused the bot's first request: %s", exc.message)
            return 1
        if attempt > 1:
            log.info("connected to Telegram at %s after %d attempts", server, attempt)
        return None
