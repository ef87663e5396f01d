"""Bytes to text: BOMs, UTF-16 without a BOM, a declared HTML charset, legacy encodings, binary
files told apart, and one normal form for line breaks and control characters.

Split from the former ``formats`` module; :mod:`briefings.ingest.read` calls it first.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

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
