"""HTTP for sources: polite, bounded, conditional (httpx).

Every request: one User-Agent that names the bot, a conditional GET when the source gave an
ETag or Last-Modified (a 304 costs no body and no parsing), a size limit and a *total* time limit
(a server that trickles bytes forever is cut, not only one that stops answering), redirects
followed by hand so a permanent one (301, 308) can be remembered, and at most ``concurrency``
requests at once with never two to one host at the same time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from sources.urls import host_of

USER_AGENT = "SummitBriefingsBot/0.1 (+news briefings; polite feed reader)"
#: A feed or an article page larger than this is not a news article: cut and refused.
MAX_BYTES = 5_000_000
#: Seconds for one whole response, headers to last byte.
TOTAL_TIMEOUT = 30.0
MAX_REDIRECTS = 5
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*(\d+)", re.I)


class FetchError(Exception):
    """A fetch that gave no usable body; ``retry_after`` (seconds) when the server asked."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: float | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A 200 (with its body) or a 304 (no body) and what the server said about caching."""

    status: int
    url: str
    #: Where a permanent redirect chain from the requested URL ended (None: no such redirect).
    moved_to: str | None
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    #: Cache-Control max-age in seconds (None when absent or ``no-cache``).
    max_age: float | None


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def parse_max_age(value: str | None) -> float | None:
    """``max-age`` of a Cache-Control header; None for ``no-cache``/``no-store`` or none."""
    if not value or re.search(r"no-(?:cache|store)", value, re.I):
        return None
    match = _MAX_AGE.search(value)
    return float(match.group(1)) if match else None


class Fetcher:
    """Shared by every source: one connection pool, the concurrency and per-host limits."""

    def __init__(
        self,
        *,
        concurrency: int = 4,
        max_bytes: int = MAX_BYTES,
        total_timeout: float = TOTAL_TIMEOUT,
        user_agent: str = USER_AGENT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Nothing is opened until the first request."""
        self.max_bytes = max_bytes
        self.total_timeout = total_timeout
        self._slots = asyncio.Semaphore(concurrency)
        self._hosts: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(min(10.0, total_timeout)),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=8),
            transport=transport,
            trust_env=False,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None,
        accept: str = "*/*",
    ) -> FetchResult:  # fmt: skip
        """GET ``url`` (conditionally when a validator is given), following redirects.

        Raises:
            FetchError: network error, timeout, too large, too many redirects, or a status
                other than 200/304 (``retry_after`` set from the server's header).
        """
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        moved_to: str | None = None
        permanent = True
        current = url
        async with self._slots:
            for _ in range(MAX_REDIRECTS + 1):
                async with self._hosts[host_of(current)]:
                    status, response, body = await self._one(current, headers)
                if status in (301, 302, 303, 307, 308):
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {status} without a Location", status=status)
                    current = urljoin(current, location)
                    permanent = permanent and status in (301, 308)
                    if permanent:
                        moved_to = current
                    continue
                return self._result(status, current, moved_to, response, body)
        raise FetchError(f"more than {MAX_REDIRECTS} redirects", status=None)

    async def _one(self, url: str, headers: dict[str, str]) -> tuple[int, httpx.Response, bytes]:
        """One request, its body read within the size and total time limits."""
        try:
            async with asyncio.timeout(self.total_timeout):
                async with self._client.stream("GET", url, headers=headers) as response:
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > self.max_bytes:
                        raise FetchError(
                            f"response of {int(declared):,} bytes is over the "
                            f"{self.max_bytes:,}-byte limit", status=response.status_code,
                        )  # fmt: skip
                    if response.status_code != 200:
                        return response.status_code, response, b""
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise FetchError(
                                f"response over the {self.max_bytes:,}-byte limit (cut)",
                                status=200,
                            )
                        chunks.append(chunk)
                    return 200, response, b"".join(chunks)
        except TimeoutError:
            raise FetchError(f"no complete answer within {self.total_timeout:g} s (cut)") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"network error: {type(exc).__name__}: {exc}"[:300]) from None

    def _result(
        self, status: int, url: str, moved_to: str | None, response: httpx.Response,
        body: bytes,
    ) -> FetchResult:  # fmt: skip
        if status not in (200, 304):
            raise FetchError(
                f"HTTP {status}",
                status=status,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
        return FetchResult(
            status=status,
            url=url,
            moved_to=moved_to,
            body=body,
            content_type=response.headers.get("content-type", ""),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            max_age=parse_max_age(response.headers.get("cache-control")),
        )
