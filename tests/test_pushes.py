"""What a subscriber reads in a pushed briefing, and what the views show, as Telegram displays it.

Every article here is written for these tests (no sentence of the seeds): the rules under test are
general, so they are checked on text the code has never seen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from support import displayed, library_of, shown

from bot.app import render_daily, render_new_articles
from bot.render import render
from bot.views import quotes_view, summary_view, timeline_view
from briefings.library import Library
from briefings.models import (
    ArticleMeta,
    Digest,
    Entities,
    Quote,
    TimelineEvent,
    UnresolvedDate,
)


def article(
    file: str,
    title: str,
    summit: str,
    published: str | None,
    paragraphs: tuple[str, ...],
    *,
    quotes: tuple[Quote, ...] = (),
    timeline: tuple[TimelineEvent, ...] = (),
    unresolved: tuple[UnresolvedDate, ...] = (),
) -> Digest:
    return Digest(
        article_id=file.replace(".", "")[:16].ljust(6, "0"),
        file=file,
        content_hash=f"hash-{file}",
        meta=ArticleMeta(title=title, source="Test Wire", published=published),
        summary=paragraphs[:3],
        quotes=quotes,
        timeline=timeline,
        unresolved_dates=unresolved,
        entities=Entities(),
        summit=summit,
        paragraphs=paragraphs,
    )


def event(paragraphs: tuple[str, ...], date: str, phrase: str) -> TimelineEvent:
    """A dated event whose date phrase sits where it is in the text (as the extractor says)."""
    text = "\n".join(paragraphs)
    start = text.index(phrase)
    sentence = next(p for p in paragraphs if phrase in p)
    return TimelineEvent(date, sentence, phrase, start, start + len(phrase))


G7 = "G7|Hiroshima|2023"
ASEAN = "ASEAN|Jakarta|2023"


def two_summits(tmp_path: Path) -> Library:
    """An older G7 summit and a later ASEAN one (the latest summit)."""
    return library_of(
        [
            article(
                "g7-1.txt",
                "Leaders' statement on grain in Hiroshima",
                G7,
                "2023-05-20",
                ("The leaders' statement backs grain corridors & food aid.",),
            ),
            article(
                "asean-1.txt",
                "ASEAN ministers meet in Jakarta",
                ASEAN,
                "2023-09-05",
                ("Ministers discussed maritime rules in Jakarta.",),
            ),
            article(
                "g7-2.txt",
                "Hiroshima talks end with a pledge on chips",
                G7,
                "2023-05-21",
                ("The summit's last session ended with a pledge on chip supplies.",),
            ),
        ],
        tmp_path / "digests.sqlite3",
    )


def test_new_article_briefing_shows_no_markup(tmp_path: Path) -> None:
    """Defect 1: the summary used to be rendered HTML pasted into an autoescaped template."""
    library = two_summits(tmp_path)
    parts = render_new_articles(library, ["g7-2.txt"])
    text = "\n".join(shown(p, "Hiroshima talks end with a pledge on chips") for p in parts)
    assert "The summit's last session" in text  # an apostrophe, not &#39;
    bold = [b for p in parts for b in displayed(p).styled("bold")]
    assert "Hiroshima talks end with a pledge on chips" in bold


def test_daily_briefing_shows_no_markup_and_dates_the_news(tmp_path: Path) -> None:
    """Defects 1 and 8: no literal markup; "as of" is the date of the latest news."""
    library = two_summits(tmp_path)
    [part] = render_daily(library, None)
    text = shown(part, "Daily briefing", "ASEAN summit, Jakarta, 2023", "as of 5 Sep 2023")
    assert "ASEAN ministers meet in Jakarta" in text  # the newest article is named
    assert "Daily briefing" in displayed(part).styled("bold")


def test_new_article_briefing_is_about_its_own_summit(tmp_path: Path) -> None:
    """Defect 2: a G7 article arriving must not come with the latest (ASEAN) summit."""
    library = two_summits(tmp_path)
    text = "\n".join(displayed(p).text for p in render_new_articles(library, ["g7-2.txt"]))
    assert "G7 summit, Hiroshima, 2023" in text
    assert "ASEAN" not in text and "Jakarta" not in text


def test_as_of_is_the_date_of_the_latest_news(tmp_path: Path) -> None:
    """Defect 8: "as of <build time>" said when the bot ran, not how fresh the news is."""
    library = two_summits(tmp_path)
    summit = library.summit(G7)
    assert summit is not None
    text = shown(render("summary", view=summary_view(library, summit)), "as of 21 May 2023")
    assert str(dt.date.today().year) not in text  # no build time (these articles are older)


def test_a_batch_of_1500_articles_fits_in_three_messages(tmp_path: Path) -> None:
    """Defect 3: 1,500 articles at once, in 30 summits, are at most 3 messages that show the
    most recent in full and count the rest by summit, with the command that reads them."""
    digests = [
        article(
            f"batch-{n:04d}.txt",
            f"Delegates of forum {n % 30} report on day {n} of their talks",
            f"Forum{n % 30}|City{n % 30}|2024",
            f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
            tuple(
                f"Delegation {n} reported progress on topic {k}, with a long account of the "
                f"negotiations that went on for hours in the conference hall {k}."
                for k in range(4)
            ),
        )
        for n in range(1500)
    ]
    library = library_of(digests, tmp_path / "digests.sqlite3")
    parts = render_new_articles(library, [d.file for d in digests])
    assert 1 <= len(parts) <= 3
    text = "\n".join(shown(p, allow=()) for p in parts)
    assert "1500" in text  # how many arrived
    newest = max(digests, key=lambda d: (d.meta.published or "", d.file))
    assert newest.meta.title and newest.meta.title in text  # the most recent, in full
    assert "/summary" in text  # how to read the rest
    assert "more new articles" in text


def test_conflict_reads_as_a_sentence(tmp_path: Path) -> None:
    """Defect 8: "Porto, Union: green capital:" is a parser dump; say what the date is about,
    in the claims' own words, without the disputed year."""
    first = ("The ministers named Porto the 2026 Green Capital of the Union on Friday.",)
    second = ("Delegates confirmed Porto as the green capital of the Union for 2027 today.",)
    library = library_of(
        [
            article("eu-1.txt", "Ministers meet", "EU|Porto|2025", "2025-03-01", first,
                    timeline=(event(first, "2026", "2026"),)),
            article("eu-2.txt", "Delegates meet", "EU|Porto|2025", "2025-03-02", second,
                    timeline=(event(second, "2027", "2027"),)),
        ],
        tmp_path / "digests.sqlite3",
    )  # fmt: skip
    summit = library.latest_summit()
    assert summit is not None and summit.conflicts
    text = shown(render("timeline", view=timeline_view(library, summit)))
    assert "Sources disagree on the year of Porto as the green capital of the Union:" in text
    assert "Porto, Union:" not in text


def test_unresolved_dates_are_shown_as_unknown(tmp_path: Path) -> None:
    """Defect 8: "next spring" in an undated article has no date; say so instead of hiding it."""
    paragraphs = ("The envoys agreed to meet again next spring in Oslo.",)
    library = library_of(
        [
            article(
                "nordic.txt",
                "Envoys part in Oslo",
                "Nordic|Oslo|2024",
                None,
                paragraphs,
                unresolved=(
                    UnresolvedDate(
                        "next spring", "relative date, and the article has no publication date"
                    ),
                ),
            )
        ],
        tmp_path / "digests.sqlite3",
    )
    summit = library.latest_summit()
    assert summit is not None
    text = shown(render("timeline", view=timeline_view(library, summit)), "next spring")
    assert "Date unknown" in text
    summary = shown(render("summary", view=summary_view(library, summit)))
    assert "as of" not in summary and "undated" in summary  # no date to claim


def test_quotes_lose_the_separator_left_by_their_attribution(tmp_path: Path) -> None:
    """Defect 8: “…open,” he said → the quote alone must not end in "," or ",.."."""
    quotes = (
        Quote("We will keep the northern corridor open,", "Anna Berg"),
        Quote("Trade must stay free and fair,..", "Anna Berg"),
        Quote("Nothing is agreed until everything is agreed.", "Anna Berg"),
    )
    library = library_of(
        [
            article("q.txt", "Berg speaks", "Nordic|Oslo|2024", "2024-04-02",
                    ("Berg spoke twice.",), quotes=quotes)
        ],
        tmp_path / "digests.sqlite3",
    )  # fmt: skip
    quoted = displayed(render("quotes", view=quotes_view(library))).styled("blockquote")
    assert quoted == [
        "We will keep the northern corridor open",
        "Trade must stay free and fair",
        "Nothing is agreed until everything is agreed.",
    ]


def test_every_claim_shape_reads_as_a_sentence() -> None:
    """Each kind of claim the engine compares (a title for a year, a chairmanship holder, the
    next meeting's place, a count) is said as a sentence with its values as a reader says
    them; a title no claim words together falls back to the subject and title, not a dump."""
    from bot.views import Page, Source, TimelineView, conflict_item
    from briefings.models import Conflict, SourcedClaim, Summit

    sources = (Source("a.txt", "A", None, None), Source("b.txt", "B", None, None))

    def item(topic: str, first: str, second: str) -> object:
        claims = (
            SourcedClaim(first, "a.txt", f"One wire gave {first}."),
            SourcedClaim(second, "b.txt", f"Another wire gave {second}."),
        )
        return conflict_item(Conflict(topic, claims), sources)

    items = (
        item("Tallinn: year as youth capital", "2026", "2027"),
        item("Nordic chairmanship: holder in 2026", "Norway", "Iceland"),
        item("next Nordic summit: place, as stated in 2025", "Bergen", "Turku"),
        item("2nd Nordic Games: athletes", ">1200", "~900"),
    )
    summit = Summit("Nordic|Oslo|2025", "Nordic summit, Oslo, 2025", ("a.txt", "b.txt"))
    view = TimelineView(summit, (), items, "", Page(1, 1), 0)  # type: ignore[arg-type]
    text = shown(
        render("timeline", view=view),
        "Sources disagree on the year of Tallinn as youth capital:",
        "Sources disagree on who holds the Nordic chairmanship in 2026:",
        "Sources disagree on where the next Nordic summit will be held:",
        "Sources disagree on the number of athletes at the 2nd Nordic Games:",
        "over 1,200",
        "about 900",
        "Iceland",
        "Turku",
    )
    assert ":" not in text.split("Tallinn", 1)[0].splitlines()[-1]  # no "subject: attribute"
