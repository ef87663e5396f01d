"""Logging that can never print the bot token.

httpx logs every request URL, and Telegram's URLs contain the token; tracebacks can too.  A filter
on every handler replaces any secret (and anything shaped like a bot token) before a record is
written, and httpx's own logger is kept at WARNING.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

from pydantic import SecretStr

_TOKEN_SHAPE = re.compile(r"\b\d{5,12}:[A-Za-z0-9_-]{20,}\b")
REDACTED = "[REDACTED]"


class RedactSecrets(logging.Filter):
    """Replace secrets in the formatted message and in exception text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        """``text`` with every secret and token-shaped string replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


def configure_logging(level: int, secrets: Iterable[SecretStr | None] = ()) -> RedactSecrets:
    """Log to stderr through the redacting filter; returns the filter (tests add secrets)."""
    redactor = RedactSecrets(s.get_secret_value() for s in secrets if s is not None)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return redactor
