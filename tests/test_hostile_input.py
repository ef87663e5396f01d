"""Hostile and broken input: any bytes as a seed, any text as an argument or a button payload.

Property-based (hypothesis) over ingest, the build, the views and every template, checked with the
fake Bot API's own Telegram-HTML parser and UTF-16 length rule; then a smaller number of real
sends end to end, where the fake server rejects exactly what Telegram would reject.  Each property
test prints how many examples it ran (``pytest -s``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import TOKEN, ask, library_of, make_settings

from bot.app import build_application, render_daily, render_new_articles, running
from bot.corrections import compare, render_corrections
from bot.handlers.commands import parse_daily
from bot.keyboards import (
    MAX_CALLBACK_BYTES,
    DigestRequest,
    QuotesSearchRequest,
    SectionRequest,
    parse_callback,
    section_keyboard,
    sources_keyboard,
)
from bot.render import render, split_message
from bot.services import SERVICES_KEY
from bot.views import (
    ArgumentError,
    SearchView,
    choose_summit,
    parse_year_span,
    quotes_view,
    search_view,
    source_of,
    summary_view,
    summit_token,
    timeline_view,
)
from briefings import pipeline
from briefings.digest import build_digest
from briefings.ingest.read import IngestError, article_from_text, decode_bytes, read_article
from briefings.library import Library
from briefings.models import BuildError, Digest, Entities
from briefings.pipeline import BuildReport, build, scan_seeds
from briefings.store.digests import DigestStore
from briefings.store.search import SearchHit
from fakeapi import EntityParseError, FakeBotApi, parse_html, utf16_len

RUNS: dict[str, int] = {}
SUFFIXES = (".txt", ".md", ".html", ".htm", ".markdown", ".text")

#: Pieces that break naive HTML, length and offset handling.
NASTY = [
    "<", ">", "&", "&amp;", "&lt;", "&#", "&#x1F600;", "&bogus;", "</b>", "<b>", "<i>", "</i>",
    "<a href='javascript:x'>", "</a>", "<tg-spoiler>", "<span class=x>", "<pre><code>", "<br>",
    "\"", "'", "“", "”", "«", "»", "‘", "’", "😀", "👨‍👩‍👧‍👦", "🇦🇿", "\U0001f600" * 3, "\u200d",
    "e\u0301", "\u202e", "\ufeff", "\ufffd", "\x00", "\x07", "\r\n", "\n", "\n\n", "\t", " ",
    ". ", "! ", "? ", "…", ":", "—", "2025", "1992", "on 11 July 2023", "next year",
    "President Ilham Aliyev said", "\"We will not retreat,\" Aliyev said.", "summit", "CIS",
    "Dushanbe", "By Jane <Doe>", "Published: 2025-10-10", "Subscribe", "Read more",
]  # fmt: skip
nasty_piece = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=12),
    st.text(alphabet="a😀<&b", min_size=200, max_size=1500),  # long "words"
)
nasty_text = st.lists(nasty_piece, max_size=80).map("".join)
nasty_line = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=8)), max_size=10).map(
    "".join
)


def record_runs(name: str, runs: int) -> None:
    RUNS[name] = runs
    print(f"\n[hostile] {name}: {runs} examples")


def valid_for_telegram(html: str) -> None:
    """What the fake server (and Telegram) check on every sendMessage/editMessageText."""
    try:
        text, _entities = parse_html(html)
    except EntityParseError as exc:  # pragma: no cover - the failure this test looks for
        raise AssertionError(f"Telegram would reject this HTML ({exc}): {html[:300]!r}") from exc
    assert text.strip(), f"empty message: {html[:300]!r}"
    assert utf16_len(text) <= 4096, f"message too long: {utf16_len(text)} UTF-16 units"


def check_messages(rendered: str) -> int:
    parts = split_message(rendered)
    for part in parts:
        valid_for_telegram(part)
    return len(parts)


class StubNLP:
    """Stands in for spaCy (NER only): no entities, so hypothesis stays fast."""

    class _Doc:
        ents: Sequence[Any] = ()

    def __call__(self, text: str) -> Any:
        return self._Doc()

    def pipe(self, texts: Any, **_: Any) -> Iterator[Any]:
        for _text in texts:
            yield self._Doc()


BASE = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


def examples(count: int) -> settings:
    return settings(BASE, max_examples=count)


# --- ingest: any bytes, any text -----------------------------------------------------------------


def test_read_article_raises_only_ingest_error_for_any_bytes(tmp_path: Path) -> None:
    runs = 0

    @examples(400)
    @given(
        data=st.one_of(
            st.binary(max_size=3000),
            nasty_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
            nasty_text.map(lambda t: t.encode("utf-16")),
            nasty_text.map(lambda t: t.encode("cp1252", "replace")),
            nasty_text.map(lambda t: f"<html><body><p>{t}</p></body></html>".encode()),
        ),
        suffix=st.sampled_from(SUFFIXES),
    )
    def check(data: bytes, suffix: str) -> None:
        nonlocal runs
        runs += 1
        path = tmp_path / f"seed{suffix}"
        path.write_bytes(data)
        try:
            article = read_article(path)
        except IngestError as exc:
            assert exc.message and exc.file == path.name
            return
        assert article.paragraphs and article.file == path.name
        assert all("\x00" not in p for p in article.paragraphs)

    check()
    record_runs("read_article on any bytes (6 suffixes)", runs)


def test_decode_and_article_from_text_never_raise() -> None:
    runs = 0

    @examples(300)
    @given(data=st.binary(max_size=2000), text=nasty_text)
    def check(data: bytes, text: str) -> None:
        nonlocal runs
        runs += 1
        decoded = decode_bytes(data)
        assert isinstance(decoded, str) and "\x00" not in decoded
        article = article_from_text(text, "hostile.txt")
        assert article.file == "hostile.txt"

    check()
    record_runs("decode_bytes + article_from_text", runs)


def test_build_never_raises_on_a_folder_of_any_bytes() -> None:
    """The real build (spaCy for what ingest accepts), a fresh folder and store per example."""
    runs = 0

    @examples(25)
    @given(
        files=st.lists(
            st.tuples(
                st.sampled_from(SUFFIXES),
                st.one_of(st.binary(max_size=1500), nasty_text.map(str.encode)),
            ),
            min_size=1,
            max_size=4,
        )
    )
    def check(files: list[tuple[str, bytes]]) -> None:
        nonlocal runs
        runs += 1
        with tempfile.TemporaryDirectory() as tmp:
            seeds = Path(tmp) / "seeds"
            seeds.mkdir()
            for index, (suffix, data) in enumerate(files):
                (seeds / f"f{index}{suffix}").write_bytes(data)
            with DigestStore(Path(tmp) / "d.sqlite3") as store:
                report = build(seeds, store)
                listed = [f for f in files if f[0] in pipeline.SUPPORTED_SUFFIXES]
                assert len(report.built) + len(report.errors) == len(listed)
                assert all(e.error for e in report.errors)
                Library.load(store)  # what the bot does next

    check()
    record_runs("pipeline.build on folders of any bytes", runs)


# --- rendering: hostile article text, titles, names, queries -------------------------------------


def hostile_library(
    where: Path, texts: list[str], titles: list[str], names: list[str], key: str | None
) -> Library:
    digests: list[Digest] = []
    for index, (text, title, name) in enumerate(zip(texts, titles, names, strict=False)):
        article = article_from_text(f"{title}\n\n{text}", f"{index}-{name}.txt")
        digest = build_digest(article, StubNLP())
        digest = dataclasses.replace(
            digest,
            meta=dataclasses.replace(digest.meta, title=title or None, source=name or None),
            summary=digest.summary or (text[:300],),
            entities=Entities(people=(title,), places=(name,), organizations=(text[:40],)),
            summit=key if index == 0 and key is not None else digest.summit,
        )
        digests.append(digest)
    errors = [BuildError(f"{names[0]}.txt", titles[0] or "<b>broken</b> & gone")]
    return library_of(digests, where, errors)


def all_digests(library: Library) -> list[Digest]:
    """Every digest of ``library``, in file order."""
    return library.digests(c.file for c in library.articles)


def _corrected(digest: Digest) -> Digest:
    """``digest`` with every quote reworded by the article's own title and every date moved
    (a correction message quoting both, hostile words and all)."""
    title = digest.meta.title or "<i>x</i>"
    return dataclasses.replace(
        digest,
        content_hash=digest.content_hash + "!",
        quotes=tuple(dataclasses.replace(q, text=q.text + title, speaker=title)
                     for q in digest.quotes),
        timeline=tuple(dataclasses.replace(e, date=e.date + title) for e in digest.timeline),
    )  # fmt: skip


def render_everything(library: Library, query: str) -> int:
    """Every template the bot sends, fed from ``library`` and the user's ``query``."""
    messages = 0
    digests = all_digests(library)
    rendered: list[str] = [
        render("start", summits=library.summits),
        render("sources", digests=digests, errors=library.errors),
        render("message", text=query or "."),
        render(
            "status", articles=1, summits=1, errors=library.errors, updated_at=None,
            subscriptions=[], next_run=None, tz=None,
        ),
        render("reload", report=BuildReport(errors=list(library.errors))),
        render("quotes", view=quotes_view(library, query)),
        render(
            "search",
            view=SearchView(
                query or "x",
                tuple(
                    (
                        SearchHit(d.file, "quote", d.summary[0], query),
                        source_of(library, d.file),
                    )
                    for d in digests
                ),
            ),
        ),
        *(render("digest", d=d) for d in digests),
        *render_new_articles(library, [d.file for d in digests]),
        *render_daily(library, None),
        render("sources", digests=digests, errors=(),
               also={d.file: [d.meta.title or "x", query or "y"] for d in digests}),
        *render_corrections(
            [c for d in digests if (c := compare(d, _corrected(d))) is not None]
            + [c for d in digests if (c := compare(_corrected(d), d)) is not None]
        ),
    ]  # fmt: skip
    for head in library.summits:
        summit = library.summit(head.key)
        assert summit is not None
        token = summit_token(summit)
        rendered.append(render("summary", view=summary_view(library, summit)))
        rendered.append(render("timeline", view=timeline_view(library, summit)))
        for page in (1, 2, 10_000):
            view = quotes_view(library, page=page, summit=summit)
            rendered.append(render("quotes", view=view))
            for row in section_keyboard(token, "q", view.page, subscribe=True).inline_keyboard:
                for button in row:
                    data = str(button.callback_data)
                    assert len(data.encode()) <= MAX_CALLBACK_BYTES
                    assert parse_callback(data) is not None or data == "sub:new"
    keyboard = sources_keyboard([(d.meta.title or d.file, d.article_id) for d in digests])
    for digest, row in zip(digests, keyboard.inline_keyboard, strict=True):
        assert parse_callback(str(row[0].callback_data)) == DigestRequest(digest.article_id)
    for text in rendered:
        messages += check_messages(text)
    return messages


def test_every_template_stays_valid_telegram_html_for_hostile_articles(tmp_path: Path) -> None:
    runs = 0
    parts = 0

    @examples(150)
    @given(
        texts=st.lists(nasty_text, min_size=1, max_size=3),
        titles=st.lists(nasty_line, min_size=1, max_size=3),
        names=st.lists(nasty_line, min_size=1, max_size=3),
        key=st.one_of(st.none(), nasty_line, st.just("<b>|&amp;|</i>")),
        query=nasty_line,
    )
    def check(
        texts: list[str], titles: list[str], names: list[str], key: str | None, query: str
    ) -> None:
        nonlocal runs, parts
        runs += 1
        names = [n.replace("/", "_") for n in names]
        where = tmp_path / f"{runs}.sqlite3"
        library = hostile_library(where, texts, titles * 3, names * 3, key)
        parts += render_everything(library, query)

    check()
    record_runs(f"hostile articles through every template ({parts} messages checked)", runs)


def test_very_long_hostile_article_is_split_into_valid_messages(tmp_path: Path) -> None:
    text = "\n\n".join(
        f"<b>{i}</b> & “quote” 😀 " + "w" * 700 + " </i> " + "😀" * 900 for i in range(12)
    )
    library = hostile_library(
        tmp_path / "d.sqlite3", [text], ["<title> & 😀" * 40], ["name<&>"], None
    )
    digest = dataclasses.replace(all_digests(library)[0], summary=tuple(text.split("\n\n")))
    rendered = render("digest", d=digest)
    assert utf16_len(parse_html(rendered)[0]) > 4096  # really needs splitting
    assert check_messages(rendered) >= 2


# --- command arguments and callback data ---------------------------------------------------------


def test_any_command_argument_is_an_answer_or_a_polite_argument_error(
    seed_library: Library,
) -> None:
    runs = 0
    library = seed_library

    @examples(400)
    @given(
        arg=st.one_of(
            nasty_line,
            st.text(max_size=200),
            st.sampled_from(["2025", "1992-2025", "daily 08:00 Europe/Paris"]),
        )
    )
    def check(arg: str) -> None:
        nonlocal runs
        runs += 1
        outputs: list[str] = []
        attempts: list[Any] = [
            lambda: render("summary", view=summary_view(library, choose_summit(library, arg))),
            lambda: render("quotes", view=quotes_view(library, arg)),
            lambda: parse_year_span(arg),
            lambda: render("search", view=search_view(library, arg)),
            lambda: parse_daily(arg.split(), "UTC"),
            lambda: parse_daily(["daily", *arg.split()[:2]], "UTC"),
        ]
        for attempt in attempts:
            try:
                result = attempt()
            except ArgumentError as exc:
                outputs.append(render("message", text=str(exc)))
            else:
                if isinstance(result, str):
                    outputs.append(result)
        for text in outputs:
            check_messages(text)

    check()
    record_runs("command arguments (6 parsers/views each)", runs)


def test_parse_callback_accepts_only_its_own_formats() -> None:
    runs = 0

    @examples(1500)
    @given(
        data=st.one_of(
            st.none(),
            st.text(max_size=80),
            st.binary(max_size=64).map(lambda b: b.decode("utf-8", "replace")),
            st.from_regex(r"\A[sqtdx]:[0-9a-fA-F]{0,40}:?-?\d{0,6}\Z"),
            st.from_regex(r"\Ad:[0-9a-f]{1,40}\Z"),
            st.from_regex(r"\A[tq]:[0-9a-f]{8}:\d{1,4}:\d{3,5}-\d{3,5}\Z"),
            st.from_regex(r"\AQ:\d{0,5}[:#][\s\S]{0,70}\Z"),
            st.sampled_from(
                ["s:deadbeef:1", "d:0123456789abcdef", "t:deadbeef:2:1900-2100", "Q:2:putin"]
            ).flatmap(lambda valid: st.sampled_from([valid + "\n", valid + " ", "\n" + valid])),
        )
    )
    def check(data: str | None) -> None:
        nonlocal runs
        runs += 1
        request = parse_callback(data)
        if request is None:
            return
        assert data is not None and len(data.encode()) <= MAX_CALLBACK_BYTES
        if isinstance(request, SectionRequest):
            assert request.section in "sqt" and len(request.summit) == 8
            assert 0 <= request.page <= 9999
            assert re.fullmatch(r"[sqt]:[0-9a-f]{8}:[0-9]{1,4}(:[0-9]{4}-[0-9]{4})?", data)
            assert data.startswith(f"{request.section}:{request.summit}:")
            if request.span is not None:  # only a timeline keeps a span, first <= last
                assert request.section == "t" and request.span[0] <= request.span[1]
        elif isinstance(request, QuotesSearchRequest):
            assert 0 <= request.page <= 9999
            assert re.fullmatch(r"Q:[0-9]{1,4}(:[\s\S]+|#[0-9a-f]{12})", data)
            # inline words are kept as sent; an unknown stored key is None (a stale button)
            assert request.words is None or data.endswith(f":{request.words}")
        else:
            assert isinstance(request, DigestRequest)
            assert re.fullmatch(r"d:[0-9a-f]{6,32}", data)
            assert data == f"d:{request.article_id}"

    check()
    record_runs("parse_callback payloads", runs)


# --- end to end: the fake server checks every message like Telegram ------------------------------


def hostile_arguments(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    arguments = []
    for _ in range(count):
        pieces = [rng.choice(NASTY) for _ in range(rng.randint(1, 12))]
        if rng.random() < 0.3:
            pieces.append("".join(rng.choice("a😀<&") for _ in range(rng.randint(100, 600))))
        arguments.append("".join(pieces).replace("\x00", "").strip() or "<")
    return arguments


def failed_sends(api: FakeBotApi) -> list[str]:
    """Requests Telegram would have refused, except the edits the bot handles on purpose."""
    handled = ("message is not modified", "message to edit not found")
    methods = {"sendMessage", "editMessageText", "answerCallbackQuery"}
    return [
        str(r)
        for r in api.requests
        if r.method in methods
        and not r.ok
        and not any(h in (r.description or "") for h in handled)
    ]


# The arguments are markup on purpose and a reply shows them back as typed (split across
# messages when long): this test checks the parsed messages itself, not the reader's view.
@pytest.mark.shows_typed_markup
async def test_hostile_command_arguments_end_to_end(
    tmp_path: Path, seeds_dir: Path, seed_store: Path, api: FakeBotApi
) -> None:
    from support import make_workdir

    workdir = make_workdir(tmp_path, seeds_dir, seed_store)
    app = build_application(make_settings(workdir, api, flood_limit=10_000))
    commands = ["/quotes", "/search", "/timeline", "/summary", "/subscribe", "/start"]
    arguments = hostile_arguments(24, seed=5)
    async with running(app):
        for index, argument in enumerate(arguments):
            chat = 90_000 + index
            replies = await ask(api, chat, f"{commands[index % len(commands)]} {argument}")
            assert replies and all("something went wrong" not in (r.text or "") for r in replies)
        counters = app.bot_data[SERVICES_KEY].counters
    assert failed_sends(api) == []
    assert counters["handler errors"] == 0
    record_runs("hostile command arguments end to end (real sends)", len(arguments))


async def test_forged_and_random_callback_payloads_end_to_end(
    tmp_path: Path, seeds_dir: Path, seed_store: Path, api: FakeBotApi
) -> None:
    from support import make_workdir

    workdir = make_workdir(tmp_path, seeds_dir, seed_store)
    app = build_application(make_settings(workdir, api, flood_limit=10_000))
    rng = random.Random(11)
    async with running(app):
        library = app.bot_data[SERVICES_KEY].library
        token = summit_token(library.summits[0])
        article = library.articles[0].article_id
        [summary] = await ask(api, 91_000, "/summary")
        payloads = [
            f"q:{token}:9999", f"t:{token}:0", f"s:{token}:1", f"d:{article}", "d:0000000000",
            f"q:{token}:1;DROP TABLE", "q:deadbeef:1", "sub:new", "sub:old", "", ":", "::",
            "x" * 64, "é" * 32, "😀" * 16, "<b>&</i>", "\n", "s:" + "f" * 8 + ":-1",
        ]  # fmt: skip
        while len(payloads) < 60:
            size = rng.randint(1, 64)
            raw = bytes(rng.randrange(256) for _ in range(size)).decode("utf-8", "ignore")
            payloads.append(raw.encode()[:64].decode("utf-8", "ignore"))
        answers = len(api.callback_answers)
        for index, data in enumerate(payloads):
            # Half on the real message with the keyboard, half on messages that do not exist.
            message_id = (summary.message_id or 0) if index % 2 == 0 else 10_000 + index
            api.inject_callback(91_000, message_id, data)
        found = await api.wait_for_callback_answers(count=len(payloads), since=answers, timeout=30)
        await asyncio.sleep(1.0)
        counters = app.bot_data[SERVICES_KEY].counters
    assert len(found) == len(payloads)  # every press answered (no spinner left hanging)
    stale = [a for a in found if a.text and "expired" in a.text]
    assert len(stale) >= 10  # forged ones got the polite answer
    assert failed_sends(api) == []
    assert counters["handler errors"] == 0
    record_runs("callback payloads end to end (real answers)", len(payloads))


# --- the seeds folder ----------------------------------------------------------------------------


SEED_TEXT = (
    "Leaders of the CIS met in Dushanbe on 10 October 2025.\n\n"
    '"We will build livable cities," President Ilham Aliyev said at the summit.\n'
)


def test_symlinks_outside_are_not_followed_and_loops_are_listed_once(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "sub").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not an article of ours")
    (seeds / "a.txt").write_text(SEED_TEXT)
    (seeds / "sub" / "b.txt").write_text(SEED_TEXT)
    (seeds / "leak.txt").symlink_to(outside / "secret.txt")
    (seeds / "leakdir").symlink_to(outside, target_is_directory=True)
    (seeds / "passwd.txt").symlink_to("/etc/passwd")
    (seeds / "loop").symlink_to(seeds, target_is_directory=True)  # seeds/loop/loop/...
    (seeds / "sub" / "up").symlink_to(seeds, target_is_directory=True)
    (seeds / "alias.txt").symlink_to(seeds / "a.txt")  # inside: followed
    (seeds / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")

    started = time.monotonic()
    names = [s.name for s in scan_seeds(seeds)]
    assert time.monotonic() - started < 2
    assert names == ["a.txt", "alias.txt", "sub/b.txt"]
    assert not any("secret" in n or "passwd" in n or n.startswith("loop/") for n in names)


def test_an_oversized_seed_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.txt").write_text(SEED_TEXT)
    huge = seeds / "huge.txt"
    with huge.open("wb") as handle:  # sparse: 11 MB on paper, nothing on disk
        handle.truncate(pipeline.MAX_SEED_BYTES + 1_000_000)
    with pytest.raises(IngestError, match="too large"):
        read_article(huge)
    with DigestStore(tmp_path / "d.sqlite3") as store:
        report = build(seeds, store)
        errors = {e.file: e.error for e in report.errors}
        assert report.built == ["good.txt"]
        assert "too large" in errors["huge.txt"] and "MB" in errors["huge.txt"]
        library = Library.load(store)
        assert [e.file for e in library.errors] == ["huge.txt"]  # shown by /status and /sources
        check_messages(render("sources", digests=library.articles, errors=library.errors))


ODD_NAMES = [
    "with spaces.txt", "ünïcödé – dash.md", "emoji 😀🇦🇿.txt", "<b>&amp;<i>.txt",
    "quote\"'`.txt", "-leading-dash.txt", "semi;colon|pipe$dollar.html", "x" * 200 + ".txt",
    "new\nline.txt", "tab\tand\\backslash.txt",
]  # fmt: skip


def test_seed_names_with_odd_characters_work(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ODD_NAMES:
        body = f"<p>{SEED_TEXT}</p>" if name.endswith(".html") else SEED_TEXT
        (seeds / name).write_text(f"Summit report {len(name)}\n\n{body}")
    not_utf8 = os.fsencode(str(seeds)) + b"/caf\xe9 latin-1.txt"
    with open(not_utf8, "wb") as handle:  # noqa: PTH123 - a bytes path
        handle.write(SEED_TEXT.encode())
    with DigestStore(tmp_path / "d.sqlite3") as store, ThreadPoolExecutor(1) as threads:
        report = build(seeds, store, executor=threads)
        assert report.errors == []
        assert len(report.built) == len(ODD_NAMES) + 1
        assert set(ODD_NAMES) <= set(report.built)
        assert build(seeds, store, executor=threads).built == []  # stable names: no rebuild
        library = Library.load(store)
        assert check_messages(render("sources", digests=library.articles, errors=())) >= 1
        for digest in all_digests(library):
            check_messages(render("digest", d=digest))


def test_ten_thousand_seed_files_scan_quickly(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    for shard in range(10):
        (seeds / f"s{shard}").mkdir(parents=True)
    for index in range(10_000):
        (seeds / f"s{index % 10}" / f"{index:05d}.txt").write_bytes(b"x")
    for index in range(200):  # and some the scan must skip
        (seeds / f".hidden{index}.txt").write_bytes(b"x")
        (seeds / f"{index}.txt.part").write_bytes(b"x")
    from bot.delivery.scheduler import SeedWatcher

    started = time.monotonic()
    found = scan_seeds(seeds)
    scan_time = time.monotonic() - started
    watcher = SeedWatcher(seeds)
    started = time.monotonic()
    assert watcher.poll() == []  # baseline
    ready = watcher.poll()
    poll_time = (time.monotonic() - started) / 2
    assert len(found) == 10_000 and len(ready) == 10_000
    assert scan_time < 2.0 and poll_time < 2.0, (scan_time, poll_time)
    print(f"\n[hostile] 10,000 seeds: scan {scan_time:.2f}s, watcher poll {poll_time:.2f}s")


async def test_a_seed_being_written_is_never_built_or_announced_half_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the scheduler level: the watcher, the build and the announcement together."""
    import hashlib

    from bot.config import Settings
    from bot.delivery.scheduler import BriefingScheduler
    from bot.delivery.sender import Sender
    from bot.delivery.subscriptions import SubscriptionStore
    from briefings.models import ArticleMeta
    from briefings.pipeline import Outcome, SeedFile

    digested: list[tuple[str, bytes]] = []

    def recording_digest_seed(seed: SeedFile, stored_hash: str | None = None) -> Outcome:
        data = seed.path.read_bytes()
        digested.append((seed.name, data))
        content_hash = hashlib.sha256(data).hexdigest()
        if stored_hash == content_hash:
            return Outcome(seed.name, seed.size, seed.mtime_ns, content_hash, unchanged=True)
        digest = Digest(
            article_id=content_hash[:16], file=seed.name, content_hash=content_hash,
            meta=ArticleMeta(title=seed.name), summary=(), quotes=(), timeline=(),
            unresolved_dates=(), entities=Entities(), paragraphs=(data.decode(),),
        )  # fmt: skip
        return Outcome(seed.name, seed.size, seed.mtime_ns, content_hash, digest=digest)

    class CountingSender(Sender):
        def wake(self) -> None:
            pass

    def render_new(library: Library, files: Sequence[str]) -> list[str]:
        return [f"{name}: {library.digest(name).paragraphs[0]}" for name in files]  # type: ignore[union-attr]

    monkeypatch.setattr(pipeline, "digest_seed", recording_digest_seed)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "old.txt").write_text("already there")
    store = await SubscriptionStore.open("sqlite:///:memory:")
    await store.subscribe_new(1)
    full = "BEGIN " + "x" * 5000 + " END"
    with ThreadPoolExecutor(2) as threads:
        import telegram

        scheduler = BriefingScheduler(
            settings=Settings(seeds_dir=seeds, data_dir=tmp_path / "data", seed_poll_seconds=30),
            subscriptions=store,
            sender=CountingSender(telegram.Bot(TOKEN), store),
            render_new_articles=render_new,
            render_daily=None,
            on_library=lambda library: None,
            executor=threads,
        )
        try:
            assert await scheduler.check_seeds() is None  # baseline
            await scheduler.check_seeds()  # first build: the archive, not announced
            # A slow writer: three polls see the file growing, none of them builds it.
            with (seeds / "new.txt").open("w") as writer:
                for chunk in (full[:1000], full[1000:3000], full[3000:]):
                    writer.write(chunk)
                    writer.flush()
                    os.utime(writer.fileno())
                    assert await scheduler.check_seeds() is None
            assert [name for name, _ in digested if name == "new.txt"] == []
            report = await scheduler.check_seeds()  # stable now
            assert report is not None and report.built == ["new.txt"]
            # Written under a temporary name and renamed: built once, complete.
            (seeds / "other.txt.part").write_text(full)
            assert await scheduler.check_seeds() is None
            (seeds / "other.txt.part").rename(seeds / "other.txt")
            assert await scheduler.check_seeds() is None  # first sight: not yet settled
            report = await scheduler.check_seeds()
            assert report is not None and report.built == ["other.txt"]
            pending = [d.text for d in await store.pending_deliveries()]
        finally:
            await scheduler.stop()
            await store.close()
    assert [data.decode() for name, data in digested if name in ("new.txt", "other.txt")] == [
        full,
        full,
    ]
    assert pending == [f"new.txt: {full}", f"other.txt: {full}"]
