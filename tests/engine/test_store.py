"""The digest store: round trips, search, errors and removal (on both engines)."""

from __future__ import annotations

from pathlib import Path

from briefings.models import ArticleMeta, BuildError, Digest, Entities, Quote, TimelineEvent
from briefings.store import StoreLocation, open_store_at


def make_digest(
    file: str = "a.txt", text: str = "Leaders met in Dushanbe. They agreed."
) -> Digest:
    return Digest(
        article_id="id-" + file,
        file=file,
        content_hash="hash-" + file,
        meta=ArticleMeta(title="T", published="2025-10-10"),
        summary=("Leaders met in Dushanbe.",),
        quotes=(Quote("We are united in purpose today.", "Ilham Aliyev", "direct", 0, 10),),
        timeline=(TimelineEvent("2025", "Lachin capital", "for 2025", 1, 9),),
        unresolved_dates=(),
        entities=Entities(people=("Ilham Aliyev",), places=("Dushanbe",)),
        summit="CIS|Dushanbe|2025",
        paragraphs=(text,),
    )


def test_digest_round_trips_through_the_store(store_location: StoreLocation) -> None:
    digest = make_digest()
    with open_store_at(store_location) as store:
        store.put_digest(digest, size=10, mtime_ns=5)
        assert store.digests() == [digest]
        assert store.digest("a.txt") == digest
        state = store.file_states()["a.txt"]
        assert (state.size, state.mtime_ns, state.failed) == (10, 5, False)


def test_search_finds_sentences_and_quotes_by_prefix(store_location: StoreLocation) -> None:
    with open_store_at(store_location) as store:
        store.put_digest(make_digest(), size=1, mtime_ns=1)
        kinds = {hit.kind for hit in store.search("unite")}
        assert kinds == {"quote"}
        hits = store.search("dushanbe")
        assert hits and hits[0].file == "a.txt" and hits[0].kind == "sentence"
        assert store.search("nothing-like-this") == []
        assert store.search('"; DROP TABLE files; --') == []  # hostile input is just words


def test_replacing_a_digest_replaces_its_search_passages(store_location: StoreLocation) -> None:
    with open_store_at(store_location) as store:
        store.put_digest(make_digest(), size=1, mtime_ns=1)
        store.put_digest(make_digest(text="Ministers gathered in Baku."), size=2, mtime_ns=2)
        assert store.search("dushanbe") == []
        assert store.search("baku")


def test_errors_are_recorded_and_removal_forgets_everything(store_location: StoreLocation) -> None:
    with open_store_at(store_location) as store:
        store.put_digest(make_digest(), size=1, mtime_ns=1)
        store.put_error(
            BuildError("bad.txt", "file is empty"), size=0, mtime_ns=1, content_hash=""
        )
        assert store.errors() == [BuildError("bad.txt", "file is empty")]
        assert store.file_states()["bad.txt"].failed
        store.remove(["a.txt", "bad.txt"])
        assert store.digests() == [] and store.errors() == [] and store.search("dushanbe") == []


def test_loading_digests_never_imports_the_nlp_model(seed_store: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from briefings.library import Library; "
        "from briefings.store.digests import DigestStore; "
        f"lib = Library.load(DigestStore(Path({str(seed_store)!r}))); "
        "assert lib.articles and lib.summits and lib.latest_summit().quotes; "
        "print(sorted(m for m in ('spacy', 'thinc') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
