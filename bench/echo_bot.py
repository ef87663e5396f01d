"""The framework's floor: a minimal echo bot built with the bot's own ApplicationBuilder settings.

``python -m bench.echo_bot`` reads the same environment as ``python -m bot`` (token, base URL,
``RATE_LIMIT_OVERALL``) and polls the same way, but its one handler echoes the text back: whatever
the real bot takes beyond this is the bot's own cost, not python-telegram-bot's.
"""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.app import application_builder
from bot.config import Settings


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the message's text back (escaped: the defaults parse replies as HTML)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is not None and message is not None and message.text:
        await chat.send_message(html.escape(message.text))


def main() -> int:
    """Run the echo bot with long polling until interrupted."""
    logging.basicConfig(level=logging.WARNING)
    application = application_builder(Settings()).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(
        allowed_updates=["message", "callback_query"], drop_pending_updates=False
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
