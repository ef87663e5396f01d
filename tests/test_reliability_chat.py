"""Issue 11, findings 3 and 7: group chatter, other bots' commands, odd time zones, anonymous
admins, a flood guard that forgets, and logs that do not repeat themselves.

End to end against the fake Bot API (the real Application as ``build_application`` wires it)
where it is a bot behaviour; unit tests for the parts that are pure bookkeeping.
"""

from __future__ import annotations

import asyncio
import logging
import time
import tracemalloc
from pathlib import Path

import pytest
from support import ask, db_rows, make_settings

from bot.__main__ import _settings
from bot.app import build_application, running
from bot.services import SERVICES_KEY, FloodGuard, Services
from briefings.pipeline import scan_fingerprint, scan_seeds
from fakeapi import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

GROUP = -100_4242


def services_of(app: object) -> Services:
    svc = app.bot_data[SERVICES_KEY]  # type: ignore[attr-defined]
    assert isinstance(svc, Services)
    return svc


def texts_to(api: FakeBotApi, chat_id: int, since: int) -> list[str]:
    return [r.text or "" for r in api.sent[since:] if r.chat_id == chat_id]


# --- finding 3: only commands for this bot use its budget ---------------------------------------


async def test_group_chatter_and_other_bots_commands_use_no_budget(
    workdir: Path, api: FakeBotApi
) -> None:
    """A group where the bot sees every message: 40 ordinary messages and 10 commands for
    another bot (twice the group's budget of 20 a minute) come first, then /help for us."""
    app = build_application(make_settings(workdir, api))
    async with running(app):
        since = api.mark()
        for i in range(40):
            api.inject_message(GROUP, f"what do we think of the summit, round {i}?", user_id=5)
        for _ in range(10):
            api.inject_message(GROUP, "/roll@DiceBot", user_id=6)
        await asyncio.sleep(1.0)  # all 50 handled (or dropped) before the command
        started = time.monotonic()
        await ask(api, GROUP, f"/help@{api.username}", user_id=5)
        latency = time.monotonic() - started
        await asyncio.sleep(0.5)
        texts = texts_to(api, GROUP, since)
        svc = services_of(app)
        # Our command is answered; the chatter and the other bot's commands get no word.
        assert sum("/summary" in t for t in texts) == 1, texts
        assert not [t for t in texts if "know" in t or "slow down" in t], texts
        assert len(texts) == 1
        assert svc.counters["flood refusals"] == 0
        assert svc.counters["updates"] == 1  # only /help@Bot counted

        # Our own commands still have their budget: 20 a minute in a group, then one warning.
        since = api.mark()
        for _ in range(25):
            api.inject_message(GROUP, "/help", user_id=5)
        await api.wait_for_messages(
            chat_id=GROUP, since=since, timeout=15,
            predicate=lambda r: "slow down" in (r.text or ""),
        )  # fmt: skip
        await asyncio.sleep(1.0)
        texts = texts_to(api, GROUP, since)
        assert sum("/summary" in t for t in texts) == 19  # 20 minus the /help@Bot above
        assert sum("slow down" in t for t in texts) == 1
    print(
        f"\n[hostile] group chatter: 40 messages + 10 /roll@DiceBot ignored, "
        f"/help answered in {latency:.2f}s"
    )


# --- finding 7: time zones that are folders or too long ----------------------------------------


async def test_a_zone_that_is_a_folder_or_too_long_gets_a_polite_reply(
    workdir: Path, api: FakeBotApi
) -> None:
    chat = 6001
    app = build_application(make_settings(workdir, api))
    async with running(app):
        for zone in ("Europe", "America/Argentina", "Europe/" + "x" * 300, "../../etc/passwd"):
            replies = await ask(api, chat, f"/subscribe daily 07:05 {zone}")
            text = " ".join(r.text or "" for r in replies)
            assert "is not a time zone I know" in text, (zone, text)
            assert "went wrong" not in text
        assert services_of(app).counters["handler errors"] == 0
        assert db_rows(workdir, "SELECT count(*) FROM subscriptions") == [(0,)]
        [ok] = await ask(api, chat, "/subscribe daily 07:05 Europe/Paris")
        assert "Daily briefing" in (ok.text or "")


@pytest.mark.parametrize("zone", ["Europe", "Europe/" + "x" * 300])
def test_tz_that_is_a_folder_is_a_configuration_error_not_a_crash(
    zone: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TZ", zone)
    assert _settings() is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "configuration error: TZ" in err, err


# --- finding 7: anonymous group admins ----------------------------------------------------------


async def test_anonymous_group_admins_are_verified_through_get_chat_administrators(
    workdir: Path, api: FakeBotApi
) -> None:
    anonymous_admin, other_group, channel = 2001, -100_4343, -100_9898
    api.set_chat_admins(GROUP, [anonymous_admin, 2002], anonymous=[anonymous_admin])
    api.set_chat_admins(other_group, [2003])  # no admin of it posts anonymously

    def kinds(chat_id: int) -> list[tuple[object, ...]]:
        return db_rows(
            workdir, "SELECT kind FROM subscriptions WHERE chat_id = ? ORDER BY kind", (chat_id,)
        )

    app = build_application(make_settings(workdir, api))
    async with running(app):
        # Posted as the group by one of its anonymous admins: allowed.
        [ok] = await ask(api, GROUP, "/subscribe", sender_chat_id=GROUP)
        assert "Subscribed" in (ok.text or "")
        [daily] = await ask(api, GROUP, "/subscribe daily 08:00 Asia/Baku", sender_chat_id=GROUP)
        assert "Daily briefing" in (daily.text or "")
        assert kinds(GROUP) == [("daily",), ("new",)]

        # A channel posting in the group (e.g. its linked channel) is no admin of it.
        [refused] = await ask(api, GROUP, "/unsubscribe", sender_chat_id=channel)
        assert "Only the group’s admins" in (refused.text or "")
        assert kinds(GROUP) == [("daily",), ("new",)]

        # "As the group" in a group that has no anonymous admin: refused.
        [refused] = await ask(api, other_group, "/subscribe", sender_chat_id=other_group)
        assert "Only the group’s admins" in (refused.text or "")
        assert kinds(other_group) == []

        # Telegram cannot list the admins: refused, not allowed.
        api.fail_next("getChatAdministrators", 500)
        replies = await ask(api, GROUP, "/unsubscribe", sender_chat_id=GROUP)
        assert not [r for r in replies if "Unsubscribed" in (r.text or "")]
        assert kinds(GROUP) == [("daily",), ("new",)]

        [done] = await ask(api, GROUP, "/unsubscribe", sender_chat_id=GROUP)
        assert "Unsubscribed" in (done.text or "")
        assert kinds(GROUP) == []
    asked = [r for r in api.requests if r.method == "getChatAdministrators"]
    assert asked, "anonymous admins must be checked with getChatAdministrators"


# --- finding 7: the flood guard forgets quiet chats ---------------------------------------------


def test_flood_guard_forgets_chats_that_went_quiet() -> None:
    guard = FloodGuard(30, 10.0)
    tracemalloc.start()
    try:
        for chat in range(100_000):
            guard.check(chat if chat % 2 else -chat - 1, now=1000.0)
        assert len(guard._hits) == 100_000
        held = tracemalloc.get_traced_memory()[0]
        # A minute (the longest window, a group's) later, one command: the quiet chats are gone.
        assert guard.check(424242, now=1061.0) == "ok"
        left = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(guard._hits) == 1
    assert held > 50e6 and left < 1e6, (held, left)  # 84 MB were kept before
    # Forgetting never lets a busy chat past its budget.
    for _ in range(30):
        assert guard.check(7, now=2000.0) == "ok"
    assert guard.check(7, now=2000.5) == "warn"
    assert guard.check(7, now=2001.0) == "drop"


# --- finding 7: warnings that repeat on every poll ----------------------------------------------


def test_a_symlink_outside_the_seeds_is_reported_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seeds, outside = tmp_path / "seeds", tmp_path / "outside"
    seeds.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("not a seed\n")
    (seeds / "link.txt").symlink_to(outside / "secret.txt")
    (seeds / "linked-folder").symlink_to(outside)
    caplog.set_level(logging.WARNING, logger="briefings")
    for _ in range(5):  # five polls
        assert scan_seeds(seeds) == []
        scan_fingerprint(seeds)  # the pool worker's scan: silent
    warnings = [r for r in caplog.records if "outside the seeds folder" in r.getMessage()]
    assert len(warnings) == 2, [r.getMessage() for r in warnings]


async def test_a_long_build_does_not_log_a_skipped_poll_every_poll(
    workdir: Path, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """A poll that runs longer than the poll interval (a long build) makes APScheduler skip the
    next polls; that is expected and loses nothing, so it must not fill the log."""
    caplog.set_level(logging.WARNING, logger="apscheduler")
    app = build_application(make_settings(workdir, api, seed_poll_seconds=0.2))
    async with running(app):
        scheduler = services_of(app).scheduler
        assert scheduler is not None
        real_check = scheduler.check_seeds
        long_checks = 0

        async def long_build() -> object:
            nonlocal long_checks
            long_checks += 1
            await asyncio.sleep(2.0)
            return await real_check()

        scheduler.check_seeds = long_build  # type: ignore[method-assign]
        await asyncio.sleep(3.0)
        assert long_checks >= 1
    skipped = [r for r in caplog.records if "maximum number of running" in r.getMessage()]
    assert skipped == []
