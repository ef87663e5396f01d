"""The first start of a bot on a folder of seeds: what it says while it prepares them, and which
articles count as news (the starting archive is what the folder held when the bot started)."""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support import ask, make_settings
from test_scheduler import RecordingSender, Renders, fake_digest_seed, offline_application

from bot.app import build_application, running
from bot.config import Settings
from bot.delivery.scheduler import BriefingScheduler
from bot.delivery.subscriptions import SubscriptionStore
from briefings import pipeline
from briefings.pipeline import Outcome, SeedFile
from fakeapi import FakeBotApi, parse_html

pytestmark = pytest.mark.timeout(90)

CHAT = 5


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.txt").write_text("Leaders met in a harbour town on Friday.\n")
    (folder / "b.md").write_text("# Talks\n\nThe talks ended without a statement.\n")
    return folder


@pytest.fixture
async def store() -> AsyncIterator[SubscriptionStore]:
    store = await SubscriptionStore.open("sqlite:///:memory:")
    yield store
    await store.close()


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadPoolExecutor]:
    monkeypatch.setattr(pipeline, "digest_seed", fake_digest_seed)
    with ThreadPoolExecutor(2) as executor:
        yield executor


def offline_scheduler(
    tmp_path: Path,
    seeds: Path,
    store: SubscriptionStore,
    threads: ThreadPoolExecutor,
    renders: Renders,
) -> BriefingScheduler:
    """A scheduler on ``seeds`` that digests in threads and records what it would announce."""
    return BriefingScheduler(
        settings=Settings(seeds_dir=seeds, data_dir=tmp_path / "data", seed_poll_seconds=30),
        subscriptions=store,
        sender=RecordingSender(store),
        render_new_articles=renders.new_articles,
        render_daily=renders.daily,
        on_library=renders.on_library,
        executor=threads,
    )


async def test_an_article_arriving_before_the_first_build_is_announced(
    tmp_path: Path, seeds: Path, store: SubscriptionStore, threads: ThreadPoolExecutor
) -> None:
    """The folder held a and b when the bot started; c landed before the first build read the
    folder.  a and b are the starting archive (never announced); c is news."""
    await store.subscribe_new(CHAT)
    renders = Renders()
    scheduler = offline_scheduler(tmp_path, seeds, store, threads, renders)
    try:
        await scheduler.start(offline_application())
        (seeds / "c.txt").write_text("Ministers signed a fishing accord after the summit.\n")
        assert await scheduler.check_seeds() is None  # the watcher's first look
        report = await scheduler.check_seeds()  # the first build: all three are digested
        assert report is not None and len(report.built) == 3
        assert renders.new_calls == [["c.txt"]]
        assert scheduler._sender.wakes == 1  # type: ignore[attr-defined]
        # Nothing is announced twice, and the starting archive never is.
        await scheduler.reload()
        assert renders.new_calls == [["c.txt"]]
    finally:
        await scheduler.stop()


def slow_digest(seed: SeedFile, stored_hash: str | None = None) -> Outcome:
    """The digest as the pool does it, slow enough that commands arrive while it runs."""
    time.sleep(1.5)
    return fake_digest_seed(seed, stored_hash)


async def test_first_start_says_the_articles_are_being_prepared(
    tmp_path: Path, seeds_dir: Path, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seeds are there but not digested yet: a command says how many are being prepared and
    when to ask again, never that there are no articles."""
    shutil.copytree(seeds_dir, tmp_path / "seeds")
    (tmp_path / "data").mkdir()
    monkeypatch.setattr(pipeline, "digest_seed", slow_digest)
    monkeypatch.setattr(pipeline, "make_pool", lambda workers=None: ThreadPoolExecutor(1))
    count = len(list((tmp_path / "seeds").iterdir()))
    app = build_application(make_settings(tmp_path, api, seed_poll_seconds=30))
    async with running(app):
        for command in ("/summary", "/start"):
            [reply] = await ask(api, 42, command)
            text, _ = parse_html(reply.raw_text or "")
            assert f"preparing {count} articles" in text, text
            assert "Ask again in about 1 minute" in text, text
            assert "No articles have been digested" not in text


async def test_a_feed_archive_recorded_before_the_first_build_is_not_announced(
    tmp_path: Path, seeds: Path, store: SubscriptionStore, threads: ThreadPoolExecutor
) -> None:
    """A followed feed's first items are its archive (``add_known``), also when they are
    written after the bot started but before the first build made its record; an article
    that simply lands in the folder then is still news."""
    await store.subscribe_new(CHAT)
    renders = Renders()
    scheduler = offline_scheduler(tmp_path, seeds, store, threads, renders)

    async def write_feed_items() -> None:
        (seeds / "src_1.md").write_text("# Archive item\n\nEnvoys met in a port city.\n")
        (seeds / "src_2.md").write_text("# Archive item\n\nEnvoys signed a charter.\n")

    try:
        await scheduler.start(offline_application())
        await scheduler.add_known(["src_1.md", "src_2.md"], write_feed_items)
        (seeds / "c.txt").write_text("Ministers signed a fishing accord after the summit.\n")
        assert await scheduler.check_seeds() is None  # the watcher's first look
        report = await scheduler.check_seeds()  # the first build
        assert report is not None and len(report.built) == 5
        assert renders.new_calls == [["c.txt"]]
    finally:
        await scheduler.stop()
