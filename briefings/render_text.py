"""Plain-text rendering of a digest for ``python -m briefings show`` (terminal, not Telegram)."""

from __future__ import annotations

import textwrap

from briefings.models import Digest
from briefings.summits.grouping import SummitKey


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=96, initial_indent=indent, subsequent_indent=indent + "  ")


def render_digest(digest: Digest) -> str:
    """A readable multi-section view of one digest."""
    meta = digest.meta
    when = " ".join(p for p in (meta.published, meta.published_time, meta.timezone) if p)
    lines = [
        f"{digest.file}  (id {digest.article_id})",
        f"Title:     {meta.title or '(none detected)'}",
        f"Source:    {meta.source or '(none detected)'}",
        f"Author:    {meta.author or '(none detected)'}",
        f"Published: {when or '(no date in the article)'}",
        f"Summit:    {SummitKey.decode(digest.summit).name}",
        "",
        "Summary",
        *(_wrap(f"- {s}") for s in digest.summary),
        "",
        f"Quotes ({len(digest.quotes)})",
        *(
            _wrap(f"- {q.speaker or 'speaker not stated'} [{q.kind}]: “{q.text}”")
            for q in digest.quotes
        ),
        "",
        f"Timeline ({len(digest.timeline)})",
        *(_wrap(f"- {t.date}: {t.event}  [{t.evidence}]") for t in digest.timeline),
    ]
    if digest.unresolved_dates:
        lines += [
            "",
            "Unresolved dates",
            *(_wrap(f"- “{u.evidence}”: {u.reason}") for u in digest.unresolved_dates),
        ]
    ents = digest.entities
    lines += [
        "",
        "Entities",
        _wrap(f"People: {', '.join(ents.people) or '-'}"),
        _wrap(f"Places: {', '.join(ents.places) or '-'}"),
        _wrap(f"Organizations: {', '.join(ents.organizations) or '-'}"),
    ]
    return "\n".join(lines)
