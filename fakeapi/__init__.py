"""A fake Telegram Bot API server for tests, the offline demo and benchmarks.

:class:`FakeBotApi` is an aiohttp server that speaks the Bot API the way
``api.telegram.org`` does (``{"ok": true, "result": ...}``, Telegram's error texts and HTTP
statuses, real long polling, webhooks, flood limits, HTML entity parsing, UTF-16 length
limits) and records everything the bot does, so that tests can drive an unmodified
python-telegram-bot ``Application`` against it::

    async with FakeBotApi(token="123:ABC") as api:
        app = ApplicationBuilder().token("123:ABC").base_url(api.base_url).build()
        ...
        api.inject_message(42, "/start")
        [reply] = await api.wait_for_messages(chat_id=42)

It never touches the network: it binds to 127.0.0.1 (or another loopback address) only,
and the one outgoing connection it can make - webhook delivery - is restricted to loopback
URLs. Fault switches (``fail_next``, ``block_chat``, ``migrate_chat``, ``set_latency``,
``fail_rate``, ``drop_connections``, ``storm_429``, ``slow_answers``, ``patch_results``,
``enable_rate_limits``) simulate
Telegram misbehaving. ``python -m fakeapi --port 8081`` runs it standalone.
"""

from ._errors import ApiError
from ._html import EntityParseError, parse_html, trim_text, utf16_len
from ._records import CallbackAnswer, RequestRecord, SentRecord, WebhookDelivery
from ._server import FakeBotApi
from ._updates import DEFAULT_ALLOWED_UPDATES

__all__ = [
    "DEFAULT_ALLOWED_UPDATES",
    "ApiError",
    "CallbackAnswer",
    "EntityParseError",
    "FakeBotApi",
    "RequestRecord",
    "SentRecord",
    "WebhookDelivery",
    "parse_html",
    "trim_text",
    "utf16_len",
]
