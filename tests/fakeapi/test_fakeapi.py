"""Tests for the fake Telegram Bot API server (fakeapi), driven by a real PTB ``Bot``.

Everything runs against 127.0.0.1; nothing here talks to api.telegram.org.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import json
import sys
import time
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.warnings import PTBDeprecationWarning

from fakeapi import EntityParseError, FakeBotApi, parse_html, utf16_len

pytestmark = [
    pytest.mark.timeout(30),
    # PTB warns about RetryAfter.retry_after becoming a timedelta; not our concern here.
    pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"),
]

TOKEN = "123456:TEST-TOKEN"
CHAT = 4242


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


def retry_seconds(error: RetryAfter) -> float:
    """``RetryAfter.retry_after`` as seconds (int today, timedelta with PTB_TIMEDELTA)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ------------------------------------------------------------------------------- basics
async def test_get_me_and_urls(api: FakeBotApi, bot: Bot) -> None:
    assert api.base_url == f"http://127.0.0.1:{api.port}/bot"
    assert api.base_file_url == f"http://127.0.0.1:{api.port}/file/bot"
    me = await bot.get_me()
    assert me.is_bot is True
    assert me.username == "SummitBriefingsBot"
    assert me.id == 123456
    assert bot.username == "SummitBriefingsBot"


async def test_send_message_and_read_back(api: FakeBotApi, bot: Bot) -> None:
    first = await bot.send_message(CHAT, "Hello")
    second = await bot.send_message(CHAT, "World", reply_parameters=ReplyParameters(1))
    other = await bot.send_message(77, "Elsewhere")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == CHAT and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.id == api.bot_id
    assert first.date.year >= 2024
    assert second.reply_to_message is not None and second.reply_to_message.text == "Hello"
    assert [r.text for r in api.messages_to(CHAT)] == ["Hello", "World"]
    record = api.sent[0]
    assert (record.method, record.chat_id, record.message_id) == ("sendMessage", CHAT, 1)
    assert api.message(CHAT, 2) is not None
    assert api.requests[-1].method == "sendMessage" and api.requests[-1].ok


async def test_methods_are_case_insensitive_and_json_bodies_work(api: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as session:
        url = f"{api.base_url}{TOKEN}/SENDMESSAGE"
        async with session.post(url, json={"chat_id": 5, "text": "via json"}) as response:
            body = await response.json()
        async with session.get(f"{api.base_url}{TOKEN}/getMe") as response:
            me = await response.json()
    assert body["ok"] is True and body["result"]["text"] == "via json"
    assert me == {"ok": True, "result": api.bot_user}


async def test_reply_markup_is_echoed_and_user_keyboards_accepted(
    api: FakeBotApi, bot: Bot
) -> None:
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Go", callback_data="go:1")],
            [InlineKeyboardButton("Site", url="https://example.org/a?b=c")],
        ]
    )
    message = await bot.send_message(CHAT, "menu", reply_markup=markup)
    assert message.reply_markup == markup
    assert api.sent[-1].reply_markup == markup.to_dict()


async def test_unknown_chat_with_strict_chats() -> None:
    async with (
        FakeBotApi(token=TOKEN, strict_chats=True) as server,
        Bot(TOKEN, base_url=server.base_url) as client,
    ):
        with pytest.raises(BadRequest, match="Chat not found"):
            await client.send_message(999, "hi")
        server.inject_message(999, "hi")
        assert (await client.send_message(999, "back")).text == "back"


# ------------------------------------------------------------------------------- HTML
async def test_html_allowed_tags_produce_entities(api: FakeBotApi, bot: Bot) -> None:
    html = (
        "<b>b</b><strong>B</strong><i>i</i><em>I</em><u>u</u><ins>U</ins><s>s</s>"
        '<strike>S</strike><del>d</del><span class="tg-spoiler">p</span><tg-spoiler>P</tg-spoiler>'
        '<a href="https://example.org/?a=1&amp;b=2">link</a><code>c</code>'
        '<pre><code class="language-python">print(1)</code></pre>'
        "<blockquote>q</blockquote><blockquote expandable>Q</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&gt;&amp;&quot;&#65;&#x42;'
    )
    message = await bot.send_message(CHAT, html, parse_mode="HTML")
    assert message.text is not None and message.text.endswith(' <>&"AB')
    kinds = [entity.type for entity in message.entities]
    for kind in (
        "bold", "italic", "underline", "strikethrough", "spoiler", "text_link", "code",
        "pre", "blockquote", "expandable_blockquote", "custom_emoji",
    ):  # fmt: skip
        assert kind in kinds
    pre = next(entity for entity in message.entities if entity.type == "pre")
    assert pre.language == "python"
    link = next(entity for entity in message.entities if entity.type == "text_link")
    assert link.url == "https://example.org/?a=1&b=2"


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("AT&T", 'Unescaped "&"'),
        ("a &nbsp; b", 'Unsupported HTML entity "&nbsp;"'),
        ("&#0;", 'Unsupported HTML entity "&#0;"'),
        ("a & b", 'Unescaped "&"'),
        ("1 < 2", 'Unsupported start tag ""'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ('<a href="x>y', "Unclosed start tag"),
    ],
)
async def test_html_rejected(bot: Bot, html: str, fragment: str) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities") as caught:
        await bot.send_message(CHAT, html, parse_mode="HTML")
    assert fragment.lower() in str(caught.value).lower()


def test_parse_html_offsets_are_utf16() -> None:
    text, entities = parse_html("😀 <b>bold</b> é <i>x</i>")
    assert text == "😀 bold é x"
    assert entities == [
        {"offset": 3, "length": 4, "type": "bold"},
        {"offset": 10, "length": 1, "type": "italic"},
    ]
    assert utf16_len("😀") == 2
    with pytest.raises(EntityParseError, match="byte offset 5"):
        parse_html("😀 <p>")  # the emoji is 4 UTF-8 bytes


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_escaped_text_always_parses_back(text: str) -> None:
    plain, entities = parse_html(html.escape(text))
    assert plain == text and entities == []
    _, bold = parse_html(f"<b>{html.escape(text)}</b>")
    assert bold == ([{"offset": 0, "length": utf16_len(text), "type": "bold"}] if text else [])


async def test_length_limit_counts_utf16_units(api: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(CHAT, "a" * 4096)
    await bot.send_message(CHAT, "😀" * 2048)  # 2048 chars, 4096 UTF-16 units
    await bot.send_message(CHAT, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")  # tags are free
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHAT, "😀" * 2049)  # only 2049 Python chars
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHAT, "a" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, "  \n ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    assert len(api.sent) == 3


async def test_text_is_trimmed_like_telegram(bot: Bot) -> None:
    message = await bot.send_message(CHAT, "\n  <b>x</b> y \n", parse_mode="HTML")
    assert message.text == "x y"
    assert message.entities[0].offset == 0 and message.entities[0].length == 1


async def test_unsupported_parse_mode(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Unsupported parse_mode"):
        await bot.send_message(CHAT, "x", parse_mode="BBCode")


# ------------------------------------------------------------------------------- keyboards & edits
async def test_callback_data_limit_is_64_bytes(api: FakeBotApi, bot: Bot) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    await bot.send_message(CHAT, "fits", reply_markup=ok)
    for data in ("x" * 65, "é" * 33):  # 33 characters but 66 UTF-8 bytes
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data=data)]])
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(CHAT, "too long", reply_markup=markup)
    async with aiohttp.ClientSession() as session:
        payload = {
            "chat_id": CHAT,
            "text": "empty",
            "reply_markup": {"inline_keyboard": [[{"text": "e", "callback_data": ""}]]},
        }
        async with session.post(f"{api.base_url}{TOKEN}/sendMessage", json=payload) as response:
            assert response.status == 400
            assert (await response.json())["description"] == "Bad Request: BUTTON_DATA_INVALID"


async def test_edits_and_not_modified(api: FakeBotApi, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    sent = await bot.send_message(CHAT, "<b>v1</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>v1</b>", CHAT, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    edited = await bot.edit_message_text("v2", CHAT, sent.message_id, reply_markup=markup)
    assert isinstance(edited, object) and getattr(edited, "text", None) == "v2"
    assert getattr(edited, "edit_date", None) is not None
    other = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="b")]])
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=other)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=other)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", CHAT, 999)
    assert await bot.delete_message(CHAT, sent.message_id) is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    assert [r.method for r in api.sent] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
    ]
    assert api.deleted[0][:2] == (CHAT, sent.message_id)


async def test_user_messages_cannot_be_edited(api: FakeBotApi, bot: Bot) -> None:
    api.inject_message(CHAT, "mine")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", CHAT, 1)


# ------------------------------------------------------------------------------- getUpdates
async def test_long_poll_wakes_on_injection(api: FakeBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    assert not poll.done()
    started = time.monotonic()
    update_id = api.inject_message(CHAT, "/start", username="alice")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1.0
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None and message.text == "/start"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    assert message.from_user is not None and message.from_user.username == "alice"
    assert update_id in api.update_available_at


async def test_offset_limit_and_timeout(api: FakeBotApi, bot: Bot) -> None:
    ids = [api.inject_message(CHAT, f"m{i}") for i in range(5)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[3])] == ids[3:]
    assert api.pending_update_count == 2
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[4:]
    started = time.monotonic()
    assert await bot.get_updates(offset=ids[4] + 1, timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3.0
    assert api.pending_update_count == 0


async def test_allowed_updates_filter(api: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "k")
    api.inject_callback(CHAT, sent.message_id, "data")
    message_id = api.inject_message(CHAT, "text")
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.update_id for u in updates] == [message_id]
    assert await bot.get_updates(offset=message_id + 1, allowed_updates=[]) == ()


async def test_second_long_poll_conflicts_the_first(api: FakeBotApi, bot: Bot) -> None:
    async with Bot(TOKEN, base_url=api.base_url) as second:
        first_poll = asyncio.create_task(bot.get_updates(timeout=10))
        await asyncio.sleep(0.1)
        second_poll = asyncio.create_task(second.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await asyncio.wait_for(first_poll, 3)
        assert await second_poll == ()


async def test_inject_raw_update(api: FakeBotApi, bot: Bot) -> None:
    edited = {
        "edited_message": {
            "message_id": 5,
            "date": 1_700_000_000,
            "edit_date": 1_700_000_100,
            "chat": {"id": CHAT, "type": "private", "first_name": "Ann"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Ann"},
            "text": "fixed typo",
        }
    }
    update_id = api.inject_raw(edited)
    explicit = api.inject_raw({"update_id": update_id + 10, "message": edited["edited_message"]})
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [update_id, explicit]
    assert updates[0].edited_message is not None
    assert updates[0].edited_message.text == "fixed typo"
    assert api.inject_message(CHAT, "next") == explicit + 1


async def test_group_commands_with_bot_name(api: FakeBotApi, bot: Bot) -> None:
    api.inject_message(
        -1001234567890, "/brief@SummitBriefingsBot G7 now", user_id=7, chat_title="Ops"
    )
    [update] = await bot.get_updates()
    message = update.message
    assert message is not None and message.chat.type == "supergroup"
    assert message.chat.title == "Ops"
    assert message.entities[0].length == len("/brief@SummitBriefingsBot")
    api.inject_message(-5, "hello /x", chat_type="group")
    updates = await bot.get_updates(offset=update.update_id + 1)
    assert updates[0].message is not None and updates[0].message.chat.type == "group"
    assert updates[0].message.entities[0].offset == 6


# ------------------------------------------------------------------------------- errors & faults
async def test_retry_after(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "x")
    assert retry_seconds(caught.value) == 7
    assert (await bot.send_message(CHAT, "again")).text == "again"
    failed = [r for r in api.requests if r.status == 429]
    assert failed[0].description == "Too Many Requests: retry after 7"


async def test_block_chat_forbidden(api: FakeBotApi, bot: Bot) -> None:
    api.block_chat(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "x")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(CHAT, "typing")
    api.block_chat(-77)
    with pytest.raises(Forbidden, match="kicked from the group chat"):
        await bot.send_message(-77, "x")
    api.unblock_chat(CHAT)
    await bot.send_message(CHAT, "ok")


async def test_migrate_chat(api: FakeBotApi, bot: Bot) -> None:
    api.inject_message(-42, "/start", chat_type="group", chat_title="Old")
    api.migrate_chat(-42, -1000000000042)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-42, "x")
    assert caught.value.new_chat_id == -1000000000042
    chat = await bot.get_chat(-1000000000042)
    assert chat.type == "supergroup" and chat.title == "Old"


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_network_errors(api: FakeBotApi, bot: Bot, status: int) -> None:
    api.fail_next(None, status)
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(CHAT, "x")
    assert not isinstance(caught.value, BadRequest)
    await bot.send_message(CHAT, "recovered")


async def test_fail_rate_is_seeded(api: FakeBotApi, bot: Bot) -> None:
    api.fail_rate(status=(500, 502), probability=0.5, seed=1)
    outcomes = []
    for _ in range(20):
        try:
            await bot.send_chat_action(CHAT, "typing")
            outcomes.append(True)
        except NetworkError:
            outcomes.append(False)
    assert 0 < outcomes.count(False) < 20
    assert {r.status for r in api.requests if not r.ok} <= {500, 502}
    api.fail_rate(probability=0)
    assert await bot.send_chat_action(CHAT, "typing") is True


async def test_drop_connections(api: FakeBotApi, bot: Bot) -> None:
    api.drop_connections(1)
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "lost")
    assert api.sent == []
    api.drop_connections(1, after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "delivered but unanswered")
    assert [r.text for r in api.sent] == ["delivered but unanswered"]
    assert (await bot.send_message(CHAT, "fine")).text == "fine"
    assert [r.status for r in api.requests if r.method == "sendMessage"] == [0, 0, 200]


async def test_storm_and_latency(api: FakeBotApi, bot: Bot) -> None:
    api.storm_429(0.5, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "x")
    assert retry_seconds(caught.value) == 3
    await asyncio.sleep(0.6)
    await bot.send_message(CHAT, "after the storm")
    api.set_latency(0.3)
    started = time.monotonic()
    await bot.send_message(CHAT, "slow")
    assert time.monotonic() - started >= 0.3
    api.clear_faults()
    started = time.monotonic()
    await bot.send_message(CHAT, "fast")
    assert time.monotonic() - started < 0.3


async def test_rate_limits(api: FakeBotApi, bot: Bot) -> None:
    api.enable_rate_limits()
    results: list[bool] = []
    for chat_id in range(1, 41):
        try:
            await bot.send_message(chat_id, "broadcast")
            results.append(True)
        except RetryAfter as error:
            assert retry_seconds(error) >= 1
            results.append(False)
    assert results.count(True) == 30 and results.count(False) == 10
    api.enable_rate_limits()  # fresh windows
    await bot.send_message(CHAT, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "two")
    assert retry_seconds(caught.value) == 1
    api.enable_rate_limits(per_chat_per_second=0)
    for _ in range(20):
        await bot.send_message(-500, "group")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(-500, "group")
    assert 55 <= retry_seconds(caught.value) <= 60
    api.disable_rate_limits()
    await bot.send_message(-500, "unlimited")


async def test_wrong_token_and_unknown_method(api: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        await Bot("999:WRONG", base_url=api.base_url).initialize()
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{api.base_url}999:WRONG/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with session.post(f"{api.base_url}{TOKEN}/sendHologram") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
    async with Bot(TOKEN, base_url=api.base_url) as client:
        with pytest.raises(EndPointNotFound):
            await client.do_api_request("sendHologram")


# ------------------------------------------------------------------------------- chats & commands
async def test_chat_admins_and_members(api: FakeBotApi, bot: Bot) -> None:
    group = -1001234
    api.set_chat_admins(group, [11, 12], creator_id=10)
    admins = await bot.get_chat_administrators(group)
    assert sorted((m.user.id, m.status) for m in admins) == [
        (10, "creator"),
        (11, "administrator"),
        (12, "administrator"),
    ]
    assert (await bot.get_chat_member(group, 11)).status == "administrator"
    assert (await bot.get_chat_member(group, 99)).status == "member"
    api.set_chat_admins(group, [12])
    assert (await bot.get_chat_member(group, 11)).status == "member"
    api.set_chat_member_status(group, 13, "kicked")
    assert (await bot.get_chat_member(group, 13)).status == "kicked"
    with pytest.raises(BadRequest, match="no administrators in the private chat"):
        await bot.get_chat_administrators(CHAT)


async def test_commands_and_menu(api: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("brief", "Briefing")])
    assert api.commands == [
        {"command": "start", "description": "Start"},
        {"command": "brief", "description": "Briefing"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "brief"]
    await bot.set_my_commands([BotCommand("hilfe", "Hilfe")], language_code="de")
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["hilfe"]
    assert [c["command"] for c in api.commands_for()] == ["start", "brief"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])
    assert await bot.delete_my_commands() is True
    assert await bot.get_my_commands() == ()
    assert await bot.set_chat_menu_button() is True
    assert (await bot.get_chat_menu_button()).type == "commands"
    assert await bot.close() is True
    assert await bot.log_out() is True


async def test_callback_query_answer(api: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(
        CHAT,
        "pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    update_id = api.inject_callback(CHAT, sent.message_id, "a")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "a" and update.update_id == update_id
    assert query.message is not None and query.message.message_id == sent.message_id
    waiting = asyncio.create_task(api.wait_for_callback_answers(timeout=3))
    assert await query.answer("done") is True
    assert [a.text for a in await waiting] == ["done"]
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("twice")
    assert api.callback_answers[0].text == "done"
    api.inject_callback(CHAT, 999, "gone")
    [update] = await bot.get_updates(offset=update_id + 1)
    assert update.callback_query is not None
    assert update.callback_query.message is not None
    assert not update.callback_query.message.is_accessible


# ------------------------------------------------------------------------------- webhook
async def test_webhook_delivery_with_secret(api: FakeBotApi, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    both_arrived = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        if len(received) == 2:
            both_arrived.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        queued = api.inject_message(CHAT, "queued before webhook")
        url = f"http://127.0.0.1:{port}/hook"
        assert await bot.set_webhook(url, secret_token="s3cret_token") is True
        live = api.inject_message(CHAT, "/start")
        await asyncio.wait_for(both_arrived.wait(), 5)
        assert [body["update_id"] for _, body in received] == [queued, live]
        assert {secret for secret, _ in received} == {"s3cret_token"}
        assert Update.de_json(received[1][1], bot).message is not None
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        with pytest.raises(BadRequest, match=r"(?i)bad webhook"):
            await bot.set_webhook("https://example.org/hook")
        assert await bot.delete_webhook() is True
        polled = api.inject_message(CHAT, "polling again")
        assert [u.update_id for u in await bot.get_updates()] == [polled]
        assert api.webhook_deliveries[0].status == 200
    finally:
        await runner.cleanup()


async def test_webhook_retries_until_the_receiver_answers(api: FakeBotApi, bot: Bot) -> None:
    statuses = [500, 200]
    delivered = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        status = statuses.pop(0) if statuses else 200
        if status == 200:
            delivered.set()
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
        api.inject_message(CHAT, "hi")
        await asyncio.wait_for(delivered.wait(), 5)
        assert [d.status for d in api.webhook_deliveries] == [500, 200]
        info = await bot.get_webhook_info()
        assert info.last_error_message is not None and "500" in info.last_error_message
    finally:
        await runner.cleanup()


# ------------------------------------------------------------------------------- lifecycle
async def test_stop_releases_pending_long_poll() -> None:
    server = FakeBotApi(token=TOKEN)
    await server.start()
    async with Bot(TOKEN, base_url=server.base_url) as client:
        poll = asyncio.create_task(client.get_updates(timeout=60, read_timeout=70))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await server.stop()
        assert time.monotonic() - started < 2.0
        try:
            result = await asyncio.wait_for(poll, 2)
        except TelegramError:
            pass
        else:
            assert result == ()
    assert not server.running


async def test_wait_for_messages(api: FakeBotApi, bot: Bot) -> None:
    async def later() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(CHAT, "one")
        await bot.send_message(CHAT, "two")

    task = asyncio.create_task(later())
    records = await api.wait_for_messages(chat_id=CHAT, count=2, timeout=3)
    await task
    assert [r.text for r in records] == ["one", "two"]
    mark = api.mark()
    with pytest.raises(TimeoutError, match="expected 1 message") as caught:
        await api.wait_for_messages(chat_id=CHAT, timeout=0.2, since=mark)
    assert "sendMessage -> 4242" in str(caught.value)


async def test_application_end_to_end(api: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more")]])
        await update.effective_message.reply_html("<b>Welcome</b>", reply_markup=keyboard)

    async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text("More details")

    app = Application.builder().token(TOKEN).base_url(api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(more))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=dtm.timedelta(seconds=5))
        command = api.inject_message(CHAT, "/start")
        [welcome] = await api.wait_for_messages(chat_id=CHAT, timeout=5)
        assert welcome.text == "Welcome" and welcome.reply_to == command
        latency = api.reply_latency(command)
        assert latency is not None and 0 <= latency < 5
        assert welcome.message_id is not None
        press = api.inject_callback(CHAT, welcome.message_id, "more")
        [edit] = await api.wait_for_messages(chat_id=CHAT, methods={"editMessageText"})
        assert edit.text == "More details" and edit.reply_to == press
        assert api.callback_answers and api.callback_answers[0].update_id == press
        await app.updater.stop()
        await app.stop()
    assert api.pending_update_count == 0


async def test_throughput(api: FakeBotApi, bot: Bot) -> None:
    started = time.monotonic()
    for i in range(300):
        api.inject_message(i + 1, "/start")
    offset = 0
    seen = 0
    while seen < 300:
        updates = await bot.get_updates(offset=offset, limit=100)
        seen += len(updates)
        offset = updates[-1].update_id + 1
        for update in updates:
            assert update.effective_chat is not None
            await bot.send_message(update.effective_chat.id, "hi")
    assert len(api.sent) == 300
    assert time.monotonic() - started < 10
    assert len(api.reply_latencies()) == 300


async def test_control_endpoints(api: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{api.url}/_fake/message", json={"chat_id": 9, "text": "/start"}
        ) as response:
            update_id = (await response.json())["result"]["update_id"]
        async with session.post(
            f"{api.base_url}{TOKEN}/sendMessage", data={"chat_id": "9", "text": "hey"}
        ) as response:
            assert response.status == 200
        async with session.get(f"{api.url}/_fake/sent", params={"chat_id": "9"}) as response:
            sent = (await response.json())["result"]
    assert sent[0]["text"] == "hey" and sent[0]["reply_to"] is None
    assert update_id in api.update_available_at


async def test_cli_prints_base_url() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "fakeapi", "--port", "0", stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 15)).decode()
        assert line.startswith("base_url=http://127.0.0.1:") and line.rstrip().endswith("/bot")
        base_url = line.strip().removeprefix("base_url=")
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{base_url}1:any/getMe") as response,
        ):
            body = json.loads(await response.text())
        assert body["result"]["username"] == "SummitBriefingsBot"
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
