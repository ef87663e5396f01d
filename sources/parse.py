"""Bytes from a source → articles: feeds with feedparser, pages with trafilatura.

Library choice (the package lists offer feedparser, fastfeedparser, feedparser-rs, trafilatura):

* **feedparser** (6.x, 20 years old, maintained): RSS 0.9x/1.0/2.0, RDF and Atom, and a
  forgiving parser for malformed XML (``bozo``), which is what real feeds need.  fastfeedparser is
  faster but young; speed does not matter at one feed per source per poll.  feedparser has no
  JSON Feed support: a JSON Feed is a plain JSON document, read here with :mod:`json`.
* **trafilatura** for article pages: the best-measured main-text extractor, with title, site name
  and canonical URL.  Its *date* is checked (see :func:`_checked_page_date`): htmldate can guess a
  date from a URL or a script, and a wrong date is worse than none.

Encodings are decided here, not by the parsers: a body that is not valid in the charset it claims
(a cp1251 feed labelled UTF-8) is decoded by charset-normalizer's best guess and handed on as
UTF-8, so no reader sees mojibake.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import charset_normalizer
import feedparser
import trafilatura
from dateutil import parser as date_parser
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from sources.urls import canonical_url


class ParseError(ValueError):
    """The body is no feed and no article (message is shown in /sources)."""


@dataclass(frozen=True, slots=True)
class Article:
    """One article as its source describes it; nothing here is guessed."""

    url: str
    title: str
    text: str
    source: str
    #: ISO 8601 as precise as the source: a day (``2025-10-10``) or a time with its zone.
    published: str | None
    guid: str | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one fetch held: a feed's items, or one page's article."""

    kind: str  # "feed" or "page"
    title: str
    articles: list[Article]
    #: A feed's ``<ttl>`` in seconds (RSS 2.0), if any.
    ttl: float | None = None


_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>", re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, blockquote, pre"


def charset_of(content_type: str) -> str | None:
    """The ``charset=`` of a Content-Type header."""
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.I)
    return match.group(1).lower() if match else None


def decode(body: bytes, content_type: str = "") -> str:
    """Text of ``body``: the charset the header or the document declares if the bytes are valid
    in it; otherwise charset-normalizer's guess (mislabelled bodies are common)."""
    declared = [charset_of(content_type)]
    head = body[:2048]
    if match := re.search(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", head):
        declared.append(match.group(1).decode("ascii").lower())
    if match := _META_CHARSET.search(body[:8192]):
        declared.append(match.group(1).decode("ascii").lower())
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace")
    for name in [d for d in declared if d] + ["utf-8"]:
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    best = charset_normalizer.from_bytes(body).best()
    if best is not None:
        return str(best)
    return body.decode("utf-8", errors="replace")


def html_to_text(html: str) -> str:
    """Paragraphs of an HTML fragment (a feed item's content), one blank line between them."""
    tree = HTMLParser(html)
    for node in tree.css("script, style, noscript"):
        node.decompose()
    blocks = [" ".join(n.text(separator=" ").split()) for n in tree.css(_BLOCKS)]
    blocks = [b for b in blocks if b]
    if not blocks:
        root = tree.body or tree.root
        text = root.text(separator=" ") if root is not None else ""
        blocks = [" ".join(text.split())]
    return "\n\n".join(b for b in blocks if b)


def parse(body: bytes, content_type: str, url: str, label: str = "") -> Parsed:
    """A feed (RSS, RDF, Atom, JSON Feed) or an article page.

    Raises:
        ParseError: neither (malformed XML without any readable item, an empty page...).
    """
    ctype = content_type.lower()
    head = body.lstrip()[:512].lower()
    if "json" in ctype or head.startswith(b"{"):
        return _json_feed(body, url, label)
    if ("html" in ctype and b"<rss" not in head and b"<feed" not in head) or head.startswith(
        (b"<!doctype html", b"<html")
    ):
        return _page(decode(body, content_type), url, label)
    return _xml_feed(body, content_type, url, label)


def _xml_feed(body: bytes, content_type: str, url: str, label: str) -> Parsed:
    text = decode(body, content_type)
    utf8 = _XML_DECL.sub(b"", text.encode("utf-8"), count=1)
    result: Any = feedparser.parse(
        utf8,
        response_headers={"content-type": "application/xml; charset=utf-8",
                          "content-location": url},
        sanitize_html=True,
        resolve_relative_uris=True,
    )  # fmt: skip
    entries = list(result.get("entries") or [])
    feed = result.get("feed") or {}
    publisher = str(feed.get("title") or label or "").strip()
    articles = [a for e in entries if (a := _entry(e, url, publisher, label)) is not None]
    if not articles and result.get("bozo"):
        # Malformed and nothing readable in it (feedparser's loose parser keeps what it can:
        # a broken feed with readable items is still read).
        reason = str(result.get("bozo_exception") or "unreadable")[:200]
        if b"<html" in body[:2048].lower():
            return _page(text, url, label)
        raise ParseError(f"not a readable feed: {reason}")
    ttl = feed.get("ttl")
    return Parsed(
        kind="feed",
        title=publisher,
        articles=articles,
        ttl=float(ttl) * 60 if isinstance(ttl, str) and ttl.isdigit() else None,
    )


def _entry(entry: Any, feed_url: str, publisher: str, label: str) -> Article | None:
    link = str(entry.get("link") or "").strip()
    guid = str(entry.get("id") or "").strip() or None
    contents = entry.get("content") or []
    html = max((str(c.get("value") or "") for c in contents), key=len, default="")
    summary = str(entry.get("summary") or "")
    text = html_to_text(html if len(html) >= len(summary) else summary)
    title = " ".join(html_to_text(str(entry.get("title") or "")).split())
    if not link and guid and guid.startswith(("http://", "https://")):
        link = guid
    if not (link and (text or title)):
        return None
    source_el = entry.get("source") or {}
    source = str(source_el.get("title") or publisher or label or "").strip()
    return Article(
        url=link,
        title=title,
        text=text,
        source=source,
        published=_entry_date(entry),
        guid=guid,
    )


def _entry_date(entry: Any) -> str | None:
    """The item's own date (published, else updated) as ISO 8601 with its own zone (none when
    it gave none); None when the item has no date (the feed's date is not the item's)."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            return date_parser.parse(str(raw)).isoformat()
        except (ValueError, OverflowError):
            parsed = entry.get(f"{key}_parsed")
            if parsed:
                return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC).isoformat()
    return None


def _json_feed(body: bytes, url: str, label: str) -> Parsed:
    try:
        data = json.loads(decode(body, "application/json"))
    except ValueError as exc:
        raise ParseError(f"not a readable JSON Feed: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ParseError("JSON without a JSON Feed's items list")
    publisher = str(data.get("title") or label or "").strip()
    articles: list[Article] = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        link = str(item.get("url") or item.get("external_url") or "").strip()
        html = str(item.get("content_html") or "")
        text = html_to_text(html) if html else str(item.get("content_text") or "").strip()
        title = " ".join(str(item.get("title") or "").split())
        if not link or not (text or title):
            continue
        published: str | None = None
        for key in ("date_published", "date_modified"):
            if item.get(key):
                try:
                    published = date_parser.isoparse(str(item[key])).isoformat()
                    break
                except ValueError:
                    continue
        guid = str(item.get("id")) if item.get("id") is not None else None
        articles.append(Article(link, title, text, publisher, published, guid))
    return Parsed(kind="feed", title=publisher, articles=articles)


def _page(html: str, url: str, label: str) -> Parsed:
    """One article page; the canonical link (if any) is its URL."""
    doc: Any = trafilatura.bare_extraction(
        html,
        url=None,  # no date guessed from the address; the canonical link comes from the page
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = str(getattr(doc, "text", "") or "").strip() if doc is not None else ""
    if not text:
        raise ParseError("the page has no article text")
    page_url = str(getattr(doc, "url", "") or "")
    article_url = page_url if page_url.startswith(("http://", "https://")) else url
    title = " ".join(str(getattr(doc, "title", "") or "").split())
    source = str(getattr(doc, "sitename", "") or label or "").strip()
    published = _checked_page_date(html, str(getattr(doc, "date", "") or ""))
    article = Article(canonical_url(article_url), title, text, source, published, None)
    return Parsed(kind="page", title=title, articles=[article])


def _checked_page_date(html: str, found: str) -> str | None:
    """trafilatura's date only if the page *declares* it in machine-readable markup.

    htmldate may take a date from the address or a script when the page states none; such a
    date is dropped.  Accepted: the same day as the value of a ``content=`` or ``datetime=``
    attribute or a JSON-LD ``datePublished``/``dateCreated``, whose full value (time and zone
    included) is then used.
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", found):
        return None
    value = re.compile(
        r"""(?:(?:content|datetime)\s*=\s*["']\s*|"date(?:Published|Created)"\s*:\s*")"""
        + re.escape(found)
        + r"""([^"'<>]{0,40})"""
    ).search(html)
    if value is None:
        return None
    rest = value.group(1).strip()
    if rest.startswith(("T", " ")):
        try:
            return date_parser.isoparse(found + "T" + rest[1:]).isoformat()
        except ValueError:
            pass
    return found  # the day only: no time is made up
