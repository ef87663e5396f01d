"""When a chat's daily briefing is due: the next local time of day, in its zone, DST-correct.

Daily schedules are database rows (``subscriptions.next_due_at``) that the elected sender
claims and advances (:meth:`bot.delivery.scheduler.BriefingScheduler.run_due_dailies`), not a
job in every process's JobQueue: with several processes, every one of them would otherwise run
every chat's job.  This module is the arithmetic, apart so it is tested on its own.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

#: Days looked ahead for the next occurrence: one is always enough, except where a zone skipped
#: a whole calendar day (Samoa, 30 December 2011).
_DAYS_AHEAD = 4


def next_occurrence(at: datetime.time, zone: ZoneInfo, after: float) -> float:
    """The first moment strictly after ``after`` (Unix time) when the clock in ``zone`` shows
    ``at``.

    A time that does not exist that day (the hour skipped when clocks go forward) is taken
    with the offset before the change, i.e. as late by the gap (02:30 becomes 03:30): the
    briefing still comes that day.  A time that exists twice (clocks going back) is the first
    of the two, and the day's briefing comes once: the next occurrence is looked for from the
    next calendar day's date on.
    """
    local_after = datetime.datetime.fromtimestamp(after, zone)
    naive = at.replace(tzinfo=None, microsecond=0)
    for days in range(_DAYS_AHEAD):
        day = local_after.date() + datetime.timedelta(days=days)
        moment = datetime.datetime.combine(day, naive, tzinfo=zone).timestamp()
        if moment > after:
            return moment
    raise ValueError(f"no {naive} in {zone.key} within {_DAYS_AHEAD} days")  # pragma: no cover


def local_moment(when: float, zone: str) -> datetime.datetime:
    """``when`` (Unix time) as an aware datetime in ``zone`` (what /subscribe shows)."""
    return datetime.datetime.fromtimestamp(when, ZoneInfo(zone))
