"""The admins' notice when briefing deliveries are held for long (an outage of Telegram).

The sender keeps a delivery that fails for passing reasons pending for up to a day; nobody
would notice an outage of an hour until subscribers complain.  So the admins
(``ADMIN_CHAT_IDS``) are told, once per episode: when deliveries have been failing for
``alert_after`` seconds, or afterwards, when the outage kept the notice itself from going.
"""

from __future__ import annotations

import logging
import time

import httpx
import telegram
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.delivery.subscriptions import SubscriptionStore
from bot.ptb_compat import post_unparsed
from bot.render import render

log = logging.getLogger(__name__)


class HeldNotice:
    """Tells the admins once per episode that deliveries are (or were) held."""

    def __init__(
        self,
        bot: telegram.Bot,
        store: SubscriptionStore,
        admins: frozenset[int],
        *,
        alert_after: float,
        horizon: float,
        read_timeout: float,
        retry_every: float,
    ) -> None:
        """Set up the notice (nothing is checked until :meth:`arm` and :meth:`check`)."""
        self._bot = bot
        self._store = store
        self._admins = admins
        self._alert_after = alert_after
        self._horizon = horizon
        self._read_timeout = read_timeout
        self._retry_every = retry_every
        self._armed = False  # deliveries were rescheduled: look for long holds
        self._notice_due = 0.0  # time.monotonic() before which no notice is tried
        #: The latest figures of deliveries held for long: (messages, chats, last error).
        self._episode: tuple[int, int, str] | None = None

    def arm(self) -> None:
        """A round rescheduled deliveries: check for long holds until none is left."""
        self._armed = True

    async def check(self) -> None:
        """Tell the admins once when deliveries have been held for long (an outage).

        Checked only after rounds that rescheduled something, until nothing is held.  The
        notice is sent directly (not queued behind a broadcast) and retried while it fails;
        when the outage kept it from going until everything held went out, it says so
        instead.  A new notice comes only after everything held went out (a new episode).
        The admins who were told are kept in the ledger's state: a restart does not repeat it.
        """
        if not self._admins or not self._armed:
            return
        since = self._store.now() - self._alert_after
        retrying, held, chats, error = await self._store.held_deliveries(since)
        if held:
            self._episode = (held, chats, error)
        told = set(filter(None, (await self._store.get_state("held_notice") or "").split(",")))
        untold = [admin for admin in sorted(self._admins) if str(admin) not in told]
        if not retrying and (self._episode is None or not untold):
            self._armed = False  # the episode is over, and told if it had to be
            self._episode = None
            if told:
                await self._store.set_state("held_notice", "")
            return
        if self._episode is None or not untold or time.monotonic() < self._notice_due:
            return
        count, chats, error = self._episode
        held_for = _duration(self._alert_after)
        text = render(
            "held", count=count, chats=chats, held_for=held_for,
            horizon_hours=f"{self._horizon / 3600:g}", error=error, over=not retrying,
        )  # fmt: skip
        for admin in untold:
            try:
                await post_unparsed(
                    self._bot,
                    "sendMessage",
                    {"chat_id": admin, "text": text, "parse_mode": ParseMode.HTML},
                    read_timeout=self._read_timeout,
                )
            except (TelegramError, httpx.HTTPError) as exc:
                log.warning("cannot tell admin %d that deliveries are held: %s", admin, exc)
                self._notice_due = time.monotonic() + self._retry_every
                continue
            told.add(str(admin))
            await self._store.set_state("held_notice", ",".join(sorted(told)))
            log.warning(
                "told admin %d: %d deliveries to %d chats held for over %d %s(s): %s",
                admin, count, chats, *held_for, error,
            )  # fmt: skip


def _duration(seconds: float) -> tuple[int, str]:
    """How long, in the largest whole unit: (10, "minute"), (1, "hour"), (45, "second"); the
    template says it ("10 minutes") with its ``plural`` filter."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size:
            return round(seconds / size), unit
    return round(seconds), "second"
