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


def new_articles_view(
    library: Library, files: Sequence[str], full: int = MAX_FULL_ARTICLES, summits: int = 2
) -> NewArticlesView:
    """The briefing of ``files``: the ``full`` most recent in full, ``summits`` summit
    briefings (of the summits of those shown, in their order), the others counted."""
    cards = newest_first(c for c in map(library.article, files) if c is not None)
    shown, rest = cards[:full], cards[full:]
    # An article's own summit key may be partial ("CIS||"): the summit it was grouped into
    # is the one whose files hold it.
    heads = {file: head for head in library.summits for file in head.files}
    articles = tuple(
        NewArticle(d, head.name if (head := heads.get(d.file)) else None)
        for d in library.digests(c.file for c in shown)
    )
    keys: list[str] = []
    for card in shown:
        head = heads.get(card.file)
        if head is not None and head.key not in keys:
            keys.append(head.key)
    views = tuple(
        summary_view(library, summit)
        for key in keys[:summits]
        if (summit := library.summit(key)) is not None
    )
    counts = Counter(head.name if (head := heads.get(c.file)) else "" for c in rest)
    named = tuple((name, n) for name, n in counts.most_common(MAX_REST_SUMMITS) if name)
    return NewArticlesView(
        articles=articles,
        summits=views,
        total=len(cards),
        rest=named,
        rest_count=len(rest),
        rest_other_summits=len(counts) - len(named),
    )


def render_new_articles(library: Library, files: Sequence[str]) -> list[str]:
    """The messages announcing ``files``: at most :data:`MAX_MESSAGES`, fewer articles in full
    (then fewer summit briefings) until they fit."""
    parts: list[str] = []
    for full in range(MAX_FULL_ARTICLES, 0, -1):
        for summits in (MAX_SUMMITS, 1, 0):
            view = new_articles_view(library, files, full, summits)
            parts = split_message(render("briefing_new", view=view))
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
