"""Canonical URLs: one article, one key, whatever tracking or fragment a link carries."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that only say where a reader came from (campaign trackers).
_TRACKING_PREFIXES = ("utm_", "mc_", "_hs")
_TRACKING = frozenset({"fbclid", "gclid", "yclid", "igshid", "ref", "cmpid", "ocid"})


def canonical_url(url: str) -> str:
    """Scheme and host lower-cased, default port, fragment and trackers dropped, query sorted.

    Why: the same article is linked with ``?utm_source=…``, ``#comments`` or ``:443``; keyed by
    the raw link, each would be a new article and announced again.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default) else f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING
    )
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query), ""))


def seed_name(url: str) -> str:
    """The seed file's name for an article: stable from its canonical URL (``src_<hash>.md``)."""
    return "src_" + hashlib.sha256(canonical_url(url).encode()).hexdigest()[:16] + ".md"


def host_of(url: str) -> str:
    """The host a request goes to (requests to one host are never made at once)."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or ''}"
