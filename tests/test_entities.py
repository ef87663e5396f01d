"""Entities: precision first, no country or city listed as a person."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefings.entities import extract_entities
from briefings.library import Library
from briefings.nlp import load_nlp

PLACES_THE_MODEL_CALLS_PEOPLE = {
    "Azerbaijan",
    "Baku",
    "Lachin",
    "Dushanbe",
    "Tajikistan",
    "Garabagh",
}


def test_seed_people_are_people(seed_library: Library) -> None:
    for digest in seed_library.digests(c.file for c in seed_library.articles):
        people = set(digest.entities.people)
        assert "Ilham Aliyev" in people
        assert not people & PLACES_THE_MODEL_CALLS_PEOPLE
        assert not any(p.startswith(("President", "Mr")) for p in people)


def test_seed_places_and_organisations(seed_library: Library) -> None:
    digest = seed_library.digest("002_ae500b144d0d54b5.txt")
    assert digest is not None
    assert {"Dushanbe", "Tajikistan", "Azerbaijan", "Baku"} <= set(digest.entities.places)
    assert "CIS" in digest.entities.organizations


def test_titles_and_possessives_are_stripped() -> None:
    ents = extract_entities(
        "President Emmanuel Macron’s visit was praised. Chancellor Angela Merkel spoke later. "
        "Merkel said Germany would help.",
        load_nlp(),
    )
    assert set(ents.people) == {"Emmanuel Macron", "Angela Merkel"}
    assert "Germany" in ents.places


@pytest.mark.corpus
def test_people_precision_on_the_corpus(corpus_dir: Path) -> None:
    nlp = load_nlp()
    predicted = correct = 0
    for gold_file in sorted((corpus_dir / "gold").glob("[0-9]*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        text = (corpus_dir / "articles" / f"{gold_file.stem}.txt").read_text(encoding="utf-8")
        gold_people = [g.lower() for g in gold["entities"]["people"]]
        for person in extract_entities(text, nlp).people:
            predicted += 1
            words = set(person.lower().split())
            correct += any(words & set(g.split()) for g in gold_people)
    assert predicted >= 20
    assert correct / predicted >= 0.9
