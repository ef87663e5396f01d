"""HTML to text: the article's blocks (navigation, banners and scripts skipped) and the hints
the page states about itself (title, author, date, site) in its meta tags and JSON-LD.

Split from the former ``formats`` module.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Sequence
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from briefings.ingest.stamps import parse_datetime_value
from briefings.models import ArticleMeta

# ---------------------------------------------------------------------------------------- HTML


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Elements whose whole subtree is not article text.
_SKIP_TAGS = _words(
    """script style noscript template nav header footer aside form iframe svg math button select
    option input textarea canvas object embed menu dialog head title figcaption label"""
)
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_BLOCK_TAGS = _words(
    """p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table tr td th
    thead tbody tfoot caption address hr body center figure details summary"""
)
_BREAK = "\n"


def _attrs(node: LexborNode) -> dict[str, Any]:
    try:
        return dict(node.attributes)
    except Exception:  # malformed attribute bytes must not stop the conversion
        return {}


def _skipped(node: LexborNode) -> bool:
    if node.tag in _SKIP_TAGS:
        return True
    attrs = _attrs(node)
    if not attrs:
        return False
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    return str(attrs.get("role", "")).lower() in _SKIP_ROLES


def _blocks_text(root: LexborNode) -> str:
    """Flatten ``root`` into text, one line per block element (iterative: no recursion limit)."""
    out: list[str] = []
    stack: list[LexborNode | str] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if item.is_text_node:
            out.append(_spaced(item))
            continue
        tag = item.tag or ""
        if tag.startswith(("-", "_", "!")) or _skipped(item):
            continue
        if tag == "br":
            out.append(_BREAK)
            continue
        if tag == "pre":
            out.extend((_BREAK, item.text(deep=True), _BREAK))
            continue
        block = tag in _BLOCK_TAGS
        if block:
            stack.append(_BREAK)
        stack.extend(reversed(list(item.iter(include_text=True))))
        if block:
            stack.append(_BREAK)
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def _spaced(node: LexborNode) -> str:
    """A text node's text with inner whitespace runs collapsed but edge spaces kept."""
    raw = node.text_content or ""
    core = " ".join(raw.split())
    if raw[:1].isspace():
        core = " " + core
    if raw[-1:].isspace():
        core += " "
    return core


def _content(tree: LexborHTMLParser, selectors: Sequence[str]) -> str | None:
    for selector in selectors:
        for node in tree.css(selector):
            value = _attrs(node).get("content")
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
    return None


def _node_text(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    text = " ".join(node.text(deep=True).split())
    return text or None


_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')
_JSONLD_AUTHOR = re.compile(r'"author"\s*:\s*\[?\s*\{[^{}]{0,300}?"name"\s*:\s*"([^"]{2,80})"')


def _html_hints(tree: LexborHTMLParser) -> ArticleMeta:
    """Metadata the page states in its markup (Open Graph, article:*, <time>, JSON-LD)."""
    source = _content(
        tree,
        (
            'meta[property="og:site_name"]',
            'meta[name="application-name"]',
            'meta[name="publisher"]',
        ),
    )
    title = (
        _content(tree, ('meta[property="og:title"]', 'meta[name="twitter:title"]'))
        or _node_text(tree, "h1")
        or _node_text(tree, "title")
    )
    if title and source:
        for sep in (" | ", " - ", " – ", " — ", " :: "):
            if title.endswith(sep + source):
                title = title[: -len(sep + source)].strip() or title
    author = _content(
        tree,
        (
            'meta[name="author"]',
            'meta[property="article:author"]',
            'meta[name="byl"]',
            'meta[name="dc.creator"]',
            'meta[name="DC.creator"]',
        ),
    )
    if author and author.lower().startswith(("http://", "https://")):
        author = None
    if author:
        author = re.sub(r"^by\s+", "", author, flags=re.I) or None
    jsonld = " ".join(
        node.text(deep=True) for node in tree.css('script[type="application/ld+json"]')
    )
    if author is None:
        match = _JSONLD_AUTHOR.search(jsonld)
        author = match.group(1) if match else None
    raw_date = _content(
        tree,
        (
            'meta[property="article:published_time"]',
            'meta[name="article:published_time"]',
            'meta[itemprop="datePublished"]',
            'meta[name="pubdate"]',
            'meta[name="publishdate"]',
            'meta[name="publish-date"]',
            'meta[name="date"]',
            'meta[name="dc.date"]',
            'meta[name="DC.date.issued"]',
            'meta[name="dcterms.date"]',
        ),
    )
    if raw_date is None:
        match = _JSONLD_DATE.search(jsonld)
        raw_date = match.group(1) if match else None
    if raw_date is None:
        for node in tree.css("time[datetime]"):
            value = _attrs(node).get("datetime")
            if isinstance(value, str) and value.strip():
                raw_date = value
                break
    parsed = parse_datetime_value(raw_date) if raw_date else None
    return ArticleMeta(
        title=title,
        source=source,
        author=author,
        published=parsed[0] if parsed else None,
        published_time=parsed[1] if parsed else None,
        timezone=parsed[2] if parsed else None,
    )


# Lexbor's tree building is quadratic in the nesting depth of block elements (each opening tag
# scans the stack of open elements), so absurdly deep pages are flattened with regexes instead.
_MAX_BLOCK_DEPTH = 1500
_BLOCK_TAG = re.compile(
    r"<(/?)(?:div|section|article|aside|nav|header|footer|main|blockquote|ul|ol|dl|table"
    r"|fieldset|figure|form|details|center|address|h[1-6]|pre|menu|dir|hgroup|dialog)\b[^>]*>",
    re.IGNORECASE,
)
_RAW_OPEN = re.compile(r"<(script|style|noscript|template|head)\b|<!--", re.IGNORECASE)
_BLOCK_BREAK = re.compile(
    r"</?(?:p|br|li|tr|td|th|dd|dt|hr|div|section|article|h[1-6]|blockquote|pre|ul|ol|table)\b"
    r"[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^>]*>")


def _block_depth(html: str) -> int:
    depth = deepest = 0
    for match in _BLOCK_TAG.finditer(html):
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _drop_raw_text(html: str) -> str:
    """Cut script/style/comment bodies in one left-to-right pass (linear on any input)."""
    lower = html.lower()
    parts: list[str] = []
    pos = 0
    while True:
        match = _RAW_OPEN.search(html, pos)
        if match is None:
            parts.append(html[pos:])
            break
        parts.append(html[pos : match.start()])
        closer = "-->" if match.group(1) is None else f"</{match.group(1).lower()}"
        end = lower.find(closer, match.end())
        if end < 0:
            break  # an unclosed script swallows the rest of the page, as in a browser
        pos = end + len(closer)
        if closer != "-->":
            gt = html.find(">", pos)
            pos = len(html) if gt < 0 else gt + 1
    return " ".join(parts)


def _strip_tags(html: str) -> str:
    """Regex fallback for pathological pages: drop scripts and tags, break lines at blocks."""
    text = _BLOCK_BREAK.sub("\n", _drop_raw_text(html))
    text = htmllib.unescape(_ANY_TAG.sub(" ", text))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(html: str) -> tuple[str, ArticleMeta]:
    """Convert an HTML page to article text plus the metadata its markup states.

    Scripts, styles, navigation, headers/footers, asides, forms, hidden elements and ARIA
    landmarks for navigation are skipped; paragraphs, headings, list items, quotations and
    table cells become one line each, so the text boilerplate rules then see a page copy.

    Args:
        html: The decoded document.

    Returns:
        ``(text, hints)``; ``text`` is empty when the page has no visible text.
    """
    if _block_depth(html) > _MAX_BLOCK_DEPTH:
        return _strip_tags(html), ArticleMeta()
    tree = LexborHTMLParser(html)
    hints = _html_hints(tree)
    root = tree.body or tree.root
    text = _blocks_text(root) if root is not None else ""
    return text, hints
