"""Summit grouping, merging and conflict flagging."""

from __future__ import annotations

from briefings.library import Library
from briefings.models import ArticleMeta, Digest, Entities, TimelineEvent
from briefings.summits import SummitKey, build_summits, date_sort_key, detect_summit

SEED_000 = "000_828d40792933caee.txt"
SEED_002 = "002_ae500b144d0d54b5.txt"


def test_both_seeds_form_one_cis_summit(seed_library: Library) -> None:
    assert len(seed_library.summits) == 1
    summit = seed_library.latest_summit()
    assert set(summit.files) == {SEED_000, SEED_002}
    assert summit.key.startswith("CIS|")
    assert "CIS" in summit.name


def test_lachin_year_conflict_is_flagged_with_both_sources(seed_library: Library) -> None:
    summit = seed_library.latest_summit()
    lachin = [c for c in summit.conflicts if "Lachin" in c.topic]
    assert len(lachin) == 1
    claims = {(c.file, c.value) for c in lachin[0].claims}
    assert claims == {(SEED_000, "2025"), (SEED_002, "2024")}
    disputed = [e for e in summit.timeline if e.disputed]
    assert {e.date for e in disputed} >= {"2024", "2025"}


def test_no_conflict_for_agreeing_or_unrelated_dates(seed_library: Library) -> None:
    summit = seed_library.latest_summit()
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
    assert key == SummitKey("NATO", "Vilnius", "2023")
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


def test_vague_article_joins_its_organisations_only_summit() -> None:
    summits = build_summits(
        [
            _digest("a.txt", "CIS|Dushanbe|2025", "2024", "2025-10-10"),
            _digest("b.txt", "CIS||", "2025", None),
            _digest("c.txt", "NATO|Washington|2024", "2024", "2024-07-01"),
        ]
    )
    by_org = {SummitKey.decode(s.key).organization: s for s in summits}
    assert set(by_org["CIS"].files) == {"a.txt", "b.txt"}
    assert len(by_org["CIS"].conflicts) == 1
    assert by_org["NATO"].conflicts == ()


def test_vague_article_stays_under_organisation_when_ambiguous() -> None:
    summits = build_summits(
        [
            _digest("a.txt", "CIS|Dushanbe|2025", "2025", "2025-10-10"),
            _digest("b.txt", "CIS|Moscow|2024", "2025", "2024-10-08"),
            _digest("c.txt", "CIS||", "2025", None),
        ]
    )
    assert {s.key for s in summits} == {"CIS||", "CIS|Dushanbe|2025", "CIS|Moscow|2024"}


def test_a_huge_summit_merges_only_its_most_recent_articles() -> None:
    from briefings.summits import MAX_MERGED_ARTICLES

    digests = [
        _digest(
            f"{i:04d}.txt", "CIS|Dushanbe|2025", str(1950 + i % 70), f"2025-01-{1 + i % 28:02d}"
        )
        for i in range(MAX_MERGED_ARTICLES * 4)
    ]
    [summit] = build_summits(digests)
    assert len(summit.files) == MAX_MERGED_ARTICLES * 4  # every article is still listed
    merged = {f for e in summit.timeline for f in e.files}
    assert len(merged) == MAX_MERGED_ARTICLES
    newest = sorted(digests, key=lambda d: (d.meta.published or "", d.file), reverse=True)
    assert merged == {d.file for d in newest[:MAX_MERGED_ARTICLES]}
