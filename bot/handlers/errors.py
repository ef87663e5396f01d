"""One place where failures become replies: bad arguments get help, bugs get an apology."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

from telegram import MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.handlers.replies import reply
from bot.render import render
from bot.services import Verdict, services
from bot.views import ArgumentError
from briefings.store_health import damage_reason

log = logging.getLogger(__name__)
#: Store recoveries started by a failing read (kept referenced until they finish).
_BACKGROUND: set[asyncio.Task[None]] = set()


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
    damage = damage_reason(error) if error is not None else None
    svc = services(context)
    if damage is not None and svc.scheduler is not None:
        # A row of the digest store failed to read: set the store aside and rebuild it (in the
        # background; this reply must not wait for a build), and say so instead of "sorry".
        log.error("update %s: the digest store is damaged (%s)", update.update_id, damage)
        store = svc.digest_store
        task = asyncio.create_task(svc.scheduler.recover_store(damage, store))
        _BACKGROUND.add(task)
        task.add_done_callback(_BACKGROUND.discard)
        if update.callback_query is not None:
            await update.callback_query.answer(render("notice", name="rebuilding")[:190])
        else:
            await reply(update, render("notice", name="rebuilding"))
        return
    log.error("handler failed for update %s", update.update_id, exc_info=error)
    svc.counters["handler errors"] += 1
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


def command_target(update: Update, bot_username: str | None) -> Literal["ours", "other", None]:
    """Whom the message's leading ``/command`` is for: this bot, another bot, or no command.

    ``/cmd`` and ``/cmd@ThisBot`` are ours; ``/roll@DiceBot`` belongs to another bot in the
    same group (Telegram delivers it to every bot that sees all messages).
    """
    message = update.message
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    _, at, addressee = message.parse_entity(first).partition("@")
    if at and addressee.lower() != (bot_username or "").lower():
        return "other"
    return "ours"


async def flood_gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: a chat over its command budget is slowed down politely.

    Only what the bot answers counts: its own commands, button presses, and private messages
    (answered with help).  A group's chatter and commands for other bots are not the bot's
    business: they use no budget, and another bot's command is dropped here without a word.
    """
    chat = update.effective_chat
    if chat is None:
        return
    if update.callback_query is None:
        target = command_target(update, context.bot.username)
        if target == "other":
            raise ApplicationHandlerStop
        if target is None and chat.type != ChatType.PRIVATE:
            return
    svc = services(context)
    verdict = svc.flood.check(chat.id)
    if verdict is Verdict.OK:
        svc.counters["updates"] += 1
        return
    svc.counters["flood refusals"] += 1
    if verdict is Verdict.WARN:
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
