"""The Telegram bot (python-telegram-bot 22.8) on top of the :mod:`briefings` engine."""

import os

# PTB 22.2+ warns on every ``RetryAfter`` (even when it only builds its message) that
# ``retry_after`` will become a ``datetime.timedelta``; its documented opt-in is this environment
# variable (telegram/_utils/datetime.py, ``get_timedelta_value``).  Our code reads the value as
# either type (bot/delivery/sender.py), so we opt in for every process that imports the bot, the
# test suite and the benchmarks included; a value set by the operator is kept.
os.environ.setdefault("PTB_TIMEDELTA", "1")
