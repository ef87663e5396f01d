"""Summaries lead with outcomes: decisions and positions beat scene-setting, and greetings,
thanks and speaker labels never enter (unit sentences written for these tests; then every
corpus article)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from briefings.ingest.read import read_article
from briefings.stages.summary import is_pleasantry, summarize


def test_greetings_and_thanks_are_pleasantries() -> None:
    for text in (
        "Thank you very much, Madam Chair.",
        "Well, thank you, everyone, for coming.",
        "I would like to express gratitude to our hosts for their hospitality.",
        "We are deeply grateful to the people of Oslo.",
        "Good afternoon, ladies and gentlemen.",
        "Dear colleagues, it is an honour to be here.",
        "It is a great pleasure to welcome you to Oslo.",
    ):
        assert is_pleasantry(text), text
    for text in (
        "The ministers thanked nobody and left.",  # reported, not a courtesy
        "The council agreed to extend the mission by a year.",
    ):
        assert not is_pleasantry(text), text


TRANSCRIPT = [
    "MINISTER OLSEN: Thank you very much, Mr. Chairman, and good morning to all of you.",
    "Allow me to briefly inform you about the results of our work today.",
    "The ministers gave a joint news conference in the old town hall after the talks.",
    "The council adopted a treaty on river pollution and agreed to cut fishing quotas by a third.",
    "Norway will hand over the chairmanship of the council to Finland in January.",
    "We also discussed several topics of common interest over lunch.",
    "The weather in the old town was mild, and the harbour was full of boats.",
]


def test_outcomes_beat_greetings_and_scene_setting() -> None:
    summary = summarize(TRANSCRIPT, length=2)
    assert summary == [TRANSCRIPT[3], TRANSCRIPT[4]]


def test_a_speaker_label_is_cut_off_and_the_rest_may_stay() -> None:
    paragraphs = [
        "SECRETARY NOVAK: The alliance adopted a new defence plan for the northern flank.",
        "President of the Commission Ada Lind: The union signed the trade agreement with Chile.",
        "It rained all day in the capital, and traffic was slow around the venue.",
    ]
    summary = summarize(paragraphs, length=2)
    assert summary == [
        "The alliance adopted a new defence plan for the northern flank.",
        "The union signed the trade agreement with Chile.",
    ]


# --- every corpus article -------------------------------------------------------------------

_LABEL = re.compile(r"^[A-Z][\w .’'-]{0,60}:\s")
_FURNITURE = re.compile(
    r"accessibility links|breaking news|leave a comment|publication status|direct link|"
    r"text version|subscribe|read more|please wait|no media source|posted \w+ \d",
    re.IGNORECASE,
)


def _scorer(corpus_dir: Path) -> ModuleType:
    path = corpus_dir.parent / "tools" / "score_digests.py"
    if not path.exists():
        pytest.skip(f"scorer not found at {path}")
    spec = importlib.util.spec_from_file_location("score_digests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.corpus
def test_no_summary_sentence_is_furniture_greeting_or_label(corpus_dir: Path) -> None:
    articles = sorted((corpus_dir / "articles").glob("*.txt"))
    assert articles
    for path in articles:
        article = read_article(path)
        for sentence in summarize(article.paragraphs):
            where = f"{path.name}: {sentence!r}"
            assert sentence in article.text, where
            assert not is_pleasantry(sentence), where
            assert not _LABEL.match(sentence), where
            assert not _FURNITURE.search(sentence), where
            assert sentence.strip() not in {line.strip() for line in article.removed}, where


@pytest.mark.corpus
def test_summaries_beat_lead3_on_the_corpus(corpus_dir: Path) -> None:
    scorer = _scorer(corpus_dir)
    ours = lead = 0.0
    count = 0
    for gold_file in sorted((corpus_dir / "gold").glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        path = corpus_dir / "articles" / (gold.get("source_file") or f"{gold_file.stem}.txt")
        if not path.exists():
            continue
        summary = summarize(read_article(path).paragraphs)
        ours += scorer.rouge_f(summary, gold["summary"], 1)
        lead += scorer.rouge_f(scorer.lead3(path.read_text(encoding="utf-8")), gold["summary"], 1)
        count += 1
    assert count >= 10
    assert ours / count >= lead / count + 0.03, (ours / count, lead / count)


def test_a_scene_setting_opener_does_not_ride_the_lead_position() -> None:
    paragraphs = [
        "Freedonia is an increasingly active player on the world stage, proud of its balanced "
        "and pragmatic foreign policy.",
        "Its diplomats are known across the region for their patience and their good humour.",
        "The Andean summit in Quito adopted a water-sharing treaty on Tuesday.",
        "President Ana Ruiz held bilateral talks with her Peruvian counterpart on the border.",
    ]
    assert summarize(paragraphs, length=1) == [paragraphs[2]]
