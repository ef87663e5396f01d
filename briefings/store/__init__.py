"""Storage: the digest store with its search indexes, and the summit index built on it.

``DigestStore`` and ``SearchHit`` are the names ``bot/`` reads from here.
"""

from briefings.store.digests import DigestStore
from briefings.store.search import SearchHit

__all__ = ["DigestStore", "SearchHit"]
