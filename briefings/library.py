"""The read side of the engine: stored digests and summit briefings, ready to answer from.

The bot holds one :class:`Library` and swaps it for a new one after each build.  A library keeps
in memory only what lists and citations need: one :class:`ArticleCard` per article and one
:class:`SummitHead` per summit.  A summit's briefing or an article's digest is read from the store
when one is shown (one indexed row) and kept in a small cache, so start-up and memory stay flat
as the archive grows; /search and archive-wide /quotes are full-text queries.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Generic, TypeVar

from briefings.models import ArticleCard, BuildError, Digest, Summit, SummitHead
from briefings.store.digests import DigestStore
from briefings.store.search import QuoteHit, SearchHit
from briefings.store.summit_index import refresh_summits
from briefings.summits.grouping import newest_first

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")

#: Summit briefings and digests kept parsed in memory (the most recently used).
CACHED_SUMMITS = 32
CACHED_DIGESTS = 64


class _Cache(Generic[_K, _V]):
    """A small thread-safe LRU cache (views run both on the event loop and in worker threads)."""

    def __init__(self, size: int, load: Callable[[_K], _V | None]) -> None:
        self._size = size
        self._load = load
        self._items: OrderedDict[_K, _V | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: _K) -> _V | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = self._load(key)  # outside the lock: a slow read must not block other keys
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


class Library:
    """Every article (as a card), every summit (as a head), the build errors, and the store."""

    def __init__(
        self,
        store: DigestStore,
        articles: Sequence[ArticleCard],
        summits: Sequence[SummitHead],
        errors: Sequence[BuildError] = (),
        updated_at: float | None = None,
        generation: int = 0,
    ) -> None:
        self.store = store
        #: The store's generation this library was read at (see :meth:`changed_in_store`).
        self.generation = generation
        self.articles: tuple[ArticleCard, ...] = tuple(articles)
        self.summits: tuple[SummitHead, ...] = tuple(summits)
        self.errors: tuple[BuildError, ...] = tuple(errors)
        self.updated_at = updated_at
        self._by_file = {card.file: card for card in self.articles}
        self._by_id = {card.article_id: card for card in self.articles}
        self._heads = {head.key: head for head in self.summits}
        self._briefings: _Cache[str, Summit] = _Cache(CACHED_SUMMITS, store.summit)
        self._digests: _Cache[str, Digest] = _Cache(CACHED_DIGESTS, store.digest)
        self._haystacks: list[tuple[SummitHead, str]] | None = None
        self._tokens: dict[str, str] | None = None
        self._newest: tuple[ArticleCard, ...] | None = None

    @classmethod
    def load(cls, store: DigestStore) -> Library:
        """Read the cards and summit heads from ``store`` (no NLP model involved).

        Summits are merged first if the digests changed since they last were (a store written
        by an older version, or a build interrupted before merging).
        """
        if store.summits_stale():
            refresh_summits(store)
        # Read before the rows: a build landing meanwhile leaves the library one generation
        # behind, so the next check loads again, instead of taking its rows for current.
        generation = store.summits_generation()
        return cls(
            store,
            articles=store.cards(),
            summits=store.summit_heads(),
            errors=store.errors(),
            updated_at=store.last_built_at(),
            generation=generation,
        )

    def changed_in_store(self) -> bool:
        """Whether a build has landed in the store since this library was read, in this
        process or another (a replica, a builder on another machine): one small read of the
        store's generation, cheap enough to ask every few seconds.  A build whose summits are
        not merged yet has not landed."""
        landed = self.store.landed_generation()
        return landed is not None and landed != self.generation

    def with_store(self, store: DigestStore) -> Library:
        """The same library reading through another connection to the same store file.

        The bot loads a new library through the builder's connection, which is closed after
        the build; it answers through its own long-lived one.
        """
        if store is self.store:
            return self
        return Library(
            store, self.articles, self.summits, self.errors, self.updated_at, self.generation
        )

    def __repr__(self) -> str:
        return f"<Library {len(self.articles)} articles, {len(self.summits)} summits>"

    # --- articles ------------------------------------------------------------------------------

    def newest_articles(self) -> tuple[ArticleCard, ...]:
        """Every article, the most recently published first (undated ones last)."""
        if self._newest is None:
            self._newest = tuple(newest_first(self.articles))
        return self._newest

    def article(self, file: str) -> ArticleCard | None:
        """The card of one seed file."""
        return self._by_file.get(file)

    def article_by_id(self, article_id: str) -> ArticleCard | None:
        """The card of the article with this id (used by buttons)."""
        return self._by_id.get(article_id)

    def digest(self, file: str) -> Digest | None:
        """The full digest of one seed file (read from the store, cached)."""
        return self._digests.get(file) if file in self._by_file else None

    def digests(self, files: Iterable[str]) -> list[Digest]:
        """The digests of the given files that exist, in the given order."""
        return [d for d in map(self.digest, files) if d is not None]

    # --- summits -------------------------------------------------------------------------------

    def summit(self, key: str) -> Summit | None:
        """A summit's merged briefing by its key (read from the store, cached)."""
        return self._briefings.get(key) if key in self._heads else None

    def latest_summit(self) -> Summit | None:
        """The summit with the most recent article (summits are kept newest first)."""
        return self.summit(self.summits[0].key) if self.summits else None

    def find_summit(self, words: str) -> Summit | None:
        """The summit best matching free words ("cis", "dushanbe 2025"), or None."""
        terms = [t for t in re.findall(r"\w+", words.lower()) if t]
        if not terms:
            return self.latest_summit()
        for head, haystack in self._summit_haystacks():  # newest first: the first match wins
            if all(t in haystack for t in terms):
                return self.summit(head.key)
        return None

    def _summit_haystacks(self) -> list[tuple[SummitHead, str]]:
        """Each summit with the lower-cased text :meth:`find_summit` matches words against."""
        if self._haystacks is None:
            self._haystacks = [
                (
                    head,
                    " ".join(
                        [
                            head.name,
                            head.key,
                            *head.files,
                            *(c.meta.title or "" for c in map(self.article, head.files) if c),
                        ]
                    ).lower(),
                )
                for head in self.summits
            ]
        return self._haystacks

    def summit_by_token(self, token: str) -> Summit | None:
        """A summit by its :func:`summit_token` (None when it is gone: a stale button)."""
        if self._tokens is None:
            self._tokens = {summit_token(head.key): head.key for head in self.summits}
        key = self._tokens.get(token)
        return self.summit(key) if key is not None else None

    # --- full-text -----------------------------------------------------------------------------

    def search(self, words: str, limit: int = 10) -> list[SearchHit]:
        """Full-text search over sentences and quotes of every digest."""
        return self.store.search(words, limit)

    def search_quotes(
        self, words: str, offset: int = 0, limit: int = 8
    ) -> tuple[int, list[QuoteHit]]:
        """Quotes of every summit whose speaker or text has all ``words`` (count, one page)."""
        return self.store.search_quotes(words, offset, limit)

    def names_speaker(self, words: str) -> bool:
        """Whether ``words`` name someone quoted in the archive."""
        return self.store.names_speaker(words)


def summit_token(key: str) -> str:
    """Short stable id of a summit for callback data and deep links (8 hex characters)."""
    return hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
