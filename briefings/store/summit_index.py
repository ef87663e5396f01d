"""Summit briefings kept in the store, merged again only where their articles changed.

Merging a summit reads its articles' full digests (paragraphs included, for conflict detection),
so it belongs to whoever builds: the builder merges after recording digests, and the bot only
reads finished briefings.  Loading a 10,000-article archive is then a read of small rows, not a
parse of every digest and a merge of every summit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from briefings.models import ArticleStamp, Conflict, SummitHead
from briefings.store.digests import DigestStore
from briefings.summits.claims import find_disagreements
from briefings.summits.grouping import (
    MAX_MERGED_ARTICLES,
    group_digests,
    stamps_newest_first,
    summit_order,
)
from briefings.summits.merge import ConflictIndex, merge_summit

log = logging.getLogger(__name__)

#: Bump when merging changes, so every stored briefing is merged again.
MERGE_VERSION = 2


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """What a refresh did."""

    merged: int
    kept: int
    removed: int


def refresh_summits(store: DigestStore) -> RefreshReport:
    """Bring the stored summit briefings up to date with the stored digests.

    A summit is merged again only when its articles (by name and content hash), or the
    disagreements across the archive that they take part in, are not the ones it was last merged
    from; summits left without articles are removed.  Runs in one
    transaction, so readers see either the old briefings or the new ones.
    """
    with store.transaction():
        generation = store.summits_generation()
        groups = group_digests(store.stamps())
        disputes = ConflictIndex(find_disagreements(store.claims(disputable=True)))
        stored = store.summit_fingerprints()
        merged = kept = 0
        heads: list[SummitHead] = []
        for key, members in groups.items():
            conflicts = disputes.touching(m.file for m in members)
            fingerprint = _fingerprint(members, conflicts)
            encoded = key.encode()
            ordered = stamps_newest_first(members)
            if stored.get(encoded) == fingerprint:
                kept += 1
            else:
                recent = store.digests_named(c.file for c in ordered[:MAX_MERGED_ARTICLES])
                summit = merge_summit(key, recent, members=ordered, conflicts=conflicts)
                store.put_summit(summit, fingerprint)
                merged += 1
            # Newest first, and undated articles sort last: the first date is the latest.
            heads.append(SummitHead(encoded, key.name, (), ordered[0].published))
        gone = set(stored) - {key.encode() for key in groups}
        store.remove_summits(gone)
        heads.sort(key=summit_order, reverse=True)
        store.rank_summits([head.key for head in heads])
        store.mark_summits_current(generation)
    if merged or gone:
        log.info("summits: %d merged, %d unchanged, %d removed", merged, kept, len(gone))
    return RefreshReport(merged, kept, len(gone))


def _fingerprint(members: Sequence[ArticleStamp], conflicts: Sequence[Conflict] = ()) -> str:
    digest = hashlib.sha1(f"{MERGE_VERSION}\n".encode(), usedforsecurity=False)
    for stamp in sorted(members, key=lambda s: s.file):
        digest.update(f"{stamp.file}\0{stamp.content_hash}\0{stamp.published}\n".encode())
    for conflict in conflicts:
        digest.update(repr(conflict).encode())
    return digest.hexdigest()
