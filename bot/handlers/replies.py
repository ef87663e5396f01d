"""Sending rendered text: split to Telegram's limit, keyboard on the last part."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.ptb_compat import DEFAULT_NONE, post_unparsed
from bot.render import split_message


async def reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Reply in the update's chat with ``text`` (already rendered HTML)."""
    chat = update.effective_chat
    if chat is None:
        return
    parts = split_message(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await send_text(update, chat.id, part, keyboard if last else None)


async def send_text(
    update: Update, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """``sendMessage`` exactly as ``Bot.send_message`` sends it, without parsing the answer.

    ``Bot.send_message`` turns Telegram's answer, the sent message, into a
    :class:`~telegram.Message` with every entity of the text and every button of the keyboard
    as objects: for a briefing (tens of entities) that is about 0.5 ms per message, a fifth of
    the bot's own work per command, and no handler uses the result.  This posts the same
    request through the same path (the application's Defaults fill ``parse_mode`` and
    ``link_preview_options``; the rate limiter, retries and errors are PTB's) and drops the
    answer.  Errors still raise the usual :class:`~telegram.error.TelegramError` subclasses.
    """
    data: dict[str, Any] = {
        "chat_id": chat_id,
        "text": text,
        "reply_markup": keyboard,
        # DEFAULT_NONE: replaced by the application's Defaults (or dropped), as send_message does
        "parse_mode": DEFAULT_NONE,
        "link_preview_options": DEFAULT_NONE,
        "disable_notification": DEFAULT_NONE,
        "protect_content": DEFAULT_NONE,
    }
    await post_unparsed(update.get_bot(), "sendMessage", data)


async def edit_or_reply(
    update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the message a button belongs to; fall back to a new message when too long."""
    query = update.callback_query
    parts = split_message(text)
    if query is None or query.message is None or len(parts) > 1:
        await reply(update, text, keyboard)
        return
    try:
        await query.edit_message_text(parts[0], reply_markup=keyboard)
    except BadRequest as exc:
        reason = str(exc).lower()
        if "not modified" in reason:
            return
        if "to edit not found" in reason or "can't be edited" in reason:
            await reply(update, text, keyboard)  # the button's message is gone: send anew
            return
        raise
