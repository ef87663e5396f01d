"""The briefings the bot pushes to subscribers: new articles, and the daily briefing.

Both are rendered from data by their templates (never by pasting one rendered message into
another template, whose autoescaping would show its tags to the reader).

A new-article briefing is about the summits the new articles belong to, and has a size budget:
however many articles arrive at once, it is at most :data:`MAX_MESSAGES` messages.  The most
important new articles are shown in full — most recently published first (an undated one last),
since a subscriber wants the latest news — with the briefing of their summits; the rest are
counted by summit, with the command that shows each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.render import render, split_message
from bot.views import SummaryView, summary_view
from briefings.library import Library
from briefings.models import Digest
from briefings.summits import newest_first

#: At most this many messages per batch of new articles.
MAX_MESSAGES = 3
#: At most this many new articles in full, and summit briefings, in one batch.
MAX_FULL_ARTICLES = 5
MAX_SUMMITS = 2
#: Summits of the articles not shown in full that are named with their counts.
MAX_REST_SUMMITS = 5


@dataclass(frozen=True, slots=True)
class NewArticle:
    """A new article shown in full, with the name of its summit (None: no summit known)."""

    digest: Digest
    summit: str | None


@dataclass(frozen=True, slots=True)
class NewArticlesView:
    """What a batch of new articles briefs: some in full, their summits, and the rest counted."""

    articles: tuple[NewArticle, ...]
    summits: tuple[SummaryView, ...]
    total: int
    #: (summit name, number of new articles) of the articles not shown, most articles first.
    rest: tuple[tuple[str, int], ...]
    rest_count: int
    #: Summits of the rest beyond those named in ``rest``.
    rest_other_summits: int


class _Batch:
    """What every size of one batch's briefing is made of, read from the library once: the
    articles newest first, the summit of each, and (when first needed) the digests of those
    that can be shown in full and their summits' briefings."""

    def __init__(self, library: Library, files: Sequence[str]) -> None:
        self.library = library
        self.cards = newest_first(c for c in map(library.article, files) if c is not None)
        # An article's own summit key may be partial ("CIS||"): the summit it was grouped into
        # is the one whose files hold it.
        self.heads = {file: head for head in library.summits for file in head.files}
        shown = self.cards[:MAX_FULL_ARTICLES]
        self.digests = {d.file: d for d in library.digests(c.file for c in shown)}
        self._views: dict[str, SummaryView | None] = {}

    def summary(self, key: str) -> SummaryView | None:
        if key not in self._views:
            summit = self.library.summit(key)
            self._views[key] = summary_view(self.library, summit) if summit else None
        return self._views[key]

    def view(self, full: int, summits: int) -> NewArticlesView:
        """The briefing with the ``full`` most recent articles in full and ``summits`` summit
        briefings (of the summits of those shown, in their order), the others counted."""
        shown, rest = self.cards[:full], self.cards[full:]
        articles = tuple(
            NewArticle(d, head.name if (head := self.heads.get(d.file)) else None)
            for c in shown
            if (d := self.digests.get(c.file)) is not None
        )
        keys: list[str] = []
        for card in shown:
            head = self.heads.get(card.file)
            if head is not None and head.key not in keys:
                keys.append(head.key)
        views = tuple(v for key in keys[:summits] if (v := self.summary(key)) is not None)
        counts = Counter(h.name if (h := self.heads.get(c.file)) else "" for c in rest)
        named = tuple((name, n) for name, n in counts.most_common(MAX_REST_SUMMITS) if name)
        return NewArticlesView(
            articles=articles,
            summits=views,
            total=len(self.cards),
            rest=named,
            rest_count=len(rest),
            rest_other_summits=len(counts) - len(named),
        )


def render_new_articles(library: Library, files: Sequence[str]) -> list[str]:
    """The messages announcing ``files``: at most :data:`MAX_MESSAGES`, fewer articles in full
    (then fewer summit briefings) until they fit."""
    batch = _Batch(library, files)
    parts: list[str] = []
    for full in range(MAX_FULL_ARTICLES, 0, -1):
        for summits in (MAX_SUMMITS, 1, 0):
            parts = split_message(render("briefing_new", view=batch.view(full, summits)))
            if len(parts) <= MAX_MESSAGES:
                return parts
    return parts[:MAX_MESSAGES]  # one article alone over three messages: its start


def render_daily(library: Library, subscription: object = None) -> list[str]:
    """The daily briefing: the latest summit, with its newest articles named."""
    summit = library.latest_summit()
    if summit is None:
        return []
    view = summary_view(library, summit)
    newest = [c for c in map(library.article, summit.files[:3]) if c is not None]
    return split_message(render("briefing_daily", view=view, newest=newest))[:MAX_MESSAGES]
