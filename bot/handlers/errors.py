"""One place where failures become replies: bad arguments get help, bugs get an apology."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.handlers.replies import reply
from bot.render import render
from bot.services import services
from bot.views import ArgumentError

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turn domain errors into replies; log everything else once, without the token."""
    error = context.error
    if not isinstance(update, Update):
        if isinstance(error, NetworkError):
            log.warning("network problem talking to Telegram: %s", type(error).__name__)
        else:
            log.error("error outside an update: %s", error, exc_info=error)
        return
    if isinstance(error, ArgumentError):
        if update.callback_query is not None:
            await update.callback_query.answer(str(error)[:190])
        else:
            await reply(update, render("message", text=str(error)))
        return
    if isinstance(error, Forbidden):
        log.info(
            "chat %s blocked the bot", update.effective_chat.id if update.effective_chat else "?"
        )
        return
    log.error("handler failed for update %s", update.update_id, exc_info=error)
    services(context).counters["handler errors"] += 1
    if isinstance(error, TelegramError) and update.callback_query is not None:
        return
    try:
        await reply(
            update,
            render(
                "message",
                text="Sorry, something went wrong on my side. "
                "It has been logged; please try again.",
            ),
        )
    except TelegramError:
        log.warning("could not send the error reply")


async def flood_gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: a chat over its command budget is slowed down politely."""
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    verdict = svc.flood.check(chat.id)
    if verdict == "ok":
        svc.counters["updates"] += 1
        return
    svc.counters["flood refusals"] += 1
    if verdict == "warn":
        if update.callback_query is not None:
            await update.callback_query.answer("Slow down a little, please.")
        else:
            await reply(
                update,
                render(
                    "message",
                    text="You are sending commands faster than I "
                    "can answer well. Please slow down; "
                    "I will answer again in a few seconds.",
                ),
            )
    raise ApplicationHandlerStop
