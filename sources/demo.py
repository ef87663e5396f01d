"""A small local feed for the offline demo: ``serve_demo_feed`` (127.0.0.1 only).

The demo (``bot/demo.py``) calls it, points the bot at the feed, and a newcomer sees a briefing
arrive from a feed: the first articles are the feed's archive (digested, not announced), and one
more article is added while the demo runs, which the bot fetches, digests and announces.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sources.feedserver import Feed, FeedServer, Item

FEED_PATH = "/demo/feed.xml"


@dataclass
class DemoFeed:
    """The running demo feed: its URL, and the articles still held back."""

    server: FeedServer
    url: str
    pending: list[Item] = field(default_factory=list)

    def add_next(self) -> Item | None:
        """Publish the next held-back article at the top of the feed; None when none is left."""
        if not self.pending:
            return None
        item = self.pending.pop(0)
        feed = self.server.feeds[FEED_PATH]
        feed.items.insert(0, item)
        feed.changed = dt.datetime.now(dt.UTC).timestamp()
        return item


def article_item(path: Path, base: str) -> Item:
    """A feed item from an article file; title, date and link from ``<name>.meta.json`` beside
    it when there is one (the shared corpus), else the first line is the title and no date is
    given (none is made up)."""
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    meta_path = path.with_suffix(".meta.json")
    meta: dict[str, object] = {}
    if meta_path.is_file():
        with contextlib.suppress(ValueError, OSError):
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
    title = str(meta.get("title") or text.splitlines()[0][:120])
    published = None
    if isinstance(meta.get("published"), str):
        with contextlib.suppress(ValueError):
            published = dt.datetime.fromisoformat(str(meta["published"]))
            if published.tzinfo is None:
                published = published.replace(tzinfo=dt.UTC)
    return Item(
        guid=f"demo-{path.stem}",
        link=f"{base}/demo/{path.stem}",
        title=title,
        text=text,
        published=published,
    )


@contextlib.asynccontextmanager
async def serve_demo_feed(
    articles: Sequence[Path],
    *,
    initial: int = 3,
    add_after: float | None = 20.0,
    title: str = "Demo Summit Wire",
) -> AsyncIterator[DemoFeed]:
    """Serve ``articles`` as an RSS feed on 127.0.0.1: the first ``initial`` at once, the rest
    held back; after ``add_after`` seconds (None: only by :meth:`DemoFeed.add_next`) the next
    one is published.

    Wiring in the demo: write ``f"{feed.url} Demo wire"`` to a sources file and start the bot
    with ``SOURCES_FILE`` set to it and ``SOURCE_POLL_SECONDS`` of a few seconds.
    """
    async with FeedServer() as server:
        base = server.url("")
        items = [article_item(p, base) for p in articles]
        server.feeds[FEED_PATH] = Feed(title, items[:initial][::-1])
        demo = DemoFeed(server, server.url(FEED_PATH), items[initial:])
        task = None
        if add_after is not None and demo.pending:

            async def later() -> None:
                await asyncio.sleep(add_after)
                demo.add_next()

            task = asyncio.create_task(later(), name="demo-feed")
        try:
            yield demo
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
