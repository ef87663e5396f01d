"""The summit card (sentences written for these tests) and its gold file's evidence."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bench.cards import GOLD, score_card, verify_gold
from briefings.models import ArticleMeta, Digest, Entities
from briefings.summits.card import build_card

ARTICLE = (
    "The Nordic Council summit in Bergen ended on Friday.",
    "Finnish Prime Minister Aino Virtanen and Danish Foreign Minister Lars Holm met with "
    "their hosts before the talks.",
    "Leaders adopted a joint declaration on Arctic shipping and agreed to double research funds.",
    "Ministers said they would perhaps consider a new fund.",
    "The previous summit in Oslo signed a fisheries accord.",
    "The next summit will be held in Reykjavik in 2031.",
    "Local farmer Ole Berg said the weather was fine.",
)


def _digest() -> Digest:
    return Digest(
        article_id="a",
        file="a.txt",
        content_hash="h",
        meta=ArticleMeta(title="Nordic leaders meet in Bergen", published="2030-05-03"),
        summary=(),
        quotes=(),
        timeline=(),
        unresolved_dates=(),
        entities=Entities(),
        summit="Nordic Council|Bergen|2030-05",
        paragraphs=ARTICLE,
    )


def test_card_lines_each_carry_their_source() -> None:
    card = build_card(
        "Nordic Council summit, Bergen, May 2030", "Nordic Council", "Bergen", [_digest()]
    )
    by_kind: dict[str, list[str]] = {}
    for line in card:
        assert (
            line.file == "a.txt"
            and line.evidence in "\n".join(ARTICLE) + "\n" + "Nordic leaders meet in Bergen"
        )
        by_kind.setdefault(line.kind, []).append(line.text)
    assert by_kind["meeting"] == ["Nordic Council summit, Bergen, May 2030"]
    assert by_kind["participant"] == [
        "Aino Virtanen (Finnish Prime Minister)",
        "Lars Holm (Danish Foreign Minister)",
    ]
    # The decision is shown; a hypothesis and another meeting's accord are not.
    assert by_kind["outcome"] == [ARTICLE[2]]
    assert by_kind["next"] == [ARTICLE[5]]
    # A bystander quoted without any role at the meeting is not a participant.
    assert not any("Berg" in text for text in by_kind["participant"])


def test_a_list_of_people_who_met_are_participants() -> None:
    digest = replace(
        _digest(), paragraphs=("Anna Berg, Mark Stone and Lea Park held talks in Bergen.",)
    )
    card = build_card("X", "Nordic Council", "Bergen", [digest])
    assert [line.text for line in card if line.kind == "participant"] == [
        "Anna Berg",
        "Mark Stone",
        "Lea Park",
    ]


def test_scoring_counts_right_lines_and_found_items() -> None:
    summit = {
        "meeting": {"organization": "Nordic Council", "city": "Bergen", "month": "2030-05"},
        "participants": ["Aino Virtanen"],
        "outcomes": ["adopted a joint declaration"],
        "next": [],
    }
    card = [
        {"kind": "meeting", "text": "Nordic Council summit, Bergen, May 2030", "evidence": ""},
        {"kind": "meeting", "text": "Nordic Council summit, Oslo, May 2030", "evidence": ""},
        {"kind": "participant", "text": "Aino Virtanen (Prime Minister)", "evidence": ""},
        {"kind": "outcome", "text": "", "evidence": "Leaders adopted a joint declaration."},
        {"kind": "outcome", "text": "", "evidence": "The weather was fine."},
    ]
    assert score_card(card, summit) == (3, 5, 3, 3)


def test_gold_cards_cover_eight_summits_with_evidence_in_the_articles(corpus_dir: Path) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    assert len(gold["summits"]) >= 8
    assert verify_gold(gold, corpus_dir / "articles") == []


@pytest.mark.parametrize("phrase", ["not in any article at all"])
def test_verify_reports_evidence_missing_from_its_article(corpus_dir: Path, phrase: str) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    gold["summits"][0]["outcomes"].append(phrase)
    assert verify_gold(gold, corpus_dir / "articles") == [
        f"{gold['summits'][0]['files'][0]}: {phrase}"
    ]
