"""Quotation marks: where a quotation opens and closes in a paragraph, and the shape tests on
quoted text (a sentence, a title-case name, an attribution between two parts).

Split from :mod:`briefings.stages.quotes` (step 1 of its extractor, *spans*): reading marks is
pure string work, the extractor decides what the spans are.
"""

from __future__ import annotations

import re

from briefings.lexicon import NAME_FUNCTION_WORDS as _FUNCTION_WORDS
from briefings.stages.quote_patterns import _ATTRIBUTION_TAIL, _POST_SUBJ_VERB, _POST_VERB_SUBJ

_DOUBLE_OPEN = "“„‟"
_DOUBLE_CLOSE = "”"
_STRAIGHT = '"'
_SINGLE_OPEN = "‘‚"
_SINGLE_CLOSE = "’"
_QUOTE_CHARS = "“”„‟\"«»‘’‚'"
_MARK = re.compile(r"[“”„‟\"«»‘’‚']")
_OPEN_BEFORE = set("([{—–-/:;\u00a0") | set(_QUOTE_CHARS)
_CLOSE_AFTER = set(",.;:!?)]}—–-…") | set(_QUOTE_CHARS)
_WORD = re.compile(r"[^\W_]+(?:[’'\-][^\W_]+)*")
_END_PUNCT = ".,!?…;:"


def _can_open(s: str, i: int) -> bool:
    prev = s[i - 1] if i > 0 else " "
    nxt = s[i + 1] if i + 1 < len(s) else ""
    return (prev.isspace() or prev in _OPEN_BEFORE) and bool(nxt) and not nxt.isspace()


def _can_close(s: str, i: int) -> bool:
    prev = s[i - 1] if i > 0 else " "
    nxt = s[i + 1] if i + 1 < len(s) else ""
    return not prev.isspace() and (not nxt or nxt.isspace() or nxt in _CLOSE_AFTER)


def _scan(s: str, begin: int) -> list[tuple[int | None, int | None, int, int, str]]:
    """Quoted stretches of one paragraph: ``(open, close, content_start, content_end, family)``.

    ``open`` is None for a closing mark without an opening one, ``close`` None for material still
    open at the end of the paragraph (or cut short by a new opening mark).  Offsets are local.
    """
    out: list[tuple[int | None, int | None, int, int, str]] = []
    cur: int | None = None
    cur_char = ""
    family = ""
    nested = 0
    marks = [m.start() for m in _MARK.finditer(s, begin)]
    k = 0
    while k < len(marks):
        i = marks[k]
        k += 1
        ch = s[i]
        if cur is None:
            if ch in _DOUBLE_OPEN + _DOUBLE_CLOSE + _STRAIGHT + "«»":
                is_open = _mark_opens(s, i, ch)
                if is_open is None:
                    continue
                if is_open:
                    cur, cur_char, nested = i, ch, 0
                    family = "guillemet" if ch == "«" else "double"
                else:
                    out.append((None, i, begin, i, "guillemet" if ch == "»" else "double"))
            elif ch in _SINGLE_OPEN + "'" and _can_open(s, i) and s[i + 1 : i + 2].isalnum():
                close = _single_close(s, i)
                if close is not None:
                    out.append((i, close, i + 1, close, "single"))
                    while k < len(marks) and marks[k] <= close:
                        k += 1
            continue
        if family == "guillemet":
            if ch == "«":
                nested += 1
            elif ch == "»":
                if nested:
                    nested -= 1
                else:
                    out.append((cur, i, cur + 1, i, family))
                    cur = None
            continue
        if ch in "‘’‚'«»":
            continue
        if ch == _DOUBLE_CLOSE or (ch == _STRAIGHT and cur_char == _STRAIGHT):
            if nested:
                nested -= 1
                continue
            out.append((cur, i, cur + 1, i, family))
            cur = None
        elif ch == _STRAIGHT:
            if _can_close(s, i) and not _can_open(s, i):
                out.append((cur, i, cur + 1, i, family))
                cur = None
        elif _can_close(s, i) and not _can_open(s, i):  # “ used as a closing mark
            out.append((cur, i, cur + 1, i, family))
            cur = None
        elif s.count(_DOUBLE_CLOSE, i) >= 2:
            nested += 1
        else:  # a new quotation starts while the last one was never closed
            out.append((cur, None, cur + 1, i, family))
            cur, cur_char, nested = i, ch, 0
    if cur is not None:
        out.append((cur, None, cur + 1, len(s), family))
    return out


def _mark_opens(s: str, i: int, ch: str) -> bool | None:
    """Whether a double mark outside any quotation opens one (None: ignore it)."""
    can_open, can_close = _can_open(s, i), _can_close(s, i)
    if ch in _DOUBLE_OPEN or ch == "«":
        return not (can_close and not can_open)
    if ch in _DOUBLE_CLOSE or ch == "»":
        return can_open and not can_close
    if i > 0 and s[i - 1].isdigit():  # 12" (inches)
        return None
    if can_open:
        return True
    return False if can_close else None


def _single_close(s: str, i: int) -> int | None:
    """Closing mark of a quotation in single marks: only after punctuation (not an apostrophe)."""
    j = i + 1
    while True:
        j = min((p for p in (s.find("’", j), s.find("'", j)) if p >= 0), default=-1)
        if j < 0 or any(c in s[i:j] for c in '“”"«»'):
            return None
        if s[j - 1] in ".,!?" and _can_close(s, j):
            return j
        j += 1


def _only_attribution(between: str) -> bool:
    """Whether the text between two quotations is only an attribution (", he said, ")."""
    for regex in (_POST_SUBJ_VERB, _POST_VERB_SUBJ):
        match = regex.match(between)
        if match and _ATTRIBUTION_TAIL.match(between[match.end() :]):
            return True
    return False


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _starts_upper(text: str) -> bool:
    for ch in text:
        if ch.isalpha():
            return ch.isupper()
    return False


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip("’'‘ ")
    return bool(stripped) and stripped[-1] in _END_PUNCT


def _title_case(text: str) -> bool:
    """“Caucasian Four”, “One Belt, One Road”: a name, not a sentence."""
    words = [w for w in _words(text) if w.lower() not in _FUNCTION_WORDS]
    if len(words) < 2 or text.rstrip("’' ")[-1:] in ".!?":
        return False
    caps = sum(1 for w in words if w[0].isupper() or w[0].isdigit())
    return caps >= 0.75 * len(words)
