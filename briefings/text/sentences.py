"""Sentence splitting that keeps offsets and survives quotes and abbreviations.

A regex splitter rather than a statistical one: news prose is regular enough, it costs
microseconds, it needs no model, and every sentence is returned as an exact ``(start, end)``
slice of the text, so summary sentences and quote evidence stay verbatim substrings of the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefings.lexicon import ABBREVIATIONS as _ABBREVIATIONS

# A sentence ends at . ! ? or an ellipsis, optionally followed by closing quotes/brackets, then
# whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(
    r"""(?<=[.!?…])["'”’»)\]]*\s+(?=["'“‘«(\[]?[A-Z0-9А-Я])""",
)
_WORD_BEFORE = re.compile(r"(\S+)$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as a slice of the text it came from."""

    start: int
    end: int
    text: str


def _is_abbreviation(chunk: str) -> bool:
    match = _WORD_BEFORE.search(chunk)
    if not match:
        return False
    word = match.group(1).rstrip(".").lstrip("\"'“‘(").lower()
    if word in _ABBREVIATIONS:
        return True
    # Initials such as "J." or "U.S." (single letters separated by dots).
    return bool(re.fullmatch(r"(?:[a-z]\.)*[a-z]", word))


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences; paragraphs (newlines) always end a sentence."""
    sentences: list[Sentence] = []
    offset = 0
    for line in text.split("\n"):
        line_start = offset
        offset += len(line) + 1
        cursor = 0
        for match in _BOUNDARY.finditer(line):
            head = line[cursor : match.start()]
            if _is_abbreviation(line[: match.start()].rstrip("\"'”’»)]")):
                continue
            _append(sentences, line, line_start, cursor, cursor + len(head))
            cursor = match.end()
        _append(sentences, line, line_start, cursor, len(line))
    return sentences


def _append(out: list[Sentence], line: str, base: int, start: int, end: int) -> None:
    """Strip whitespace around ``line[start:end]`` and record it when non-empty."""
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(base + start, base + end, line[start:end]))
