"""Logging that can never print the bot token, the webhook secret or another secret.

httpx logs every request URL, and Telegram's URLs contain the token; tracebacks can too; PTB's
DEBUG line for ``setWebhook`` shows the webhook's ``secret_token``.  A filter on every handler
replaces each configured secret, anything shaped like a bot token, any value labelled as a secret
token or password, and a password inside a URL before a record is written, and httpx's own logger
is kept at WARNING.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from urllib.parse import quote

from pydantic import SecretStr

#: A bot token, also URL-encoded (``%3A`` for the colon) and inside a URL (``/bot<token>/``,
#: where no word boundary precedes it).
_TOKEN_SHAPE = re.compile(r"(?<![0-9])[0-9]{5,12}(?::|%3[Aa])[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])")
REDACTED = "[REDACTED]"
#: A value labelled as a secret token (PTB's DEBUG line of ``setWebhook`` shows its parameters,
#: the webhook server's request headers carry ``X-Telegram-Bot-Api-Secret-Token``), whatever
#: secret it holds, configured here or not.
_LABELLED_SECRET = re.compile(
    r"""((?:secret[_-]token|api[_-]key|password|passwd)['"]?\s*[:=]\s*['"]?)[^'"\s,;&}]+""",
    re.IGNORECASE,
)
#: The password in a URL's user information (``scheme://user:password@host``).
_URL_PASSWORD = re.compile(r"(://[^/\s:@]+:)[^@\s/]+@")


class RedactSecrets(logging.Filter):
    """Replace secrets in the formatted message and in exception text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Each secret also as it appears URL-encoded (a token in a logged URL or query string);
        # longest first, so no variant is left half-replaced.
        variants = {v for s in secrets if s for v in (s, quote(s, safe=""), quote(s))}
        self.secrets = sorted(variants, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret and token-shaped string replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = _LABELLED_SECRET.sub(rf"\g<1>{REDACTED}", text)
        text = _URL_PASSWORD.sub(rf"\g<1>{REDACTED}@", text)
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
    logging.captureWarnings(True)  # warnings, too, go through the redacting handler
    for name in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return redactor
