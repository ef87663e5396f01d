"""``python -m bot [run|demo|webhook]``: settings → application → run."""

from __future__ import annotations

import argparse
import logging
import re
import sys

from pydantic import ValidationError
from telegram.error import InvalidToken

from bot.config import Settings
from bot.logging_setup import configure_logging

log = logging.getLogger("bot")

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
            print(f"configuration error: {field}: {error['msg']}", file=sys.stderr)
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
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("mode", nargs="?", default="run", choices=("run", "demo", "webhook"))
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG")
    args = parser.parse_args(argv)
    settings = _settings()
    if settings is None:
        return 2
    configure_logging(
        logging.DEBUG if args.verbose else logging.INFO,
        secrets=[settings.telegram_bot_token, settings.webhook_secret],
    )
    if args.mode == "demo":
        from bot.demo import run_demo

        return run_demo(settings)
    if settings.telegram_bot_token is None:
        print(MISSING_TOKEN, file=sys.stderr)
        return 2
    problem = webhook_problem(settings) if args.mode == "webhook" else None
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    from bot.app import build_application

    application = build_application(settings)
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
            )
        else:
            application.run_polling(
                allowed_updates=["message", "callback_query"], drop_pending_updates=False
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
