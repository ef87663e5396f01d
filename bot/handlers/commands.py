"""Command handlers: parse arguments, ask a view, render a template, reply.

Bad arguments raise :class:`~bot.views.ArgumentError`; the error handler turns it into a short,
helpful reply, so no handler needs its own error plumbing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import ChatMember, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot import views
from bot.delivery.subscriptions import time_zone
from bot.handlers.access import is_admin, require_admin
from bot.handlers.filters import save_filters
from bot.handlers.replies import reply
from bot.keyboards import quotes_search_keyboard, section_keyboard, sources_keyboard
from bot.render import render, strip_html
from bot.services import services
from bot.views import ArgumentError, summit_by_token, summit_token

if TYPE_CHECKING:
    from bot.delivery.scheduler import BriefingScheduler

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
#: ``t.me/<bot>?start=quotes_cis``: a section, then a summit token or the summit's short name
#: (deep-link payloads allow letters, digits, ``_`` and ``-``; ``_`` and ``-`` stand for spaces).
_DEEP_LINK = re.compile(r"^(summary|quotes|timeline)_([A-Za-z0-9_-]{1,60})$")
_ADMIN_STATUSES = {ChatMember.ADMINISTRATOR, ChatMember.OWNER}
#: /sources lists this many articles, the most recent (each with a button).
SOURCES_SHOWN = 40


def _args(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or []).strip()


def _require_library(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    if svc.library.summits:
        return
    if svc.scheduler is not None and svc.scheduler.preparing:  # the first build is running
        raise ArgumentError(strip_html(render("preparing", **_preparing(svc.scheduler))))
    raise ArgumentError(
        "No articles have been digested yet. Add seed files and try again in a minute."
    )


def _preparing(scheduler: BriefingScheduler | None) -> dict[str, int]:
    """How many articles the first build is preparing and when to ask again (for templates)."""
    if scheduler is None:
        return {"count": 0, "minutes": 0}
    return {"count": scheduler.preparing, "minutes": scheduler.preparing_minutes}


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome, the summits known, and the section buttons; deep links open a section."""
    library = services(context).library
    payload = _args(context)
    unknown = ""
    if match := _DEEP_LINK.match(payload):
        name = match.group(2)
        summit = summit_by_token(library, name)
        words = re.sub(r"[_-]+", " ", name).strip()
        if summit is None and words:
            summit = library.find_summit(words)
        if summit is not None:
            section = {"summary": "s", "quotes": "q", "timeline": "t"}[match.group(1)]
            await send_section(update, context, section, summit_token(summit), 1)
            return
        unknown = words or name
    latest = library.latest_summit()
    keyboard = section_keyboard(summit_token(latest), "", subscribe=True) if latest else None
    preparing = _preparing(services(context).scheduler)
    await reply(
        update,
        render("start", summits=library.summits, unknown=unknown, preparing=preparing),
        keyboard,
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every command with an example."""
    await reply(update, render("help", is_admin=is_admin(update, context)))


async def summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The summit briefing summary (latest summit by default)."""
    _require_library(context)
    summit = views.choose_summit(services(context).library, _args(context))
    await send_section(update, context, "s", summit_token(summit), 1)


async def summit_card(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The summit card alone (latest summit by default)."""
    _require_library(context)
    library = services(context).library
    summit = views.choose_summit(library, _args(context))
    view = views.card_view(library, summit)
    await reply(update, render("summit", view=view), section_keyboard(summit_token(summit), "s"))


async def quotes(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Quotes grouped by speaker; an argument filters by speaker or words."""
    _require_library(context)
    library = services(context).library
    view = views.quotes_view(library, _args(context))
    keyboard = quotes_keyboard(view)
    await save_filters(context)  # before the button can be pressed, on any replica
    await reply(update, render("quotes", view=view), keyboard)


def quotes_keyboard(view: views.QuotesView) -> InlineKeyboardMarkup | None:
    """A summit's sections and pages, or the pages of quotes found across the archive."""
    if view.summit is not None and not view.query:
        return section_keyboard(summit_token(view.summit), "q", view.page)
    return quotes_search_keyboard(view.query, view.page)


async def timeline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Dated events of the latest summit, optionally limited to a year or span of years."""
    _require_library(context)
    library = services(context).library
    span = views.parse_year_span(_args(context))
    summit = library.latest_summit()
    assert summit is not None
    view = views.timeline_view(library, summit, span)
    keyboard = section_keyboard(summit_token(summit), "t", view.page, span=span)
    await reply(update, render("timeline", view=view), keyboard)


async def send_section(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    section: str,
    token: str,
    page: int,
    *,
    edit: bool = False,
    span: tuple[int, int] | None = None,
) -> None:
    """Render one section of a summit (shared by commands, deep links and buttons)."""
    from bot.handlers.replies import edit_or_reply

    library = services(context).library
    summit = summit_by_token(library, token)
    if summit is None:
        raise ArgumentError(
            "That summit is no longer in the briefings. Send /summary for the current one."
        )
    if section == "s":
        text = render("summary", view=views.summary_view(library, summit))
        keyboard = section_keyboard(token, "s")
    elif section == "q":
        qview = views.quotes_view(library, page=page, summit=summit)
        text, keyboard = render("quotes", view=qview), section_keyboard(token, "q", qview.page)
    else:
        tview = views.timeline_view(library, summit, span, page=page)
        text = render("timeline", view=tview)
        keyboard = section_keyboard(token, "t", tview.page, span=span)
    if edit:
        await edit_or_reply(update, text, keyboard)
    else:
        await reply(update, text, keyboard)


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The articles behind the briefings, with a button per article."""
    library = services(context).library
    shown = library.newest_articles()[:SOURCES_SHOWN]
    keyboard = sources_keyboard([(d.meta.title or d.file, d.article_id) for d in shown])
    from bot.handlers.sources import also_reported, followed

    also = await also_reported(context, shown)
    text = render(
        "sources", digests=shown, total=len(library.articles), errors=library.errors, also=also
    )
    await reply(update, text, keyboard if shown else None)

    await followed(update, context)  # the feeds and pages followed, with their health


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Matching sentences and quotes across all digests."""
    # Off the event loop: ranking a common word's matches in a large archive takes tens of ms
    # (SQLite releases the GIL meanwhile), and other chats' commands must not wait for it.
    view = await asyncio.to_thread(views.search_view, services(context).library, _args(context))
    await reply(update, render("search", view=view))


async def _ensure_may_change_subscriptions(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """In groups only chat admins may change subscriptions."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    sender_chat = update.message.sender_chat if update.message is not None else None
    if sender_chat is not None:
        # Posted on behalf of a chat.  As the group itself: one of its anonymous admins
        # (Telegram names no one; ``from`` is @GroupAnonymousBot), so getChatMember cannot
        # tell; getChatAdministrators must list an anonymous admin.  A channel (linked to
        # the group, or posting in it) is never a group admin.
        if sender_chat.id == chat.id and await _has_anonymous_admin(context, chat.id):
            return
        raise ArgumentError("Only the group’s admins can change its subscriptions.")
    if user is None:
        raise ArgumentError("Only the group’s admins can change its subscriptions.")
    member = await context.bot.get_chat_member(chat.id, user.id)
    if member.status not in _ADMIN_STATUSES:
        raise ArgumentError("Only the group’s admins can change its subscriptions.")


async def _has_anonymous_admin(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    """True when ``getChatAdministrators`` lists an admin who posts as the group."""
    admins = await context.bot.get_chat_administrators(chat_id)
    return any(
        getattr(admin, "is_anonymous", False) and admin.status in _ADMIN_STATUSES
        for admin in admins
    )


def parse_daily(args: list[str], default_tz: str) -> tuple[dt.time, str]:
    """``["daily", "08:00", "Europe/Paris"]`` → (08:00, "Europe/Paris")."""
    if len(args) < 2 or len(args) > 3:
        raise ArgumentError(
            "Use /subscribe daily HH:MM [Area/City], e.g. /subscribe daily 08:00 Europe/Paris"
        )
    match = _TIME.match(args[1])
    if not match:
        raise ArgumentError(f"“{args[1]}” is not a time of day. Use 24-hour HH:MM, e.g. 08:00.")
    zone = args[2] if len(args) == 3 else default_tz
    if time_zone(zone) is None:
        raise ArgumentError(
            f"“{zone[:80]}” is not a time zone I know. Use an Area/City name such "
            "as Europe/Paris or Asia/Baku."
        )
    return dt.time(int(match.group(1)), int(match.group(2))), zone


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe this chat to new-article briefings, or to a daily briefing at a chosen time."""
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None and svc.subscriptions is not None
    args = context.args or []
    if args and args[0].lower() != "daily":
        raise ArgumentError(
            "Use /subscribe for new articles, or /subscribe daily 08:00 "
            "[Area/City] for a daily briefing."
        )
    await _ensure_may_change_subscriptions(update, context)
    if not args:
        added = await svc.subscriptions.subscribe_new(chat.id)
        await reply(
            update,
            render(
                "subscribed", kind="new", added=added, at="", timezone="", next_run=None, tz=None
            ),
        )
        return
    at, zone = parse_daily(args, svc.settings.tz)
    await svc.subscriptions.subscribe_daily(chat.id, at, zone)
    # The schedule is the row just written (any process's elected sender runs it).
    next_run = await svc.subscriptions.next_daily_run(chat.id)
    await reply(
        update,
        render(
            "subscribed",
            kind="daily",
            added=True,
            at=at.strftime("%H:%M"),
            timezone=zone,
            next_run=next_run,
            tz=ZoneInfo(zone),
        ),
    )


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop every briefing to this chat."""
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None and svc.subscriptions is not None
    await _ensure_may_change_subscriptions(update, context)
    removed = await svc.subscriptions.unsubscribe(chat.id)
    await reply(update, render("unsubscribed", removed=removed))


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Articles, summits, last update, this chat's subscriptions and next post."""
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None
    subs = await svc.subscriptions.subscriptions_of(chat.id) if svc.subscriptions else []
    next_run = await svc.subscriptions.next_daily_run(chat.id) if svc.subscriptions else None
    daily = next((s for s in subs if s.kind == "daily"), None)
    tz = ZoneInfo(daily.timezone) if daily and daily.timezone else None
    library = svc.library
    damage = svc.last_store_damage
    await reply(
        update,
        render(
            "status",
            damage=damage,
            articles=len(library.articles),
            summits=len(library.summits),
            errors=library.errors,
            updated_at=library.updated_at,
            subscriptions=subs,
            next_run=next_run,
            tz=tz,
        ),
    )


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admin: rescan the seeds now."""
    require_admin(update, context)
    svc = services(context)
    assert svc.scheduler is not None
    report = await svc.scheduler.reload()
    await reply(update, render("reload", report=report))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admin: delivery and usage figures."""
    require_admin(update, context)
    svc = services(context)
    figures: dict[str, int | str] = {
        "articles": len(svc.library.articles),
        "summits": len(svc.library.summits),
        "unreadable files": len(svc.library.errors),
    }
    if svc.subscriptions is not None:
        figures.update(await svc.subscriptions.stats())
    figures.update(sorted(svc.counters.items()))
    await reply(update, render("stats", stats=figures))


async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other command: say so and point at /help."""
    message = update.effective_message
    command = (message.text or "").split()[0] if message and message.text else "that"
    await reply(
        update,
        render(
            "message", text=f"I don’t know {command}. Send /help for the commands I understand."
        ),
    )
