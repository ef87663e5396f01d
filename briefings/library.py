"""The read side of the engine: stored digests and summit briefings, ready to answer from.

The bot holds one :class:`Library` and swaps it for a new one after each build; answering a
command is then a lookup in memory (or one FTS query for /search), never a parse or a model run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import cast

from briefings.models import BuildError, Digest, Summit
from briefings.store import DigestStore, SearchHit
from briefings.summits import build_summits


@dataclass(frozen=True, slots=True)
class Library:
    """Every digest, the summit briefings built from them, and the build errors."""

    digests: tuple[Digest, ...]
    summits: tuple[Summit, ...]
    errors: tuple[BuildError, ...] = ()
    updated_at: float | None = None
    store: DigestStore | None = field(default=None, repr=False, compare=False)
    _by_file: dict[str, Digest] = field(default_factory=dict, repr=False)
    #: Lookup aids computed on first use (the library never changes once loaded).
    _cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, store: DigestStore, previous: Library | None = None) -> Library:
        """Read everything from ``store`` (no NLP model involved).

        ``previous`` is the library this one replaces: its digests whose content is unchanged,
        and its summits whose articles all are, are reused instead of parsed and merged again,
        so reloading a large archive after a build costs about what the build changed.
        """
        if previous is None:
            digests = tuple(store.digests())
            summits = build_summits(digests)
        else:
            hashes = store.digest_hashes()
            kept = {
                name: digest
                for name, digest in previous._by_file.items()
                if hashes.get(name) == digest.content_hash
            }
            fresh = {d.file: d for d in store.digests_named(n for n in hashes if n not in kept)}
            digests = tuple(
                d for name in sorted(hashes) if (d := kept.get(name) or fresh.get(name))
            )
            summits = build_summits(digests, reuse=previous.summits, unchanged=kept.keys())
        return cls(
            digests=digests,
            summits=tuple(summits),
            errors=tuple(store.errors()),
            updated_at=store.last_built_at(),
            store=store,
            _by_file={d.file: d for d in digests},
        )

    def digest(self, file: str) -> Digest | None:
        """The digest of one seed file."""
        return self._by_file.get(file)

    def latest_summit(self) -> Summit | None:
        """The summit with the most recent article (summits are kept newest first)."""
        return self.summits[0] if self.summits else None

    def find_summit(self, words: str) -> Summit | None:
        """The summit best matching free words ("cis", "dushanbe 2025"), or None."""
        terms = [t for t in re.findall(r"\w+", words.lower()) if t]
        if not terms:
            return self.latest_summit()
        best: tuple[int, Summit] | None = None
        for summit, haystack in self._summit_haystacks():
            hits = sum(1 for t in terms if t in haystack)
            if hits == len(terms) and (best is None or hits > best[0]):
                best = (hits, summit)
        return best[1] if best else None

    def _summit_haystacks(self) -> list[tuple[Summit, str]]:
        """Each summit with the lower-cased text :meth:`find_summit` matches words against."""
        found = self._cache.get("summit_haystacks")
        if found is None:
            found = self._cache["summit_haystacks"] = [
                (
                    summit,
                    " ".join(
                        [
                            summit.name,
                            summit.key,
                            *summit.files,
                            *(d.meta.title or "" for d in map(self.digest, summit.files) if d),
                        ]
                    ).lower(),
                )
                for summit in self.summits
            ]
        return cast(list[tuple[Summit, str]], found)

    def summit_by_key(self, key: str) -> Summit | None:
        """A summit by its stored key (used by buttons)."""
        return next((s for s in self.summits if s.key == key), None)

    def search(self, words: str, limit: int = 10) -> list[SearchHit]:
        """Full-text search over sentences and quotes of every digest."""
        return self.store.search(words, limit) if self.store is not None else []
