"""Every use of python-telegram-bot's and APScheduler's internals, in one place.

Each one is defensible (the docstring of each helper says why), none is public API: a new
release may rename or remove any of them.  They were checked on **python-telegram-bot 22.8**
(pinned in ``pyproject.toml`` for this reason) and **APScheduler 3.11** (through PTB's
``JobQueue``).  When upgrading, read each helper below against the new release; the tests
that reach the fake Bot API (``tests/test_sender.py``, ``tests/test_bot_e2e.py``) and
``tests/test_scheduler.py`` exercise every one of them.  ``tests/test_architecture_bot.py``
checks that no other module of ``bot/`` touches a framework internal.
"""

from __future__ import annotations

import contextlib
import datetime
import warnings
from typing import Any, Final

from telegram import Bot
from telegram._utils.defaultvalue import DEFAULT_NONE as _DEFAULT_NONE
from telegram._utils.types import JSONDict as _JSONDict
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, ExtBot
from telegram.warnings import PTBDeprecationWarning

#: Telegram's answer to a request, as PTB's request layer returns it (``telegram._utils.types``).
JSONDict = _JSONDict

#: "Use the application's Defaults here" for a request posted with :func:`post_unparsed`
#: (``telegram._utils.defaultvalue``): ``Bot.send_message`` fills its keyword defaults with it,
#: and ``ExtBot`` replaces it by the ``Defaults`` value, or drops it.
DEFAULT_NONE: Final[Any] = _DEFAULT_NONE


async def post_unparsed(
    bot: Bot, endpoint: str, data: dict[str, Any], **kwargs: Any
) -> bool | JSONDict | list[JSONDict]:
    """Post ``endpoint`` as the ``Bot`` methods do (``Bot._post``), without parsing the answer.

    Why: ``Bot.send_message`` parses Telegram's answer into a :class:`~telegram.Message` (every
    entity and button as objects, ~0.5 ms for a briefing) that no caller uses, and a parse
    failure after a real send would make a delivered message look failed.  ``_post`` is the
    path every ``Bot`` method takes: Defaults, the rate limiter, retries and the error mapping
    stay PTB's.  ``kwargs``: ``read_timeout``, ``api_kwargs`` and the other request options.
    """
    answer: bool | JSONDict | list[JSONDict] = await bot._post(endpoint, data, **kwargs)
    return answer


def rate_limit_api_kwargs(rate_limit_args: object) -> dict[str, Any] | None:
    """The ``api_kwargs`` that carry ``rate_limit_args`` to the rate limiter (``ExtBot``).

    Why: :func:`post_unparsed` bypasses ``ExtBot``'s public methods, which are what put
    ``rate_limit_args`` into the request; ``ExtBot._merge_api_rl_kwargs`` is how they do it.
    """
    return ExtBot._merge_api_rl_kwargs(None, rate_limit_args)


def replace_overall_limiter(
    limiter: AIORateLimiter, overall: contextlib.AbstractAsyncContextManager[Any] | None
) -> None:
    """Make ``limiter`` enter ``overall`` (or nothing) as its overall limit.

    Why: ``AIORateLimiter``'s overall limit is an ``aiolimiter`` leaky bucket kept in
    ``_base_limiter`` and entered as an async context manager around each request to a chat;
    the bot's sliding-window budget takes its place (see :mod:`bot.delivery.rate_limiter`).
    """
    limiter._base_limiter = overall  # type: ignore[assignment]


def group_limiter(
    limiter: AIORateLimiter, chat_id: str | int
) -> contextlib.AbstractAsyncContextManager[Any] | None:
    """``limiter``'s per-group limit for ``chat_id``, or None when it limits no group.

    Why: a single-attempt request (the sender's) must count against the same per-group limit
    as ``AIORateLimiter``'s own requests; the limit lives in ``_group_max_rate`` and
    ``_get_group_limiter``.
    """
    if not limiter._group_max_rate:
        return None
    return limiter._get_group_limiter(chat_id)


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type PTB uses (int in 22.8 unless ``PTB_TIMEDELTA``
    is set, a timedelta in later versions), without PTB's deprecation warning for reading it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    if isinstance(value, datetime.timedelta):
        return max(0.0, value.total_seconds())
    return max(0.0, float(value))
