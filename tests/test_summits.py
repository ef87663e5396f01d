"""Summit grouping, merging and conflict flagging."""

from __future__ import annotations

from bot.render import render, strip_html
from bot.views import Page, QuoteGroup, QuoteItem, QuotesView
from briefings.library import Library
from briefings.models import ArticleMeta, Digest, Entities, Quote, TimelineEvent
from briefings.summits.grouping import SummitKey, detect_summit
from briefings.summits.merge import build_summits, date_sort_key

SEED_000 = "000_828d40792933caee.txt"
SEED_002 = "002_ae500b144d0d54b5.txt"


def test_the_seeds_are_two_meetings(seed_library: Library) -> None:
    # 002 reports the Dushanbe meeting of October 2025; 000 names no place or date of its own
    # meeting (the summits it places in the past or future are others), so it stands alone.
    keys = {
        s.key: set(s.files)
        for s in map(seed_library.summit, [h.key for h in seed_library.summits])
        if s is not None
    }
    assert keys == {"CIS|Dushanbe|2025-10": {SEED_002}, f"CIS|||{SEED_000}": {SEED_000}}
    assert "unclear" in SummitKey.decode(f"CIS|||{SEED_000}").name


def test_lachin_year_conflict_is_shown_in_both_summits(seed_library: Library) -> None:
    for head in seed_library.summits:
        summit = seed_library.summit(head.key)
        assert summit is not None
        lachin = [c for c in summit.conflicts if "Lachin" in c.topic]
        assert len(lachin) == 1
        claims = {(c.file, c.value) for c in lachin[0].claims}
        assert claims == {(SEED_000, "2025"), (SEED_002, "2024")}
        disputed = {e.date for e in summit.timeline if e.disputed}
        assert disputed == ({"2025"} if SEED_000 in summit.files else {"2024"})


def test_no_conflict_for_agreeing_or_unrelated_dates(seed_library: Library) -> None:
    for head in seed_library.summits:
        summit = seed_library.summit(head.key)
        assert summit is not None
        assert all("Lachin" in c.topic for c in summit.conflicts)


def test_merged_timeline_is_in_date_order(seed_library: Library) -> None:
    dates = [e.date for e in seed_library.latest_summit().timeline]
    assert dates == sorted(dates, key=date_sort_key)


def test_detect_summit_reads_organisation_city_and_year() -> None:
    key = detect_summit(
        "Leaders gather at NATO Summit in Vilnius",
        "The NATO summit in Vilnius opened on Tuesday. NATO leaders met in Vilnius.",
        Entities(organizations=("NATO",)),
        "2023-07-11",
    )
    assert key == SummitKey("NATO", "Vilnius", "2023-07")
    assert SummitKey.decode(key.encode()) == key
    assert (
        detect_summit(None, "Nothing about any meeting here.", Entities(), None).organization
        is None
    )


def _digest(file: str, summit: str, year: str, published: str | None) -> Digest:
    text = f"Lachin was named the cultural capital of the CIS for {year}."
    start = text.index(year)
    return Digest(
        article_id=file,
        file=file,
        content_hash=file,
        meta=ArticleMeta(published=published),
        summary=(text,),
        quotes=(),
        unresolved_dates=(),
        entities=Entities(),
        timeline=(TimelineEvent(year, text, f"for {year}", start, start + 4),),
        summit=summit,
        paragraphs=(text,),
    )


def test_disagreement_is_shown_in_every_summit_it_touches() -> None:
    summits = build_summits(
        [
            _digest("a.txt", "CIS|Dushanbe|2025-10", "2024", "2025-10-10"),
            _digest("b.txt", "CIS||", "2025", None),
            _digest("c.txt", "NATO|Washington|2024-07", "2024", "2024-07-01"),
        ]
    )
    by_file = {s.files[0]: s for s in summits}
    assert len(summits) == 3  # the vague CIS article does not join the Dushanbe meeting
    for name in ("a.txt", "b.txt"):
        [conflict] = by_file[name].conflicts
        assert {(c.file, c.value) for c in conflict.claims} == {
            ("a.txt", "2024"),
            ("b.txt", "2025"),
            ("c.txt", "2024"),
        }
    # c.txt agrees with a.txt on 2024, but takes part in the disagreement with b.txt.
    assert len(by_file["c.txt"].conflicts) == 1


def test_two_meetings_on_two_dates_are_not_a_disagreement() -> None:
    summits = build_summits(
        [
            _digest("a.txt", "CIS|Moscow|2024-10", "2024", "2024-10-08"),
            _digest("b.txt", "CIS|Dushanbe|2025-10", "2024", "2025-10-10"),
        ]
    )
    assert len(summits) == 2 and all(s.conflicts == () for s in summits)


def test_a_huge_summit_merges_only_its_most_recent_articles() -> None:
    from briefings.summits.grouping import MAX_MERGED_ARTICLES

    digests = [
        _digest(
            f"{i:04d}.txt", "CIS|Dushanbe|2025-01", str(1950 + i % 70), f"2025-01-{1 + i % 28:02d}"
        )
        for i in range(MAX_MERGED_ARTICLES * 4)
    ]
    [summit] = build_summits(digests)
    assert len(summit.files) == MAX_MERGED_ARTICLES * 4  # every article is still listed
    merged = {f for e in summit.timeline for f in e.files}
    assert len(merged) == MAX_MERGED_ARTICLES
    newest = sorted(digests, key=lambda d: (d.meta.published or "", d.file), reverse=True)
    assert merged == {d.file for d in newest[:MAX_MERGED_ARTICLES]}


def _quoting(file: str, speaker: str, text: str) -> Digest:
    return Digest(
        article_id=file,
        file=file,
        content_hash=file,
        meta=ArticleMeta(published="2030-05-03"),
        summary=(),
        quotes=(Quote(text, speaker, "direct"),),
        unresolved_dates=(),
        entities=Entities(),
        timeline=(),
        summit="OSCE|Oslo|2030-05",
        paragraphs=(f"“{text}” said {speaker}.",),
    )


def test_one_quote_from_two_sources_is_shown_once_and_a_speaker_discrepancy_is_said() -> None:
    words = "We will keep the border open for trade and for people."
    [summit] = build_summits(
        [
            _quoting("a.txt", "Anna Lind", words),
            _quoting("b.txt", "Karl Lind", words[:40]),  # same surname: the same person
            _quoting("c.txt", "Ola Berg", words),
        ]
    )
    [quote] = summit.quotes
    assert quote.text == words and set(quote.files) == {"a.txt", "b.txt", "c.txt"}
    # One name per person (by surname), the first source's speaker leading.
    assert quote.speaker is not None and len(quote.other_speakers) == 1
    speakers = {name.split()[-1] for name in (quote.speaker, *quote.other_speakers)}
    assert speakers == {"Berg", "Lind"}
    item = QuoteItem(words, "direct", (), quote.other_speakers)
    view = QuotesView(summit, (QuoteGroup(quote.speaker, (item,)),), "", Page(1, 1), 1)
    text = strip_html(render("quotes", view=view))
    other = quote.other_speakers[0]
    assert f"Sources differ on the speaker: also attributed to {other}." in text


def test_a_claim_repeated_by_many_sources_keeps_briefings_small() -> None:
    from briefings.summits.merge import SOURCES_PER_VALUE

    digests = [
        _digest(f"{i:03d}.txt", f"X|City{i}|2025-01", "2024" if i % 2 else "2025", "2025-01-02")
        for i in range(40)
    ]
    summits = build_summits(digests)
    assert len(summits) == 40
    for summit in summits:
        [conflict] = summit.conflicts
        assert summit.files[0] in {c.file for c in conflict.claims}  # its own source shown
        assert {c.value for c in conflict.claims} == {"2024", "2025"}
        assert len(conflict.claims) <= 2 * SOURCES_PER_VALUE
