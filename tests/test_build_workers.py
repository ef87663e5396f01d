"""Build workers (issue 16): real ``python -m briefings worker`` processes on one queue in
PostgreSQL.  Every file is digested once by one builder, a builder killed mid-file loses
nothing, a file that never finishes ends failed with its error, and SIGTERM ends a builder
promptly.  Skipped where there is no PostgreSQL server (see ``postgres_cluster``)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from support import ask, displayed, make_settings, shown

from bot.app import build_application, running
from bot.config import Settings
from briefings import build_queue
from briefings.config import EngineSettings
from briefings.models import BuildError
from briefings.store import open_store
from briefings.store.digests import DigestStore
from fakeapi import FakeBotApi

PROJECT = Path(__file__).resolve().parent.parent
CORPUS_ARTICLES = PROJECT.parent / "shared" / "corpus" / "articles"
#: Seconds any wait of these tests allows; a test never waits longer than this for one thing.
PATIENCE = 150.0
USER = 501


class Worker:
    """``python -m briefings -v worker`` as a child process, its log in a file."""

    def __init__(self, work: Path, url: str, name: str, **env: str) -> None:
        self.log_path = work / f"{name}.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
        environment.update(
            SEEDS_DIR=str(work / "seeds"),
            DATA_DIR=str(work / "data"),
            DATABASE_URL=url,
            PYTHONUNBUFFERED="1",
            **env,
        )
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "briefings", "-v", "worker"],
                cwd=PROJECT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def tag(self) -> str:
        """How this builder names itself in the queue's ``worker`` column (host:pid)."""
        return f":{self.proc.pid}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        wait_for(lambda: "digest process ready" in self.log(), f"{self.log_path.name} ready")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """The builders a test starts; every one is killed at the end, whatever happened."""
    started: list[Worker] = []
    try:
        yield started
    finally:
        for worker in started:
            worker.kill()


def wait_for(condition: Callable[[], object], what: str, timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.1)


def rows(url: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def jobs(url: str) -> dict[str, tuple[object, ...]]:
    """Each job's file -> (state, attempts, builds, worker, error); one content per file."""
    found = rows(url, "SELECT name, state, attempts, builds, worker, error FROM build_jobs")
    return {str(row[0]): row[1:] for row in found}


def open_jobs(url: str) -> int:
    return len(rows(url, "SELECT 1 FROM build_jobs WHERE state IN ('queued', 'running')"))


def make_seeds(folder: Path, count: int) -> list[str]:
    """``count`` articles: the corpus's and the project's, each copy with a line of its own
    at the end (a new content, so a new job)."""
    sources = sorted(CORPUS_ARTICLES.glob("*.txt")) + sorted((PROJECT / "seeds").glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for index in range(count):
        source = sources[index % len(sources)]
        name = f"{index:03d}_{source.name}"
        note = f"\n\nThis copy, number {index}, was filed for the builders' test.\n"
        (folder / name).write_text(source.read_text() + note)
        names.append(name)
    return names


def long_article(paragraphs: int) -> str:
    """An article of ``paragraphs`` distinct paragraphs (a long transcript: every paragraph has
    a quote and a date); 3,000 take several seconds to digest on a 2-core machine."""
    lines = ["Ministers meet for a summit of many sessions", "", "May 4, 2021", ""]
    for i in range(paragraphs):
        lines.append(
            f"In session {i}, the ministers discussed item {i * 7 + 3} of the agenda for "
            f'{i % 50 + 10} minutes. "We agreed on point {i}," the chair said on May '
            f"{i % 28 + 1}, 2021. Delegates from {i % 90 + 5} countries took part."
        )
        lines.append("")
    return "\n".join(lines)


def enqueue_cli(work: Path, url: str, *names: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    environment.update(SEEDS_DIR=str(work / "seeds"), DATA_DIR=str(work / "data"))
    environment["DATABASE_URL"] = url
    done = subprocess.run(
        [sys.executable, "-m", "briefings", "enqueue", *names],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def work_store(work: Path, url: str) -> DigestStore:
    """The digest store the builders write to: the one beside the queue, as they open it."""
    settings = EngineSettings(seeds_dir=work / "seeds", data_dir=work / "data", database_url=url)
    return open_store(settings)


def stored_digests(work: Path, url: str) -> set[str]:
    with work_store(work, url) as store:
        return {card.file for card in store.cards()}


@pytest.mark.timeout(300)
def test_two_builders_digest_every_seed_exactly_once(
    postgres_url: str, tmp_path: Path, workers: list[Worker]
) -> None:
    names = make_seeds(tmp_path / "seeds", 32)
    workers += [Worker(tmp_path, postgres_url, f"builder{i}") for i in (1, 2)]
    for worker in workers:
        worker.wait_ready()

    out = enqueue_cli(tmp_path, postgres_url)
    assert out.startswith("queued 32, already queued or built 0, unreadable 0, failed jobs 0")
    wait_for(lambda: open_jobs(postgres_url) == 0, "the queue to empty")

    found = jobs(postgres_url)
    assert sorted(found) == names
    assert {job[:3] for job in found.values()} == {("done", 1, 1)}  # built once, first try
    by_worker = Counter(
        next(w.tag for w in workers if str(job[3]).endswith(w.tag)) for job in found.values()
    )
    assert len(by_worker) == 2, by_worker  # both builders took part
    built = Counter(
        line.rpartition(": built ")[2]
        for worker in workers
        for line in worker.log().splitlines()
        if ": built " in line
    )
    assert built == Counter(names)  # each file digested by exactly one builder, once
    wait_for(
        lambda: stored_digests(tmp_path, postgres_url) == set(names), "every digest in the store"
    )

    # Unchanged files are not queued again; a changed one is a new job, built once.
    assert enqueue_cli(tmp_path, postgres_url, *names).startswith("queued 0, already queued")
    changed = tmp_path / "seeds" / names[5]
    changed.write_text(changed.read_text() + "\nA correction was added later.\n")
    assert enqueue_cli(tmp_path, postgres_url).startswith("queued 1, already queued or built 0")
    wait_for(lambda: open_jobs(postgres_url) == 0, "the changed file's job")
    both = rows(postgres_url, "SELECT state, builds FROM build_jobs WHERE name = %s", (names[5],))
    assert sorted(both) == [("done", 1), ("done", 1)]


@pytest.mark.timeout(300)
def test_a_builder_killed_mid_file_loses_nothing(
    postgres_url: str, tmp_path: Path, workers: list[Worker]
) -> None:
    names = make_seeds(tmp_path / "seeds", 4)
    (tmp_path / "seeds" / "long.txt").write_text(long_article(3000))
    enqueue_cli(tmp_path, postgres_url, "long.txt", *names)  # the long file is claimed first
    lease = {"BUILD_LEASE_SECONDS": "3"}
    first = Worker(tmp_path, postgres_url, "first", **lease)
    workers.append(first)
    wait_for(lambda: jobs(postgres_url)["long.txt"][0] == "running", "the long file's claim")
    time.sleep(1.0)  # well inside its digest (several seconds)
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(10)
    state, attempts, builds, worker, _ = jobs(postgres_url)["long.txt"]
    assert (state, attempts, builds) == ("running", 1, 0)
    assert str(worker).endswith(first.tag)

    second = Worker(tmp_path, postgres_url, "second", **lease)
    workers.append(second)
    wait_for(lambda: open_jobs(postgres_url) == 0, "the other builder to finish the queue")
    found = jobs(postgres_url)
    state, attempts, builds, worker, _ = found["long.txt"]
    assert (state, attempts, builds) == ("done", 2, 1)  # claimed again after the lease
    assert str(worker).endswith(second.tag)
    assert all(found[name][:3] == ("done", 1, 1) for name in names)
    assert stored_digests(tmp_path, postgres_url) == {"long.txt", *names}
    assert ": built long.txt" in second.log() and ": built" not in first.log()


@pytest.mark.timeout(300)
def test_a_file_that_never_finishes_ends_failed_with_its_error(
    postgres_url: str, tmp_path: Path, workers: list[Worker]
) -> None:
    names = make_seeds(tmp_path / "seeds", 2)
    (tmp_path / "seeds" / "endless.txt").write_text(long_article(6000))  # ~16 s to digest
    enqueue_cli(tmp_path, postgres_url, "endless.txt", *names)
    limits = {"BUILD_FILE_TIMEOUT_SECONDS": "3", "BUILD_MAX_ATTEMPTS": "2"}
    worker = Worker(tmp_path, postgres_url, "builder", **limits)
    workers.append(worker)
    wait_for(lambda: open_jobs(postgres_url) == 0, "the queue to empty")

    found = jobs(postgres_url)
    state, attempts, builds, _, error = found["endless.txt"]
    assert (state, attempts, builds) == ("failed", 2, 0)
    assert error == "reading or digesting took longer than 3 s (2 tries)"
    assert all(found[name][:3] == ("done", 1, 1) for name in names), (found, worker.log())
    with work_store(tmp_path, postgres_url) as store:
        assert [(e.file, e.error) for e in store.errors()] == [("endless.txt", error)]
    assert "endless.txt failed: reading or digesting took longer than 3 s" in worker.log()
    # Reported by the CLI, and not queued again while the file is unchanged.
    out = enqueue_cli(tmp_path, postgres_url, "endless.txt")
    assert out.startswith("queued 0, already queued or built 1, unreadable 0, failed jobs 1")
    assert f"  failed: endless.txt: {error}" in out


@pytest.mark.timeout(200)
def test_sigterm_gives_the_file_back_and_exits_promptly(
    postgres_url: str, tmp_path: Path, workers: list[Worker]
) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "long.txt").write_text(long_article(3000))
    enqueue_cli(tmp_path, postgres_url, "long.txt")
    worker = Worker(tmp_path, postgres_url, "builder")
    workers.append(worker)
    wait_for(lambda: jobs(postgres_url)["long.txt"][0] == "running", "the long file's claim")
    worker.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert worker.proc.wait(15) == 0
    assert time.monotonic() - started < 6  # the 2 s grace, then the digest process is ended
    state, attempts, builds, holder, _ = jobs(postgres_url)["long.txt"]
    assert (state, attempts, builds, holder) == ("queued", 0, 0, None)  # given back, uncounted
    assert "long.txt given back to the queue" in worker.log()

    idle = Worker(tmp_path, postgres_url, "idle")
    workers.append(idle)
    wait_for(lambda: jobs(postgres_url)["long.txt"][0] == "done", "the file built by the next")
    idle.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert idle.proc.wait(15) == 0
    assert time.monotonic() - started < 4  # an idle builder looks up every second


@pytest.mark.timeout(200)
async def test_the_bot_queues_new_seeds_for_builders_and_announces_what_they_built(
    postgres_url: str, workdir: Path, api: FakeBotApi, workers: list[Worker]
) -> None:
    builder = Worker(workdir, postgres_url, "builder")
    workers.append(builder)
    builder.wait_ready()
    settings = make_settings(
        workdir, api, database_url=postgres_url, build_workers="external", seed_poll_seconds=0.5
    )
    async with running(build_application(settings)):
        [ok] = await ask(api, USER, "/subscribe")
        assert "Subscribed" in shown(ok)
        await asyncio.sleep(1.5)  # the first poll records the existing archive
        since = api.mark()
        (workdir / "seeds" / "003_lakeside.txt").write_text(
            "Foreign ministers meet in Geneva\n\nMarch 3, 2024\n\nForeign ministers met in "
            "Geneva on March 3, 2024 and agreed to extend the ceasefire talks by a month.\n"
            + (PROJECT / "seeds" / "000_828d40792933caee.txt").read_text(),
        )
        [briefing] = await api.wait_for_messages(
            since=since, timeout=90, predicate=lambda r: "New article" in displayed(r).text
        )
        shown(briefing, "Foreign ministers meet in Geneva")
        await asyncio.sleep(2.0)
        # Once, though the bot looked again while it was built; and the starting archive,
        # which the builder digested after the bot's first look (the PostgreSQL store starts
        # empty), is never announced as news.
        announced = [r for r in api.sent if "New article" in displayed(r).text]
        assert len(announced) == 1
    found = jobs(postgres_url)
    state, attempts, builds, worker, _ = found["003_lakeside.txt"]
    assert (state, attempts, builds) == ("done", 1, 1)
    assert str(worker).endswith(builder.tag)  # digested by the builder, not in the bot
    archive = {p.name for p in (workdir / "seeds").iterdir()} - {"003_lakeside.txt"}
    assert set(found) == archive | {"003_lakeside.txt"}  # each queued once, as the store lacked it
    assert all(job[:3] == ("done", 1, 1) for job in found.values()), found


def test_external_builders_need_a_postgresql_database(tmp_path: Path) -> None:
    sqlite = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    with pytest.raises(ValueError, match="BUILD_WORKERS=external needs DATABASE_URL=postgresql"):
        Settings(build_workers="external", database_url=sqlite)
    assert Settings(database_url=sqlite).build_workers == "local"  # the default


def test_enqueue_queues_again_only_what_the_store_does_not_hold(
    postgres_url: str, tmp_path: Path
) -> None:
    names = make_seeds(tmp_path / "seeds", 3)
    store = DigestStore(tmp_path / "digests.sqlite3")
    with build_queue.connect(postgres_url) as conn, store:
        assert build_queue.enqueue_changed(conn, tmp_path / "seeds", store).queued == names
        assert build_queue.enqueue_changed(conn, tmp_path / "seeds", store).queued == []
        for _ in names:  # a builder ran each job, but no digest reached this store (set aside)
            job = build_queue.claim(conn, "test:1", 30)
            assert job is not None
            state = "skipped" if job.name == names[2] else "done"
            build_queue.finish(conn, job, state, built=state == "done")
        report = build_queue.enqueue_changed(conn, tmp_path / "seeds", store)
        assert report.queued == names  # built before, but not in the store: built again
        assert build_queue.enqueue(conn, tmp_path / "seeds", names).queued == []
        # A file whose content the store holds is not queued; a removed file is forgotten.
        seed = tmp_path / "seeds" / names[1]
        size, mtime_ns = seed.stat().st_size, seed.stat().st_mtime_ns
        with store.transaction():
            store.put_error(BuildError(names[1], "x"), size, mtime_ns, build_queue.file_hash(seed))
            store.put_error(BuildError(names[0], "x"), 1, 1, "an old content")
        seed.touch()  # a new mtime, the same content
        (tmp_path / "seeds" / names[0]).unlink()
        report = build_queue.enqueue_changed(conn, tmp_path / "seeds", store)
        assert (report.queued, report.known, report.removed) == ([], 2, [names[0]])
        assert set(store.file_states()) == {names[1]}
    assert jobs(postgres_url)[names[1]][:3] == ("queued", 0, 1)  # built once before


def test_enqueue_refuses_names_outside_the_seeds_folder(postgres_url: str, tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "secret.txt").write_text("Not an article of the seeds folder.\n")
    (tmp_path / "seeds" / "link.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "seeds" / "notes.pdf").write_bytes(b"%PDF-1.4")
    asked = ["../secret.txt", str(tmp_path / "secret.txt"), "link.txt", "notes.pdf", "gone.txt"]
    with build_queue.connect(postgres_url) as conn:
        report = build_queue.enqueue(conn, tmp_path / "seeds", asked)
    assert report.queued == []
    reasons = dict(report.unreadable)
    outside = "not a file of the seeds folder (SEEDS_DIR)"
    assert [reasons[name] for name in asked[:3]] == [outside] * 3
    assert reasons["notes.pdf"].startswith("not an article file")
    assert "No such file" in reasons["gone.txt"]
    assert jobs(postgres_url) == {}


def test_worker_without_a_reachable_queue_says_so_in_one_line(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    environment.update(SEEDS_DIR=str(tmp_path / "seeds"), DATA_DIR=str(tmp_path / "data"))
    for url, code, said in [
        (None, 2, "the build queue lives in PostgreSQL: set DATABASE_URL=postgresql://"),
        (f"sqlite:///{tmp_path}/bot.db", 2, "(it is not a PostgreSQL URL)"),
        ("postgresql://briefings:s3cret-pw@127.0.0.1:1/queue", 1, "cannot reach the build queue"),
    ]:
        env = environment if url is None else {**environment, "DATABASE_URL": url}
        done = subprocess.run(
            [sys.executable, "-m", "briefings", "worker"],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == code
        assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "s3cret-pw" not in done.stderr + done.stdout
