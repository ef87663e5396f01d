"""End to end: the real Application, long polling against the fake Bot API server.

Every test talks only to 127.0.0.1 and is bounded in time (pytest-timeout plus per-wait limits).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from support import ADMIN, ask, displayed, make_settings, shown

from bot.app import build_application, running
from fakeapi import FakeBotApi, SentRecord

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

USER = 501
SEED_000 = "000_828d40792933caee.txt"


def buttons(record: SentRecord) -> dict[str, str]:
    markup = record.reply_markup or {}
    return {
        b["text"]: b.get("callback_data", "")
        for row in markup.get("inline_keyboard", [])
        for b in row
    }


async def test_commands_answer_from_stored_digests(workdir: Path, api: FakeBotApi) -> None:
    app = build_application(make_settings(workdir, api))
    async with running(app):
        assert {c["command"] for c in api.commands or []} >= {"summary", "quotes", "timeline"}
        [start] = await ask(api, USER, "/start")
        assert "CIS summit" in shown(start)
        assert set(buttons(start)) >= {"Summary", "Quotes", "Timeline", "Subscribe"}

        [summary] = await ask(api, USER, "/summary")
        # The latest summit is the Dushanbe meeting (seed 000 is another meeting), and the
        # seeds' disagreement is flagged in it.
        text = shown(summary, "1 source", "as of", "Dushanbe", "Sources disagree")
        assert "Lachin" in text or "Summary" in text

        [quotes] = await ask(api, USER, "/quotes aliyev")
        assert "Ilham Aliyev" in shown(quotes)
        assert "livable cities" in shown(quotes)

        [timeline] = await ask(api, USER, "/timeline")
        text = shown(timeline, "Sources disagree on the year of")
        assert "1992" in text and "2023–2025" in text and "Sources disagree" in text
        assert text.index("1992") < text.index("2007")

        [search] = await ask(api, USER, "/search Lachin capital")
        assert "Lachin" in shown(search)


async def test_replies_are_sent_as_html_without_previews(workdir: Path, api: FakeBotApi) -> None:
    """Replies bypass ``Bot.send_message`` (the answer is not parsed into a Message): what
    reaches Telegram must still carry the application's Defaults and the keyboard."""
    app = build_application(make_settings(workdir, api))
    async with running(app):
        [summary] = await ask(api, USER, "/summary")
        [unknown] = await ask(api, USER, "/nosuchcommand")
    for record in (summary, unknown):
        assert record.parse_mode == "HTML"
        preview = record.params["link_preview_options"]
        assert (json.loads(preview) if isinstance(preview, str) else preview) == {
            "is_disabled": True
        }
        assert "<" not in shown(record)  # the HTML was parsed, not shown as tags
    assert summary.entities
    assert set(buttons(summary)) >= {"Quotes", "Timeline"}


async def test_bad_input_gets_a_helpful_reply(workdir: Path, api: FakeBotApi) -> None:
    app = build_application(make_settings(workdir, api))
    async with running(app):
        [bad_year] = await ask(api, USER, "/timeline soon")
        assert "/timeline 2025" in shown(bad_year)
        [unknown] = await ask(api, USER, "/frobnicate")
        assert "/help" in shown(unknown)
        [no_words] = await ask(api, USER, "/search")
        assert "/search" in shown(no_words)
        [bad_time] = await ask(api, USER, "/subscribe daily 25:99")
        assert "HH:MM" in shown(bad_time)
        [bad_zone] = await ask(api, USER, "/subscribe daily 08:00 Mars/Olympus")
        assert "time zone" in shown(bad_zone)
        [hostile] = await ask(api, USER, "/quotes <b>&amp;</i>")
        # shown literally (escaped in the HTML): the only literal markup a reader may see
        assert "<b>&amp;</i>" in shown(hostile, allow=["<b>&amp;</i>"])
        [not_admin] = await ask(api, USER, "/reload")
        assert "administrators" in shown(not_admin)


async def test_buttons_switch_sections_by_editing(workdir: Path, api: FakeBotApi) -> None:
    app = build_application(make_settings(workdir, api))
    async with running(app):
        [summary] = await ask(api, USER, "/summary")
        since = api.mark()
        api.inject_callback(
            USER, summary.message_id or 0, buttons(summary)["Quotes"], user_id=USER
        )
        [edit] = await api.wait_for_messages(chat_id=USER, since=since, timeout=15)
        assert edit.method == "editMessageText" and edit.message_id == summary.message_id
        assert "Quotes" in shown(edit)
        answered = len(api.callback_answers)
        api.inject_callback(USER, summary.message_id or 0, "q:deadbeef:1", user_id=USER)
        api.inject_callback(USER, summary.message_id or 0, "forged-data", user_id=USER)
        await api.wait_for_requests("answerCallbackQuery", count=answered + 2, timeout=10)
        assert all("expired" in shown(a) for a in api.callback_answers[answered:])


async def test_group_commands_with_bot_name_and_admin_rule(workdir: Path, api: FakeBotApi) -> None:
    group = -100123
    app = build_application(make_settings(workdir, api))
    async with running(app):
        [reply] = await ask(api, group, f"/summary@{api.username}", user_id=USER)
        assert "CIS summit" in shown(reply)
        [refused] = await ask(api, group, "/subscribe", user_id=USER)
        assert "admins" in shown(refused)
        api.set_chat_admins(group, [ADMIN])
        [accepted] = await ask(api, group, "/subscribe", user_id=ADMIN)
        assert "Subscribed" in shown(accepted)


async def test_new_seed_reaches_each_subscriber_once_and_restart_sends_nothing(
    workdir: Path, api: FakeBotApi
) -> None:
    settings = make_settings(workdir, api)
    subscribers = [USER, 502, 503]
    async with running(build_application(settings)):
        for chat in subscribers:
            [ok] = await ask(api, chat, "/subscribe")
            assert "Subscribed" in shown(ok)
        await asyncio.sleep(1.0)  # the first poll records the existing archive
        since = api.mark()
        text = (workdir / "seeds" / SEED_000).read_text(encoding="utf-8")
        (workdir / "seeds" / "003_new_article.txt").write_text(
            "NATO leaders gather in Vilnius\n\nNATO leaders met in Vilnius on July 11, 2023 "
            "and agreed to strengthen deterrence.\n" + text,
            encoding="utf-8",
        )
        briefings = await api.wait_for_messages(
            since=since,
            count=len(subscribers),
            timeout=90,
            predicate=lambda r: "New article" in displayed(r).text,
        )
        assert sorted(r.chat_id for r in briefings) == subscribers
        for briefing in briefings:  # what each subscriber reads: the article, its summit
            # The headline and lead name the meeting (NATO, Vilnius, July 2023): its summit.
            shown(briefing, "NATO leaders gather in Vilnius", "NATO summit, Vilnius")
        await asyncio.sleep(1.5)
        new_briefings = [r for r in api.sent[since:] if "New article" in displayed(r).text]
        assert len(new_briefings) == len(subscribers)  # exactly once each
    since = api.mark()
    async with running(build_application(settings)):
        await asyncio.sleep(2.0)
        [status] = await ask(api, USER, "/status")
        assert "new articles" in shown(status)
    assert not [r for r in api.sent[since:] if "New article" in displayed(r).text]
