"""Summits across articles: which summit an article reports on, and the merged briefing.

An article is tied to a summit by what it says: the organisation ("CIS", "NATO", "G-8"), the host
city ("summit in Dushanbe") and the year.  An article whose summit is unclear goes under its
organisation, and joins that organisation's summit when there is exactly one to join.  A summit
briefing merges its articles: one timeline in date order, duplicate quotes merged with all their
sources, and conflicts flagged where two sources date the same thing differently.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from briefings.gazetteer import is_city, is_known_place
from briefings.models import (
    ArticleMeta,
    ArticleStamp,
    Conflict,
    Digest,
    Entities,
    MergedEvent,
    MergedQuote,
    SourcedClaim,
    Summit,
    SummitHead,
    TimelineEvent,
)

_ACRONYM = r"(?:[A-Z]{2,6}|[A-Z]-?\d{1,2}|[A-Z]\d\+\d)"
_ACRONYM_RE = re.compile(rf"\b{_ACRONYM}\b")
# "CIS summit", "Russia-Africa Summit", "Shanghai Cooperation Organization summit".
_NAME_BEFORE_SUMMIT = re.compile(
    r"((?:[A-Z][\w+’'-]*|of|the|and)(?:\s+(?:[A-Z][\w+’'-]*|of|and|format))*)\s+[Ss]ummits?\b"
)
_SUMMIT_OF = re.compile(
    r"\b[Ss]ummits?\s+of\s+(?:the\s+)?((?:[A-Z][\w+’'-]*)(?:\s+(?:[A-Z][\w+’'-]*|of|and))*)"
)
_SUMMIT_IN = re.compile(
    r"\b(?:[Ss]ummits?|meeting|talks|held|hosted|convened?s?|gather(?:ed)?)\b[^.\n]{0,60}?"
    r"\b(?:in|at)\s+([A-Z][\w’'-]+(?:\s+(?:de|do|da|del|la|el|al|[A-Z][\w’'-]+)){0,3})"
)
# "next year's summit in Johannesburg", "the previous summit in Minsk": another summit.
_OTHER_SUMMIT = re.compile(
    r"\b(?:next|upcoming|future|previous|last|following|earlier|former)\b[^.\n]{0,30}$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_ALIASES = {
    "G-8": "G8",
    "G-20": "G20",
    "G-7": "G7",
    "Group of Eight": "G8",
    "Group of Seven": "G7",
    "Group of Twenty": "G20",
}
_GENERIC = frozenset(
    {
        "The",
        "This",
        "That",
        "A",
        "An",
        "Our",
        "Its",
        "Their",
        "His",
        "Her",
        "Annual",
        "Next",
        "Last",
        "First",
        "Previous",
        "Recent",
        "Upcoming",
        "Most",
        "Washington",
        "July",
        "June",
    }
)
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]+")
_CONFLICT_STOP = frozenset(
    """the of for and a an in on to as is was be by with its it this that from at named naming
    name declaration declared welcomed he she they year next last this""".split()
)


@dataclass(frozen=True, slots=True)
class SummitKey:
    """What an article says about its summit; any part may be unknown."""

    organization: str | None
    city: str | None = None
    year: str | None = None

    def encode(self) -> str:
        """Stored form, e.g. ``CIS|Dushanbe|2025``."""
        return "|".join(part or "" for part in (self.organization, self.city, self.year))

    @classmethod
    def decode(cls, value: str | None) -> SummitKey:
        """Inverse of :meth:`encode`; ``None`` is the unknown summit."""
        parts = [*(value or "").split("|"), "", "", ""]
        return cls(parts[0] or None, parts[1] or None, parts[2] or None)

    @property
    def name(self) -> str:
        """Readable name: "CIS summit, Dushanbe, 2025"."""
        if not self.organization:
            return "Unattributed articles"
        parts = [f"{self.organization} summit", self.city, self.year]
        return ", ".join(p for p in parts if p)


def _canonical(name: str) -> str:
    name = re.sub(r"^(?:the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
    return _ALIASES.get(name, name)


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper())


def detect_summit(
    title: str | None, text: str, entities: Entities, published: str | None
) -> SummitKey:
    """Say which summit an article reports on, from its title, body and entities."""
    head = f"{title or ''}\n{text}"
    votes: Counter[str] = Counter()
    for pattern, weight in ((_NAME_BEFORE_SUMMIT, 3), (_SUMMIT_OF, 3)):
        for match in pattern.finditer(head):
            name = _strip_generic(match.group(1))
            if name:
                votes[_canonical(name)] += weight
    acronyms = Counter(_canonical(a) for a in _ACRONYM_RE.findall(head))
    for org in entities.organizations:
        canonical = _canonical(org)
        if _ACRONYM_RE.fullmatch(canonical):
            votes[canonical] += 1
    for acronym, count in acronyms.items():
        if acronym in votes or any(_initials(o) == acronym for o in entities.organizations):
            votes[acronym] += count
    organization = _fold_long_names(votes)
    if organization is None:
        return SummitKey(None)
    year = published[:4] if published else None
    return SummitKey(organization, _detect_city(title, text, organization), year)


def _strip_generic(name: str) -> str:
    words = name.split()
    while words and (words[0] in _GENERIC or words[0].lower() in {"of", "the", "and"}):
        words.pop(0)
    while words and words[-1].lower() in {"of", "the", "and", "format"}:
        words.pop()
    if not words or (is_known_place(" ".join(words)) and len(words) == 1):
        return ""
    return " ".join(words)


def _fold_long_names(votes: Counter[str]) -> str | None:
    """Credit "Commonwealth of Independent States" to "CIS" when both appear; pick the winner."""
    if not votes:
        return None
    for name in list(votes):
        acronym = _initials(name)
        if " " in name and acronym in votes and acronym != name:
            votes[acronym] += votes.pop(name)
    name, count = votes.most_common(1)[0]
    return name if count >= 2 else None


def _detect_city(title: str | None, text: str, organization: str) -> str | None:
    """The host city: "summit in X" in the title, the lead, or sentences naming the org.

    A city mentioned beside another summit ("the COP29 summit in Baku") is not this summit's.
    """
    counts: Counter[str] = Counter()
    paragraphs = [p for p in text.split("\n") if len(p.split()) > 12]
    lead = paragraphs[0] if paragraphs else ""  # news leads say where the summit is
    chunks = [(3, title or ""), (2, lead)]
    chunks += [(1, s) for s in re.split(r"(?<=[.!?])\s+|\n", text) if organization in s]
    for weight, chunk in chunks:
        for match in _SUMMIT_IN.finditer(chunk):
            if _OTHER_SUMMIT.search(chunk, 0, match.start()):
                continue
            words = match.group(1).split()
            for size in range(len(words), 0, -1):  # longest known city first
                option = " ".join(words[:size])
                if is_city(option):
                    counts[option] += weight
                    break
    return counts.most_common(1)[0][0] if counts else None


class _Article(Protocol):
    """What grouping needs of an article: a digest or its stamp."""

    @property
    def file(self) -> str: ...
    @property
    def summit(self) -> str | None: ...


_A = TypeVar("_A", bound=_Article)


class _Dated(Protocol):
    @property
    def file(self) -> str: ...
    @property
    def meta(self) -> ArticleMeta: ...


_M = TypeVar("_M", bound=_Dated)


def group_digests(digests: Iterable[_A]) -> dict[SummitKey, list[_A]]:
    """Group digests (or stamps) by summit; articles naming only an organisation join its one."""
    groups: dict[SummitKey, list[_A]] = defaultdict(list)
    vague: list[tuple[SummitKey, _A]] = []
    for digest in digests:
        key = SummitKey.decode(digest.summit)
        if key.organization and (key.city or key.year):
            groups[key].append(digest)
        else:
            vague.append((key, digest))
    by_organization: dict[str | None, list[SummitKey]] = defaultdict(list)
    for known in groups:
        by_organization[known.organization].append(known)
    for key, digest in vague:
        matches = by_organization.get(key.organization, []) if key.organization else []
        groups[matches[0] if len(matches) == 1 else key].append(digest)
    return dict(groups)


def build_summits(digests: Iterable[Digest]) -> list[Summit]:
    """Merge all digests into summit briefings, newest summit first (see also
    :func:`briefings.summit_index.refresh_summits`, which does this incrementally in a store)."""
    summits = [merge_summit(key, members) for key, members in group_digests(digests).items()]
    return sorted(summits, key=summit_order, reverse=True)


def summit_order(summit: Summit | SummitHead) -> tuple[str, str]:
    """Sort key of summits; reversed, it lists the most recent first."""
    return (summit.latest_published or "", summit.name)


#: A briefing merges at most this many of a summit's articles, the most recent first.  Merging
#: and conflict detection compare articles pairwise, and a group that only names its
#: organisation keeps growing with the archive; a chat briefing of more sources is unreadable
#: anyway (every article stays listed, digested and searchable).
MAX_MERGED_ARTICLES = 50


def newest_first(articles: Iterable[_M]) -> list[_M]:
    """Articles (digests or cards) in the order a briefing cites them: newest first."""
    return sorted(articles, key=lambda d: (d.meta.published or "", d.file), reverse=True)


def stamps_newest_first(stamps: Iterable[ArticleStamp]) -> list[ArticleStamp]:
    """:func:`newest_first` for stamps (the same order)."""
    return sorted(stamps, key=lambda s: (s.published or "", s.file), reverse=True)


def merge_summit(
    key: SummitKey, digests: Sequence[Digest], *, members: Sequence[ArticleStamp] = ()
) -> Summit:
    """Merge the digests of one summit into its briefing (its most recent articles).

    ``members``: every article of the summit, when ``digests`` holds only the most recent
    :data:`MAX_MERGED_ARTICLES` of them (so the others need not be read from the store).
    """
    ordered = newest_first(digests)
    if members:
        everyone = [(m.file, m.published) for m in stamps_newest_first(members)]
    else:
        everyone = [(d.file, d.meta.published) for d in ordered]
    published = [date for _, date in everyone if date]
    recent = ordered[:MAX_MERGED_ARTICLES]
    conflicts = find_conflicts(recent)
    return Summit(
        key=key.encode(),
        name=key.name,
        files=tuple(file for file, _ in everyone),
        summary=_merge_summary(recent),
        quotes=_merge_quotes(recent),
        timeline=_merge_timeline(recent, conflicts),
        conflicts=conflicts,
        latest_published=max(published) if published else None,
        # Date phrases the articles use but that cannot be pinned down ("next year" in an
        # undated article): the bot says their date is unknown instead of leaving them out.
        extra={"unresolved": [[u.evidence, d.file] for d in recent for u in d.unresolved_dates]},
    )


def _merge_summary(digests: Sequence[Digest], limit: int = 5) -> tuple[tuple[str, str], ...]:
    """Round-robin over the articles (newest first) so every source is heard."""
    picked: list[tuple[str, str]] = []
    seen: list[frozenset[str]] = []
    columns = [list(d.summary) for d in digests]
    for rank in range(max((len(c) for c in columns), default=0)):
        for digest, column in zip(digests, columns, strict=True):
            if rank >= len(column) or len(picked) >= limit:
                continue
            words = _words(column[rank])
            if any(len(words & other) > 0.7 * min(len(words), len(other)) for other in seen):
                continue
            seen.append(words)
            picked.append((column[rank], digest.file))
    return tuple(picked)


def _norm_quote(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _merge_quotes(digests: Sequence[Digest]) -> tuple[MergedQuote, ...]:
    merged: list[MergedQuote] = []
    norms: list[str] = []  # _norm_quote of each merged quote's text, kept in step
    for digest in digests:
        for quote in digest.quotes:
            key = _norm_quote(quote.text)
            for i, existing in enumerate(merged):
                other = norms[i]
                if key and (key in other or other in key):
                    keep = len(other) >= len(key)
                    longer = existing.text if keep else quote.text
                    files = existing.files + (
                        (digest.file,) if digest.file not in existing.files else ()
                    )
                    merged[i] = MergedQuote(
                        longer, existing.speaker or quote.speaker, existing.kind, files
                    )
                    norms[i] = other if keep else key
                    break
            else:
                merged.append(MergedQuote(quote.text, quote.speaker, quote.kind, (digest.file,)))
                norms.append(key)
    return tuple(merged)


def date_sort_key(date: str) -> tuple[str, int]:
    """Chronological key for ``YYYY``/``YYYY-MM``/``YYYY-MM-DD``/``A/B``; coarser dates first."""
    start = date.split("/")[0]
    parts = [*start.split("-"), "00", "00"][:3]
    return ("-".join(p.zfill(2) for p in parts), len(start))


def _merge_timeline(
    digests: Sequence[Digest], conflicts: Sequence[Conflict] | None = None
) -> tuple[MergedEvent, ...]:
    merged: list[MergedEvent] = []
    merged_words: list[frozenset[str]] = []  # _words of each merged event, computed once
    disputed = {
        (claim.file, claim.evidence)
        for conflict in (find_conflicts(digests) if conflicts is None else conflicts)
        for claim in conflict.claims
    }
    for digest in digests:
        for event in digest.timeline:
            words = _words(event.event)
            flag = (digest.file, event.event) in disputed
            for i, existing in enumerate(merged):
                if existing.date == event.date and _similar(words, merged_words[i]):
                    if digest.file not in existing.files:
                        merged[i] = MergedEvent(
                            existing.date,
                            existing.event,
                            existing.evidence,
                            (*existing.files, digest.file),
                            existing.disputed or flag,
                        )
                    break
            else:
                merged.append(
                    MergedEvent(event.date, event.event, event.evidence, (digest.file,), flag)
                )
                merged_words.append(words)
    return tuple(sorted(merged, key=lambda e: date_sort_key(e.date)))


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text) if w.lower() not in _CONFLICT_STOP)


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return len(a & b) >= 0.6 * max(1, min(len(a), len(b)))


def _context(
    digest: Digest, event: TimelineEvent, width: int = 60, text: str | None = None
) -> str:
    """The words around an event's date phrase: what the date is *about*.

    ``text`` is the digest's body (``"\n".join(digest.paragraphs)``) when the caller has it.
    """
    if text is None:
        text = "\n".join(digest.paragraphs)
    if 0 <= event.start < event.end <= len(text):
        lo = max(0, event.start - width)
        hi = min(len(text), event.end + width)
        return text[lo:hi]
    return f"{event.evidence} {event.event}"


def find_conflicts(digests: Sequence[Digest]) -> tuple[Conflict, ...]:
    """Flag pairs of sources that give different dates of the same precision to the same thing.

    Two events are "about the same thing" when the words around their date phrases share a proper
    name and at least two other content words (e.g. "Lachin", "cultural", "capital").  Ranges that
    overlap and dates of different precision are not contradictions.
    """
    items: list[tuple[Digest, TimelineEvent, frozenset[str], frozenset[str]]] = []
    for digest in digests:
        text = "\n".join(digest.paragraphs)
        for event in digest.timeline:
            if event.relative:
                continue
            context = _context(digest, event, text=text)
            words = _words(context)
            proper = frozenset(w.lower() for w in re.findall(r"\b[A-Z][a-z]{2,}\b", context))
            items.append((digest, event, words, proper))
    conflicts: list[Conflict] = []
    seen: set[frozenset[tuple[str, str]]] = set()
    for i, (d1, e1, w1, p1) in enumerate(items):
        for d2, e2, w2, p2 in items[i + 1 :]:
            if d1.file == d2.file or e1.date == e2.date or "/" in e1.date + e2.date:
                continue
            if len(e1.date) != len(e2.date):
                continue
            shared_proper = (p1 & p2) - _CONFLICT_STOP
            shared = (w1 & w2) - shared_proper
            if not shared_proper or len(shared) < 2:
                continue
            pair = frozenset({(d1.file, e1.evidence), (d2.file, e2.evidence)})
            if pair in seen:
                continue
            seen.add(pair)
            context = _context(d1, e1).lower()
            names = sorted(shared_proper, key=lambda w: context.find(w))[:2]
            common = sorted(shared - shared_proper - {"cis"}, key=lambda w: context.find(w))[:3]
            conflicts.append(
                Conflict(
                    topic=", ".join(w.capitalize() for w in names) + ": " + " ".join(common),
                    claims=(
                        SourcedClaim(e1.date, d1.file, e1.event),
                        SourcedClaim(e2.date, d2.file, e2.event),
                    ),
                )
            )
    return tuple(conflicts)
