"""Corrections end to end: a followed article edited in place, the real bot, the fake Bot API.

Subscribers are told once, in one short message, when an announced article's quote or date is
corrected; an edit of an ordinary word elsewhere sends nothing.  Everything on 127.0.0.1, every
wait bounded.  The report is made up (our own sentences).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sources_support import item
from support import ask, make_settings, shown
from test_sources_e2e import pushes, until

from bot.app import build_application, running
from bot.corrections import compare
from bot.services import SERVICES_KEY, Services
from briefings.models import ArticleMeta, Digest, Entities, Quote, TimelineEvent
from fakeapi import FakeBotApi
from sources.feedserver import Feed, FeedServer
from sources.urls import seed_name

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

USER = 612
TITLE = "Health ministers agree to pool vaccine stocks at the Lakeport summit"
REPORT = (
    "LAKEPORT - Health ministers from twelve states met in Lakeport on 3 March 2026 for the "
    'Lakeport Health Summit and agreed to pool their vaccine stocks. "We will not let one '
    "border decide who gets a dose,\" said Rena Albek, the summit's chair. The pooled stock is "
    "due to open on 1 September 2026, and the ministers will meet again in Corvia to review "
    "it. Officials said the cost would be shared by population. A working group will report "
    "on how the stocks are stored and moved."
)


async def test_a_corrected_quote_or_date_is_told_once_and_a_typo_fix_is_not(
    workdir: Path, api: FakeBotApi
) -> None:
    async with FeedServer() as server:
        base = server.url("")
        feed = server.feeds["/wire"] = Feed("Health Wire", [item(0, base, text=REPORT,
                                                                 title=TITLE)])  # fmt: skip
        (workdir / "sources.txt").write_text(f"{server.url('/wire')} Health Wire\n")
        settings = make_settings(
            workdir, api, sources_file=workdir / "sources.txt", source_poll_seconds=0.5
        )
        app = build_application(settings)
        async with running(app):
            svc: Services = app.bot_data[SERVICES_KEY]
            shown((await ask(api, USER, "/subscribe"))[0], "Subscribed")
            name = seed_name(server.url("/articles/0"))

            async def edit(old: str, new: str) -> None:
                """Edit the item in place and wait until the bot has re-digested it."""
                card = svc.library.article(name)
                assert card is not None
                feed.items[0].text = feed.items[0].text.replace(old, new)
                await until(
                    lambda: (
                        getattr(svc.library.article(name), "content_hash", "")
                        not in ("", card.content_hash)
                    )
                )  # fmt: skip
                await asyncio.sleep(1.5)  # a message would have been recorded by now

            await until(lambda: svc.library.article(name) is not None)
            await asyncio.sleep(1.0)
            assert pushes(api, USER, "Lakeport") == []  # the archive: never announced

            await edit("the cost would", "the costs would")  # an ordinary word
            assert pushes(api, USER, "Correction") == []

            await edit("who gets a dose", "who gets a vaccine")  # the quote's words
            assert len(pushes(api, USER, "Correction")) == 1
            [record] = [r for r in api.sent if r.chat_id == USER and "Correction" in
                        (r.raw_text or r.text or "")]  # fmt: skip
            text = shown(record, "Correction", TITLE, "Quote was:", "who gets a dose", "now:",
                         "who gets a vaccine")  # fmt: skip
            assert "Date" not in text and len(text) < 800, text

            await edit("1 September 2026", "1 October 2026")  # a date of the timeline
            messages = pushes(api, USER, "Correction")
            assert len(messages) == 2, messages
            shown_date = messages[1]
            assert "Date changed in the timeline" in shown_date, shown_date
            assert "2026-09-01" in shown_date or "September" in shown_date, shown_date
            assert "Quote" not in shown_date, shown_date


def _digest(quotes: list[tuple[str, str | None]], dates: list[tuple[str, str]]) -> Digest:
    """A digest of a made-up article: its quotes (words, speaker) and timeline (date, sentence)."""
    return Digest(
        article_id="a1",
        file="src_0000000000000001.md",
        content_hash=str(hash((tuple(quotes), tuple(dates)))),
        meta=ArticleMeta(title="Ministers meet in Corvia"),
        summary=(),
        quotes=tuple(Quote(text, speaker) for text, speaker in quotes),
        timeline=tuple(TimelineEvent(date, sentence, sentence) for date, sentence in dates),
        unresolved_dates=(),
        entities=Entities(),
    )


QUOTE = ("“We open the depots to every member in need,”", "Rena Albek")
OTHER = ("“The ferries will run all winter,”", "Ivo Tarn")
MEETING = ("2026-05-04", "The ministers will meet again in Corvia on 4 May 2026.")
OPENING = ("2026-09-01", "The depot is due to open on 1 September 2026.")


@pytest.mark.parametrize(
    ("after_quotes", "after_dates", "expected"),
    [
        # Nothing a reader relied on changed: quote marks, spacing, added quote or date.
        ([("We open the depots  to every member in need,", "Rena Albek"), OTHER],
         [MEETING, OPENING], None),
        ([QUOTE, OTHER, ("“A third voice,”", "Lia Moro")], [MEETING, OPENING,
         ("2027-01-01", "A review follows on 1 January 2027.")], None),
        # The words of a quote changed: old and new, paired by similarity.
        ([("“We open the depots to some members in need,”", "Rena Albek"), OTHER],
         [MEETING, OPENING], ("quote", "to some members")),
        # The speaker changed: a wrong speaker is a real correction.
        ([("“We open the depots to every member in need,”", "Ivo Tarn"), OTHER],
         [MEETING, OPENING], ("quote", "Ivo Tarn")),
        # A quote removed while an unrelated one is added: removed, not "changed into" it.
        ([OTHER, ("“Nobody expected the vote to pass tonight,”", "Lia Moro")],
         [MEETING, OPENING], ("removed", None)),
        # A date changed in its sentence; another date removed with its sentence.
        ([QUOTE, OTHER], [("2026-06-04", "The ministers will meet again in Corvia on 4 June "
                           "2026."), OPENING], ("date", "2026-06-04")),
        ([QUOTE, OTHER], [MEETING], ("date", None)),
    ],
)  # fmt: skip
def test_compare_finds_only_real_corrections(
    after_quotes: list[tuple[str, str | None]],
    after_dates: list[tuple[str, str]],
    expected: tuple[str, str | None] | None,
) -> None:
    before = _digest([QUOTE, OTHER], [MEETING, OPENING])
    found = compare(before, _digest(after_quotes, after_dates))
    if expected is None:
        assert found is None
        return
    assert found is not None
    kind, new = expected
    if kind == "date":
        assert found.quotes == () and len(found.dates) == 1
        assert found.dates[0][1] == new
        return
    assert found.dates == () and len(found.quotes) == 1
    change = found.quotes[0]
    assert change.old.text == QUOTE[0]
    if kind == "removed":
        assert change.new is None
    else:
        assert change.new is not None and new is not None
        assert new in f"{change.new.text} {change.new.speaker}"
