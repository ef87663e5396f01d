"""Checkable claims and disagreements (sentences written for these tests)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from briefings.models import ArticleMeta, Digest, Entities
from briefings.store import StoreLocation, open_store_at
from briefings.store.digests import DigestStore
from briefings.summits.claims import Claim, extract_claims, find_disagreements


def _claims(text: str, **kwargs: str) -> list[tuple[str, str, str]]:
    return [(c.subject, c.attribute, c.value) for c in extract_claims([text], **kwargs)]


def test_a_title_for_a_year_in_active_and_passive_voice() -> None:
    assert (
        _claims(
            "The ministers welcomed the naming of Porto as the youth capital of Europe for 2031."
        )
        == []
    )  # "naming of": no designation verb before the subject
    assert _claims(
        "The ministers thanked the council for naming Porto the 2031 Youth Capital of Europe."
    ) == [("Porto", "year as youth capital", "2031")]
    assert _claims("Tartu was named the cultural capital of the region for 2029.") == [
        ("Tartu", "year as cultural capital", "2029")
    ]
    assert _claims("They hailed the declaration of Tartu as the cultural capital for 2029.") == [
        ("Tartu", "year as cultural capital", "2029")
    ]


def test_a_relative_year_needs_a_publication_date() -> None:
    text = "Leaders approved the designation of Kotor as the culture capital for next year."
    assert _claims(text) == []
    assert _claims(text, published="2030-05-01") == [("Kotor", "year as culture capital", "2031")]


def test_who_holds_a_chairmanship_when() -> None:
    assert _claims("The APEC chairmanship will pass from Peru to Chile on January 1, 2031.") == [
        ("APEC chairmanship", "holder in 2031", "Chile")
    ]
    assert _claims("In 2032, the presidency of the Nordic Council will pass to Iceland.") == [
        ("Nordic Council chairmanship", "holder in 2032", "Iceland")
    ]
    assert _claims("Kenya will take over the IGAD chairmanship in 2030.") == [
        ("IGAD chairmanship", "holder in 2030", "Kenya")
    ]


def test_where_the_next_meeting_is() -> None:
    text = "The next OSCE summit will be held in Vienna in 2031."
    assert _claims(text) == []  # undated article: "next" after what?
    assert _claims(text, published="2030-03-02") == [
        ("next OSCE summit", "place, as stated in 2030", "Vienna")
    ]
    assert _claims(
        "Rome will host the next summit.", published="2030-03-02", organization="G7"
    ) == [("next G7 summit", "place, as stated in 2030", "Rome")]


def test_counts_with_bounds_and_scope() -> None:
    text = "The 5th Island Games drew more than 2,000 athletes from 24 nations."
    assert _claims(text) == [
        ("5th Island Games", "athletes", ">2000"),
        ("5th Island Games", "nations", "24"),
    ]
    # An unnumbered event is kept to its own meeting: two summits may differ legitimately.
    assert _claims("The Summit gathered 30 leaders.", scope="G20|Rome|2021-10") == [
        ("Summit (G20|Rome|2021-10)", "leaders", "30")
    ]


def _c(subject: str, attribute: str, value: str, file: str) -> Claim:
    return Claim(subject, attribute, value, f"{subject} {value}.", file)


def test_different_values_from_two_sources_disagree() -> None:
    [conflict] = find_disagreements(
        [
            _c("Tartu", "year as cultural capital", "2029", "a"),
            _c("the Tartu", "Year as Cultural Capital", "2030", "b"),
            _c("Tartu", "year as cultural capital", "2029", "c"),
        ]
    )
    assert conflict.topic == "Tartu: year as cultural capital"
    assert [(c.file, c.value) for c in conflict.claims] == [
        ("a", "2029"),
        ("b", "2030"),
        ("c", "2029"),
    ]


def test_compatible_counts_and_one_source_alone_do_not_disagree() -> None:
    assert (
        find_disagreements(
            [
                _c("5th Island Games", "athletes", ">2000", "a"),
                _c("5th Island Games", "athletes", "2150", "b"),
                _c("5th Island Games", "nations", "~24", "a"),
                _c("5th Island Games", "nations", "25", "b"),
                _c("Tartu", "year as cultural capital", "2029", "a"),
                _c("Tartu", "year as cultural capital", "2030", "a"),  # one source, not two
            ]
        )
        == ()
    )
    assert (
        len(
            find_disagreements(
                [_c("X Games", "athletes", ">2000", "a"), _c("X Games", "athletes", "1800", "b")]
            )
        )
        == 1
    )


def _stored(file: str, text: str) -> Digest:
    return Digest(
        article_id=file,
        file=file,
        content_hash=file,
        meta=ArticleMeta(published="2030-01-02"),
        summary=(),
        quotes=(),
        timeline=(),
        unresolved_dates=(),
        entities=Entities(),
        summit="OSCE|Oslo|2030-01",
        paragraphs=(text,),
    )


def test_the_store_keeps_claims_and_replaces_them(store_location: StoreLocation) -> None:
    with open_store_at(store_location) as store, store.transaction():
        store.put_digest(_stored("a.txt", "Tartu was named the cultural capital for 2029."), 1, 1)
        store.put_digest(_stored("b.txt", "Tartu was named the cultural capital for 2030."), 1, 1)
    with open_store_at(store_location) as store:
        assert {(c.file, c.value) for c in store.claims(disputable=True)} == {
            ("a.txt", "2029"),
            ("b.txt", "2030"),
        }
        with store.transaction():
            store.put_digest(
                _stored("b.txt", "Tartu was named the cultural capital for 2029."), 1, 2
            )
        assert store.claims(disputable=True) == []  # b's old claim went with its old digest
        with store.transaction():
            store.remove(["a.txt"])
        assert [c.file for c in store.claims()] == ["b.txt"]


def test_a_sqlite_store_without_claims_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    with DigestStore(path) as store, store.transaction():
        store.put_digest(_stored("b.txt", "Tartu was named the cultural capital for 2029."), 1, 1)
    # A version-3 store had no claims table: opening it derives the claims from its digests.
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE claims")
        db.execute("PRAGMA user_version = 3")
    with DigestStore(path) as store:
        assert [(c.file, c.value) for c in store.claims()] == [("b.txt", "2029")]


def test_each_summit_sees_its_own_claim_among_few_values_of_a_large_disagreement() -> None:
    from briefings.summits.merge import OTHER_VALUES, SOURCES_PER_VALUE, ConflictIndex

    claims = [
        _c("Tartu", "year as cultural capital", str(2000 + i % 30), f"{i:04d}")
        for i in range(3000)
    ]
    [conflict] = find_disagreements(claims)
    index = ConflictIndex([conflict])
    for file in ("0007", "2999"):
        [shown] = index.touching([file])
        values = {c.value for c in shown.claims}
        assert any(c.file == file for c in shown.claims)
        assert len(values) <= 1 + OTHER_VALUES
        assert all(sum(c.value == v for c in shown.claims) <= SOURCES_PER_VALUE for v in values)
    assert index.touching(["nobody"]) == ()
