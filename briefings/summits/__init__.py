"""Summits: which meeting an article reports on, the merged summit briefings, claims, cards.

``SummitKey`` and ``newest_first`` are the names ``bot/`` reads from here.
"""

from briefings.summits.grouping import SummitKey, newest_first

__all__ = ["SummitKey", "newest_first"]
