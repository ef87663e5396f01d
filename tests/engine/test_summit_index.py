"""Summit briefings kept in the store: merged incrementally, equal to a merge from scratch; the
lean library reads them lazily; stores of the previous version are migrated."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from pathlib import Path

from support import library_of

from bench import corpus
from briefings.library import CACHED_SUMMITS, Library
from briefings.models import ArticleMeta, Digest, Entities, Quote
from briefings.pipeline import build
from briefings.store import StoreLocation
from briefings.store.digests import DigestStore
from briefings.store.passages import SEARCH_WINDOW, fts_query
from briefings.store.schema import STORE_VERSION
from briefings.store.summit_index import refresh_summits
from briefings.summits.merge import build_summits


def _digest(name: str, published: str, text: str, summit: str, speaker: str = "Aliyev") -> Digest:
    return Digest(
        article_id=name,
        file=name,
        content_hash=f"hash-{name}-{text}",
        meta=ArticleMeta(title=f"Title of {name}", published=published),
        summary=(text,),
        quotes=(Quote(f"We said {text}", speaker, "direct"),),
        timeline=(),
        unresolved_dates=(),
        entities=Entities(),
        summit=summit,
        paragraphs=(text,),
    )


def test_incremental_refresh_equals_a_merge_from_scratch(
    tmp_path: Path, seeds_dir: Path, seed_store: Path
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    shutil.copy(seed_store, tmp_path / "digests.sqlite3")
    with DigestStore(tmp_path / "digests.sqlite3") as store:
        build(seeds, store)
        assert not store.summits_stale()
        (seeds / "003_recombined.txt").write_text(corpus.article_text(0), encoding="utf-8")
        first = sorted(seeds.glob("0*.txt"))[0]
        first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n")
        report = build(seeds, store)
        assert len(report.built) == 2, report
        assert not store.summits_stale()  # the build merged what changed
        stored = [store.summit(head.key) for head in store.summit_heads()]
        assert stored == build_summits(store.digests())
        assert refresh_summits(store).merged == 0  # nothing changed since


def test_only_changed_summits_are_merged_again(store_location: StoreLocation) -> None:
    nato = [
        _digest(f"n{i}.txt", "2024-07-10", f"NATO text {i}", "NATO|Washington|2024")
        for i in range(3)
    ]
    cis = [_digest("c.txt", "2025-10-10", "CIS text", "CIS|Dushanbe|2025")]
    library = library_of([*nato, *cis], store_location)
    store = library.store
    assert [h.name for h in library.summits] == [
        "CIS summit, Dushanbe, 2025",
        "NATO summit, Washington, 2024",
    ]
    with store.transaction():
        store.put_digest(dataclasses.replace(cis[0], content_hash="changed"), 1, 2)
    report = refresh_summits(store)
    assert (report.merged, report.kept, report.removed) == (1, 1, 0)
    with store.transaction():
        store.remove(["c.txt"])
    assert refresh_summits(store).removed == 1
    assert [h.name for h in Library.load(store).summits] == ["NATO summit, Washington, 2024"]


def test_library_keeps_cards_and_reads_briefings_on_demand(store_location: StoreLocation) -> None:
    digests = [
        _digest(f"a{i}.txt", f"2020-01-{i + 1:02d}", f"Summit text {i}", f"G{i}|Rome|2020")
        for i in range(CACHED_SUMMITS + 5)
    ]
    library = library_of(digests, store_location)
    assert len(library.summits) == len(digests)
    assert library.article("a3.txt") is not None and library.article("a3.txt").meta.title
    assert library.digest("a3.txt") == digests[3]
    assert library.digest("missing.txt") is None
    for head in library.summits:  # more than the cache holds: every one still loads
        summit = library.summit(head.key)
        assert summit is not None and summit.files == head.files
    assert library.summit("no|such|key") is None
    newest = library.newest_articles()
    assert [c.file for c in newest[:2]] == [f"a{len(digests) - 1}.txt", f"a{len(digests) - 2}.txt"]


def test_archive_wide_quotes_and_speaker_lookup(store_location: StoreLocation) -> None:
    library = library_of(
        [
            _digest("a.txt", "2024-01-01", "alpha", "NATO|Riga|2024", speaker="Vladimir Putin"),
            _digest("b.txt", "2025-01-01", "beta", "CIS|Minsk|2025", speaker="Ilham Aliyev"),
        ],
        store_location,
    )
    total, hits = library.search_quotes("put")
    assert total == 1 and hits[0].quote.speaker == "Vladimir Putin"
    total, hits = library.search_quotes("said")
    assert total == 2 and [h.summit for h in hits] == ["CIS|Minsk|2025", "NATO|Riga|2024"]
    assert library.names_speaker("aliyev") and not library.names_speaker("alpha")
    assert library.search_quotes('"; DROP TABLE summits; --') == (0, [])


def test_search_ranks_the_most_recent_matches_of_a_common_word(
    store_location: StoreLocation,
) -> None:
    old = [
        _digest(f"old{i}.txt", "2001-01-01", "Fisheries trade trade trade.", "X|Oslo|2001")
        for i in range(10)
    ]
    new = [
        _digest(f"new{i}.txt", "2025-05-05", "Leaders discussed trade and energy.", "Y|Baku|2025")
        for i in range(SEARCH_WINDOW)
    ]
    library = library_of([*new, *old], store_location)
    # The old passages repeat the word and would win on BM25 alone, but a common word is
    # ranked among its most recent matches (by publication date, not by insertion order).
    hits = library.search("trade", limit=5)
    assert len(hits) == 5 and all(h.file.startswith("new") for h in hits)
    # A rarer word is ranked across the whole archive, old articles included.
    assert {h.file for h in library.search("fisheries", limit=20)} == {d.file for d in old}


def test_the_window_of_recent_matches_can_span_years(store_location: StoreLocation) -> None:
    """Fewer matches than the window in the latest weeks: the window reaches back to older
    articles, but not past its size (PostgreSQL looks in growing spans of days)."""
    half = SEARCH_WINDOW * 3 // 10  # digests, each a matching sentence and a matching quote
    recent = [
        _digest(f"r{i}.txt", "2025-05-05", "Trade talks went on for hours.", "Y|Baku|2025")
        for i in range(half)
    ]
    older = [
        _digest(f"o{i}.txt", "2023-12-01", "Trade talks began.", "Y|Baku|2023")
        for i in range(half)
    ]
    oldest = [
        _digest(f"x{i}.txt", "2011-01-01", "Trade trade trade.", "X|Oslo|2011") for i in range(10)
    ]
    library = library_of([*oldest, *older, *recent], store_location)
    hits = library.search("trade", limit=20)
    # The shorter older passages rank first (BM25 and PostgreSQL's length normalization alike);
    # the oldest, which repeat the word, are outside the window.
    assert len(hits) == 20 and all(h.file.startswith("o") for h in hits)
    assert {h.file for h in library.search("began", limit=5)} <= {d.file for d in older}


def test_fts_query_drops_stop_words_and_limits_prefixes() -> None:
    assert fts_query("the summit") == '"summit"*'
    assert fts_query("of the") == '"of" "the"'  # only stop words: keep them, as whole words
    assert fts_query("a") == '"a"'
    assert fts_query("G7 leaders") == '"G7" "leaders"*'
    assert fts_query('"; DROP') == '"DROP"*'
    assert fts_query("heads of state", prefixes=False) == '"heads" "state"'
    assert fts_query("negotiat* talks", prefixes=False) == '"negotiat"* "talks"'


def test_search_matches_stems_and_explicit_prefixes(store_location: StoreLocation) -> None:
    digest = _digest("a.txt", "2024-01-01", "The negotiations on summits resumed.", "X|Oslo|2024")
    library = library_of([digest], store_location)
    assert {h.file for h in library.search("summit negotiation")} == {"a.txt"}
    assert {h.file for h in library.search("negot*")} == {"a.txt"}
    assert library.search("negotiat") == []  # not a word, and no * asked for a prefix


def test_a_store_of_the_previous_version_is_migrated(tmp_path: Path, seed_store: Path) -> None:
    """Version-1 stores had no cards, no summit tables and undated passages: opening one
    derives what is missing from the stored digests, without re-reading any seed."""
    path = tmp_path / "old.sqlite3"
    with DigestStore(seed_store) as store:
        digests = store.digests()
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE files (name TEXT PRIMARY KEY, size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL, content_hash TEXT NOT NULL,
            format_version INTEGER NOT NULL, error TEXT, digest TEXT, published TEXT,
            built_at REAL NOT NULL);
        CREATE VIRTUAL TABLE passages USING fts5(text, file UNINDEXED, kind UNINDEXED,
            speaker UNINDEXED);
        """
    )
    for d in digests:
        db.execute(
            "INSERT INTO files VALUES (?, 1, 1, ?, ?, NULL, ?, ?, 0)",
            (d.file, d.content_hash, d.format_version, json.dumps(d.to_dict()), d.meta.published),
        )
        db.execute("INSERT INTO passages VALUES ('stale passage', ?, 'sentence', NULL)", (d.file,))
    db.commit()
    db.close()
    with DigestStore(path) as store:
        assert store.summits_stale()
        library = Library.load(store)
        assert {c.file for c in library.articles} == {d.file for d in digests}
        summit = library.latest_summit()
        assert summit is not None and any("Lachin" in c.topic for c in summit.conflicts)
        assert store.search("stale passage") == []
        assert store.search("Lachin")
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION
