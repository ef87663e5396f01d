"""Markdown to plain lines, with its front matter as hints (decoding and HTML are in
:mod:`briefings.ingest.decode` and :mod:`briefings.ingest.html_text`).

Everything downstream works on one decoded, normalised string in which every paragraph is a line,
because quotes and evidence must be exact substrings of it.  So the converters here emit one line
per block (paragraph, heading, list item, quotation) and report the metadata the format itself
states (HTML ``<meta>`` tags, Markdown front matter) separately, as hints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from briefings.ingest.html_text import html_to_text
from briefings.ingest.stamps import parse_datetime_value
from briefings.models import ArticleMeta

# ------------------------------------------------------------------------------------ Markdown

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)$")
_ITEM = re.compile(r"^\s*-\s+(?P<value>.+)$")
_FRONT_KEYS = {
    "title": "title",
    "headline": "title",
    "date": "published",
    "published": "published",
    "pubdate": "published",
    "publish_date": "published",
    "published_at": "published",
    "publishdate": "published",
    "author": "author",
    "authors": "author",
    "byline": "author",
    "source": "source",
    "publisher": "source",
    "site": "source",
    "site_name": "source",
    "outlet": "source",
    "dateline": "place",
    "place": "place",
    "location": "place",
    "url": "url",
    "link": "url",
    "canonical_url": "url",
}


def _site(url: str) -> str | None:
    """The site a front matter ``url`` points to ("https://www.example.org/a" -> example.org):
    the source when the front matter names none."""
    host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    host = host.removeprefix("www.")
    return host if "." in host else None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value.strip()


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Read a ``---`` YAML-ish front matter block (flat ``key: value`` and first list items)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    fields: dict[str, str] = {}
    pending: str | None = None
    for line in match["body"].split("\n"):
        field = _FIELD.match(line)
        if field is not None:
            key = _FRONT_KEYS.get(field["key"].lower())
            value = _unquote(field["value"])
            pending = None
            if key is None:
                continue
            if value in ("", "|", ">"):
                pending = key
            elif value.startswith("[") and value.endswith("]"):
                first = value[1:-1].split(",")[0]
                if _unquote(first):
                    fields.setdefault(key, _unquote(first))
            else:
                fields.setdefault(key, value)
            continue
        item = _ITEM.match(line)
        if pending is not None and item is not None:
            fields.setdefault(pending, _unquote(item["value"]))
            pending = None
        elif pending is not None and line.strip():
            fields.setdefault(pending, _unquote(line))
            pending = None
    return fields, text[match.end() :]


def _inline_text(children: Iterable[Any]) -> str:
    parts: list[str] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak" or (
            kind == "html_inline" and child.content.lower().startswith("<br")
        ):
            parts.append("\n")
    return "".join(parts)


def markdown_to_text(markdown: str) -> tuple[str, ArticleMeta]:
    """Convert Markdown to article text plus front-matter metadata.

    Emphasis, links and inline code are reduced to their text; images and code blocks are
    dropped; headings, paragraphs, list items and quotations become one line each; table rows
    become one line with cells joined by `` | ``.  The first level-1 heading is the title unless
    the front matter names one.

    Args:
        markdown: The decoded document.

    Returns:
        ``(text, hints)``.
    """
    fields, body = _front_matter(markdown)
    lines: list[str] = []
    row: list[str] | None = None
    heading: str | None = None
    first_h1: str | None = None
    for token in _MARKDOWN.parse(body):
        kind = token.type
        if kind == "heading_open":
            heading = token.tag
        elif kind == "heading_close":
            heading = None
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            if row:
                lines.append(" | ".join(cell for cell in row if cell))
            row = None
        elif kind == "inline":
            text = _inline_text(token.children or [])
            if row is not None:
                row.append(" ".join(text.split()))
                continue
            if heading == "h1" and first_h1 is None:
                first_h1 = " ".join(text.split()) or None
            lines.extend(" ".join(part.split()) for part in text.split("\n"))
        elif kind == "html_block":
            lines.extend(html_to_text(token.content)[0].split("\n"))
    text = "\n".join(line for line in lines if line)
    parsed = parse_datetime_value(fields["published"]) if "published" in fields else None
    hints = ArticleMeta(
        title=fields.get("title") or first_h1,
        source=fields.get("source") or (_site(fields["url"]) if "url" in fields else None),
        author=fields.get("author"),
        published=parsed[0] if parsed else None,
        published_time=parsed[1] if parsed else None,
        timezone=parsed[2] if parsed else None,
        dateline_place=fields.get("place"),
    )
    return text, hints
