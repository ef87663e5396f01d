"""Shared fixtures: where the seeds and the shared gold corpus live."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from bench.local_servers import Cluster
    from briefings.library import Library
    from fakeapi import FakeBotApi

PROJECT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT / "seeds"
SHARED = PROJECT.parent / "shared"
CORPUS_DIR = SHARED / "corpus"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The project's own sample seeds (always present)."""
    return SEEDS_DIR


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The gold corpus beside the project; tests that need it skip in a user's clone."""
    if not (CORPUS_DIR / "gold").is_dir():
        pytest.skip(
            f"gold corpus not found at {CORPUS_DIR} (only CI and developers have ../shared)"
        )
    return CORPUS_DIR


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A PostgreSQL server for the session (see ``bench/local_servers.py`` for where it comes
    from); the tests that need one skip, saying why, where there is none, except under
    ``REQUIRE_POSTGRES=1`` (CI), where that is a failure."""
    from bench.local_servers import NoPostgres, start_cluster

    try:
        cluster = start_cluster()
    except NoPostgres as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {exc}")
        pytest.skip(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped after it."""
    url = postgres_cluster.create_database()
    try:
        yield url
    finally:
        postgres_cluster.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same behaviour test on both engines: a new SQLite file, or a new PostgreSQL
    database (skipped where there is no server, see ``postgres_cluster``)."""
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'bot.sqlite3').as_posix()}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two sample seeds built once into a store shared by the read-only tests."""
    from briefings.pipeline import build
    from briefings.store.digests import DigestStore

    path = tmp_path_factory.mktemp("seed-store") / "digests.sqlite3"
    with DigestStore(path) as store:
        report = build(SEEDS_DIR, store)
    assert not report.errors, report.errors
    return path


@pytest.fixture(scope="session")
def seed_library(seed_store: Path) -> Iterator[Library]:
    """The seeds' digests and summits, loaded as the bot loads them (reading through an open
    store, since briefings and digests are read on demand)."""
    from briefings.library import Library
    from briefings.store.digests import DigestStore

    with DigestStore(seed_store) as store:
        yield Library.load(store)


@pytest.fixture
def workdir(tmp_path: Path, seeds_dir: Path, seed_store: Path) -> Path:
    """Seeds folder with both sample seeds and a data folder with their digests already built."""
    from support import make_workdir

    return make_workdir(tmp_path, seeds_dir, seed_store)


@pytest.fixture
async def api(request: pytest.FixtureRequest) -> AsyncIterator[FakeBotApi]:
    """The fake Bot API server on 127.0.0.1, accepting the tests' token.

    When the test passed, every message the bot sent or edited in it and every button answer
    is checked as a Telegram client displays it: no literal tag or character reference may
    show (tests marked ``shows_typed_markup`` feed the bot markup on purpose and check what
    they expect themselves).
    """
    from support import TOKEN, check_everything_displayed

    from fakeapi import FakeBotApi

    async with FakeBotApi(token=TOKEN) as server:
        yield server
        report = getattr(request.node, "rep_call", None)
        passed = report is not None and report.passed
        if passed and request.node.get_closest_marker("shows_typed_markup") is None:
            check_everything_displayed(server)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Keep the call's report on the item, so fixtures know at teardown whether it passed."""
    report = yield
    if call.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many messages were checked as a reader sees them."""
    from support import CHECKED

    if CHECKED["messages"]:
        terminalreporter.write_line(
            f"[displayed] {CHECKED['messages']} messages and button answers checked as "
            "Telegram displays them (no literal markup; the words a reader needs)"
        )
