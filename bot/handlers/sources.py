"""``/source add URL [label]``, ``/source remove N`` (admins) and the followed-sources list."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.access import is_admin, require_admin
from bot.handlers.replies import reply
from bot.render import render
from bot.sources_job import poller_of
from bot.views import ArgumentError
from briefings.models import ArticleCard
from sources.config import SourceError
from sources.poller import SourcePoller

USAGE = "Use /source add URL [label], /source remove N, or /sources to see them."


def _poller(context: ContextTypes.DEFAULT_TYPE) -> SourcePoller:
    poller = poller_of(context.application)
    if poller is None:
        raise ArgumentError("Following feeds is not running in this bot.")
    return poller


async def followed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The followed sources with their health (shown by ``/sources`` after the articles)."""
    poller = poller_of(context.application)
    if poller is None:
        return
    rows = await asyncio.to_thread(poller.sources)
    admin = is_admin(update, context)
    if rows or admin:
        await reply(update, render("followed", rows=rows, is_admin=admin))


async def also_reported(
    context: ContextTypes.DEFAULT_TYPE, digests: Sequence[ArticleCard]
) -> dict[str, list[str]]:
    """For each article a followed source gave, the other outlets that carried the same story
    (wire copies, recorded by ``sources/`` instead of a second article): "also reported by"."""
    poller = poller_of(context.application)
    if poller is None or not digests:
        return {}
    outlets = await asyncio.to_thread(poller.store.outlets, [d.file for d in digests])
    also: dict[str, list[str]] = {}
    for digest in digests:
        names = outlets.get(digest.file, ())
        others = [name for name in names[1:] if name and name != digest.meta.source]
        if others:
            also[digest.file] = others
    return also


async def source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admin: follow a feed or page, or stop following one."""
    require_admin(update, context)
    args = list(context.args or [])
    action = args[0].lower() if args else ""
    poller = _poller(context)
    try:
        if action == "add" and len(args) >= 2:
            spec = await asyncio.to_thread(poller.add, args[1], " ".join(args[2:]))
            await reply(update, render("source_changed", added=True, name=spec.name, url=spec.url))
            await poller.poll()  # fetch it now, not at the next tick
            return
        if action == "remove" and len(args) == 2:
            if not args[1].isdecimal() or not args[1].isascii():
                raise ArgumentError(f"“{args[1][:40]}” is not a number. {USAGE}")
            row = await asyncio.to_thread(poller.remove, int(args[1]))
            await reply(update, render("source_changed", added=False, name=row.label, url=row.url))
            return
    except SourceError as exc:
        raise ArgumentError(f"{str(exc)[:300]}. {USAGE}") from None
    if not args:
        await followed(update, context)
        return
    raise ArgumentError(USAGE)
