"""Dates anchored in their story (issue 13): each rule on sentences written for this test.

Every case names the general pattern it checks; none is taken from a corpus article.
"""

from __future__ import annotations

import pytest

from briefings.ingest.read import article_from_text
from briefings.models import ArticleMeta
from briefings.stages.timeline import TimelineResult, extract_timeline


def timeline(text: str, published: str | None = None) -> TimelineResult:
    return extract_timeline(article_from_text(text, meta=ArticleMeta(published=published)))


def dates(text: str, published: str | None = None) -> list[str]:
    return [e.date for e in timeline(text, published).events]


# --------------------------------------------------------------------------- today / nowadays


@pytest.mark.parametrize(
    "text",
    [
        "Today, the region needs stable borders more than ever.",  # present simple: nowadays
        "Today's Asia is a very different continent.",  # possessive: a description
        "The agenda of today's talks covers trade and energy.",
        "Today and every day, the partners honour their pledge.",
        "Can we say tonight that the crisis has ended?",  # present question; "that" clause apart
        "Let me tell you about the results of our work today.",
    ],
)
def test_today_meaning_nowadays_is_no_event(text: str) -> None:
    assert dates(text, "2021-06-15") == []


@pytest.mark.parametrize(
    "text",
    [
        "The bank today named a new governor.",  # regular past
        "Share prices have fallen sharply today.",  # perfect
        "Ministers met today in Oslo.",  # irregular past
        "The index was up 2% at noon, a gain from earlier today.",  # verbless clause: sentence
        "The delegations are meeting today in Lisbon.",  # progressive
    ],
)
def test_today_with_an_event_verb_is_dated(text: str) -> None:
    assert dates(text, "2021-06-15") == ["2021-06-15"]


# --------------------------------------------------------------------------- direction


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # A regular past-tense verb after the weekday: the past Tuesday, though the coming one
        # is nearer (published Saturday).
        ("The airline on Tuesday received its last jet.", "2015-03-14", "2015-03-10"),
        # Passive after an auxiliary is no past marker: "should be approved" is ahead.
        ("A March 3 hearing has been set to decide whether the sale should be approved.",
         "2015-02-20", "2015-03-03"),
        # A modal makes the clause future: next September, not the last one.
        ("The deal may be signed on September 9 at the fair.", "2015-10-01", "2016-09-09"),
        # "until" in a present or perfect clause is the end of a state that still holds.
        ("The border has remained shut until Monday, officials say.", "2015-03-12", "2015-03-16"),
        ("The border was shut until Monday.", "2015-03-12", "2015-03-09"),
        ("The border remained shut until Monday.", "2015-03-12", "2015-03-09"),
        ("The bank has kept all branches closed until Monday.", "2015-03-12", "2015-03-16"),
        # A participle after its noun looks ahead: "talks, expected Tuesday".
        ("The talks, expected on Tuesday, may decide the matter.", "2015-03-12", "2015-03-17"),
    ],
)  # fmt: skip
def test_tense_chooses_the_direction(text: str, published: str, expected: str) -> None:
    assert dates(text, published) == [expected]


def test_past_tense_in_a_late_article_takes_the_month_before() -> None:
    text = "In May, the navies staged joint exercises off the coast."
    assert dates(text, "2021-12-20") == ["2021-05"]
    assert dates("In May, the navies will stage joint exercises.", "2021-12-20") == ["2022-05"]


# --------------------------------------------------------------------------- the story's year


def test_yearless_date_takes_the_year_of_its_passage() -> None:
    text = (
        "The envoy's dispatch of June 2, 1919 reached the capital late. It was on June 2, "
        "the day of the ceremony, that the delegates signed the protocol."
    )
    assert dates(text, "2023-05-30") == ["1919-06-02", "1919-06-02"]


def test_yearless_date_in_a_new_paragraph_takes_the_publication_year() -> None:
    text = "The dispatch of June 2, 1919 reached the capital late.\nTalks resume on June 2."
    assert dates(text, "2023-05-30") == ["1919-06-02", "2023-06-02"]
    # Within the writing year, the paragraph before anchors nothing either.
    text = "The accord of May 2, 2023 was signed.\nTalks ended on June 2."
    assert dates(text, "2023-07-30") == ["2023-05-02", "2023-06-02"]


def test_a_past_account_runs_on_into_the_next_paragraph() -> None:
    text = (
        "The envoy read out a letter of March 3, 1921 to the delegates.\n"
        "It was on March 3, the eve of the conference, that the letter was written."
    )
    assert dates(text, "2021-12-10") == ["1921-03-03", "1921-03-03"]
    # A future clause in the next paragraph is the writing time's.
    future = text.replace("It was on March 3", "Delegates will meet on March 3")
    assert dates(future, "2021-12-10") == ["1921-03-03", "2022-03-03"]


def test_yearless_date_without_publication_is_resolved_only_by_its_passage() -> None:
    text = "A treaty of 4 August 1904 was cited. On 6 August the envoys left."
    assert dates(text) == ["1904-08-04", "1904-08-06"]
    assert [u.evidence for u in timeline("On 6 August the envoys left.").unresolved] == [
        "On 6 August"
    ]


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("The statement of June 5 of 2011 was read out.", "2020-01-01", "2011-06-05"),
        ("Exports rose 8% in the first nine months.", "2016-11-20", "2016-01/2016-09"),
        ("Exports rose 8% in the first nine months.", "2016-03-20", "2015-01/2015-09"),
        ("Profits fell in the fourth quarter.", "2013-02-01", "2012-10/2012-12"),
        ("The firm posted its second-quarter results.", "2013-08-01", "2013-04/2013-06"),
        ("Sales grew during the last quarter.", "2013-02-01", "2012-10/2012-12"),
        ("Sales grew in the final quarter of 2011.", "2013-02-01", "2011-10/2011-12"),
        ("Output shrank between March and May.", "2013-07-01", "2013-03/2013-05"),
        ("The envoys meet again in the autumn.", "2013-07-01", "2013-09/2013-11"),
        ("The rules change after April of next year.", "2013-07-01", "2014-04"),
        ("Trade boomed in the 1970s.", "2013-07-01", "1970/1979"),
        ("Trade boomed in the '80s.", "2013-07-01", "1980/1989"),
        ("As of March, exports had doubled.", "2013-07-01", "2013-03"),
        ("The shops reopened after Christmas 2012.", "2013-07-01", "2012"),
        ("The envoys met in Oslo this week.", "2013-07-03", "2013-07-01/2013-07-07"),
        ("The envoys met in Oslo a week ago.", "2013-07-03", "2013-06-26"),
        # A weekend is its Saturday and Sunday (published Wednesday 2013-07-03).
        ("The envoys met in Oslo over the weekend.", "2013-07-03", "2013-06-29/2013-06-30"),
        ("The envoys will meet in Oslo this weekend.", "2013-07-03", "2013-07-06/2013-07-07"),
    ],
)  # fmt: skip
def test_periods_follow_the_conventions(text: str, published: str, expected: str) -> None:
    assert dates(text, published) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "The first six months of his term were calm.",  # "of" a non-year: no date
        "The second half of the meeting was closed.",
        "Over the last quarter century the bloc grew.",
        "Prices fall when supply grows.",  # "fall" the verb
        "The Spring Festival drew crowds.",  # a name
        "He is in his 70s.",  # an age
        "The Russell 2000 Index dropped by four percent.",  # a year inside a name
        "Output is given in 2015 prices.",  # a year inside a measure
        "At the end of the day, trust matters.",  # an idiom
        "Unfortunately, that day has come.",
    ],
)
def test_no_date_in_names_measures_and_idioms(text: str) -> None:
    assert dates(text, "2016-05-10") == []


# --------------------------------------------------------------------------- anaphora


def test_the_same_day_refers_to_the_last_day_named() -> None:
    text = (
        "Stocks rallied on Friday. A jobs report came out on the same day. "
        "The index gained 1%, ending the day at a record."
    )
    # Published Saturday 2016-05-14: Friday is 2016-05-13, and so are both anaphors.
    assert dates(text, "2016-05-14") == ["2016-05-13"] * 3


def test_the_day_without_a_referent_is_the_reference_day_or_unresolved() -> None:
    assert dates("The index gained 1% for the day.", "2016-05-14") == ["2016-05-14"]
    assert dates("The index gained 1% for the day.") == []


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Car sales fell 20% in March compared to the same month a year ago.", "2016-04-02",
         ["2015-03", "2016-03"]),
        ("Sales dropped 12% last month from the previous year.", "2016-04-02",
         ["2015", "2016-03"]),
        ("Costs were cut last year, more than the year before.", "2016-04-02", ["2014", "2015"]),
    ],
)  # fmt: skip
def test_years_before_count_from_the_date_just_named(
    text: str, published: str, expected: list[str]
) -> None:
    assert dates(text, published) == expected


def test_a_timed_stamp_is_the_evidence_over_the_sites_date_of_the_day() -> None:
    text = (
        "Nordic News Online\n"
        "Tuesday March 4 2014\n"
        "Ministers Talk Arctic Security\n"
        "4 March 2014 09:30\n"
        "Foreign ministers met in Tromsø to discuss fisheries and shipping."
    )
    events = timeline(text, "2014-03-04").events
    assert [(e.date, e.evidence) for e in events] == [("2014-03-04", "4 March 2014")]


def test_the_dateline_event_is_the_headline_not_a_skip_link() -> None:
    text = (
        "Jump straight to the page content\n"
        "Nordic Ministers Talk Arctic Security\n"
        "Foreign ministers met in Tromsø on Monday to discuss Arctic security.\n"
        "March 4, 2014\n"
    )
    events = timeline(text, "2014-03-04").events
    assert [e.event for e in events if e.evidence == "March 4, 2014"] == [
        "Nordic Ministers Talk Arctic Security"
    ]


def test_a_decade_joined_to_another_is_read_too() -> None:
    assert dates("Cars of the 60s and 70s were boxy.", "2013-07-01") == ["1960/1969", "1970/1979"]
