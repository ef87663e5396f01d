"""Articles and a poller for the sources tests: texts written for the tests, a local server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sources.feedserver import Item, made_up_story
from sources.fetch import Fetcher
from sources.poller import SourcePoller
from sources.store import SourceStore

TOPICS = [
    (
        "Ministers agree grain corridor at Lisbon summit",
        "Foreign ministers meeting in Lisbon agreed on Tuesday to reopen a grain corridor across "
        "the Black Sea. The chair said the accord would be reviewed in March. Delegations from "
        "eleven countries signed the text after two days of talks. Shipping insurers welcomed "
        "the decision, while farmers' groups asked for faster inspections at the ports. The "
        "next round of talks is planned for the spring, when the corridor's first month will be "
        "assessed by a joint committee of inspectors and port authorities.",
    ),
    (
        "Leaders pledge climate fund at Nairobi meeting",
        "Heads of government gathered in Nairobi pledged four billion dollars to a climate "
        "adaptation fund on Friday. The host president said the money would reach coastal towns "
        "first. Several delegations asked for clearer rules on how projects are chosen, and "
        "observers noted that earlier pledges had arrived late. A review panel will publish its "
        "first report next year, and the fund's board meets in Geneva in the autumn to approve "
        "the earliest projects along the eastern coast.",
    ),
    (
        "Arctic council resumes scientific cooperation",
        "Members of the Arctic council resumed scientific cooperation on ice monitoring after a "
        "pause of two years. Researchers will share data from eight stations, the council's "
        "secretariat said in Tromso. Environmental groups called the step overdue but welcome. "
        "The agreement covers sea ice, permafrost and fisheries data, and it will be extended to "
        "shipping routes if the ministers approve it at their meeting in the summer. Funding "
        "comes from the member states in equal shares.",
    ),
]


story = made_up_story


def item(n: int, base: str, *, text: str | None = None, title: str | None = None) -> Item:
    """Item ``n``: one of ``TOPICS``, or a made-up report, linked on the test server ``base``."""
    topic_title, topic_text = TOPICS[n] if n < len(TOPICS) else story(n)
    return Item(
        guid=f"guid-{n}",
        link=f"{base}/articles/{n}",
        title=title or topic_title,
        text=text or topic_text,
        published=dt.datetime(
            2025, 10, 1 + n % 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))
        ),
    )


def make_poller(
    tmp_path: Path,
    *,
    interval: float = 0.01,
    clock: object = None,
    total_timeout: float = 5.0,
    max_bytes: int = 5_000_000,
    fail_report_after: float = 86_400.0,
) -> SourcePoller:
    """A poller writing into ``tmp_path/seeds`` with its database in ``tmp_path/data``."""
    kwargs: dict[str, object] = {}
    if clock is not None:
        kwargs["clock"] = clock
    return SourcePoller(
        store=SourceStore(tmp_path / "data" / "sources.sqlite3"),
        seeds_dir=tmp_path / "seeds",
        sources_file=tmp_path / "sources.txt",
        interval=interval,
        fetcher=Fetcher(total_timeout=total_timeout, max_bytes=max_bytes),
        fail_report_after=fail_report_after,
        **kwargs,  # type: ignore[arg-type]
    )


def seeds(tmp_path: Path) -> dict[str, str]:
    """The seed files written, by name."""
    folder = tmp_path / "seeds"
    if not folder.is_dir():
        return {}
    return {p.name: p.read_text("utf-8") for p in sorted(folder.glob("*.md"))}
