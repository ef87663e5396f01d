"""Tell an article's body from the page furniture copied along with it.

Seeds are copies of web pages: menus ("Accessibility links"), player text ("0:00 0:01:12 0:00"),
subscription pitches, social links, captions, repeated headlines and bylines, CMS footers.  The
rules are general rather than a list of one site's strings:

* **known furniture** - whole-line menu/button phrases, phrase families (subscription pitches,
  cookie banners, follow-us lines, credits, captions), symbol-only lines, link farms;
* **zones** - before the first sentence and after the last one, short lines that are not
  sentences are page chrome (the walk stops at the first real sentence from either end);
* **duplicates** - a short line printed twice is furniture (headline, byline, caption); a
  sentence printed twice is kept once; a teaser that repeats part of a later paragraph goes;
* **metadata lines** - headline, byline, site name, clock and place lines found by
  :mod:`briefings.ingest.metadata` are recorded there and dropped from the body.

The one thing the rules must never do is drop a body paragraph, so anything that reads like a
sentence in the middle of the text stays unless a specific furniture rule names it.  Date stamp
lines are always kept: the timeline cites them as the evidence for the article's own date.
"""

from __future__ import annotations

import re

from briefings.ingest.lines import Line, key_of
from briefings.ingest.stamps import parse_clock_line, parse_stamp

#: Lines longer than this are never furniture (and are not run through the phrase regexes).
_MAX_FURNITURE_CHARS = 400
#: Above this many paragraphs the teaser test (pairwise in the worst case) is skipped.
_MAX_TEASER_LINES = 600

_MENU_PHRASES = r"""
accessibility links|skip to (?:main )?content|skip to navigation|skip navigation|breaking news
|latest news|latest|top stories|most (?:read|popular|viewed|shared)|trending(?: now)?|see more
|see all|view (?:all|more)|show more|load more|more (?:stories|news|videos)|read more
|continue reading|read (?:the )?full (?:story|article)|print(?: this)?(?: article| page)?
|print version|printable version|text version|share(?: this)?(?: article| story| page)?
|share on (?:facebook|twitter|x|whatsapp|telegram|linkedin|email)|tweet|email|e-mail
|comments?|\d+ comments?|leave a (?:comment|reply)|add (?:a )?comment|show comments|reply|like
|save|bookmark|copy link|link copied|subscribe(?: now| today)?|sign (?:in|up|out)|log ?(?:in|out)
|register|menu|search|home|close|back to top|top|next(?: article| story)?
|previous(?: article| story)?|prev|advertisement|advertising|sponsored(?: content)?|ads?
|loading|please wait|no media source currently available|video|videos|photo|photos|gallery
|photo gallery|embed|download|play(?: video)?|pause|mute|unmute|full ?screen|captions?
|listen(?: to (?:this )?article)?|font size|text size|xs|sm|md|lg|xl|xxl|s|m|l|a\+|a-|a
|related(?: articles| stories| news| content| topics)?|you (?:may|might) also like
|recommended(?: for you| stories)?|publication status|cookie settings|accept(?: all)?(?: cookies)?
|reject(?: all)?|manage (?:cookies|preferences|consent)|got it|ok|okay|follow us|newsletter
|sign up for (?:our|the) newsletter|editor'?s picks?|watch live|live|hide|show|expand|collapse
"""
_MENU_ONE = "(?:" + _MENU_PHRASES.replace("\n", "") + ")"
# Phrases separated by whitespace (never by nothing: "smsmsm..." must not backtrack
# exponentially through "sm" versus "s" + "m").
_MENU = re.compile(rf"^{_MENU_ONE}(?:\s+{_MENU_ONE})*$", re.IGNORECASE)
_FURNITURE_PREFIX = re.compile(
    r"^(?:read more\b|(?:read also|also read|see also|related|recommended|more|watch|listen"
    r"|also on [a-z]+|most read|further reading)\s*[:»›>|–—-]"
    r"|(?:published in sections?|filed under|categories|category|tags?|topics?|keywords"
    r"|direct link|permalink|short (?:link|url)|source url|page url)\s*:"
    r"|(?:reporting|writing|editing|additional reporting|compiled)\s+by\b"
    r"|(?:©|\(c\)\s|copyright\b)"
    r"|\((?:file|photo|archive|illustration|video|image)\b[^)]{0,80}\)"
    r"|(?:file photo|photo|photograph|picture|image|caption|credit|photo credit|illustration)"
    r"\s*:)",
    re.IGNORECASE,
)
# Phrase families found anywhere in a line, each gated by cheap substrings of the casefolded
# line so that ordinary body sentences cost one ``in`` test per family.
_FURNITURE_ANYWHERE: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (gate, re.compile(pattern, re.IGNORECASE))
    for gate, pattern in (
        (("rights reserved",), r"\ball rights reserved\b"),
        (("/",), r"\b(?:REUTERS|AFP|EPA|AP Photo|Getty Images|Anadolu)/\s?[A-Z]"),
        # follow-us lines: "Follow us on X", "You can also follow <site> on Twitter @..."
        ((" us ",), r"\b(?:follow|like|join|find)\s+us\s+(?:on|at)\b"),
        (
            ("@",),
            r"\b(?:follow|like|join|find)\b.{0,60}\b(?:twitter|x|facebook|instagram|telegram"
            r"|linkedin|youtube|tiktok|whatsapp|threads|bluesky|vk|mastodon)\b",
        ),
        # cookie banners
        (
            ("cookie",),
            r"^(?=.*\bcookies?\b)(?=.*\b(?:use|uses|using|accept|consent|privacy|policy"
            r"|settings|browsing|experience|personali[sz]e|agree)\b)",
        ),
        # browser / script / ad-blocker notices
        (
            ("javascript",),
            r"\bjavascript\b.{0,60}\b(?:enable|enabled|disabled|required)\b"
            r"|\b(?:enable|disable)\b.{0,40}\bjavascript\b",
        ),
        (("browser",), r"\byour browser\b.{0,80}\b(?:support|update|upgrade)\b"),
        (("blocker",), r"\b(?:disable|turn off|whitelist)\s+(?:your\s+)?ad\s?-?blocker\b"),
    )
)
_ANY_GATE = re.compile(
    "|".join(re.escape(word) for gate, _ in _FURNITURE_ANYWHERE for word in gate)
)
_PITCH_GATE = re.compile(
    "subscri|journalism|news|cost|sign up|register|donat|member|trial|continue reading"
)
# Reader-directed sales pitches need two signals (an address to the reader and a sales phrase),
# so a body sentence about, say, "support for independent journalism" is never taken for one.
_PITCH_READER = re.compile(
    r"\b(?:you|your|subscribe|subscribing|sign up|donate|join us)\b",
    re.IGNORECASE,
)
_PITCH_SALES = re.compile(
    r"\bsubscri(?:be|bing|ption|bers?)\b.{0,80}\b(?:our|newsletter|monthly|yearly|annual|"
    r"digital access|full access|unlimited|today|now|plan|offer|basis|newspaper)\b"
    r"|\bour\s+(?:online\s+)?(?:newspaper|newsletter|magazine)\b"
    r"|\bsupport\b.{0,60}\bjournalism\b"
    r"|\b(?:serve|bring|deliver|send)s?\s+you\b.{0,40}\bnews\b"
    r"|\b(?:does not|doesn't|won't|will not)\s+cost\s+(?:much|a lot|you)\b"
    r"|\b(?:sign up|register)\b.{0,40}\b(?:newsletter|alerts|updates|briefing)\b"
    r"|\b(?:become a (?:member|subscriber|supporter)|donate now|make a donation|support us)\b"
    r"|\b(?:already (?:a )?subscriber|log in to (?:read|continue)|to continue reading)\b"
    r"|\bfull digital access\b|\bfree trial\b",
    re.IGNORECASE,
)
_NON_MENU_CHARS = re.compile(r"[^\w\s+'&-]+")
_VIDEO_TIMES = re.compile(r"^(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\s+(?:\d{1,2}:)?\d{1,2}:\d{2})+$")
_LINK_FARM_SPLIT = re.compile(r"\s*[|•·»›]\s*|\s{3,}|\s/\s")
_TERMINAL = re.compile(r"[.!?…:;,][\"'”’»)\]]*$")
_TOKEN = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"\w+")


def furniture_reason(text: str) -> str | None:
    """Say why a line is page furniture (menu, pitch, caption, credit ...), or ``None``.

    Args:
        text: One stripped, non-blank line.

    Returns:
        A short reason, or ``None`` for a line that may be body text.  Only whole-line
        patterns and two-signal phrase families are used, so a body sentence that merely
        mentions "news" or "subscribers" is not caught.
    """
    if len(text) > _MAX_FURNITURE_CHARS:
        return None
    if not _TOKEN.search(text):
        return "symbols"
    if len(text) <= 80:
        plain = _NON_MENU_CHARS.sub(" ", text).strip()
        if plain and _MENU.match(plain):
            return "menu"
    if _VIDEO_TIMES.match(text):
        return "player"
    if _FURNITURE_PREFIX.match(text):
        return "label"
    low = text.casefold()
    if _ANY_GATE.search(low):
        for gate, pattern in _FURNITURE_ANYWHERE:
            if any(word in low for word in gate) and pattern.search(text):
                return "phrase"
    if (
        _PITCH_GATE.search(low)
        and len(text.split()) <= 60
        and _PITCH_READER.search(text)
        and _PITCH_SALES.search(text)
    ):
        return "pitch"
    if any(sep in text for sep in ("|", "•", "·", "»", "›", " / ", "   ")):
        parts = [p for p in _LINK_FARM_SPLIT.split(text) if p]
        if len(parts) >= 3 and all(len(p.split()) <= 4 and not _TERMINAL.search(p) for p in parts):
            return "links"
    return None


def classify_lines(text: str) -> list[Line]:
    """Split ``text`` into stripped non-blank lines and classify each one.

    Args:
        text: Decoded, newline-normalised article text.

    Returns:
        One :class:`Line` per non-blank line, in order.
    """
    lines: list[Line] = []
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            continue
        words = sum(1 for token in stripped.split() if token.isalpha() or _TOKEN.search(token))
        terminal = _TERMINAL.search(stripped[-8:]) is not None
        short = len(stripped) <= _MAX_FURNITURE_CHARS
        stamp = parse_stamp(stripped) if short else None
        lines.append(
            Line(
                pos=len(lines),
                text=stripped,
                key=key_of(stripped),
                words=words,
                terminal=terminal,
                prose=words >= 12 or (words >= 2 and terminal),
                furniture=None if stamp is not None else furniture_reason(stripped),
                stamp=stamp,
                clock=parse_clock_line(stripped) if short and stamp is None else None,
            )
        )
    return lines


def _shingles(key: str, size: int = 6) -> set[tuple[str, ...]]:
    tokens = _WORD.findall(key)
    return set(zip(*(tokens[i:] for i in range(size)), strict=False))


def _teasers(lines: list[Line], drop: list[bool]) -> set[int]:
    """Lines most of whose wording reappears inside one longer line (pull quotes, teasers)."""
    candidates = [
        ln for ln in lines if not drop[ln.pos] and ln.words >= 8 and len(ln.text) <= 20000
    ]
    if len(candidates) > _MAX_TEASER_LINES:
        return set()  # not a news article (a book, a dump): the pairwise test would be slow
    shingles = {ln.pos: _shingles(ln.key) for ln in candidates}
    seen: set[tuple[str, ...]] = set()
    shared: set[tuple[str, ...]] = set()
    for grams in shingles.values():
        shared |= seen & grams
        seen |= grams
    found: set[int] = set()
    for line in candidates:
        grams = shingles[line.pos]
        if len(grams) < 3 or len(grams & shared) < 0.6 * len(grams):
            continue  # the common case: a paragraph that shares (almost) nothing
        for other in candidates:
            if other.pos == line.pos or other.pos in found:
                continue
            if len(other.text) <= len(line.text):
                continue
            if len(grams & shingles[other.pos]) >= 0.6 * len(grams):
                found.add(line.pos)
                break
    return found


#: A line above the headline this long is a body paragraph, and the headline guess is doubtful.
_MAX_ABOVE_HEADLINE_WORDS = 20


def _above_headline(lines: list[Line], roles: dict[int, str]) -> list[int]:
    """Lines above the headline: page chrome, whatever they look like.

    A story starts under its headline, so a short line above it (a site banner, a back-link
    such as "From <wiki>, the free news source you can write!") is never body, even when it
    ends like a sentence.  Only short lines are taken, and none if a long one stands there.
    """
    first = next((line.pos for line in lines if roles.get(line.pos) == "title"), None)
    if first is None:
        return []
    above = [line for line in lines[:first] if line.stamp is None]
    if any(line.words > _MAX_ABOVE_HEADLINE_WORDS for line in above):
        return []
    return [line.pos for line in above]


def select_body(
    lines: list[Line], roles: dict[int, str], title: str | None, author: str | None
) -> tuple[list[Line], list[Line]]:
    """Split classified lines into body paragraphs and removed furniture.

    Args:
        lines: Output of :func:`classify_lines`.
        roles: Metadata lines found by :func:`briefings.ingest.metadata.detect_metadata`.
        title: The detected headline; its repeats are dropped wherever they stand.
        author: The detected author; a line repeating the name alone is dropped.

    Returns:
        ``(kept, removed)``, both in text order.
    """
    n = len(lines)
    drop = [False] * n
    repeat_keys = {key_of(x) for x in (title, author) if x}
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.key] = counts.get(line.key, 0) + 1
    seen: set[str] = set()
    for line in lines:
        if line.stamp is not None:
            drop[line.pos] = line.key in seen  # a stamp is kept once: it is timeline evidence
        elif line.furniture or line.pos in roles or line.clock is not None:
            drop[line.pos] = True
        elif not line.prose and (line.key in repeat_keys or counts[line.key] > 1):
            drop[line.pos] = True  # headline, byline or caption printed again
        elif line.key in seen:
            drop[line.pos] = True  # a paragraph printed twice is kept once
        seen.add(line.key)
    for pos in _teasers(lines, drop):
        drop[pos] = True
    for pos in _above_headline(lines, roles):
        drop[pos] = True

    # Header zone: short non-sentences before the first sentence are page chrome.
    for line in lines:
        if drop[line.pos] or line.stamp is not None:
            continue
        if line.prose:
            break
        drop[line.pos] = True
    # Footer zone, walking up from the end; a short sentence wedged between furniture
    # lines ("Thank you!" between a follow-us line and "Loading...") goes with them.
    for line in reversed(lines):
        if line.stamp is not None:
            continue
        if drop[line.pos]:
            continue
        if not line.prose:
            drop[line.pos] = True
            continue
        before = lines[line.pos - 1] if line.pos > 0 else None
        after = lines[line.pos + 1] if line.pos + 1 < n else None
        wedged = (
            line.words <= 5
            and before is not None
            and before.furniture is not None
            and (after is None or after.furniture is not None or drop[after.pos])
        )
        if not wedged:
            break
        drop[line.pos] = True
    # Menus in the body: three or more consecutive one- or two-word non-sentences.
    run: list[int] = []
    for item in [*lines, None]:
        if (
            item is not None
            and not drop[item.pos]
            and not item.prose
            and item.words <= 2
            and item.stamp is None
        ):
            run.append(item.pos)
            continue
        if len(run) >= 3:
            for pos in run:
                drop[pos] = True
        run = []
    kept = [line for line in lines if not drop[line.pos]]
    removed = [line for line in lines if drop[line.pos]]
    return kept, removed
