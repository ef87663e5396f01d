"""Read a seed file into an :class:`~briefings.models.Article`.

Ingest is the engine's only contact with raw files, so it owns every way a file can be wrong:
missing, unreadable, too large, empty, binary, in a legacy encoding, a page copy full of menus.
A problem the user can fix becomes an :class:`IngestError` with a sentence that says what is
wrong; nothing else escapes :func:`read_article`, whatever the bytes are.

Pipeline: bytes -> :func:`decode_bytes` -> (HTML/Markdown -> text, with format hints) ->
lines classified by :mod:`briefings.ingest.boilerplate` -> metadata read by
:mod:`briefings.ingest.metadata`
-> body lines kept as verbatim paragraphs.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from briefings.ingest import decode, html_text, markdown_text
from briefings.ingest.boilerplate import classify_lines, select_body
from briefings.ingest.lines import Line, key_of
from briefings.ingest.metadata import detect_metadata
from briefings.models import Article, ArticleMeta

__all__ = [
    "IngestError",
    "NotRegularFileError",
    "article_from_text",
    "decode_bytes",
    "read_article",
    "read_seed_bytes",
]

#: File suffixes ingest understands, and how each is read.
SUPPORTED_SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Share of U+FFFD replacement characters above which decoded bytes are not text.
_MAX_REPLACEMENT_SHARE = 0.1


class IngestError(Exception):
    """A seed file cannot become an article; the message is a sentence for the user.

    Attributes:
        message: What is wrong and, where it helps, what to do about it.
        file: The file name the error is about, when known.
    """

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file


def decode_bytes(data: bytes) -> str:
    """Decode raw seed bytes to normalised text; never raises.

    UTF-8 with or without BOM, UTF-16/32 with BOM, then charset detection, then cp1252 with
    replacement; newlines become ``\\n``, control characters other than ``\\n``/``\\t`` are
    dropped and the text is NFC-normalised, so offsets computed later are stable.

    Args:
        data: The bytes of a seed file.

    Returns:
        The decoded text (possibly empty).
    """
    return decode.decode_bytes(data)


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def _kind(path: Path, name: str) -> str:
    for candidate in (name, path.name):
        kind = SUPPORTED_SUFFIXES.get(Path(candidate).suffix.lower())
        if kind is not None:
            return kind
    suffix = Path(name).suffix or path.suffix
    shown = f"'{suffix}'" if suffix else "without an extension"
    raise IngestError(
        f"Unsupported file type {shown}: seeds must be .txt, .md/.markdown or .html/.htm files.",
        file=name,
    )


def _read(path: Path, name: str, max_bytes: int) -> bytes:
    """:func:`read_seed_bytes`, with every failure turned into an :class:`IngestError`."""
    try:
        data = read_seed_bytes(path, max_bytes)
    except FileTooLargeError as exc:
        raise IngestError(
            f"The file is too large: {_human_size(exc.size)} ({exc.size:,} bytes), "
            f"over the {_human_size(max_bytes)} limit for one article.",
            file=name,
        ) from exc
    except NotRegularFileError as exc:
        raise IngestError(str(exc), file=name) from exc
    except FileNotFoundError as exc:
        raise IngestError(
            "The file was not found (it may have been moved or deleted).", file=name
        ) from exc
    except PermissionError as exc:
        raise IngestError("The file cannot be read: permission denied.", file=name) from exc
    except IsADirectoryError as exc:
        raise IngestError("This is a folder, not a file.", file=name) from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise IngestError(f"The file could not be read ({reason}).", file=name) from exc
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise IngestError("The file name is not a valid path.", file=name) from exc
    if len(data) > max_bytes:
        raise IngestError(
            f"The file is too large: over the {_human_size(max_bytes)} limit for one article "
            "(it grew while being read).",
            file=name,
        )
    return data


class NotRegularFileError(OSError):
    """The path is a FIFO, a device, a socket or a folder: nothing a seed can be."""


class FileTooLargeError(OSError):
    """The file is larger than the limit (by ``fstat``, before anything is read)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_seed_bytes(path: Path, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of the regular file at ``path``, never blocking.

    The file is opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open descriptor,
    so what is read is what was checked: a seed swapped for a FIFO after the folder was scanned
    would block a plain ``open()`` forever (no writer), and a device would stream without end.
    Only a regular file is read, in bounded chunks; a file larger than ``max_bytes`` by its
    size is refused unread, and one that grows past it while read returns one byte more.

    Raises:
        NotRegularFileError: not a regular file (says what it is).
        FileTooLargeError: larger than ``max_bytes``.
        OSError: cannot be opened or read (missing, permission, I/O error).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((what for test, what in _KINDS if test(info.st_mode)), "not a file")
            raise NotRegularFileError(f"This is {kind}, not a regular file; it is skipped.")
        if info.st_size > max_bytes:
            raise FileTooLargeError(info.st_size)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _article_id(keys: Iterable[str]) -> str:
    """Stable id from the body: case, spacing and quote style do not change it."""
    body = "\n".join(keys)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def _assemble(
    text: str, file: str, content_hash: str, hints: ArticleMeta | None
) -> tuple[Article, list[Line]]:
    """Run boilerplate removal and metadata detection over normalised ``text``."""
    lines = classify_lines(text)
    detection = detect_metadata(lines, hints)
    kept, removed = select_body(
        lines, detection.roles, detection.meta.title, detection.meta.author
    )
    paragraphs = tuple(line.text for line in kept)
    article = Article(
        article_id=_article_id(line.key for line in kept),
        file=file,
        content_hash=content_hash,
        meta=detection.meta,
        paragraphs=paragraphs,
        removed=tuple(line.text for line in removed),
    )
    return article, kept


def article_from_text(
    text: str, file: str = "inline.txt", meta: ArticleMeta | None = None
) -> Article:
    """Build an Article from already-decoded text (tests, tools, pasted text).

    With ``meta=None`` the text goes through the same boilerplate removal and metadata detection
    as a file.  With ``meta`` given, the caller is trusted completely: every non-blank line is a
    paragraph and ``meta`` is used as is, so tests can feed exact bodies.  Never raises, and
    unlike :func:`read_article` it accepts a text without sentences (the body is then empty).

    Args:
        text: The article text.
        file: File name recorded in ``Article.file``.
        meta: Metadata to use instead of detecting it.

    Returns:
        The article; ``content_hash`` is the SHA-256 of ``text`` encoded as UTF-8.
    """
    content_hash = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()
    normalized = decode.normalize_text(text)
    if meta is None:
        return _assemble(normalized, file, content_hash, None)[0]
    paragraphs = tuple(line.strip() for line in normalized.split("\n") if line.strip())
    return Article(
        article_id=_article_id(key_of(p) for p in paragraphs),
        file=file,
        content_hash=content_hash,
        meta=meta,
        paragraphs=paragraphs,
    )


def read_article(
    path: Path,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    data: bytes | None = None,
) -> Article:
    """Read a ``.txt``, ``.md``/``.markdown`` or ``.html``/``.htm`` seed into an Article.

    The format is chosen from ``name``'s suffix (then ``path``'s), so an upload saved under a
    temporary path is still read by its real name.  The size is checked with ``stat`` before
    reading, so a huge file is refused without being loaded.

    Args:
        path: The file to read.
        name: File name to record in ``Article.file`` and errors (default ``path.name``).
        max_bytes: Largest accepted file size.
        data: The file's bytes, already read by the caller (the build reads each seed once,
            with :func:`read_seed_bytes`); ``path`` is then not opened again.

    Returns:
        The article: detected metadata, body paragraphs (verbatim lines of the decoded and, for
        HTML/Markdown, converted text) and the removed boilerplate lines.

    Raises:
        IngestError: For an unsupported suffix, a missing/unreadable/oversized/empty/binary
            file, or a file with no sentence left once page furniture is removed.  No other
            exception escapes, whatever the bytes.
    """
    shown = name or path.name
    kind = _kind(path, shown)
    if data is None:
        data = _read(path, shown, max_bytes)
    elif len(data) > max_bytes:
        raise IngestError(
            f"The file is too large: over the {_human_size(max_bytes)} limit for one article.",
            file=shown,
        )
    if not data.strip():
        raise IngestError("The file is empty.", file=shown)
    reason = decode.binary_reason(data)
    if reason is not None:
        raise IngestError(
            f"This looks like a binary file, not a text article ({reason}).", file=shown
        )
    try:
        declared = decode.declared_charset(data) if kind == "html" else None
        text = decode.decode_bytes(data, declared)
        if not text.strip():
            raise IngestError("The file is empty (it holds only whitespace).", file=shown)
        if text.count("\ufffd") > _MAX_REPLACEMENT_SHARE * len(text):
            raise IngestError(
                "The file is not readable text (much of it fits no text encoding).",
                file=shown,
            )
        hints: ArticleMeta | None = None
        if kind == "html":
            text, hints = html_text.html_to_text(text)
        elif kind == "markdown":
            text, hints = markdown_text.markdown_to_text(text)
        content_hash = hashlib.sha256(data).hexdigest()
        article, kept = _assemble(text, shown, content_hash, hints)
    except IngestError:
        raise
    except Exception as exc:  # a bug must surface as a build error, never crash the build
        raise IngestError(
            f"The file could not be processed ({type(exc).__name__}: {exc}).", file=shown
        ) from exc
    if not any(line.prose and line.stamp is None for line in kept):
        raise IngestError(
            "No article text was found: once menus, banners and other page furniture are "
            "removed, nothing that reads like a sentence is left.",
            file=shown,
        )
    return article
