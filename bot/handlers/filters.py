"""Long search filters kept in the bot's database, so their buttons work on every replica.

A filter too long for a button's 64 bytes travels as a short key (``bot/keyboards.py``).  The
process that drew the button knows the words; behind a load balancer the press may reach
another replica, and after a restart nobody remembers them.  So every new key is written to the
database's state (``filter:<key>``) before the message with its button is sent, and a key a
process does not know is looked up there.  A database that cannot be reached costs only that:
the button then says it expired, as it did before filters were stored.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram.ext import ContextTypes

from bot.delivery.db import StorageError
from bot.keyboards import FILTERS, QuotesSearchRequest
from bot.services import services

log = logging.getLogger(__name__)

_PREFIX = "filter:"


async def save_filters(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store the filter keys made since the last call (call before sending their buttons)."""
    unsaved = FILTERS.take_unsaved()
    store = services(context).subscriptions
    if not unsaved or store is None:
        return
    for key, words in unsaved.items():
        try:
            await store.set_state(_PREFIX + key, words)
        except StorageError as exc:
            log.warning("a long filter was not stored (%s): its buttons work here only", exc)


async def stored_filter(
    context: ContextTypes.DEFAULT_TYPE, request: QuotesSearchRequest
) -> QuotesSearchRequest:
    """``request`` with the words of its key read from the database, when they are there."""
    store = services(context).subscriptions
    if request.key is None or store is None:
        return request
    try:
        words = await store.get_state(_PREFIX + request.key)
    except StorageError as exc:
        log.warning("a long search filter could not be read (%s)", exc)
        return request
    if words is None:
        return request
    FILTERS.remember(request.key, words)
    return replace(request, words=words)
