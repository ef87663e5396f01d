"""What /summit and /summary show of a summit card (article written for this test)."""

from __future__ import annotations

from pathlib import Path

from support import ask, library_of, make_settings

from bot.app import build_application, running
from bot.render import render, strip_html
from bot.views import card_view, summary_view
from briefings.models import ArticleMeta, Digest, Entities
from fakeapi import FakeBotApi

PARAGRAPHS = (
    "The Nordic Council summit in Bergen ended on Friday.",
    "Finnish Prime Minister Aino Virtanen met with her hosts before the talks.",
    "Leaders adopted a joint declaration on Arctic shipping.",
    "The next summit will be held in Reykjavik in 2031.",
)


def _library(tmp_path: Path) -> object:
    digest = Digest(
        article_id="a1",
        file="bergen.txt",
        content_hash="h",
        meta=ArticleMeta(
            title="Nordic <leaders> meet", source="Fjord News", published="2030-05-03"
        ),
        summary=(PARAGRAPHS[2],),
        quotes=(),
        timeline=(),
        unresolved_dates=(),
        entities=Entities(),
        summit="Nordic Council|Bergen|2030-05",
        paragraphs=PARAGRAPHS,
    )
    return library_of([digest], tmp_path / "d.sqlite3")


def test_summit_card_lines_show_with_their_sources(tmp_path: Path) -> None:
    library = _library(tmp_path)
    summit = library.latest_summit()  # type: ignore[attr-defined]
    text = strip_html(render("summit", view=card_view(library, summit)))  # type: ignore[arg-type]
    assert "Meeting: Nordic Council summit, Bergen, May 2030 — Nordic <leaders> meet" in text
    assert "• Aino Virtanen (Finnish Prime Minister) — Nordic <leaders> meet, Fjord News" in text
    assert "Adopted, signed, decided\n• Leaders adopted a joint declaration" in text
    assert "What comes next\n• The next summit will be held in Reykjavik in 2031." in text


def test_summary_opens_with_the_card(tmp_path: Path) -> None:
    library = _library(tmp_path)
    summit = library.latest_summit()  # type: ignore[attr-defined]
    text = strip_html(render("summary", view=summary_view(library, summit)))  # type: ignore[arg-type]
    assert text.index("Meeting:") < text.index("Summary\n•")


async def test_summit_command_answers_with_the_card(workdir: Path, api: FakeBotApi) -> None:
    app = build_application(make_settings(workdir, api))
    async with running(app):
        assert "summit" in {c["command"] for c in api.commands or []}
        [reply] = await ask(api, 501, "/summit")
        assert "Meeting: CIS summit, Dushanbe, October 2025" in (reply.text or "")
        assert "Emomali Rahmon (Tajik President)" in (reply.text or "")
        [help_text] = await ask(api, 501, "/help")
        assert "/summit" in (help_text.text or "")
