"""Sending rendered text: split to Telegram's limit, keyboard on the last part."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.render import split_message


async def reply(
    update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Reply in the update's chat with ``text`` (already rendered HTML)."""
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_message(text)
    sent: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent = await chat.send_message(part, reply_markup=keyboard if last else None)
    return sent


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
