"""Who may use the admin commands: one check for every handler that needs it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import services
from bot.views import ArgumentError


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True when the chat or the user is listed in ADMIN_CHAT_IDS."""
    chat, user = update.effective_chat, update.effective_user
    return services(context).is_admin_chat(chat.id if chat else None, user.id if user else None)


def require_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Refuse, with a polite answer, anyone who is not an admin.

    Raises:
        ArgumentError: the sender is not listed in ADMIN_CHAT_IDS.
    """
    if not is_admin(update, context):
        raise ArgumentError("That command is for the bot’s administrators.")
