"""The bot's command line: ``python -m bot [run|demo|webhook]`` (settings, then run a mode)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import signal
import sys

from pydantic import ValidationError
from telegram.error import InvalidToken

from bot.config import Settings
from bot.logging_setup import configure_logging

log = logging.getLogger("bot")

HELP_DESCRIPTION = """\
Summit Briefings: a Telegram bot that turns news articles about international summits
(the files in the seeds folder) into briefings: summary, quotes, timeline, sources.

modes:
  run       connect to Telegram with long polling (the default); needs TELEGRAM_BOT_TOKEN
  demo      offline demo: a local fake Telegram and a chat in this terminal, no token needed
  webhook   receive updates through a webhook; needs WEBHOOK_URL and WEBHOOK_SECRET too"""

HELP_EPILOG = """\
main environment variables:
  TELEGRAM_BOT_TOKEN   the token @BotFather gave you (read from the environment only)
  SEEDS_DIR            folder of article files (.txt .md .html), default ./seeds
  DATA_DIR             digests and the bot's database, default ./data
  ADMIN_CHAT_IDS       comma-separated chat or user ids allowed to use /reload and /stats
  SEED_POLL_SECONDS    how often the seeds folder is checked for new articles, default 30
  TZ                   default time zone of daily briefings, e.g. Europe/Paris (default UTC)
  DATABASE_URL         sqlite:///path/to/bot.sqlite3 (default DATA_DIR/bot.sqlite3)
  The README's Configuration section lists them all.

examples:
  TELEGRAM_BOT_TOKEN=123456:ABC... python -m bot
  python -m bot demo
  printf '/summary\\n/quotes aliyev\\n' | python -m bot demo"""

MISSING_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set: export the token @BotFather gave you, "
    "or run `python -m bot demo` for the offline demo."
)


def _settings() -> Settings | None:
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]).upper()
            message = error["msg"].removeprefix("Value error, ")
            print(f"configuration error: {field}: {message}", file=sys.stderr)
        return None


#: Telegram's rule for a webhook's secret token.
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def webhook_problem(settings: Settings) -> str | None:
    """One line saying what is wrong with the webhook settings, or None when they are usable.

    An empty ``WEBHOOK_SECRET`` would register a webhook that anyone may post to, and one that
    breaks Telegram's rule would be refused by ``setWebhook`` with a traceback at start-up.
    """
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not settings.webhook_url or not secret:
        return (
            "webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET (a secret of 1-256 characters "
            "A-Z, a-z, 0-9, _ and -; e.g. from `openssl rand -hex 32`)"
        )
    if not _WEBHOOK_SECRET.fullmatch(secret):
        return (
            f"WEBHOOK_SECRET is not usable ({len(secret)} characters): Telegram accepts 1-256 "
            "characters A-Z, a-z, 0-9, _ and -"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=HELP_DESCRIPTION,
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "mode",
        nargs="?",
        default="run",
        choices=("run", "demo", "webhook"),
        metavar="MODE",
        help="run (the default), demo or webhook; see above",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log everything (DEBUG), not only progress"
    )
    args = parser.parse_args(argv)
    settings = _settings()
    if settings is None:
        return 2
    if args.mode == "demo":
        from bot.demo import divert_stderr, log_path, run_demo

        divert_stderr(log_path(settings))  # the terminal is the chat's; the log goes to a file
    configure_logging(
        logging.DEBUG if args.verbose else logging.INFO,
        secrets=[settings.telegram_bot_token, settings.webhook_secret],
    )
    if args.mode == "demo":
        return run_demo(settings)
    if settings.telegram_bot_token is None:
        print(MISSING_TOKEN, file=sys.stderr)
        return 2
    problem = webhook_problem(settings) if args.mode == "webhook" else None
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    from bot.app import build_application, request_stop
    from bot.startup import check_database, check_folders, connect

    problem = check_folders(settings)
    if problem is not None:
        print(f"configuration error: {problem}", file=sys.stderr)
        return 2
    problem = check_database(settings)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    application = build_application(settings)
    code = connect(application, settings)  # retries while Telegram cannot be reached
    if code is not None:
        return code
    # Our own stop signals (PTB's stop_signals=None below): the sender stops starting sends
    # the moment the signal comes, not after the application has waited for its jobs.
    loop = asyncio.get_event_loop()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGABRT):
        loop.add_signal_handler(signum, request_stop, application)
    # Anything escaping the run goes through the redacting log handler, never Python's own
    # traceback printer: PTB puts the token itself into the message of a rejected token.
    try:
        if args.mode == "webhook":
            assert settings.webhook_url and settings.webhook_secret is not None
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path="telegram",
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=["message", "callback_query"],
                drop_pending_updates=False,
                stop_signals=None,
            )
        else:
            application.run_polling(
                allowed_updates=["message", "callback_query"],
                drop_pending_updates=False,
                stop_signals=None,
            )
    except InvalidToken:
        log.critical(
            "Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?): check it with @BotFather"
        )
        return 2
    except Exception:
        log.critical("the bot stopped on an unexpected error", exc_info=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
