"""Entities: precision first, no country or city listed as a person."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefings.library import Library
from briefings.stages.entities import entities_from_spans, extract_entities, is_person_name
from briefings.text.nlp import load_nlp

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


# ------------------------------------------------------------------ people (issue 13)


@pytest.mark.parametrize(
    "name",
    [
        "Vladimir Putin",  # Vladimir is also a city: in a full name it is a first name
        "George W. Bush",  # George too; and an initial is not an acronym
        "Martin Luther King Jr",
    ],
)
def test_full_names_whose_first_name_is_a_city_are_people(name: str) -> None:
    assert is_person_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "Lyon",  # a lone word that is a city
        "Kenya",
        "Baku Azerbaijan",  # made only of places
        "European Parliament",  # institutions, documents, territories, firms
        "Lisbon Treaty",
        "Northern Territory",
        "Fokker Aircraft",
        "Acme Inc",
        "Music Store",
        "Der Spiegel",  # a title opening with an article
        "Mac OSX",  # an acronym
        "NATO Chairmanship",
        "Zephyr Norway",  # "<brand> <country>": a national company
    ],
)
def test_places_institutions_and_titles_are_not_people(name: str) -> None:
    assert not is_person_name(name)


def test_first_names_that_are_cities_are_kept_in_text() -> None:
    ents = extract_entities(
        "Vladimir Putin met George W. Bush at the ranch in Crawford on Friday.", load_nlp()
    )
    assert {"Vladimir Putin", "George W. Bush"} <= set(ents.people)


def test_a_country_before_a_leaders_name_is_trimmed() -> None:
    ents = extract_entities(
        "The talks were attended by President of Azerbaijan Ilham Aliyev, President of "
        "Kazakhstan Kassym-Jomart Tokayev and Prime Minister of Armenia Nikol Pashinyan.",
        load_nlp(),
    )
    assert {"Ilham Aliyev", "Kassym-Jomart Tokayev", "Nikol Pashinyan"} <= set(ents.people)
    assert not any(p.startswith(("Kazakhstan", "Armenia")) for p in ents.people)


def test_institutions_and_treaties_are_not_people_in_text() -> None:
    ents = extract_entities(
        "Shoppers lined up at the App Store, Der Spiegel reported, while the Treaty of "
        "Lisbon and the European Parliament were debated.",
        load_nlp(),
    )
    assert ents.people == ()


def test_a_name_the_model_mostly_tags_as_an_organisation_is_not_a_person() -> None:
    text = "Harbor Mutual said ... Harbor Mutual shares fell ... Harbor Mutual cut jobs."
    spans = [("Harbor Mutual", "PERSON", 0), ("Harbor Mutual", "ORG", 24),
             ("Harbor Mutual", "ORG", 52), ("Jane Doe", "PERSON", 70)]  # fmt: skip
    assert entities_from_spans(spans, text).people == ("Jane Doe",)
    assert entities_from_spans(spans[:1], text).people == ("Harbor Mutual",)


def test_a_word_qualifying_a_title_goes_with_the_title() -> None:
    """Whatever stands before an office word is not part of the name: a nationality, a
    country's adjective or an abbreviation ("Norlandic President", "U.S. Senator")."""
    from briefings.stages.entities import _strip_titles

    assert _strip_titles("Norlandic President Maria Lind") == "Maria Lind"
    assert _strip_titles("U.S. Senator Tom Okafor") == "Tom Okafor"
    assert _strip_titles("Westland Foreign Minister Ole Berg") == "Ole Berg"
    assert _strip_titles("Maria Lind") == "Maria Lind"  # nothing to strip
