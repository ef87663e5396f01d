"""Timeline stage: date phrases, their normalization, resolution and event texts.

Unit tests cover each construct the stage must read (and the traps it must not read as dates);
the corpus test scores the stage with the shared scorer's own date measure over the gold corpus
and both seeds, and holds the level reached so it cannot silently regress.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from briefings.ingest.read import article_from_text
from briefings.models import Article, ArticleMeta
from briefings.stages.timeline import TimelineResult, extract_timeline
from briefings.stages.timeline_context import MAX_EVENT_CHARS
from briefings.text.dates.scan import find_date_phrases

PROJECT = Path(__file__).resolve().parents[2]

#: Publication dates of the seeds (their gold annotates 002 as of 10 October 2025, 000 as undated).
SEED_PUBLISHED = {"000": None, "002": "2025-10-10"}

# Levels reached on the corpus + seeds (P = R = F1 = 1.00); floors leave room for one miss.
FLOOR_P, FLOOR_R, FLOOR_F1 = 0.97, 0.97, 0.97


def timeline(text: str, published: str | None = None) -> TimelineResult:
    return extract_timeline(article_from_text(text, meta=ArticleMeta(published=published)))


def dates(text: str, published: str | None = None) -> list[str]:
    return [e.date for e in timeline(text, published).events]


def unresolved(text: str, published: str | None = None) -> list[str]:
    return [u.evidence for u in timeline(text, published).unresolved]


# --------------------------------------------------------------------------- explicit dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Council met on January 25, 2000 in Moscow.", "2000-01-25"),
        ("The meeting was held on 10 October 2025 in Dushanbe.", "2025-10-10"),
        ("The archive is dated 2004-06-07 in the index.", "2004-06-07"),
        ("Leaders met on Friday October 10 2025 in Dushanbe.", "2025-10-10"),
        ("Leaders met on Friday, October 10, 2025 in Dushanbe.", "2025-10-10"),
        ("It was posted May 19th, 2012 at 1:45 am (UTC-5) on the blog.", "2012-05-19"),
        ("The accord was signed Sept. 15, 2022 in Samarkand.", "2022-09-15"),
        ("The accord was signed on 15 Sept 2022 in Samarkand.", "2022-09-15"),
        ("The treaty of the 4th of July, 1976 was cited.", "1976-07-04"),
        ("The deal took effect on 25.09.2022 in Baku.", "2022-09-25"),
        ("The deal took effect on 25/09/2022 in Baku.", "2022-09-25"),
    ],
)
def test_full_dates(text: str, expected: str) -> None:
    assert dates(text) == [expected]


def test_month_year_and_years_keep_their_precision() -> None:
    text = (
        "Relations date back to 1992. The initiative was adopted in March 2002. "
        "They cited the 2007 agreement and the programme Until 2005."
    )
    assert dates(text) == ["1992", "2002-03", "2005", "2007"]


def test_a_year_never_becomes_first_january() -> None:
    events = timeline("In 2018, the chairmanship will pass to Russia.", "2017-10-11").events
    assert [e.date for e in events] == ["2018"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the 2023–2025 Program on Combating Terrorism", "2023/2025"),
        ("the 1941–1945 Great Patriotic War", "1941/1945"),
        ("the SCO Presidency in 2019-20 ended", "2019/2020"),
        ("growth was slow between 2015 and 2020 overall", "2015/2020"),
        ("prices rose from 2010 to 2012 in the region", "2010/2012"),
        ("initially scheduled to take place on July 21–23, 2020, in St Petersburg", None),
        ("another meeting ran on 8–10 June 2023 in Paris", "2023-06-08/2023-06-10"),
        ("the talks ran from June 30 to July 2, 2020 in Rome", "2020-06-30/2020-07-02"),
        ("the talks ran September 15 and 16, 2022 in Samarkand", "2022-09-15/2022-09-16"),
        ("the exercise is planned in the spring of 2000 in Uzbekistan", "2000-03/2000-05"),
        ("elections should take place in the autumn of 2020 there", "2020-09/2020-11"),
        ("the winter of 2022 was cold", "2022-12/2023-02"),
        ("trade grew in the first 10 months of 2017 overall", "2017-01/2017-10"),
        ("trade grew in the first half of 2023 overall", "2023-01/2023-06"),
        ("talks went on between March and May 2020 in Geneva", "2020-03/2020-05"),
    ],
)
def test_ranges_and_periods(text: str, expected: str | None) -> None:
    expected = expected or "2020-07-21/2020-07-23"
    assert dates(text) == [expected]


def test_days_joined_by_and_are_a_range_only_when_consecutive() -> None:
    assert dates("They met on September 15 and 20, 2022 in Samarkand.") == [
        "2022-09-15",
        "2022-09-20",
    ]
    assert dates("They met on 15 and 20 September in Samarkand.", "2022-10-01") == [
        "2022-09-15",
        "2022-09-20",
    ]
    assert unresolved("They met on September 15 and 20 in Samarkand.") == [
        "on September 15",
        "20",
    ]


def test_year_in_a_range_is_not_read_twice() -> None:
    assert dates("The programme covers 2023–2025 and the year 2020.") == ["2020", "2023/2025"]


# --------------------------------------------------------------------------- relative dates


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("The summit will be held next year in Baku.", "2025-10-10", "2026"),
        ("The results of the chairmanship this year were good.", "2017-10-11", "2017"),
        ("Leaders met in Rome last year.", "2025-10-10", "2024"),
        ("Talks were held today in Paris.", "2025-10-10", "2025-10-10"),
        ("Talks were held yesterday in Paris.", "2025-10-10", "2025-10-09"),
        ("Talks will be held tomorrow in Paris.", "2025-10-10", "2025-10-11"),
        ("The forum will open next month in Kazan.", "2025-10-10", "2025-11"),
        ("The forum opened last month in Kazan.", "2025-01-10", "2024-12"),
        ("They met in Austria this week to talk.", "2012-05-19", "2012-05-14/2012-05-20"),
        ("Washington will host the allies this summer.", "2024-04-04", "2024-06/2024-08"),
        ("Trade grew since the start of the year in the region.", "2017-10-11", "2017-01/2017-10"),
        ("The meeting is scheduled to take place in four months.", "2019-12-10", "2020-04"),
        ("The treaty was signed two years ago in Minsk.", "2017-05-01", "2015"),
        ("They agreed to finish by the end of the year.", "2008-11-15", "2008"),
    ],
)  # fmt: skip
def test_relative_dates_resolve_against_publication(
    text: str, published: str, expected: str
) -> None:
    events = timeline(text, published).events
    assert [e.date for e in events] == [expected]
    assert events[0].relative


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Published Monday 2004-06-07.
        ("The summit begins Tuesday in Sea Island.", "2004-06-08"),
        ("Six leaders were together in Normandy on Sunday for ceremonies.", "2004-06-06"),
        ("He invited leaders to meet with the G-8 leaders on Wednesday.", "2004-06-09"),
        ("On Thursday several leaders from African countries will join the summit.", "2004-06-10"),
        ("The leaders met on Thursday in Paris.", "2004-06-03"),
        ("The minister said on Friday that talks went well.", "2004-06-04"),
        ("The talks will resume on Monday in Rome.", "2004-06-07"),
        ("They met last Monday in Rome.", "2004-05-31"),
    ],
)
def test_weekdays_follow_the_tense_of_their_clause(text: str, expected: str) -> None:
    assert dates(text, "2004-06-07") == [expected]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # Nearest occurrence when the clause has no tense marker.
        ("When leaders meet in Washington in July for the summit, we will act.", "2024-04-04",
         "2024-07"),
        ("Will gas transit after January 1 be settled?", "2019-12-10", "2020-01-01"),
        ("On October 24, Sochi will host the Russia-Africa Summit.", "2019-05-28", "2019-10-24"),
        # Past clauses take the last occurrence, future ones the next.
        ("The summit ran from Oct. 22 to 24 in Kazan.", "2022-10-10", "2021-10-22/2021-10-24"),
        ("The talks will be held on October 24 in Astana.", "2022-10-30", "2023-10-24"),
        ("The forum was held on 5 September in Vladivostok.", "2022-08-10", "2021-09-05"),
        ("Putin will host the summit on Oct. 14, the Kremlin said.", "2022-10-10", "2022-10-14"),
    ],
)  # fmt: skip
def test_month_without_year_is_resolved_against_publication(
    text: str, published: str, expected: str
) -> None:
    assert dates(text, published) == [expected]


def test_anniversary_phrase_gives_both_days() -> None:
    text = "Forty years ago today, on June 12, 1985, the envoys signed the charter."
    assert dates(text, "2025-06-12") == ["1985-06-12", "2025-06-12"]


def test_multi_day_meetings_become_a_day_range() -> None:
    text = "The leaders have a full agenda for their three days of meetings that begin Tuesday."
    assert dates(text, "2004-06-07") == ["2004-06-08/2004-06-10", "2004-06-08"]
    ended = "The two-day summit ended on Friday in Madrid."
    assert dates(ended, "2024-07-10") == ["2024-07-04/2024-07-05", "2024-07-05"]


def test_small_hours_dateline_moves_today_to_the_previous_day() -> None:
    text = (
        "Joint news conference following a summit\n"
        "December 10, 2019\n"
        "02:20\n"
        "Paris\n"
        "I agree with what the participants of these talks have said today."
    )
    assert dates(text, "2019-12-10") == ["2019-12-09", "2019-12-10"]
    # 00:00 is a placeholder time on such pages, not a publication in the small hours.
    assert dates(text.replace("02:20", "00:00"), "2019-12-10") == ["2019-12-10", "2019-12-10"]


def test_quoted_deixis_is_unresolved_but_explicit_dates_in_quotes_are_kept() -> None:
    text = '"The leaders will agree this week to act, as they did in March 2002," she said.'
    result = timeline(text, "2004-06-07")
    assert [e.date for e in result.events] == ["2002-03"]
    assert [u.evidence for u in result.unresolved] == ["this week"]
    assert "quoted" in result.unresolved[0].reason


# --------------------------------------------------------------------------- without a date


def test_without_publication_date_relative_dates_are_unresolved_not_guessed() -> None:
    text = (
        "A summit agreed Saturday in Washington to act. Lachin is the capital for next year. "
        "The summit takes place on September 15 and 16 in Samarkand. "
        "Allies meet this summer, in July, nearly two years ago, for the next 12 months "
        "and by the end of the year. The mandate was extended by two more years."
    )
    result = timeline(text)
    assert result.events == ()
    assert [u.evidence for u in result.unresolved] == [
        "Saturday",
        "for next year",
        "on September 15 and 16",
        "this summer",
        "in July",
        "nearly two years ago",
        "for the next 12 months",
        "by the end of the year",
        "by two more years",
    ]
    assert all(u.reason for u in result.unresolved)


def test_unresolved_phrases_are_deduplicated() -> None:
    assert unresolved("Today we met. Today we talked. next year, next year.") == [
        "Today",
        "next year",
    ]


# --------------------------------------------------------------------------- never a date


@pytest.mark.parametrize(
    "text",
    [
        "North Korea may launch a new test, we hear now.",
        "It was the 3rd round and the 21st century, after 30 years of occupation.",
        "Over 900 athletes from 11 nations took part for two years.",
        "The news came at 09:15 (UTC+01:00) and the clip ran 0:00 0:01:12 0:00.",
        "The Security Council's Resolutions 242 and 338 and Resolution 1397 apply.",
        "More than 2000 troops and some 1500 delegates arrived with 2000 journalists.",
        "Trade rose 25 percent to $75 billion, or 2.5 percent of output.",
        "The Cold War, World War II, the Roman Empire and COP29 were discussed.",
        "The Good Friday agreement and the Arab Spring were recalled.",
        "For the first time in 30 years, the talks were held in Geneva.",
        "See en.kremlin.ru/d/2019/62277 for the text.",
        "Theresa May said the deal was good, and talks went well by May.",
        "It was ambiguous on 05/06/2020 in the archive.",
    ],
)
def test_never_a_date(text: str) -> None:
    result = timeline(text, "2020-01-01")
    assert result.events == ()


def test_copyright_line_and_updated_line_and_headline_stamp_date_nothing() -> None:
    text = (
        "World Leaders Gather in US for Summit - 2004-06-07\n"
        "Updated: June 8, 2004 3:14 PM\n"
        "The summit begins in Sea Island, Georgia.\n"
        "© 2004 Voice of America. All rights reserved."
    )
    assert dates(text, "2004-06-07") == []


# --------------------------------------------------------------------------- datelines


def test_dateline_dates_the_articles_event_with_the_headline_as_event() -> None:
    text = (
        "Harbour Times\n"
        "Sunday March 2 2031\n"
        "Envoys agree on a shipping code at Nordic summit in Oslo\n"
        "2 March 2031 09:15 (UTC+01:00)\n"
        "Norland is taking part in several regional forums."
    )
    events = timeline(text, "2031-03-02").events
    assert len(events) == 1  # Two datelines, one event.
    assert events[0].date == "2031-03-02"
    assert events[0].event == "Envoys agree on a shipping code at Nordic summit in Oslo"
    assert events[0].evidence == "2 March 2031"  # the timed stamp, not the site date


def test_announcement_and_publication_lines_are_datelines() -> None:
    text = (
        "Tartu will host the Baltic Forum on June 12\n"
        "Announcement, June 12, 2030\n"
        "On June 12, Tartu will host the Baltic Forum.\n"
        "Publication status\n"
        "Publication date: March 3, 2030, 12:00"
    )
    assert dates(text, "2030-03-03") == ["2030-03-03", "2030-06-12", "2030-06-12"]


def test_dateline_event_is_the_ingested_title_when_there_is_one() -> None:
    meta = ArticleMeta(published="2015-11-01", title="Remarks at the C5+1 Meeting")
    article = article_from_text("November 1, 2015\nSECRETARY KERRY: Thank you.", meta=meta)
    events = extract_timeline(article).events
    assert [(e.date, e.event) for e in events] == [("2015-11-01", "Remarks at the C5+1 Meeting")]


def test_sources_section_dates_the_sources_not_events() -> None:
    text = (
        "Wednesday, June 6, 2007\n"
        "The summit began on Wednesday in Heiligendamm.\n"
        "Sources\n"
        '"G8 leaders arrive" — BBC News, June 5, 2007'
    )
    assert dates(text, "2007-06-06") == ["2007-06-06", "2007-06-06"]


def test_standalone_date_inside_the_body_heads_the_next_paragraph() -> None:
    body = "\n".join(f"Line number {n} of the programme text." for n in range(8))
    text = body + "\nJuly 11, 2023\nArrival of the heads of state.\nJuly 12, 2023\nPlenary."
    events = timeline(text, "2023-06-01").events
    assert [(e.date, e.event) for e in events] == [
        ("2023-07-11", "Arrival of the heads of state."),
        ("2023-07-12", "Plenary."),
    ]


# --------------------------------------------------------------------------- events and evidence


def test_evidence_is_an_exact_slice_and_event_text_is_short() -> None:
    long_sentence = (
        "They also analysed a report on the results of implementing the Inter-governmental "
        "Programme of Joint Measures to Combat Organised Crime and Other Dangerous Crimes on "
        "the Territory of CIS States Until 2000, as well as the implementation of decisions "
        "passed by the Council of CIS Heads of State on April 2, 1999."
    )
    article = article_from_text(long_sentence, meta=ArticleMeta(published="2000-01-25"))
    events = extract_timeline(article).events
    assert [e.date for e in events] == ["1999-04-02", "2000"]
    for event in events:
        assert article.text[event.start : event.end] == event.evidence
        assert len(event.event) <= MAX_EVENT_CHARS + 2  # ellipses
        assert event.evidence.strip("…") in event.event or event.evidence in event.event
    assert events[1].evidence == "Until 2000"


def test_same_date_in_one_sentence_is_one_event() -> None:
    events = timeline("Next year, 2018, will be the Year of Culture.", "2017-10-11").events
    assert [(e.date, e.evidence) for e in events] == [("2018", "Next year")]


def test_events_are_in_chronological_order() -> None:
    text = "In 2023 they met. In 1992 relations began. In 2007 they signed a treaty."
    assert dates(text) == ["1992", "2007", "2023"]


def test_find_date_phrases_offsets_match_the_text() -> None:
    text = "On Tuesday, 8–10 June 2023, and in the spring of 2000 and 2019–2020, mid-2020."
    phrases = find_date_phrases(text)
    assert [p.text for p in phrases] == [
        "On Tuesday",
        "8–10 June 2023",
        "in the spring of 2000",
        "2019–2020",
        "mid-2020",
    ]
    for phrase in phrases:
        assert text[phrase.start : phrase.end] == phrase.text


def test_evidence_drops_articles_and_of_but_keeps_prepositions() -> None:
    text = "The ruling of 22 July 2010, the 2007 agreement, the programme until 2025."
    assert [p.text for p in find_date_phrases(text)] == ["22 July 2010", "2007", "until 2025"]


# --------------------------------------------------------------------------- corpus


def _load_scorer(corpus_dir: Path) -> ModuleType:
    path = corpus_dir.parent / "tools" / "score_digests.py"
    spec = importlib.util.spec_from_file_location("score_digests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _corpus_items(corpus_dir: Path, seeds_dir: Path) -> list[tuple[Path, dict[str, Any], Article]]:
    items = []
    for gold_path in sorted((corpus_dir / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold_path.stem.startswith("seed_"):
            raw = seeds_dir / gold["source_file"]
            published = SEED_PUBLISHED[raw.name[:3]]
        else:
            raw = corpus_dir / "articles" / f"{gold_path.stem}.txt"
            meta = json.loads(raw.with_suffix(".meta.json").read_text(encoding="utf-8"))
            published = meta["published"]
        text = raw.read_text(encoding="utf-8")
        article = article_from_text(text, file=raw.name, meta=ArticleMeta(published=published))
        items.append((raw, gold, article))
    return items


@pytest.mark.corpus
def test_corpus_date_scores(corpus_dir: Path, seeds_dir: Path) -> None:
    """Date precision/recall/F1 exactly as the shared scorer computes them."""
    scorer = _load_scorer(corpus_dir)
    totals = {"d_pred": 0, "d_tp_p": 0, "d_gold": 0, "d_tp_r": 0}
    for raw, gold, article in _corpus_items(corpus_dir, seeds_dir):
        result = extract_timeline(article)
        for event in result.events:
            assert article.text[event.start : event.end] == event.evidence, raw.name
        pred = {"timeline": [{"date": e.date} for e in result.events]}
        scores = scorer.score_article(pred, gold, raw.read_text(encoding="utf-8"))
        for key in totals:
            totals[key] += scores[key]
    precision = totals["d_tp_p"] / max(1, totals["d_pred"])
    recall = totals["d_tp_r"] / max(1, totals["d_gold"])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    assert totals["d_gold"] >= 40
    figures = f"date_P={precision:.3f} date_R={recall:.3f} date_F1={f1:.3f} {totals}"
    assert precision >= FLOOR_P, figures
    assert recall >= FLOOR_R, figures
    assert f1 >= FLOOR_F1, figures


@pytest.mark.corpus
def test_corpus_unresolved_dates_are_reported(corpus_dir: Path, seeds_dir: Path) -> None:
    """Where the gold lists unresolved phrases of an undated article, the stage reports them."""
    for raw, gold, article in _corpus_items(corpus_dir, seeds_dir):
        expected = [u if isinstance(u, str) else u["evidence"] for u in gold["unresolved_dates"]]
        if article.meta.published is not None or not expected:
            continue
        found = [u.evidence.lower() for u in extract_timeline(article).unresolved]
        covered = [g for g in expected if any(g.lower() in f or f in g.lower() for f in found)]
        # "since the COVID-19 pandemic began" (an event-anchored span) is the one miss allowed.
        assert len(covered) >= len(expected) - 1, (raw.name, expected, found)


@pytest.mark.corpus
def test_corpus_event_texts_are_short_sentences(corpus_dir: Path, seeds_dir: Path) -> None:
    for raw, _, article in _corpus_items(corpus_dir, seeds_dir):
        for event in extract_timeline(article).events:
            assert 0 < len(event.event) <= MAX_EVENT_CHARS + 2, (raw.name, event.event)
            assert "\n" not in event.event


def test_speed_is_far_within_the_build_budget() -> None:
    """The whole build must do >= 10 articles/s per core; the timeline gets a few ms of that."""
    paragraph = (
        "On Tuesday, leaders met in Dushanbe for the summit, held on 10 October 2025, after "
        "talks in March 2024 and the 2023–2025 programme; 1,600 athletes from 13 nations took "
        "part, and the next meeting is planned for next year, officials said at 13:43. "
    )
    text = "\n".join([paragraph] * 20)  # ~800 words
    article = article_from_text(text, meta=ArticleMeta(published="2025-10-10"))
    extract_timeline(article)
    runs = 10
    start = time.perf_counter()
    for _ in range(runs):
        extract_timeline(article)
    # Typical pages take 2-4 ms; this one is a date in every clause.  Generous under CI load.
    assert (time.perf_counter() - start) / runs < 0.05


def test_timeline_stays_pure_python() -> None:
    """No model, no dateparser, no Telegram: the stage must stay fast and engine-only."""
    for module in (
        "stages/timeline.py",
        "stages/timeline_context.py",
        "stages/tense.py",
        "text/dates/scan.py",
        "text/dates/grammar.py",
        "text/dates/explicit.py",
        "text/dates/relative.py",
        "text/dates/rules.py",
    ):
        tree = ast.parse((PROJECT / "briefings" / module).read_text(encoding="utf-8"))
        imported = {
            name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            )
            if name
        }
        assert not imported & {"spacy", "dateparser", "telegram", "bot"}, module
