"""Which meeting an article reports on, and which articles are one meeting (sentences written
for these tests, not taken from the corpus)."""

from __future__ import annotations

from dataclasses import dataclass

from briefings.models import Entities, TimelineEvent
from briefings.summits.grouping import SummitKey, detect_summit, group_digests


def _event(text: str, evidence: str, date: str) -> TimelineEvent:
    start = text.index(evidence)
    return TimelineEvent(date, text, evidence, start, start + len(evidence))


def test_headline_and_dateline_give_format_place_and_month() -> None:
    text = "Leaders of the Nordic Council met on Monday and adopted a joint plan on energy."
    key = detect_summit(
        "Nordic Council summit opens", text, Entities(), "2031-03-04", place="Bergen, Norway"
    )
    assert key == SummitKey("Nordic Council", "Bergen", "2031-03")


def test_past_and_future_meetings_are_not_the_articles_meeting() -> None:
    text = (
        "During the summit, the APEC leaders talked about tariffs. "
        "The previous APEC summit in Lima produced little. "
        "The upcoming climate summit in Nairobi was mentioned too."
    )
    key = detect_summit(None, text, Entities(), None)
    assert key.organization == "APEC"
    assert key.city is None  # Lima and Nairobi belong to other meetings
    assert not key.clear


def test_a_preview_is_about_the_meeting_it_announces() -> None:
    text = "The ministers will meet in Oslo in August for the OSCE summit."
    event = _event(text, "in August", "2030-08")
    key = detect_summit(None, text, Entities(), "2030-05-02", timeline=[event])
    assert key == SummitKey("OSCE", "Oslo", "2030-08")


def test_a_report_is_dated_by_its_publication_month() -> None:
    text = "The OSCE summit in Oslo ended today with a declaration on border security."
    event = _event(text, "today", "2030-08-03")
    key = detect_summit(None, text, Entities(), "2030-08-03", timeline=[event])
    assert key == SummitKey("OSCE", "Oslo", "2030-08")


def test_publishers_and_bylines_are_never_summit_names() -> None:
    text = (
        "Leaders met in Accra. XYZN's Maria Lopez reports. XYZN says the talks went well. "
        "The ECOWAS summit adopted a plan. ECOWAS leaders will meet again next year."
    )
    key = detect_summit(
        "XYZN news", text, Entities(organizations=("XYZN",)), "2029-01-02", source="XYZN"
    )
    assert key.organization == "ECOWAS"


def test_a_region_before_leaders_is_not_a_format() -> None:
    text = "The ASEAN summit opened. ASEAN members agreed on a fund."
    key = detect_summit("Southern European Leaders Meet", text, Entities(), "2029-01-02")
    assert key.organization == "ASEAN"


def test_a_town_named_like_a_meeting_word_is_not_the_host() -> None:
    key = detect_summit(
        "G7 leaders talk trade at Summit", "The G7 summit began.", Entities(), "2029-06-01"
    )
    assert key.city is None


@dataclass
class _Stamp:
    file: str
    summit: str | None


def _groups(*stamps: tuple[str, str]) -> dict[str, set[str]]:
    groups = group_digests(_Stamp(f, k) for f, k in stamps)
    return {key.encode(): {s.file for s in members} for key, members in groups.items()}


def test_one_meeting_reported_over_adjacent_months_is_one_summit() -> None:
    groups = _groups(
        ("a", "OSCE|Oslo|2030-08"), ("b", "OSCE|Oslo|2030-09"), ("c", "OSCE||2030-08")
    )
    assert list(groups.values()) == [{"a", "b", "c"}]


def test_two_meetings_of_one_format_stay_apart() -> None:
    groups = _groups(
        ("a", "OSCE|Oslo|2030-08"),
        ("b", "OSCE|Oslo|2031-08"),  # a year later, same city
        ("c", "OSCE|Rome|2030-08"),  # same month, another city
        ("d", "NATO|Oslo|2030-08"),  # same city and month, another format
    )
    assert sorted(map(sorted, groups.values())) == [["a"], ["b"], ["c"], ["d"]]


def test_unclear_articles_stand_alone_under_their_organisation() -> None:
    groups = _groups(("a", "OSCE|Oslo|2030-08"), ("b", "OSCE||"), ("c", "OSCE||"), ("d", None))
    assert groups["OSCE|Oslo|2030-08"] == {"a"}
    assert groups["OSCE|||b"] == {"b"} and groups["OSCE|||c"] == {"c"}
    assert groups["|||d"] == {"d"}
    assert SummitKey.decode("OSCE|||b").name == "OSCE summit (which meeting is unclear): b"


def test_an_undated_article_joins_the_one_meeting_in_its_place() -> None:
    assert _groups(("a", "OSCE|Oslo|2030-08"), ("b", "OSCE|Oslo|"))["OSCE|Oslo|2030-08"] == {
        "a",
        "b",
    }
    two = _groups(("a", "OSCE|Oslo|2030-08"), ("b", "OSCE|Oslo|2031-08"), ("c", "OSCE|Oslo|"))
    assert two["OSCE|Oslo||c"] == {"c"}  # two meetings there: which one is unclear


def test_repeated_acronyms_that_name_no_meeting_are_not_organisations() -> None:
    text = (
        "US stocks fell on Monday. The US dollar rose against the euro at 14:00 UTC. "
        "Traders in the US expect the CEO of the bank to resign; another CEO stays. UTC times."
    )
    assert detect_summit("US markets slide", text, Entities(), "2030-02-03").organization is None


def test_a_possessive_format_and_a_body_holding_its_meeting() -> None:
    text = "Leaders will meet in Oslo in June for the OSCE's 50th-anniversary summit."
    assert detect_summit(None, text, Entities(), "2030-02-03").organization == "OSCE"
    text = "The Union of Coastal States is holding its annual gathering in Lisbon this week."
    key = detect_summit(None, text, Entities(), "2030-02-03")
    assert key == SummitKey("Union of Coastal States", "Lisbon", "2030-02")


def test_a_publisher_named_like_an_institution_bans_only_its_own_name() -> None:
    text = "The League of Coastal States summit in Lisbon adopted a charter. BNR reports."
    key = detect_summit(None, text, Entities(), "2030-02-03", source="Voice of Lisbon Radio BNR")
    assert key.organization == "League of Coastal States"  # "of" and "Lisbon" are not banned
    text = "The BNR summit opened. BNR leaders met. The BNR summit closed."
    assert detect_summit(None, text, Entities(), "2030-02-03", source="BNR").organization is None


def _reference_groups(stamps: list[_Stamp]) -> dict[str, set[str]]:
    """The grouping rules as a plain scan of every meeting found so far (quadratic)."""
    from briefings.summits.grouping import _agree

    ordered = sorted(stamps, key=lambda d: (SummitKey.decode(d.summit).year or "", d.file))
    clusters: list[tuple[SummitKey, list[str]]] = []
    undated, alone = [], []
    for stamp in ordered:
        key = SummitKey.decode(stamp.summit)
        if not key.clear:
            (undated if key.organization and key.city else alone).append((key, stamp.file))
            continue
        for i, (group, members) in enumerate(clusters):
            if _agree(group, key):
                if not group.city and key.city:
                    clusters[i] = (SummitKey(group.organization, key.city, group.year), members)
                members.append(stamp.file)
                break
        else:
            clusters.append((SummitKey(key.organization, key.city, key.year), [stamp.file]))
    for key, file in undated:
        same = [
            m
            for g, m in clusters
            if (g.organization or "").lower() == (key.organization or "").lower()
            and (g.city or "").lower() == (key.city or "").lower()
        ]
        if len(same) == 1:
            same[0].append(file)
        else:
            alone.append((key, file))
    return {
        **{",".join(sorted(m)): set(m) for _, m in clusters},
        **{f: {f} for _, f in alone},
    }


def test_indexed_grouping_equals_a_plain_scan_of_every_meeting() -> None:
    import random

    rng = random.Random(7)
    for _ in range(30):
        stamps = []
        for i in range(rng.randint(1, 60)):
            org = rng.choice(["OSCE", "osce", "NATO", ""])
            city = rng.choice(["Oslo", "oslo", "Rome", ""])
            year = rng.choice(["2029", "2030", ""])
            month = rng.choice(["", "-01", "-02", "-12"]) if year else ""
            stamps.append(_Stamp(f"{i:02d}", f"{org}|{city}|{year}{month}"))
        got = group_digests(stamps)
        assert sorted(sorted(s.file for s in m) for m in got.values()) == sorted(
            sorted(m) for m in _reference_groups(stamps).values()
        )
