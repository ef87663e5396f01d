"""Metadata from the page, not its furniture (issue 13), on pages written for this test.

Title and publication date are recognised by what they are: a headline is about the story
below it and stands right above its date line or byline; a date line may carry its place.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefings.ingest.metadata import echoes_body
from briefings.ingest.read import read_article
from briefings.ingest.stamps import parse_stamp
from briefings.stages.timeline import extract_timeline

BODY = (
    "Foreign ministers of the Nordic states met in Tromsø on Monday to discuss fisheries, "
    "shipping lanes and Arctic security, their spokesman said after the talks."
)
MORE = "The ministers agreed to meet again next year in Reykjavik, the statement said."


def _read(tmp_path: Path, *lines: str, name: str = "a.txt") -> object:
    path = tmp_path / name
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return read_article(path)


@pytest.mark.parametrize(
    "header",
    [
        ["Jump straight to the page content"],  # a skip link nobody listed
        ["An official portal of the Republic of Freedonia", "Here is how to check"],  # banner
        ["From Newswiki, the open encyclopedia of current events"],  # a wiki back-link
    ],
)
def test_furniture_above_the_headline_is_not_the_title(tmp_path: Path, header: list[str]) -> None:
    article = _read(tmp_path, *header, "Nordic Ministers Talk Arctic Security", BODY, MORE)
    assert article.meta.title == "Nordic Ministers Talk Arctic Security"


def test_a_headline_above_a_byline_and_a_place_line_is_kept(tmp_path: Path) -> None:
    article = _read(
        tmp_path,
        "Nordic Ministers Talk Arctic Security",
        "Kari Nordmann",
        "Tromsø, Norway",
        "March 3, 2014",
        BODY,
    )
    assert (article.meta.title, article.meta.published) == (
        "Nordic Ministers Talk Arctic Security",
        "2014-03-03",
    )


def test_echo_needs_a_content_word_of_the_story() -> None:
    assert echoes_body("Ministers Talk Security", [BODY])
    assert not echoes_body("Skip to main content", [BODY])
    assert echoes_body("G7 — 2014", [BODY])  # nothing to judge: passes


@pytest.mark.parametrize(
    ("line", "place"),
    [
        ("March 3, 2014, Tromsø", "Tromsø"),
        ("TROMSØ, March 3, 2014", "TROMSØ"),
        ("Tromsø – 3 March 2014", "Tromsø"),
        ("Monday, March 3, 2014, New Delhi", "New Delhi"),
    ],
)
def test_a_date_line_with_a_place_is_a_dateline(line: str, place: str) -> None:
    stamp = parse_stamp(line)
    assert stamp is not None and stamp.kind == "plain"
    assert (stamp.date, stamp.place) == ("2014-03-03", place)


@pytest.mark.parametrize(
    "line",
    ["March 3, 2014, said Kari", "March 3, 2014 - Breaking coverage and more", "On March 3, 2014"],
)
def test_other_words_beside_a_date_are_no_place(line: str) -> None:
    stamp = parse_stamp(line)
    assert stamp is None or stamp.place is None


def test_placed_dateline_dates_the_article_and_its_relative_dates(tmp_path: Path) -> None:
    article = _read(tmp_path, "Nordic Ministers Talk Arctic Security", "March 4, 2014, Tromsø",
                    BODY, MORE)  # fmt: skip
    assert (article.meta.published, article.meta.dateline_place) == ("2014-03-04", "Tromsø")
    dates = {e.evidence: e.date for e in extract_timeline(article).events}
    assert dates["on Monday"] == "2014-03-03"
    assert dates["next year"] == "2015"
    assert dates["March 4, 2014"] == "2014-03-04"


def test_front_matter_url_names_the_source(tmp_path: Path) -> None:
    markdown = (
        "---\ntitle: Nordic ministers meet\npublished: 2014-03-04T09:30:00+01:00\n"
        "url: https://www.example-news.org/2014/nordic\n---\n\n" + BODY + "\n"
    )
    path = tmp_path / "a.md"
    path.write_text(markdown, encoding="utf-8")
    meta = read_article(path).meta
    assert (meta.title, meta.published, meta.published_time, meta.source) == (
        "Nordic ministers meet", "2014-03-04", "09:30", "example-news.org"
    )  # fmt: skip
    path.write_text(markdown.replace("url:", "source: Example News\nurl:"), encoding="utf-8")
    assert read_article(path).meta.source == "Example News"


def test_lines_above_the_headline_are_not_body(tmp_path: Path) -> None:
    """A back-link that ends like a sentence must not become a body (or summary) sentence."""
    article = _read(
        tmp_path,
        "From Newswiki, the open encyclopedia of current events you can edit!",
        "Nordic Ministers Talk Arctic Security",
        BODY,
        MORE,
    )
    assert article.meta.title == "Nordic Ministers Talk Arctic Security"
    assert article.paragraphs == (BODY, MORE)


def test_a_long_paragraph_above_a_headline_guess_is_kept(tmp_path: Path) -> None:
    article = _read(tmp_path, BODY, "Nordic Ministers Talk Arctic Security?", MORE)
    assert BODY in article.paragraphs


def test_a_deck_under_the_headline_does_not_replace_it(tmp_path: Path) -> None:
    article = _read(
        tmp_path, "Nordic Ministers Talk Arctic Security", "Fisheries on the agenda", BODY, MORE
    )
    assert article.meta.title == "Nordic Ministers Talk Arctic Security"
