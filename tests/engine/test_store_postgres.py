"""The digest store on PostgreSQL: chosen from the settings, equal to SQLite in what it exports
and finds, migrated once by processes starting together, and followed by other processes'
libraries when a build lands (issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from quality_support import Export

from briefings.__main__ import export_document
from briefings.__main__ import main as cli_main
from briefings.config import EngineSettings
from briefings.library import Library
from briefings.models import ArticleMeta, Digest, Entities
from briefings.pipeline import build
from briefings.store import StoreLocation, open_store, open_store_at
from briefings.store.digests import DigestStore
from briefings.store.location import DEFAULT_SCHEMA, PostgresLocation
from briefings.store.schema import STORE_VERSION
from briefings.store.summit_index import refresh_summits
from briefings.store_health import open_library

PROJECT = Path(__file__).resolve().parents[2]


def _digest(name: str, published: str, text: str) -> Digest:
    return Digest(
        article_id=name,
        file=name,
        content_hash=f"hash-{name}",
        meta=ArticleMeta(title=f"Title of {name}", published=published),
        summary=(text,),
        quotes=(),
        timeline=(),
        unresolved_dates=(),
        entities=Entities(),
        summit="OSCE|Vienna|2031-03",
        paragraphs=(text,),
    )


def test_the_settings_choose_the_store_by_database_url(tmp_path: Path) -> None:
    seeds, data = tmp_path / "seeds", tmp_path / "data"
    plain = EngineSettings(seeds_dir=seeds, data_dir=data)
    assert plain.store_location() == data / "digests.sqlite3"
    sqlite_bot = EngineSettings(seeds_dir=seeds, data_dir=data, database_url="sqlite:///b.db")
    assert sqlite_bot.store_location() == data / "digests.sqlite3"  # unchanged for users
    url = "postgresql://bot:s3cret@db.example:5432/briefings"
    pg = EngineSettings(seeds_dir=seeds, data_dir=data, database_url=url)
    assert pg.store_location() == PostgresLocation(url, DEFAULT_SCHEMA)
    other = pg.store_location(tmp_path / "Corpus Articles")
    assert isinstance(other, PostgresLocation) and other.schema != DEFAULT_SCHEMA
    assert other.schema.startswith(f"{DEFAULT_SCHEMA}_corpus_articles_")
    assert other == pg.store_location(tmp_path / "Corpus Articles")  # stable: rebuilt never
    legacy = EngineSettings(seeds_dir=seeds, database_url="postgres://u@h/d").store_location()
    assert isinstance(legacy, PostgresLocation) and legacy.url == "postgresql://u@h/d"
    assert "s3cret" not in repr(pg.store_location())


def test_an_unreachable_server_is_one_line_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "seeds").mkdir()
    monkeypatch.setenv("SEEDS_DIR", str(tmp_path / "seeds"))
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:s3cret@127.0.0.1:9/none")
    assert cli_main(["build", "-q"]) == 1
    err = capsys.readouterr().err
    assert "cannot open the digest store in postgresql://bot:***@127.0.0.1:9/none" in err
    assert "s3cret" not in err and "Traceback" not in err


def _export(location: StoreLocation) -> dict[str, object]:
    store, library, damage = open_library(location)
    with store:
        assert damage is None
        return export_document(library)


def test_the_seeds_built_into_postgresql_export_as_on_sqlite(
    postgres_url: str, seeds_dir: Path, seed_store: Path
) -> None:
    location = PostgresLocation(postgres_url)
    with open_store_at(location) as store:
        report = build(seeds_dir, store)
    assert len(report.built) == len(list(seeds_dir.glob("*.txt"))) and not report.errors
    on_postgres, on_sqlite = _export(location), _export(seed_store)
    assert on_postgres["articles"] and on_postgres["summits"]
    assert on_postgres == on_sqlite


#: Queries written for the two sample seeds: names, places, stemmed and prefixed words.
SEED_QUERIES = (
    "cultural capital Lachin",
    "Commonwealth Games",
    "civilized divorce",
    "Rahmon bilateral",
    "brotherhood friendship",
    "reconstruction occupied lands",
    "near abroad",
    "climate summit Baku",
    "collapse Soviet Union",
    "pragmatic foreign policy",
    "sovereign* territory",
    "strengthening ties neighbors",
)


def test_search_gives_the_same_best_hit_on_both_engines(
    postgres_url: str, seed_store: Path
) -> None:
    with DigestStore(seed_store) as sqlite, open_store_at(PostgresLocation(postgres_url)) as pg:
        with pg.transaction():
            for digest in sqlite.digests():
                pg.put_digest(digest, size=1, mtime_ns=1)
        refresh_summits(pg)
        for query in SEED_QUERIES:
            expected = sqlite.search(query, limit=1)
            assert expected, query  # the query is about the seeds
            assert pg.search(query, limit=1) == expected, query
        assert pg.search_quotes("aliyev") == sqlite.search_quotes("aliyev")
        assert pg.names_speaker("aliyev") and sqlite.names_speaker("aliyev")


def test_a_build_landing_through_one_handle_reaches_the_others_library(
    store_location: StoreLocation,
) -> None:
    with open_store_at(store_location) as reader, open_store_at(store_location) as builder:
        with builder.transaction():
            builder.put_digest(_digest("old.txt", "2031-03-01", "The talks began."), 1, 1)
        refresh_summits(builder)
        library = Library.load(reader)
        assert [c.file for c in library.articles] == ["old.txt"]
        assert not library.changed_in_store()
        with builder.transaction():
            builder.put_digest(_digest("new.txt", "2031-03-02", "The talks ended."), 1, 1)
        # Digests recorded, summits not merged yet: the build has not landed.
        assert not library.changed_in_store()

        def land() -> None:
            time.sleep(0.3)
            refresh_summits(builder)

        lander = threading.Thread(target=land)
        lander.start()
        try:
            deadline = time.monotonic() + 10
            while not library.changed_in_store():
                assert time.monotonic() < deadline, "the other handle's build never showed"
                time.sleep(0.05)
        finally:
            lander.join(timeout=10)
        fresh = Library.load(reader)
        assert [c.file for c in fresh.articles] == ["new.txt", "old.txt"]
        head = fresh.summits[0]
        assert set(head.files) == {"new.txt", "old.txt"}
        assert not fresh.changed_in_store()


_OPEN_AND_WRITE = """
import sys
from briefings.store import open_store_at
from briefings.store.location import PostgresLocation
from briefings.models import ArticleMeta, Digest, Entities
name = sys.argv[2]
digest = Digest(name, name, "h", ArticleMeta(title=name, published="2031-01-01"), (), (), (),
                (), Entities(), None, ("Talks in Vienna.",))
with open_store_at(PostgresLocation(sys.argv[1])) as store, store.transaction():
    store.put_digest(digest, 1, 1)
"""


def test_processes_opening_a_new_store_together_migrate_it_once(postgres_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_AND_WRITE, postgres_url, f"p{i}.txt"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    try:
        for child in children:
            _, err = child.communicate(timeout=60)
            assert child.returncode == 0, err
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    with psycopg.connect(postgres_url) as conn:
        version = conn.execute(
            f"SELECT value FROM {DEFAULT_SCHEMA}.store_meta WHERE key = 'schema_version'"
        ).fetchone()
    assert version == (STORE_VERSION,)
    with open_store_at(PostgresLocation(postgres_url)) as store:
        assert sorted(store.file_states()) == [f"p{i}.txt" for i in range(4)]
        assert len(store.search("vienna", limit=10)) == 4


def test_open_store_follows_the_settings(postgres_url: str, tmp_path: Path) -> None:
    settings = EngineSettings(seeds_dir=tmp_path, data_dir=tmp_path, database_url=postgres_url)
    with open_store(settings) as store:
        assert store.location == PostgresLocation(postgres_url)
        assert not store.replaced()  # nothing to set aside on PostgreSQL
        reopened = store.reopen()
        reopened.close()
    assert not (tmp_path / "digests.sqlite3").exists()


def _drop_store_connections(url: str) -> int:
    """End the store's server connections, as a server restart or a failover does."""
    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'summit-briefings-store' AND datname = current_database()"
        ).fetchall()
    return len(rows)


def test_a_dropped_connection_is_replaced_and_a_lost_transaction_left_undone(
    postgres_url: str,
) -> None:
    with open_store_at(PostgresLocation(postgres_url)) as store:
        with store.transaction():
            store.put_digest(_digest("a.txt", "2031-03-01", "Talks opened in Vienna."), 1, 1)
        hits = store.search("vienna")
        assert hits
        assert _drop_store_connections(postgres_url) == 1
        assert store.search("vienna") == hits  # asked again on a new connection
        with pytest.raises(psycopg.OperationalError), store.transaction():
            store.put_digest(_digest("b.txt", "2031-03-02", "Talks closed in Vienna."), 1, 1)
            _drop_store_connections(postgres_url)
            store.put_digest(_digest("c.txt", "2031-03-03", "Talks resumed in Vienna."), 1, 1)
        assert sorted(store.file_states()) == ["a.txt"]  # nothing of the lost transaction
        assert store.search("vienna") == hits


def test_the_cli_export_of_the_corpus_on_postgresql_equals_sqlites(
    corpus_export: Export, postgres_url: str, tmp_path: Path
) -> None:
    """The real CLI (a process pool digests, and merges the summits from the store's location
    in a pool worker) with ``DATABASE_URL`` on PostgreSQL: the same export as on SQLite."""
    out = subprocess.run(
        [sys.executable, "-m", "briefings", "export", str(corpus_export.articles)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": postgres_url},
        cwd=PROJECT,
        timeout=900,
    ).stdout
    assert json.loads(out) == corpus_export.document
    assert not list((tmp_path / "data").rglob("*.sqlite3"))  # everything went to PostgreSQL
