"""Inline-button presses: switch section, page, open an article, subscribe."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.commands import send_section
from bot.handlers.replies import reply
from bot.keyboards import DigestRequest, SectionRequest, parse_callback
from bot.render import render
from bot.services import services

STALE = "This button has expired. Send /summary for the current briefing."


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a callback query; forged or stale data gets a polite answer, never an exception."""
    query = update.callback_query
    assert query is not None
    if query.data == "sub:new":
        await query.answer()
        from bot.handlers.commands import subscribe

        context.args = []
        await subscribe(update, context)
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
            update, context, request.section, request.summit, request.page, edit=True
        )
    elif isinstance(request, DigestRequest):
        digest = next((d for d in library.digests if d.article_id == request.article_id), None)
        if digest is None:
            await query.answer(STALE)
            return
        await query.answer()
        await reply(update, render("digest", d=digest))
    else:
        await query.answer(STALE)
