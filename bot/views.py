"""What the bot shows, prepared from the library without any Telegram object.

Handlers ask this module for a view (a small frozen dataclass), render it with a template and
reply.  Keeping these operations apart from Telegram makes them testable as plain functions and
reusable by the scheduler (briefings posted to subscribers use the same views).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.render import plural
from briefings.library import Library
from briefings.library import summit_token as token_of_key
from briefings.models import Conflict, Digest, MergedQuote, Summit, SummitHead
from briefings.store import SearchHit

PAGE_SIZE = 8
_WORDS = re.compile(r"[^\W_]+")
_YEAR_ARG = re.compile(r"^\s*(\d{4})\s*(?:[-–/]\s*(\d{4}))?\s*$")


class ArgumentError(ValueError):
    """A command argument the bot cannot use; the message is shown to the user."""


def summit_token(summit: Summit | SummitHead) -> str:
    """Short stable id of a summit for callback data and deep links (8 hex characters)."""
    return token_of_key(summit.key)


def summit_by_token(library: Library, token: str) -> Summit | None:
    """Inverse of :func:`summit_token` (None when the summit is gone: a stale button)."""
    return library.summit_by_token(token)


@dataclass(frozen=True, slots=True)
class Source:
    """How an article is cited: its title (or file name), publisher and date."""

    file: str
    label: str
    publisher: str | None
    published: str | None


def source_of(library: Library, file: str) -> Source:
    """Citation for one seed file."""
    card = library.article(file)
    if card is None:
        return Source(file, file, None, None)
    label = card.meta.title or f"Untitled article ({file})"
    return Source(file, label, card.meta.source, card.meta.published)


@dataclass(frozen=True, slots=True)
class SummaryView:
    summit: Summit
    sentences: tuple[tuple[str, Source], ...]
    sources: tuple[Source, ...]
    updated_at: float | None
    #: The summit card's lines above the summary (see :class:`CardView`).
    card: tuple[CardLineView, ...] = ()


@dataclass(frozen=True, slots=True)
class CardLineView:
    """One line of a summit card: its kind, what it says, and the article it is read from."""

    kind: str  # "meeting" | "participant" | "outcome" | "next"
    text: str
    source: Source


@dataclass(frozen=True, slots=True)
class CardView:
    """The summit card alone (/summit)."""

    summit: Summit
    lines: tuple[CardLineView, ...]


@dataclass(frozen=True, slots=True)
class QuoteItem:
    text: str
    kind: str
    sources: tuple[Source, ...]
    #: Speakers other sources give the same words to.
    other_speakers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    speaker: str
    quotes: tuple[QuoteItem, ...]


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # 1-based
    count: int


@dataclass(frozen=True, slots=True)
class QuotesView:
    summit: Summit | None
    groups: tuple[QuoteGroup, ...]
    query: str
    page: Page
    total: int


@dataclass(frozen=True, slots=True)
class TimelineItem:
    date: str
    event: str
    sources: tuple[Source, ...]
    disputed: bool


@dataclass(frozen=True, slots=True)
class ConflictItem:
    """Sources that disagree on one claim, with what the claim is about, readable as a sentence.

    A conflict's topic is the claim's subject and attribute (``"Lachin: year as cultural
    capital"``, ``"CIS chairmanship: holder in 2025"``, ``"next CIS summit: place, as stated in
    2025"``, ``"3rd CIS Games: athletes"``); ``kind`` says which of those shapes it is, so the
    template can say it as a sentence.  For a title held for a year, ``phrase`` is the shortest
    run of one claim's own words naming the subject and the title without the disputed year
    ("Tallinn as the youth capital of the Union"), else the subject and title as the engine
    read them.
    """

    conflict: Conflict
    sources: tuple[Source, ...]
    kind: str
    subject: str
    attribute: str
    phrase: str


@dataclass(frozen=True, slots=True)
class UnknownDate:
    """A date phrase the article uses without a date the engine could pin down."""

    evidence: str
    source: Source


@dataclass(frozen=True, slots=True)
class TimelineView:
    summit: Summit
    items: tuple[TimelineItem, ...]
    conflicts: tuple[ConflictItem, ...]
    span: str
    page: Page
    total: int
    unknown: tuple[UnknownDate, ...] = ()
    #: The span as asked, for the paging buttons (None: every year).
    years: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class SearchView:
    query: str
    hits: tuple[tuple[SearchHit, Source], ...]


def choose_summit(library: Library, words: str) -> Summit:
    """The summit named by ``words`` (latest when empty), or an ArgumentError listing the known."""
    summit = library.find_summit(words)
    if summit is None:
        names = ", ".join(s.name for s in library.summits[:5]) or "none yet"
        known = plural("Known summit", len(library.summits), "Known summits")
        raise ArgumentError(f"No summit matches “{words}”. {known}: {names}.")
    return summit


def summary_view(library: Library, summit: Summit) -> SummaryView:
    """The summit's card, then its merged summary, with each line's source."""
    return SummaryView(
        summit=summit,
        sentences=tuple((text, source_of(library, file)) for text, file in summit.summary),
        sources=tuple(source_of(library, f) for f in summit.files),
        updated_at=library.updated_at,
        card=card_view(library, summit).lines,
    )


def card_view(library: Library, summit: Summit) -> CardView:
    """The summit card: every stored line that has a source (a line without one is dropped)."""
    lines = []
    for line in summit.extra.get("card", ()):
        if isinstance(line, dict) and line.get("file") and line.get("text"):
            source = source_of(library, str(line["file"]))
            lines.append(CardLineView(str(line.get("kind", "")), str(line["text"]), source))
    return CardView(summit, tuple(lines))


def _paginate(count: int, page: int) -> tuple[Page, slice]:
    pages = max(1, -(-count // PAGE_SIZE))
    number = min(max(1, page), pages)
    start = (number - 1) * PAGE_SIZE
    return Page(number, pages), slice(start, start + PAGE_SIZE)


def quotes_view(
    library: Library, query: str = "", page: int = 1, summit: Summit | None = None
) -> QuotesView:
    """Quotes grouped by speaker: of one summit, or across all when ``query`` names a speaker.

    ``query`` first selects a summit by name; failing that it filters every quote by speaker
    or words ("/quotes aliyev").  Words match whole words or their beginnings ("put" finds
    Putin), in the speaker's name or the quote, the same way within a summit and across the
    archive (where the store's full-text index answers).
    """
    if summit is None and query:
        summit = library.find_summit(query)
        if summit is not None and not library.names_speaker(query):
            query = ""
        else:
            summit = None
    elif summit is None:
        summit = library.latest_summit()
    if summit is not None:
        matches = [q for q in summit.quotes if _quote_matches(q, query)]
        page_info, window = _paginate(len(matches), page)
        shown = matches[window]
        total = len(matches)
    else:
        total, hits = library.search_quotes(query, (max(1, page) - 1) * PAGE_SIZE, PAGE_SIZE)
        page_info, window = _paginate(total, page)
        if not hits and total:  # past the last page: show the last one
            _, hits = library.search_quotes(query, window.start, PAGE_SIZE)
        shown = [hit.quote for hit in hits]
    groups: dict[str, list[QuoteItem]] = {}
    for quote in shown:  # sources only for the page shown: a query can match thousands
        sources = tuple(source_of(library, f) for f in quote.files)
        item = QuoteItem(quote.text, quote.kind, sources, quote.other_speakers)
        groups.setdefault(quote.speaker or "", []).append(item)  # "": not stated
    return QuotesView(
        summit=summit,
        groups=tuple(QuoteGroup(k, tuple(v)) for k, v in groups.items()),
        query=query,
        page=page_info,
        total=total,
    )


def _quote_matches(quote: MergedQuote, query: str) -> bool:
    """Whether every word of ``query`` begins a word of the quote's speaker or text."""
    terms = _WORDS.findall(query.lower())
    if not terms:
        return True
    words = _WORDS.findall(f"{quote.speaker or ''} {quote.text}".lower())
    return all(any(w.startswith(t) for w in words) for t in terms)


def parse_year_span(argument: str) -> tuple[int, int] | None:
    """``""`` → None; ``"2025"`` → (2025, 2025); ``"2020-2025"`` → (2020, 2025).

    Raises:
        ArgumentError: anything else, with an example of what works.
    """
    if not argument.strip():
        return None
    match = _YEAR_ARG.match(argument)
    if not match:
        raise ArgumentError(
            f"“{argument}” is not a year or a span of years. Try /timeline 2025 or "
            "/timeline 2020-2025."
        )
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        first, last = last, first
    return first, last


def _in_span(date: str, span: tuple[int, int] | None) -> bool:
    if span is None:
        return True
    years = [int(part[:4]) for part in date.split("/") if part[:4].isdigit()]
    lo, hi = min(years, default=0), max(years, default=0)
    return hi >= span[0] and lo <= span[1]


def timeline_view(
    library: Library, summit: Summit, span: tuple[int, int] | None = None, page: int = 1
) -> TimelineView:
    """Dated events of a summit in order, optionally limited to a span of years."""
    events = [e for e in summit.timeline if _in_span(e.date, span)]
    page_info, window = _paginate(len(events), page)
    items = tuple(
        TimelineItem(e.date, e.event, tuple(source_of(library, f) for f in e.files), e.disputed)
        for e in events[window]
    )
    conflicts = tuple(
        conflict_item(c, tuple(source_of(library, claim.file) for claim in c.claims))
        for c in summit.conflicts
        if any(_in_span(claim.value, span) for claim in c.claims)
    )
    label = (
        "" if span is None else (str(span[0]) if span[0] == span[1] else f"{span[0]}–{span[1]}")
    )
    # Undated phrases belong to no year: listed with the whole timeline, not with a span.
    unknown = (
        ()
        if span is not None
        else tuple(
            UnknownDate(str(evidence), source_of(library, str(file)))
            for evidence, file in summit.extra.get("unresolved", ())
        )
    )
    return TimelineView(
        summit, items, conflicts, label, page_info, len(events), unknown, years=span
    )


_TOKEN = re.compile(r"[^\W_]+")


def conflict_item(conflict: Conflict, sources: tuple[Source, ...]) -> ConflictItem:
    """The conflict with a readable subject taken from its claims' own words."""
    subject, _, attribute = conflict.topic.partition(": ")
    if attribute.startswith(_YEAR_AS):
        title = attribute.removeprefix(_YEAR_AS)
        words = tuple(w for w in title.split() if w.lower() not in _FILLER)
        phrases = [
            phrase
            for claim in conflict.claims
            if (phrase := _subject_phrase(claim.evidence, tuple(subject.split()), words))
        ]
        phrase = min(phrases, key=len) if phrases else f"{subject} as {title}"
        return ConflictItem(conflict, sources, "year", subject, title, phrase)
    kind = next((k for prefix, k in _KINDS if attribute.startswith(prefix)), "count")
    return ConflictItem(conflict, sources, kind, subject, attribute, subject)


_YEAR_AS = "year as "
_FILLER = frozenset({"the", "of", "a", "an"})
#: Attribute prefixes of the claim shapes briefings.claims extracts, besides titles and counts.
_KINDS = (("holder in ", "holder"), ("place", "place"))


def _subject_phrase(evidence: str, names: Sequence[str], words: Sequence[str]) -> str | None:
    """Shortest run of ``evidence``'s words holding every one of ``names`` and ``words`` and no
    number (the disputed date is not part of what it is about), extended by a following
    "of [the] Name" complement, which belongs to the noun phrase ("capital of the Union")."""
    needed = {w.lower() for w in (*names, *words)}
    if not needed:
        return None
    tokens = list(_TOKEN.finditer(evidence))
    lowered = [t.group().lower() for t in tokens]
    best: tuple[int, int] | None = None
    for start, first in enumerate(lowered):
        if first not in needed:
            continue
        seen: set[str] = set()
        for end in range(start, len(tokens)):
            if lowered[end].isdigit():
                break
            seen.add(lowered[end])
            if needed <= seen:
                if best is None or end - start < best[1] - best[0]:
                    best = (start, end)
                break
    if best is None:
        return None
    start, end = best
    index = end + 1
    if index < len(tokens) and lowered[index] == "of":
        index += 1
        if index < len(tokens) and lowered[index] == "the":
            index += 1
        if index < len(tokens) and tokens[index].group()[:1].isupper():
            end = index
    return evidence[tokens[start].start() : tokens[end].end()]


def search_view(library: Library, query: str, limit: int = 10) -> SearchView:
    """Matching sentences and quotes across every digest."""
    if not query.strip():
        raise ArgumentError("Tell me what to look for, e.g. /search Lachin capital")
    hits = library.search(query, limit)
    return SearchView(query, tuple((h, source_of(library, h.file)) for h in hits))


def digests_of(library: Library, files: Sequence[str]) -> list[Digest]:
    """Digests of the given files that exist, in the given order."""
    return library.digests(files)
