"""Inline-button presses: switch section, page, open an article, subscribe."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.commands import send_section
from bot.handlers.filters import save_filters, stored_filter
from bot.handlers.replies import reply
from bot.keyboards import (
    DigestRequest,
    QuotesSearchRequest,
    SectionRequest,
    is_subscribe,
    parse_callback,
)
from bot.render import render
from bot.services import services
from bot.views import ArgumentError

STALE = "This button has expired. Send /summary for the current briefing."


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a callback query; forged or stale data gets a polite answer, never an exception."""
    query = update.callback_query
    assert query is not None
    if is_subscribe(query.data):
        from bot.handlers.commands import subscribe

        context.args = []
        try:
            await subscribe(update, context)
        except ArgumentError as exc:  # e.g. not an admin of the group: tell the one who pressed
            await query.answer(str(exc)[:190], show_alert=True)
            return
        await query.answer()  # only now: a query can be answered once
        return
    request = parse_callback(query.data)
    library = services(context).library
    if isinstance(request, SectionRequest):
        from bot.views import summit_by_token

        if summit_by_token(library, request.summit) is None:
            await query.answer(STALE, show_alert=False)
            return
        await query.answer()
        await send_section(
            update,
            context,
            request.section,
            request.summit,
            request.page,
            edit=True,
            span=request.span,
        )
    elif isinstance(request, QuotesSearchRequest):
        if request.words is None and request.key is not None:
            request = await stored_filter(context, request)
        if request.words is None:
            await query.answer(STALE)
            return
        from bot.handlers.commands import quotes_keyboard
        from bot.handlers.replies import edit_or_reply
        from bot.views import quotes_view

        await query.answer()
        view = quotes_view(library, request.words, request.page)
        keyboard = quotes_keyboard(view)
        await save_filters(context)
        await edit_or_reply(update, render("quotes", view=view), keyboard)
    elif isinstance(request, DigestRequest):
        card = library.article_by_id(request.article_id)
        digest = library.digest(card.file) if card is not None else None
        if digest is None:
            await query.answer(STALE)
            return
        await query.answer()
        await reply(update, render("digest", d=digest))
    else:
        await query.answer(STALE)
