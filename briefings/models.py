"""The engine's data: what an article is, and what its digest holds.

Everything here is a frozen dataclass built from plain values, so a digest can be stored as JSON,
loaded back without the NLP model, and shared between processes.  Dates inside a digest are kept as
normalized strings (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``A/B`` for a range) because their
*precision* is part of the meaning: "1992" must never turn into 1 January 1992.
"""

from __future__ import annotations

from dataclasses import asdict, astuple, dataclass, field
from typing import Any, Literal

#: Bump whenever the digest format or the extraction changes: stored digests of another version
#: are rebuilt by the next build.
DIGEST_FORMAT_VERSION = 4

QuoteKind = Literal["direct", "partial", "unmarked"]


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """Metadata detected in the article text (never invented: unknown stays ``None``)."""

    title: str | None = None
    source: str | None = None
    author: str | None = None
    #: Publication date as ``YYYY-MM-DD`` when the text states one.
    published: str | None = None
    #: Publication time as ``HH:MM`` when the text states one.
    published_time: str | None = None
    #: UTC offset or zone name as written, e.g. ``UTC+04:00``.
    timezone: str | None = None
    #: Place line of a dateline ("Sochi"), when the article has one.
    dateline_place: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One seed file after ingest: metadata plus the body with boilerplate removed.

    ``paragraphs`` are verbatim slices of the source text (after decoding and, for HTML and
    Markdown, conversion to text), so any quote or evidence found in them is an exact substring of
    the article.  ``text`` is the paragraphs joined by a newline; character offsets in quotes and
    timeline events refer to it.
    """

    article_id: str
    file: str
    content_hash: str
    meta: ArticleMeta
    paragraphs: tuple[str, ...]
    #: Lines removed as boilerplate, kept for ``show`` and for debugging the ingest.
    removed: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The body as one string (paragraphs separated by a newline)."""
        return "\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation and the person it belongs to."""

    text: str
    speaker: str | None
    kind: QuoteKind = "direct"
    #: Offsets of ``text`` in ``Article.text``.
    start: int = -1
    end: int = -1


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """An event the article ties to a date, with the phrase that states the date."""

    date: str
    event: str
    evidence: str
    start: int = -1
    end: int = -1
    #: True when the date was resolved from a relative phrase ("next year", "on Tuesday").
    relative: bool = False


@dataclass(frozen=True, slots=True)
class UnresolvedDate:
    """A date phrase the article uses but that cannot be pinned down (e.g. no publication date)."""

    evidence: str
    reason: str


@dataclass(frozen=True, slots=True)
class Entities:
    """Named entities as surface forms from the text, deduplicated, in first-seen order."""

    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Digest:
    """The precomputed digest of one article: everything the bot answers from."""

    article_id: str
    file: str
    content_hash: str
    meta: ArticleMeta
    summary: tuple[str, ...]
    quotes: tuple[Quote, ...]
    timeline: tuple[TimelineEvent, ...]
    unresolved_dates: tuple[UnresolvedDate, ...]
    entities: Entities
    #: Short key naming the summit the article reports on (see ``summits.summit_key``).
    summit: str | None = None
    #: Body paragraphs, kept so /search and "show" work without re-reading the seed.
    paragraphs: tuple[str, ...] = ()
    format_version: int = DIGEST_FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the stored form)."""
        return asdict(self)

    def card(self) -> ArticleCard:
        """What the bot keeps in memory about this article (see :class:`ArticleCard`)."""
        return ArticleCard(self.file, self.article_id, self.content_hash, self.meta, self.summit)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Digest:
        """Inverse of :meth:`to_dict`; raises ``KeyError``/``TypeError`` on a malformed dict."""
        return cls(
            article_id=data["article_id"],
            file=data["file"],
            content_hash=data["content_hash"],
            meta=ArticleMeta(**data["meta"]),
            summary=tuple(data["summary"]),
            quotes=tuple(Quote(**q) for q in data["quotes"]),
            timeline=tuple(TimelineEvent(**t) for t in data["timeline"]),
            unresolved_dates=tuple(UnresolvedDate(**u) for u in data["unresolved_dates"]),
            entities=Entities(**{k: tuple(v) for k, v in data["entities"].items()}),
            summit=data.get("summit"),
            paragraphs=tuple(data.get("paragraphs", ())),
            format_version=data.get("format_version", 0),
        )


@dataclass(frozen=True, slots=True)
class ArticleCard:
    """The few fields of a digest needed to list and cite an article.

    The bot holds one card per article instead of whole digests: a 10,000-article archive is a few
    megabytes of cards, while its digests (paragraphs, quotes, timelines) are about a hundred, and
    are read from the store only when one is shown.
    """

    file: str
    article_id: str
    content_hash: str
    meta: ArticleMeta
    summit: str | None = None

    def to_row(self) -> list[Any]:
        """Compact stored form: a flat list (a 10,000-card archive loads in a tenth of a second
        from lists, against about four tenths from nested dicts)."""
        return [self.file, self.article_id, self.content_hash, self.summit, *astuple(self.meta)]

    @classmethod
    def from_row(cls, row: list[Any]) -> ArticleCard:
        """Inverse of :meth:`to_row`."""
        return cls(row[0], row[1], row[2], ArticleMeta(*row[4:]), row[3])


@dataclass(frozen=True, slots=True)
class ArticleStamp:
    """What merging summits needs to know of an article without reading its digest: which
    summit, how recent, and whether its content changed since a summit was merged."""

    file: str
    content_hash: str
    published: str | None
    summit: str | None


@dataclass(frozen=True, slots=True)
class BuildError:
    """A seed file that could not be digested, and why (shown to the user, never swallowed)."""

    file: str
    error: str


@dataclass(frozen=True, slots=True)
class SourcedClaim:
    """One source's version of a disputed fact."""

    value: str
    file: str
    evidence: str


@dataclass(frozen=True, slots=True)
class Conflict:
    """Sources of one summit that disagree about the same fact."""

    topic: str
    claims: tuple[SourcedClaim, ...]


@dataclass(frozen=True, slots=True)
class MergedQuote:
    """A quotation with every source that carries it."""

    text: str
    speaker: str | None
    kind: QuoteKind
    files: tuple[str, ...]
    #: Other speakers that some sources give these same words to (a discrepancy to show).
    other_speakers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MergedEvent:
    """A timeline entry of a summit briefing, with its sources."""

    date: str
    event: str
    evidence: str
    files: tuple[str, ...]
    disputed: bool = False


@dataclass(frozen=True, slots=True)
class Summit:
    """The merged briefing of all articles about one summit."""

    key: str
    name: str
    files: tuple[str, ...]
    summary: tuple[tuple[str, str], ...] = ()  # (sentence, file)
    quotes: tuple[MergedQuote, ...] = ()
    timeline: tuple[MergedEvent, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    latest_published: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def head(self) -> SummitHead:
        """The summit without its merged briefing."""
        return SummitHead(self.key, self.name, self.files, self.latest_published)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the stored form)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summit:
        """Inverse of :meth:`to_dict`."""
        return cls(
            key=data["key"],
            name=data["name"],
            files=tuple(data["files"]),
            summary=tuple((text, file) for text, file in data["summary"]),
            quotes=tuple(
                MergedQuote(
                    q["text"],
                    q["speaker"],
                    q["kind"],
                    tuple(q["files"]),
                    tuple(q.get("other_speakers", ())),
                )
                for q in data["quotes"]
            ),
            timeline=tuple(
                MergedEvent(e["date"], e["event"], e["evidence"], tuple(e["files"]), e["disputed"])
                for e in data["timeline"]
            ),
            conflicts=tuple(
                Conflict(c["topic"], tuple(SourcedClaim(**claim) for claim in c["claims"]))
                for c in data["conflicts"]
            ),
            latest_published=data["latest_published"],
            extra=dict(data.get("extra") or {}),
        )


@dataclass(frozen=True, slots=True)
class SummitHead:
    """What lists of summits need: name, articles and date, without the merged briefing.

    The bot keeps these for every summit and reads a summit's briefing from the store only when
    one is asked for.
    """

    key: str
    name: str
    files: tuple[str, ...]
    latest_published: str | None = None
