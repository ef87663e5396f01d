"""Poll the sources when due, turn new and edited articles into seed files.

The bot runs :meth:`SourcePoller.poll` from a repeating job of its own; each due source is
fetched in a task of its own (a never-ending response delays only its source), through the shared
:class:`~sources.fetch.Fetcher` (few requests at once, one per host).

**What is announced.**  The seeds watcher announces seed files it has not announced before.  A
source's *first* successful fetch is its archive: those files are handed to ``publish`` in a batch
marked ``archive=True``, which the bot records as already announced before writing them, so
adding a feed with 50 old items floods nobody.  Later fetches give new files (announced once) and
rewritten files (an edit: re-digested under the same name, not announced again).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sources.config import SourceError, SourceSpec, check_url, read_sources_file
from sources.fetch import Fetcher, FetchError
from sources.parse import Article, ParseError, parse
from sources.seeds import (
    bands,
    content_hash,
    decode_signature,
    encode_signature,
    fingerprint,
    render_seed,
    similarity,
    write_seed,
)
from sources.store import ItemRow, SourceRow, SourceStore
from sources.urls import canonical_url, seed_name

log = logging.getLogger(__name__)

#: Longest wait between two fetches of a source, whatever its errors or caching headers say.
MAX_DELAY = 86_400.0
#: A feed item with fewer words than this is a teaser: its page is fetched for the full text.
TEASER_WORDS = 50
#: Share of word 3-shingles above which two texts are one story (wire copies: 0.7 and more;
#: two reports of one summit written separately: under 0.1).
NEAR_SIMILARITY = 0.5


@dataclass(frozen=True, slots=True)
class SeedWrite:
    """One seed file to write."""

    name: str
    text: str


@dataclass(slots=True)
class Batch:
    """What one fetch of one source gives the seeds folder."""

    source: str
    #: The source's first fetch: record these files as known, announce none of them.
    archive: bool
    writes: list[SeedWrite] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    #: Content hashes of the updated items before this fetch (restored if writing fails).
    previous: dict[str, str] = field(default_factory=dict)

    def write(self, seeds_dir: Path) -> None:
        """Write every file (in a worker thread)."""
        for seed in self.writes:
            write_seed(seeds_dir, seed.name, seed.text)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one poll of one source went (logs and tests)."""

    source: str
    status: str  # "new", "not modified", "error"
    batch: Batch | None = None
    error: str | None = None
    duplicates: int = 0
    also: int = 0


Publish = Callable[[Batch], Awaitable[None]]


class SourcePoller:
    """Keeps the sources' schedule and health, and feeds the seeds folder."""

    def __init__(
        self,
        *,
        store: SourceStore,
        seeds_dir: Path,
        sources_file: Path | None,
        interval: float,
        fetcher: Fetcher,
        publish: Publish | None = None,
        fail_report_after: float = 86_400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Nothing is fetched until :meth:`poll`.

        Args:
            publish: writes a batch's files; default: write them at once.  The bot passes one
                that records an archive batch as announced first (see the module docstring).
            fail_report_after: seconds of failing before :meth:`take_reports` returns a source.
        """
        self.store = store
        self.seeds_dir = seeds_dir
        self.sources_file = sources_file
        self.interval = interval
        self.fetcher = fetcher
        self.fail_report_after = fail_report_after
        self._publish = publish or self._write
        self._clock = clock
        self._inflight: dict[str, asyncio.Task[Outcome]] = {}
        self._file_stamp: tuple[int, int] | None = None
        self._publish_lock = asyncio.Lock()

    # --- configuration -------------------------------------------------------------------

    def sync_file(self) -> None:
        """Re-read ``SOURCES_FILE`` when it changed (cheap: one stat otherwise)."""
        if self.sources_file is None:
            return
        try:
            stat = self.sources_file.stat()
            stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        if stamp == self._file_stamp and self._file_stamp is not None:
            return
        self._file_stamp = stamp
        specs = read_sources_file(self.sources_file)
        self.store.sync_file_sources([(s.url, s.label) for s in specs])

    def sources(self) -> list[SourceRow]:
        """The followed sources, numbered from 1 in this order by ``/sources``."""
        return self.store.sources()

    def add(self, url: str, label: str = "") -> SourceSpec:
        """``/source add``: follow ``url``.

        Raises:
            SourceError: not a web address, or followed already.
        """
        spec = SourceSpec(check_url(url), " ".join(label.split())[:80])
        if not self.store.add_source(spec.url, spec.label):
            raise SourceError(f"{spec.url} is followed already")
        return spec

    def remove(self, number: int) -> SourceRow:
        """``/source remove N``: stop following the N-th source of :meth:`sources`.

        Raises:
            SourceError: no such number.
        """
        rows = self.sources()
        if not 1 <= number <= len(rows):
            raise SourceError(f"there is no source number {number} (1 to {len(rows)})")
        row = rows[number - 1]
        self.store.remove_source(row.url)
        return row

    # --- polling -------------------------------------------------------------------------

    async def poll(self) -> list[asyncio.Task[Outcome]]:
        """Start a fetch of every due source not being fetched; the tasks (tests await them)."""
        await asyncio.to_thread(self.sync_file)
        now = self._clock()
        started = []
        for row in await asyncio.to_thread(self.sources):
            if row.next_due > now or row.url in self._inflight:
                continue
            task = asyncio.create_task(self._guarded(row), name=f"source:{row.url[:60]}")
            self._inflight[row.url] = task
            task.add_done_callback(functools.partial(self._done, row.url))
            started.append(task)
        return started

    def _done(self, url: str, _task: asyncio.Task[Outcome]) -> None:
        self._inflight.pop(url, None)

    async def poll_all(self) -> list[Outcome]:
        """Poll and wait for every fetch started (tests, the demo)."""
        return list(await asyncio.gather(*await self.poll()))

    async def aclose(self) -> None:
        """Cancel fetches in flight and close the HTTP client."""
        for task in list(self._inflight.values()):
            task.cancel()
        await asyncio.gather(*self._inflight.values(), return_exceptions=True)
        await self.fetcher.aclose()

    def take_reports(self) -> list[SourceRow]:
        """Sources failing for ``fail_report_after`` and not reported yet; marked reported."""
        now = self._clock()
        due = [
            r
            for r in self.store.sources()
            if r.failing_since is not None
            and not r.reported
            and now - r.failing_since >= self.fail_report_after
        ]
        for row in due:
            self.store.update_source(row.url, reported=1)
        return due

    async def _guarded(self, row: SourceRow) -> Outcome:
        try:
            return await self._poll_one(row)
        except Exception as exc:  # a bug must not stop the other sources
            log.exception("source %s failed unexpectedly", row.url)
            return await asyncio.to_thread(self._failed, row, f"internal error: {exc}", None)

    async def _poll_one(self, row: SourceRow) -> Outcome:
        target = row.fetch_url or row.url
        try:
            result = await self.fetcher.get(
                target, etag=row.etag, last_modified=row.last_modified,
                accept="application/rss+xml, application/atom+xml, application/feed+json, "
                "application/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
            )  # fmt: skip
        except FetchError as exc:
            return await asyncio.to_thread(self._failed, row, str(exc), exc.retry_after)
        fields: dict[str, object] = {}
        if result.moved_to is not None:
            fields["fetch_url"] = result.moved_to
            log.info("source %s moved permanently to %s", row.url, result.moved_to)
        if result.status == 304:
            await asyncio.to_thread(self._succeeded, row, result.max_age, None, fields)
            return Outcome(row.url, "not modified")
        fields.update(etag=result.etag, last_modified=result.last_modified)
        try:
            parsed = await asyncio.to_thread(
                parse, result.body, result.content_type, result.url, row.label
            )
        except ParseError as exc:
            return await asyncio.to_thread(self._failed, row, str(exc), None, fields)
        articles = [await self._full_text(a, result.url) if parsed.kind == "feed" else a
                    for a in parsed.articles]  # fmt: skip
        # A page is one article its admin asked for: announced (it cannot flood anyone).
        archive = not row.primed and parsed.kind == "feed"
        outcome = await asyncio.to_thread(self._collect, row, articles, archive)
        if outcome.batch is not None and outcome.batch.writes:
            try:
                async with self._publish_lock:
                    await self._publish(outcome.batch)
            except Exception as exc:
                # Not written, so not known: the next fetch (unconditional) takes them again.
                log.exception("source %s: cannot write its seed files", row.url)
                await asyncio.to_thread(self.store.forget, outcome.batch.new,
                                        outcome.batch.previous)  # fmt: skip
                message = f"cannot write seed files: {exc}"[:300]
                return await asyncio.to_thread(self._failed, row, message, None)
        fields.update(primed=1, items=row.items + len(outcome.batch.new if outcome.batch else []))
        await asyncio.to_thread(self._succeeded, row, result.max_age, parsed.ttl, fields)
        return outcome

    async def _full_text(self, article: Article, feed_url: str) -> Article:
        """A teaser's page, extracted, when the item is new to us (once per article).

        Only on the feed's own site: a feed's links are someone else's input, and following
        them anywhere would let a feed make the bot fetch addresses of its own network.
        """
        if len(article.text.split()) >= TEASER_WORDS or not same_site(article.url, feed_url):
            return article
        keys = [("url", canonical_url(article.url))]
        if await asyncio.to_thread(self.store.find, keys) is not None:
            return article
        try:
            page = await self.fetcher.get(article.url, accept="text/html, */*;q=0.5")
            parsed = await asyncio.to_thread(
                parse, page.body, page.content_type, page.url, article.source
            )
        except (FetchError, ParseError) as exc:
            log.info("full text of %s not taken (%s); the feed's text is kept", article.url, exc)
            return article
        if parsed.kind != "page" or not parsed.articles:
            return article
        full = parsed.articles[0]
        if len(full.text) <= len(article.text):
            return article
        return Article(
            url=article.url,
            title=article.title or full.title,
            text=full.text,
            source=article.source or full.source,
            published=article.published or full.published,
            guid=article.guid,
        )

    def _collect(self, row: SourceRow, articles: list[Article], archive: bool) -> Outcome:
        """Dedupe ``articles`` against the archive; the seed files to (re)write (in a thread)."""
        batch = Batch(source=row.url, archive=archive)
        duplicates = also = 0
        fetched = dt.datetime.now(dt.UTC)
        outlet_of = row.label or row.url
        for article in articles:
            url = canonical_url(article.url)
            digest = content_hash(article)
            keys = []
            if article.guid:
                keys.append(("guid", f"{row.url}\n{article.guid}"))
            keys += [("url", url), ("hash", digest)]
            found = self.store.find(keys)
            if found is not None:
                edited = found.content_hash != digest and self.store.find(keys[:-1]) is not None
                self.store.touch(found.id, keys=keys, content_hash=digest if edited else None)
                if edited:
                    batch.previous[found.seed] = found.content_hash
                    batch.writes.append(SeedWrite(found.seed, render_seed(article, fetched, url)))
                    batch.updated.append(found.seed)
                else:
                    duplicates += 1
                continue
            signature = fingerprint(article.text)
            near_keys: list[tuple[str, str]] = []
            if signature is not None:
                near_keys = [(f"band{i}", b) for i, b in enumerate(bands(signature))]
                near_keys.append(("minhash", encode_signature(signature)))
                story = self._near(signature)
                if story is not None:
                    self.store.touch(story.id, keys=keys, source=article.source or outlet_of)
                    also += 1
                    continue
            name = seed_name(url)
            self.store.insert(
                seed=name, url=url, content_hash=digest, title=article.title,
                source=article.source or outlet_of, keys=keys + near_keys,
            )  # fmt: skip
            batch.writes.append(SeedWrite(name, render_seed(article, fetched, url)))
            batch.new.append(name)
        return Outcome(row.url, "new", batch, duplicates=duplicates, also=also)

    def _near(self, signature: list[int]) -> ItemRow | None:
        for item, stored in self.store.near(bands(signature)):
            if similarity(decode_signature(stored), signature) >= NEAR_SIMILARITY:
                return item
        return None

    def _succeeded(
        self, row: SourceRow, max_age: float | None, ttl: float | None,
        fields: dict[str, object],
    ) -> None:  # fmt: skip
        delay = min(MAX_DELAY, max(self.interval, max_age or 0.0, ttl or 0.0))
        now = self._clock()
        self.store.update_source(
            row.url, next_due=now + delay, failures=0, failing_since=None, last_error=None,
            reported=0, last_ok=now, **fields,
        )  # fmt: skip

    def _failed(
        self, row: SourceRow, error: str, retry_after: float | None,
        fields: dict[str, object] | None = None,
    ) -> Outcome:  # fmt: skip
        failures = row.failures + 1
        backoff = self.interval * 2 ** min(failures - 1, 12)
        delay = min(MAX_DELAY, max(backoff, retry_after or 0.0))
        now = self._clock()
        log.warning("source %s: %s (attempt %d; next in %.0fs)", row.url, error, failures, delay)
        self.store.update_source(
            row.url, next_due=now + delay, failures=failures, last_error=error[:300],
            failing_since=row.failing_since if row.failing_since is not None else now,
            **(fields or {}),
        )  # fmt: skip
        return Outcome(row.url, "error", error=error)

    async def _write(self, batch: Batch) -> None:
        await asyncio.to_thread(batch.write, self.seeds_dir)


def same_site(url: str, other: str) -> bool:
    """Same host, or (names, not addresses) the same last two labels: ``www.example.org`` and
    ``feeds.example.org``."""
    one, two = urlsplit(url), urlsplit(other)
    if one.scheme not in ("http", "https") or not one.hostname or not two.hostname:
        return False
    a, b = one.hostname.lower(), two.hostname.lower()
    for host in (a, b):
        with contextlib.suppress(ValueError):
            ipaddress.ip_address(host)
            return one.netloc.lower() == two.netloc.lower()  # an address: only itself
    if a == b:
        return True
    return "." in a and a.split(".")[-2:] == b.split(".")[-2:]
