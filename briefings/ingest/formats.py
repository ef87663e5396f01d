"""Bytes to text: decoding, and HTML or Markdown to plain lines.

Everything downstream works on one decoded, normalised string in which every paragraph is a line,
because quotes and evidence must be exact substrings of it.  So the converters here emit one line
per block (paragraph, heading, list item, quotation) and report the metadata the format itself
states (HTML ``<meta>`` tags, Markdown front matter) separately, as hints.
"""

from __future__ import annotations

import codecs
import html as htmllib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from charset_normalizer import from_bytes
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser, LexborNode

from briefings.ingest.stamps import parse_datetime_value
from briefings.models import ArticleMeta

# ------------------------------------------------------------------------------------ decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DROP_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\ufffe\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Control bytes that never occur in text files (tab, newlines, form feed and ESC excluded).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)) + b"\x7f"
_SNIFF = 65536


def normalize_text(text: str) -> str:
    """Normalise decoded text: ``\\n`` newlines, no control characters, NFC.

    Args:
        text: Any string (lone surrogates and NULs included).

    Returns:
        The text with CR/CRLF/Unicode line separators turned into ``\\n``, NUL and other
        control characters (except ``\\n`` and ``\\t``) and BOMs dropped, then NFC-normalised, so
        that the same article always yields the same characters and offsets.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = _DROP_CHARS.sub("", text)
    return unicodedata.normalize("NFC", text)


def _utf16_without_bom(data: bytes) -> str | None:
    """Spot BOM-less UTF-16 by its zero bytes: ASCII text has one in every other position."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    half = len(sample) // 2
    zero_even = sample[0::2].count(0) / half
    zero_odd = sample[1::2].count(0) / half
    if zero_odd >= 0.4 and zero_even <= 0.02:
        return "utf-16-le"
    if zero_even >= 0.4 and zero_odd <= 0.02:
        return "utf-16-be"
    return None


def binary_reason(data: bytes) -> str | None:
    """Say why ``data`` is not a text file (NUL bytes, control bytes), or ``None``.

    Args:
        data: The raw file content.

    Returns:
        A phrase for the user's error message, or ``None`` when the bytes can be text.  UTF-16
        and UTF-32 (with a BOM, or UTF-16 recognisable by its zero bytes) are text.
    """
    if any(data.startswith(bom) for bom, _ in _BOMS) or _utf16_without_bom(data):
        return None
    sample = data[:_SNIFF]
    if b"\x00" in sample:
        return "it contains NUL bytes"
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and controls / len(sample) > 0.05:
        return "it is full of control bytes"
    return None


def _legacy(data: bytes) -> str:
    """Decode bytes that are not UTF-8.

    Mostly-ASCII text with a few high bytes is read as cp1252: for short Western text
    charset-normalizer's best guess is often an unrelated code page (cp037 EBCDIC for a quoted
    word, cp857 for "Zürich", cp1250 for "naïve"), while cp1252 is right for the English news this
    engine reads.  Text made mostly of high bytes (Cyrillic, Greek, CJK...) is where the detector
    earns its keep, so there its guess is used.
    """
    high = sum(1 for b in data[:_SNIFF] if b >= 0x80)
    if high > 0.3 * min(len(data), _SNIFF):
        try:
            best = from_bytes(data[:_SNIFF]).best()
        except Exception:  # the detector must never take ingest down
            best = None
        if best is not None and best.encoding:
            try:
                return data.decode(best.encoding, errors="replace")
            except (LookupError, ValueError):
                pass
    return data.decode("cp1252", errors="replace")


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode a seed file's bytes into normalised text, whatever they are.

    Order: a BOM (UTF-8, UTF-16, UTF-32) wins; then BOM-less UTF-16 recognised by its zero
    bytes; then strict UTF-8; then UTF-8 with replacement when most non-ASCII sequences are valid
    UTF-8 (a file with one corrupt byte stays readable instead of turning into mojibake); then an
    encoding ``declared`` by the file (an HTML ``charset``); then charset-normalizer's guess or
    cp1252 (see ``_legacy``).  Never raises.

    Args:
        data: Raw bytes.
        declared: An encoding name the document declares, tried before guessing.

    Returns:
        Text with ``\\n`` newlines, no control characters except ``\\n``/``\\t``, NFC-normalised.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return normalize_text(data[len(bom) :].decode(encoding, errors="replace"))
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return normalize_text(data.decode(utf16, errors="replace"))
    try:
        return normalize_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for ch in lenient if ord(ch) > 0x7F) - bad
    if good >= 2 * bad:
        return normalize_text(lenient)
    if declared:
        try:
            return normalize_text(data.decode(declared, errors="replace"))
        except (LookupError, ValueError):
            pass
    return normalize_text(_legacy(data))


_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{2,40})""", re.I)


def declared_charset(data: bytes) -> str | None:
    """Find the ``charset`` an HTML document declares in its first kilobytes.

    Legacy pages say their encoding in a ``<meta>`` tag; using it beats guessing when the bytes
    are not UTF-8.

    Args:
        data: The raw page.

    Returns:
        The declared encoding name, or ``None``.
    """
    match = _CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", errors="replace") if match else None


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
