"""The application's rate limiter: PTB's ``AIORateLimiter``, plus single-attempt requests.

``AIORateLimiter`` answers a 429 by retrying the request after ``retry_after``, and while it
waits it holds *every* other request; when the wait ends, the held requests go all at once.
That suits interactive replies, which are few.  It does not suit the broadcast sender, which
keeps about 30 sends a second coming: a hold of a second gathers some thirty of them, their
release together with the retry is a burst over Telegram's 30 per sliding second, the burst
draws the next 429, and the cycle repeats until the broadcast ends (measured: 24 messages/s
and 855 × 429 for 10,000 chats, against 28.5/s without a 429).

A request sent with ``rate_limit_args=SINGLE_ATTEMPT`` still counts against the overall and the
group limits, but it is tried once, a ``RetryAfter`` goes to the caller, and it neither waits for
nor starts the limiter's hold.  The sender then holds its own sends and lets them go again one
by one at its paced rate (:mod:`bot.sender`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any, Final

from telegram._utils.types import JSONDict
from telegram.ext import AIORateLimiter

#: ``rate_limit_args`` for one attempt, with a 429 raised to the caller as ``RetryAfter``.
#: (Negative because ``ExtBot`` drops a falsy value, so 0 cannot say "no retries".)
SINGLE_ATTEMPT: Final = -1

_Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class RateLimiter(AIORateLimiter):
    """``AIORateLimiter`` where a caller may take a 429 itself (``SINGLE_ATTEMPT``)."""

    async def process_request(
        self,
        callback: _Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Rate-limit one request; see the module docstring for ``SINGLE_ATTEMPT``."""
        if rate_limit_args != SINGLE_ATTEMPT:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        async with self._group_limit(data.get("chat_id")), self._overall_limit(data):
            return await callback(*args, **kwargs)

    def _overall_limit(self, data: dict[str, Any]) -> contextlib.AbstractAsyncContextManager[Any]:
        # As AIORateLimiter: the overall limit counts requests to a chat.
        if data.get("chat_id") is None or self._base_limiter is None:
            return contextlib.nullcontext()
        return self._base_limiter

    def _group_limit(self, chat_id: object) -> contextlib.AbstractAsyncContextManager[Any]:
        # As AIORateLimiter: a negative or a string chat id is a group or a channel.
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[call-overload]
        group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        if not group or not self._group_max_rate:
            return contextlib.nullcontext()
        return self._get_group_limiter(chat_id)  # type: ignore[arg-type]
