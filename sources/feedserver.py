"""A local news server on 127.0.0.1 with switches: the tests', the demo's and the soak's.

It serves RSS 2.0, Atom or JSON feeds whose items tests add, edit and remove while it runs, and
on demand every fault a real publisher shows: conditional GET (ETag, Last-Modified, 304),
301/302 redirects, 429/503 with ``Retry-After``, raw bodies (malformed XML, a cp1251 feed labelled
UTF-8, a page with only a ``<meta charset>``), a 50 MB body, a body that never ends, and GUIDs
that change on every fetch.  Every request is logged (path, headers, start and end time), so a
test can check politeness: the User-Agent, and that no two requests to it overlapped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import hashlib
import json
import random
import socket
import time
from dataclasses import dataclass, field
from html import escape

from aiohttp import web


@dataclass
class Item:
    """A feed item as the server publishes it."""

    guid: str
    link: str
    title: str
    text: str
    published: dt.datetime | None = None


@dataclass
class Feed:
    """One feed: its items (newest first) and its switches."""

    title: str
    items: list[Item] = field(default_factory=list)
    kind: str = "rss"  # "rss", "atom", "json"
    #: Append the fetch count to every GUID (a publisher whose GUIDs change on every fetch).
    rotate_guids: bool = False
    #: Answer conditional requests with 304 (ETag and Last-Modified are always sent).
    conditional: bool = True
    fetches: int = 0
    changed: float = field(default_factory=time.time)

    def body(self) -> tuple[bytes, str]:
        """The feed document and its content type."""
        items = [
            Item(f"{i.guid}-{self.fetches}" if self.rotate_guids else i.guid, i.link, i.title,
                 i.text, i.published)
            for i in self.items
        ]  # fmt: skip
        if self.kind == "json":
            return _json(self.title, items), "application/feed+json"
        if self.kind == "atom":
            return _atom(self.title, items), "application/atom+xml; charset=utf-8"
        return _rss(self.title, items), "application/rss+xml; charset=utf-8"


@dataclass
class Logged:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    start: float
    end: float = 0.0


class FeedServer:
    """``async with FeedServer() as server``: feeds at ``server.url("/name")``."""

    def __init__(self) -> None:
        """Nothing listens until entered."""
        self.feeds: dict[str, Feed] = {}
        #: path → (status, Location) for 301/302.
        self.redirects: dict[str, tuple[int, str]] = {}
        #: path → [(status, Retry-After or None), ...] answered before the real content.
        self.failures: dict[str, list[tuple[int, str | None]]] = {}
        #: path → (body, content type) served as is.
        self.raw: dict[str, tuple[bytes, str]] = {}
        #: path → Cache-Control header value.
        self.cache_control: dict[str, str] = {}
        self.log: list[Logged] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    async def __aenter__(self) -> FeedServer:
        app = web.Application()
        app.router.add_get("/huge", self._huge)
        app.router.add_get("/endless", self._endless)
        app.router.add_get("/{tail:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        await web.SockSite(self._runner, sock).start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def requests(self, path: str) -> list[Logged]:
        """The requests made for ``path``."""
        return [r for r in self.log if r.path == path]

    def overlapping(self) -> int:
        """How many pairs of requests were in flight at the same time (politeness check)."""
        spans = sorted((r.start, r.end or time.monotonic()) for r in self.log)
        overlaps, busy_until = 0, float("-inf")
        for start, end in spans:
            overlaps += start < busy_until
            busy_until = max(busy_until, end)
        return overlaps

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        entry = Logged(request.path, dict(request.headers), time.monotonic())
        self.log.append(entry)
        try:
            await asyncio.sleep(0.02)  # a real server takes a moment: overlaps would show
            return self._answer(request)
        finally:
            entry.end = time.monotonic()

    def _answer(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path in self.redirects:
            status, target = self.redirects[path]
            return web.Response(status=status, headers={"Location": target})
        if self.failures.get(path):
            status, retry_after = self.failures[path].pop(0)
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return web.Response(status=status, headers=headers, text="try later")
        if path in self.raw:
            body, ctype = self.raw[path]
            return web.Response(body=body, headers={"Content-Type": ctype})
        feed = self.feeds.get(path)
        if feed is None:
            return web.Response(status=404, text="no such feed")
        body, ctype = feed.body()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(feed.changed, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified, "Content-Type": ctype}
        if path in self.cache_control:
            headers["Cache-Control"] = self.cache_control[path]
        conditional = feed.conditional and not feed.rotate_guids
        if conditional and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        feed.fetches += 1
        return web.Response(body=body, headers=headers)

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        """50 MB of XML, streamed without a Content-Length (only counting can stop it)."""
        entry = Logged(request.path, dict(request.headers), time.monotonic())
        self.log.append(entry)
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        chunk = b"<!-- padding -->" * 4096
        try:
            for _ in range(50 * 1024 * 1024 // len(chunk)):
                await response.write(chunk)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            entry.end = time.monotonic()
        return response

    async def _endless(self, request: web.Request) -> web.StreamResponse:
        """A body that never ends: a few bytes every tenth of a second, forever."""
        entry = Logged(request.path, dict(request.headers), time.monotonic())
        self.log.append(entry)
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        try:
            await response.write(b"<?xml version='1.0'?><rss><channel>")
            while True:
                await response.write(b"<!-- -->")
                await asyncio.sleep(0.1)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            entry.end = time.monotonic()
        return response


def _rss(title: str, items: list[Item]) -> bytes:
    parts = [f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
             f'<guid isPermaLink="false">{escape(i.guid)}</guid>'
             + (f"<pubDate>{email.utils.format_datetime(i.published)}</pubDate>"
                if i.published else "")
             + f"<description>{escape(_html(i.text))}</description></item>"
             for i in items]  # fmt: skip
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link>"
        f"<description>{escape(title)}</description>{''.join(parts)}</channel></rss>"
    ).encode()


def _atom(title: str, items: list[Item]) -> bytes:
    parts = [f"<entry><title>{escape(i.title)}</title><link href=\"{escape(i.link)}\"/>"
             f"<id>{escape(i.guid)}</id>"
             + (f"<published>{i.published.isoformat()}</published>" if i.published else "")
             + f'<content type="html">{escape(_html(i.text))}</content></entry>'
             for i in items]  # fmt: skip
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:feed</id>{''.join(parts)}</feed>"
    ).encode()


def _json(title: str, items: list[Item]) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "items": [{"id": i.guid, "url": i.link, "title": i.title, "content_html": _html(i.text),
                   **({"date_published": i.published.isoformat()} if i.published else {})}
                  for i in items],
    }).encode()  # fmt: skip


def _html(text: str) -> str:
    return "".join(f"<p>{escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


_CITIES = [
    "Lisbon",
    "Nairobi",
    "Oslo",
    "Lima",
    "Hanoi",
    "Accra",
    "Riga",
    "Quito",
    "Dakar",
    "Tbilisi",
    "Manila",
    "Tunis",
    "Santiago",
    "Bern",
    "Doha",
    "Kigali",
]
_TOPICS = [
    "water sharing",
    "fisheries quotas",
    "rail links",
    "customs rules",
    "vaccine supply",
    "border crossings",
    "debt relief",
    "power grids",
    "student visas",
    "seed banks",
    "river dredging",
    "satellite data",
    "wheat reserves",
    "port fees",
    "forest patrols",
]
_ACTORS = [
    "the finance minister",
    "the host prime minister",
    "a trade envoy",
    "the chair",
    "a senior diplomat",
    "the deputy foreign minister",
    "an adviser to the president",
]
_VERBS = ["proposed", "rejected", "welcomed", "questioned", "defended", "postponed", "drafted"]
_WORDS = ["plan", "levy", "treaty", "audit", "corridor", "fund", "registry", "timetable"]


def made_up_story(n: int) -> tuple[str, str]:
    """A distinct made-up summit report: title and text of about 120 words."""
    rng = random.Random(n)
    city, topic = rng.choice(_CITIES), rng.choice(_TOPICS)
    sentences = [f"Delegates at the {city} summit number {n} met to discuss {topic}."]
    for _ in range(9):
        sentences.append(
            f"{rng.choice(_ACTORS).capitalize()} {rng.choice(_VERBS)} a {rng.choice(_WORDS)} "
            f"on {rng.choice(_TOPICS)} worth {rng.randint(2, 900)} million, "
            f"citing talks with {rng.choice(_CITIES)} in week {rng.randint(1, 52)}."
        )
    return f"Talks on {topic} in {city}, report {n}", " ".join(sentences)
