"""Wire ``sources/`` into the bot: its poll job, the archive rule, and failure reports.

The sources package writes seed files and knows nothing of Telegram; the bot's seeds watcher
digests and announces them.  This module adds only what needs the bot:

* a repeating job that starts the fetches of due sources (each in a task of its own);
* the archive rule: a source's first fetch is recorded as already announced *before* its files
  are written (:meth:`bot.delivery.scheduler.BriefingScheduler.add_known`), so following a
  feed with 50 old items announces none of them, and only later items are announced;
* a source failing for ``SOURCE_FAIL_REPORT_SECONDS`` is reported to the admins once per outage,
  through the delivery ledger (sent once, retried like any briefing).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.config import Settings
from bot.delivery.db import parse_database_url
from bot.render import render
from bot.services import SERVICES_KEY, Services
from sources.fetch import Fetcher
from sources.poller import Batch, SourcePoller
from sources.store import SourceStore

log = logging.getLogger(__name__)

SOURCES_KEY = "sources"
JOB_NAME = "sources:poll"
#: The job looks for due sources this often (each source keeps its own interval).
TICK_SECONDS = 5.0

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def poller_of(application: AnyApplication) -> SourcePoller | None:
    """The running poller, if sources are on."""
    found = application.bot_data.get(SOURCES_KEY)
    return found if isinstance(found, SourcePoller) else None


async def start_sources(application: AnyApplication, svc: Services) -> SourcePoller:
    """Open the sources database and schedule the poll job (after the scheduler started)."""
    settings: Settings = svc.settings

    async def publish(batch: Batch) -> None:
        async def write() -> None:
            await asyncio.to_thread(batch.write, settings.seeds_dir)

        if batch.archive and svc.scheduler is not None:
            await svc.scheduler.add_known([w.name for w in batch.writes], write)
            log.info("source %s: %d article(s) taken as archive", batch.source, len(batch.new))
        else:
            await write()
            log.info(
                "source %s: %d new, %d updated article(s)",
                batch.source, len(batch.new), len(batch.updated),
            )  # fmt: skip

    database = settings.sources_db or settings.data_dir / "sources.sqlite3"
    store = await asyncio.to_thread(SourceStore, database)
    poller = SourcePoller(
        store=store,
        seeds_dir=settings.seeds_dir,
        sources_file=settings.sources_file,
        interval=settings.source_poll_seconds,
        fetcher=Fetcher(),
        publish=publish,
        fail_report_after=settings.source_fail_report_seconds,
    )
    application.bot_data[SOURCES_KEY] = poller
    await asyncio.to_thread(poller.sync_file)
    count = len(await asyncio.to_thread(poller.sources))
    log.info(
        "following %d source(s) (%s and /source add), each every %gs",
        count, settings.sources_file, settings.source_poll_seconds,
    )  # fmt: skip
    queue = application.job_queue
    if queue is not None:
        queue.run_repeating(
            _poll_job,
            interval=min(TICK_SECONDS, settings.source_poll_seconds),
            first=0,
            name=JOB_NAME,
            job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
    return poller


def _polls_here(application: AnyApplication) -> bool:
    """Whether this process fetches the sources now.

    On a shared (PostgreSQL) database several processes run, and each fetching every source
    would multiply the requests to the publishers and write each new article several times:
    only the elected sender fetches (the sources database and the seeds folder it writes must
    then be shared by the processes that may be elected, see the README).  On SQLite the bot
    is one process, which always fetches.
    """
    svc = application.bot_data.get(SERVICES_KEY)
    if not isinstance(svc, Services) or svc.sender is None:
        return True
    if parse_database_url(svc.settings.resolved_database_url).dialect != "postgresql":
        return True
    return svc.sender.leading


async def stop_sources(application: AnyApplication) -> None:
    """Cancel fetches in flight and close the HTTP client and the database."""
    poller = application.bot_data.pop(SOURCES_KEY, None)
    if isinstance(poller, SourcePoller):
        await poller.aclose()
        poller.store.close()


async def _poll_job(context: CallbackContext[Any, Any, Any, Any]) -> None:
    poller = poller_of(context.application)
    if poller is None or not _polls_here(context.application):
        return
    try:
        await poller.poll()
        await report_failing(context.application, poller)
    except Exception:
        log.exception("sources poll failed; trying again at the next tick")


async def report_failing(application: AnyApplication, poller: SourcePoller) -> None:
    """Tell the admins, once, of each source failing for the configured time."""
    svc: Services | None = application.bot_data.get(SERVICES_KEY)
    if svc is None or svc.subscriptions is None:
        return
    admins = svc.settings.admin_chat_ids
    for row in await asyncio.to_thread(poller.take_reports):
        log.warning("source %s failing since %s: %s", row.url, row.failing_since, row.last_error)
        text = render("source_failing", row=row)
        key = f"source-failing:{row.url}:{int(row.failing_since or 0)}"
        if await svc.subscriptions.record_notice(key, admins, text) and svc.sender is not None:
            svc.sender.wake()
