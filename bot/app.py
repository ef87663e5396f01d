"""The one place that wires the bot: settings → services → Application with handlers and jobs.

Nothing happens at import time.  ``build_application`` returns a configured Application whose
``post_init`` opens the stores, loads the digests, registers the commands with Telegram and starts
the scheduler and the sender; ``post_shutdown`` stops them in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import sys
from collections.abc import AsyncIterator, Sequence

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.delivery.rate_limiter import BudgetRateLimiter
from bot.handlers import callbacks, commands, errors
from bot.handlers import sources as source_commands
from bot.healthcheck import HEARTBEAT_SECONDS, heartbeat_path
from bot.pushes import render_daily, render_new_articles
from bot.render import plural
from bot.services import SERVICES_KEY, FloodGuard, Services
from briefings.library import Library
from briefings.store_health import open_library, settable_aside

log = logging.getLogger(__name__)

#: How often the bot asks the digest store whether another process's build has landed.
LIBRARY_CHECK_SECONDS = 5.0

COMMANDS: Sequence[tuple[str, str]] = (
    ("summary", "Briefing summary of the latest summit"),
    ("summit", "The meeting card: place, dates, participants, decisions, next steps"),
    ("quotes", "Quotes by speaker, e.g. /quotes aliyev"),
    ("timeline", "Dated events, e.g. /timeline 2025"),
    ("sources", "The articles behind the briefings"),
    ("search", "Search sentences and quotes"),
    ("subscribe", "Briefings on new articles, or daily at a time"),
    ("unsubscribe", "Stop briefings to this chat"),
    ("status", "Articles, last update, this chat's subscriptions"),
    ("help", "Every command with an example"),
)


def quiet_noisy_loggers() -> None:
    """httpx logs request URLs, which contain the token: keep it at WARNING."""
    for name in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)


def application_builder(settings: Settings) -> ApplicationBuilder:  # type: ignore[type-arg]
    """The builder with the bot's connection settings: token, server, defaults, rate limiter.

    Shared with the benchmarks' reference echo bot, so both run with the same framework setup.
    """
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    defaults = Defaults(
        parse_mode=ParseMode.HTML,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    limiter = BudgetRateLimiter(
        overall_max_rate=settings.rate_limit_overall,  # 0 switches the overall limit off
        max_retries=3,  # for replies; the broadcast sender takes its 429s itself
    )
    return (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .defaults(defaults)
        .rate_limiter(limiter)
        .concurrent_updates(64)
    )


def build_application(settings: Settings, *, with_scheduler: bool = True) -> Application:  # type: ignore[type-arg]
    """Build the Application: defaults, rate limiter, handlers and lifecycle hooks."""
    quiet_noisy_loggers()
    application = (
        application_builder(settings)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["settings"] = settings
    application.bot_data["with_scheduler"] = with_scheduler
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in order; the flood gate runs first, unknown commands last."""
    application.add_handler(TypeHandler(Update, errors.flood_gate), group=-1)
    table = {
        "start": commands.start,
        "help": commands.help_command,
        "summary": commands.summary,
        "summit": commands.summit_card,
        "quotes": commands.quotes,
        "timeline": commands.timeline,
        "sources": commands.sources,
        "search": commands.search,
        "subscribe": commands.subscribe,
        "unsubscribe": commands.unsubscribe,
        "status": commands.status,
        "reload": commands.reload,
        "stats": commands.stats,
        "source": source_commands.source,
    }
    for name, callback in table.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(callbacks.on_button))
    application.add_handler(MessageHandler(filters.COMMAND, commands.unknown))
    application.add_handler(
        MessageHandler(
            filters.TEXT & filters.ChatType.PRIVATE & ~filters.COMMAND, commands.help_command
        )
    )
    application.add_error_handler(errors.on_error)


@contextlib.asynccontextmanager
async def running(
    application: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: float = 10,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run ``application`` with long polling inside an ``async with`` (demo, tests, benchmarks).

    ``run_polling`` owns the event loop and calls the lifecycle hooks itself; code that already
    runs a loop uses this instead, which does the same steps in the same order.
    """
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0,
            timeout=int(poll_timeout),
            drop_pending_updates=False,
            allowed_updates=["message", "callback_query"],
        )
        yield application
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    settings: Settings = application.bot_data["settings"]
    # A damaged store is set aside here (and rebuilt by the first build), never served.
    digest_store, library, damage = await asyncio.to_thread(
        open_library, settings.store_location()
    )
    _settle_heap()
    svc = Services(
        settings=settings,
        digest_store=digest_store,
        library=library,
        flood=FloodGuard(settings.flood_limit, settings.flood_window_seconds),
        store_damage=damage,
    )
    application.bot_data[SERVICES_KEY] = svc
    await application.bot.set_my_commands([BotCommand(n, d) for n, d in COMMANDS])
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _heartbeat, interval=HEARTBEAT_SECONDS, first=0, name="heartbeat"
        )
        if not settable_aside(digest_store.location):  # shared: PostgreSQL (SQLite unchanged)
            application.job_queue.run_repeating(
                _follow_store, interval=LIBRARY_CHECK_SECONDS, first=LIBRARY_CHECK_SECONDS,
                name="follow-store",
            )  # fmt: skip
    if not application.bot_data.get("with_scheduler", True):
        return
    from bot.data_guard import database_lost, mark_database, report_lost_database
    from bot.delivery.election import SenderLease
    from bot.delivery.scheduler import BriefingScheduler
    from bot.delivery.sender import BROADCAST_RATE, Sender
    from bot.delivery.subscriptions import SubscriptionStore

    lost = await asyncio.to_thread(database_lost, settings.resolved_database_url)
    svc.subscriptions = await SubscriptionStore.open(settings.resolved_database_url)
    await asyncio.to_thread(mark_database, settings.resolved_database_url)
    svc.sender = Sender(
        application.bot,
        svc.subscriptions,
        max_rate=min(BROADCAST_RATE, settings.rate_limit_overall or BROADCAST_RATE),
        per_chat_interval=1.0,
        horizon=settings.delivery_horizon_hours * 3600,
        max_backoff=settings.delivery_retry_max_seconds,
        read_timeout=settings.send_read_timeout,
        admin_chat_ids=settings.admin_chat_ids,
        held_alert_after=settings.delivery_held_alert_minutes * 60,
        # One process sends, elected through the database (several may share it).
        lease=SenderLease(svc.subscriptions),
    )
    # Builds and library reloads run in worker threads of this process; while one holds the
    # GIL, the event loop waits up to the switch interval for it at every await.  1 ms instead
    # of Python's 5 ms keeps command latency low during a build (bench: "Latency while building").
    sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
    svc.scheduler = BriefingScheduler(
        settings=settings,
        subscriptions=svc.subscriptions,
        sender=svc.sender,
        render_new_articles=render_new_articles,
        render_daily=render_daily,
        on_library=functools.partial(_swap_library, svc),
        loaded=library,
    )
    await svc.scheduler.start(application)
    if damage is not None:
        await svc.scheduler.report_store_damage(damage)
    if lost is not None:
        await report_lost_database(svc.subscriptions, settings.admin_chat_ids, lost)
    from bot.sources_job import start_sources

    await start_sources(application, svc)
    application.bot_data["sender_task"] = asyncio.create_task(
        svc.sender.run_forever(), name="sender"
    )
    articles, summits = len(library.articles), len(library.summits)
    log.info(
        "bot ready: %d %s, %d %s",
        articles, plural("article", articles), summits, plural("summit", summits),
    )  # fmt: skip


async def _heartbeat(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Touch the heartbeat file the container health check reads."""
    settings: Settings = context.application.bot_data["settings"]
    path = heartbeat_path(settings.data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as exc:
        log.warning("cannot write heartbeat %s: %s", path, exc)


async def _follow_store(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer from a build that another process landed (a replica or a builder sharing the
    PostgreSQL store): the in-memory library (cards, summit heads) is read again once the
    store's generation moves.  Not on SQLite, where this process is the one that builds."""
    svc: Services | None = context.application.bot_data.get(SERVICES_KEY)
    if svc is None:
        return
    try:
        if not await asyncio.to_thread(svc.library.changed_in_store):
            return
        fresh = await asyncio.to_thread(Library.load, svc.digest_store)
    except Exception as exc:  # the store unreachable for now: the next check tries again
        log.warning("cannot check the digest store for new builds: %s", exc)
        return
    if fresh.generation > svc.library.generation:  # not older than a build swapped in meanwhile
        _swap_library(svc, fresh)


def _swap_library(svc: Services, library: Library) -> None:
    """After a build: answer from the new library; settle the heap."""
    svc.set_library(library)
    _settle_heap()


def _settle_heap() -> None:
    """Move everything alive now, the library above all, out of the garbage collector's way.

    The library is tens of thousands of long-lived objects; without this, the full collection
    that follows a reload walks all of them, old and new, while the event loop waits (70 ms with
    1,000 articles).  Frozen objects are still freed when their last reference goes (digests and
    summits hold no reference cycles); only the cycle collector skips them.
    """
    gc.freeze()


def request_stop(application: Application) -> None:  # type: ignore[type-arg]
    """Begin a graceful stop at once (the signal handler of ``python -m bot``).

    PTB's own handler only ends the run loop; its ``Application.stop`` then waits for running
    jobs before ``post_stop`` stops the sender, so a broadcast went on for those seconds (a
    SIGTERM test saw all 200 messages go out).  Here the sender stops starting sends first.
    """
    svc: Services | None = application.bot_data.get(SERVICES_KEY)
    if svc is not None and svc.sender is not None:
        svc.sender.stop_starting()
    application.stop_running()


async def _post_stop(application: Application) -> None:  # type: ignore[type-arg]
    """Stop the sender while the bot's HTTP client still works, so in-flight sends finish."""
    task: asyncio.Task[None] | None = application.bot_data.pop("sender_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    await _post_stop(application)  # no-op when post_stop already ran
    from bot.sources_job import stop_sources

    await stop_sources(application)
    svc: Services | None = application.bot_data.get(SERVICES_KEY)
    if svc is None:
        return
    if svc.scheduler is not None:
        await svc.scheduler.stop()
    if svc.subscriptions is not None:
        await svc.subscriptions.close()
    svc.digest_store.close()
