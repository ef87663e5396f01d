"""The services the handlers use, created once at start-up and kept in ``bot_data``."""

from __future__ import annotations

import enum
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import ContextTypes

from briefings.library import Library
from briefings.store import DigestStore
from briefings.store_health import StoreDamage

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.delivery.scheduler import BriefingScheduler
    from bot.delivery.sender import Sender
    from bot.delivery.subscriptions import SubscriptionStore

SERVICES_KEY = "services"
#: Telegram lets a bot post about 20 messages a minute into one group.  Answering more commands
#: than that only parks their replies in the rate limiter, each holding one of the application's
#: concurrent update slots, so a few noisy groups could stall the bot for every chat.
GROUP_LIMIT = 20
GROUP_WINDOW = 60.0


class Verdict(enum.StrEnum):
    """What :meth:`FloodGuard.check` says of one command (a ``str``: logs and tests read it)."""

    OK = "ok"  # within the budget: answer it
    WARN = "warn"  # the first over the budget: say "slow down" once
    DROP = "drop"  # over the budget and already told: ignore it


class FloodGuard:
    """Per-chat command budget: ``limit`` commands per ``window`` seconds.

    The first command over the budget gets one polite "slow down"; further ones are ignored
    until the window has room again, so one noisy chat cannot starve everyone else.  A group's
    budget is also capped at Telegram's posting limit for groups (20 a minute).
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[int, deque[float]] = defaultdict(deque)
        self._warned: set[int] = set()
        #: A chat silent for longer than any window is forgotten: a sweep, at most once per
        #: window, drops them, so memory follows the chats active lately, not every chat ever
        #: seen (100,000 chats once kept 84 MB).
        self._longest = max(window, GROUP_WINDOW)
        self._swept: float | None = None

    def __len__(self) -> int:
        """How many chats are tracked now."""
        return len(self._hits)

    def _sweep(self, moment: float) -> None:
        horizon = moment - self._longest
        # A new dict, not deletions: a dict never shrinks its table (5 MB left for 100,000).
        active = {chat: hits for chat, hits in self._hits.items() if hits and hits[-1] >= horizon}
        self._hits = defaultdict(deque, active)
        self._warned &= self._hits.keys()
        self._swept = moment

    def check(self, chat_id: int, now: float | None = None) -> Verdict:
        """OK, WARN (the first refusal: reply once) or DROP."""
        moment = time.monotonic() if now is None else now
        if self._swept is None:
            self._swept = moment
        elif moment - self._swept > self._longest:
            self._sweep(moment)
        limit, window = self.limit, self.window
        if chat_id < 0:  # a group: no more commands than Telegram lets the bot answer there
            limit, window = min(limit, GROUP_LIMIT), max(window, GROUP_WINDOW)
        hits = self._hits[chat_id]
        while hits and moment - hits[0] > window:
            hits.popleft()
        if len(hits) < limit:
            hits.append(moment)
            self._warned.discard(chat_id)
            return Verdict.OK
        if chat_id in self._warned:
            return Verdict.DROP
        self._warned.add(chat_id)
        return Verdict.WARN


@dataclass
class Services:
    """Everything a handler may ask for."""

    settings: Settings
    digest_store: DigestStore
    library: Library
    subscriptions: SubscriptionStore | None = None
    sender: Sender | None = None
    scheduler: BriefingScheduler | None = None
    flood: FloodGuard = field(default_factory=lambda: FloodGuard(30, 10.0))
    started_at: float = field(default_factory=time.time)
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: A damaged digest store set aside at start-up (the scheduler records later ones).
    store_damage: StoreDamage | None = None

    @property
    def last_store_damage(self) -> StoreDamage | None:
        """The most recent damaged store set aside in this run, for /status."""
        later = self.scheduler.store_damage if self.scheduler is not None else None
        return later or self.store_damage

    def set_library(self, library: Library) -> None:
        """Swap in a freshly loaded library (after a build).

        The library may have been loaded through a store that is closed by now; searches go
        through the bot's own long-lived connection instead, opened anew when the store it
        read was set aside as damaged (the old connection is left to in-flight reads).
        """
        if self.digest_store.replaced():
            self.digest_store = self.digest_store.reopen()
        self.library = library.with_store(self.digest_store)

    def is_admin_chat(self, chat_id: int | None, user_id: int | None) -> bool:
        """Admin commands obey ADMIN_CHAT_IDS (a chat id or a user id listed there)."""
        admins = self.settings.admin_chat_ids
        return (chat_id in admins) or (user_id in admins)


def services(context: ContextTypes.DEFAULT_TYPE | Any) -> Services:
    """The Services object of the running application."""
    found = context.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
