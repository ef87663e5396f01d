"""What each command shows, without Telegram: selection, filters, paging, callback data."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import library_of

from bot.keyboards import DigestRequest, SectionRequest, parse_callback, section_keyboard
from bot.render import render, utf16_len
from bot.views import (
    PAGE_SIZE,
    ArgumentError,
    choose_summit,
    parse_year_span,
    quotes_view,
    summit_token,
    timeline_view,
)
from briefings.library import Library
from briefings.models import ArticleMeta, Digest, Entities, Quote, TimelineEvent


def _library(tmp_path: Path, quotes: int, events: int) -> Library:
    digest = Digest(
        article_id="abc123",
        file="a.txt",
        content_hash="h",
        meta=ArticleMeta(title="NATO <summit> & more", published="2024-07-10"),
        summary=("Leaders met in Washington and agreed to help.",),
        quotes=tuple(
            Quote(f"Quote number {i} is said here.", f"Speaker {i % 3}", "direct")
            for i in range(quotes)
        ),
        timeline=tuple(
            TimelineEvent(str(1990 + i), f"Event {i}", str(1990 + i)) for i in range(events)
        ),
        unresolved_dates=(),
        entities=Entities(),
        summit="NATO|Washington|2024",
        paragraphs=("Leaders met in Washington and agreed to help.",),
    )
    return library_of([digest], tmp_path / "digests.sqlite3")


def test_quotes_are_paged_and_grouped_by_speaker(tmp_path: Path) -> None:
    library = _library(tmp_path, quotes=20, events=0)
    first = quotes_view(library)
    assert first.total == 20 and first.page.count == 3 and first.page.number == 1
    assert sum(len(g.quotes) for g in first.groups) == PAGE_SIZE
    last = quotes_view(library, page=99, summit=first.summit)
    assert last.page.number == 3 and sum(len(g.quotes) for g in last.groups) == 4


def test_quote_without_speaker_reads_speaker_not_stated(tmp_path: Path) -> None:
    # The extractor abstains (speaker None) when the text does not say who spoke; the reader
    # must see that it is not stated, not a made-up "Unknown speaker" heading.
    lib = library_of(
        [
            Digest(
                article_id="q1",
                file="q.txt",
                content_hash="h",
                meta=ArticleMeta(title="Talks", published="2024-07-10"),
                summary=("Leaders met.",),
                quotes=(Quote("We will not sign this text today.", None, "direct"),),
                timeline=(),
                unresolved_dates=(),
                entities=Entities(),
                summit="NATO|Washington|2024",
                paragraphs=("Leaders met.",),
            )
        ],
        tmp_path / "q.sqlite3",
    )
    text = render("quotes", view=quotes_view(lib))
    shown = "<b>Speaker not stated</b>\n<blockquote>We will not sign this text today.</blockquote>"
    assert shown in text
    assert "Unknown" not in text


def test_quotes_filter_by_speaker_words(tmp_path: Path) -> None:
    view = quotes_view(_library(tmp_path, quotes=9, events=0), "speaker 1")
    assert view.total == 3 and {g.speaker for g in view.groups} == {"Speaker 1"}


def test_timeline_span_filter_and_bad_arguments(tmp_path: Path) -> None:
    library = _library(tmp_path, quotes=0, events=30)
    summit = library.latest_summit()
    assert timeline_view(library, summit, parse_year_span("1995-1999")).total == 5
    assert parse_year_span("2025") == (2025, 2025)
    assert parse_year_span("2025–2020") == (2020, 2025)
    with pytest.raises(ArgumentError, match="/timeline 2025"):
        parse_year_span("next week")
    with pytest.raises(ArgumentError, match="Known summit"):
        choose_summit(library, "apec")


def test_keyboard_callback_data_fits_and_round_trips(tmp_path: Path) -> None:
    library = _library(tmp_path, quotes=20, events=0)
    token = summit_token(library.latest_summit())
    view = quotes_view(library)
    keyboard = section_keyboard(token, "q", view.page)
    data = [b.callback_data for row in keyboard.inline_keyboard for b in row]
    assert all(isinstance(d, str) and len(d.encode()) <= 64 for d in data)
    assert SectionRequest("q", token, 2) in [parse_callback(d) for d in data if isinstance(d, str)]
    assert parse_callback("d:abc123") == DigestRequest("abc123")
    for forged in ("", "x" * 65, "q:zzzz:1", "q:12345678:-1", "s:12345678:1\n", "d:<b>"):
        assert parse_callback(forged) is None


def test_rendered_views_escape_article_text(tmp_path: Path) -> None:
    library = _library(tmp_path, quotes=2, events=2)
    text = render("timeline", view=timeline_view(library, library.latest_summit()))
    assert "NATO &lt;summit&gt; &amp; more" in text
    assert utf16_len(text) < 4096
