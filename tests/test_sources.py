"""Sources against a local feed server with switches (127.0.0.1 only, bounded in time).

What is checked is what ends up in the seeds folder (the files the engine digests and the
watcher announces) and what ``/sources`` reads (the sources' health); the bot end to end is in
``test_sources_e2e.py``.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sources_support import TOPICS, item, make_poller, seeds

from sources.config import SourceError, parse_line, read_sources_file
from sources.feedserver import Feed, FeedServer
from sources.fetch import USER_AGENT, parse_retry_after
from sources.parse import parse
from sources.poller import same_site
from sources.urls import canonical_url, seed_name

pytestmark = pytest.mark.timeout(60)


async def test_first_fetch_is_the_archive_and_later_items_are_new(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.feeds["/feed"] = Feed(
            "Summit Wire", [item(0, server.url("")), item(1, server.url(""))]
        )
        poller = make_poller(tmp_path)
        poller.add(server.url("/feed"), "Wire")
        [first] = await poller.poll_all()
        assert first.batch is not None and first.batch.archive
        assert len(first.batch.new) == 2
        server.feeds["/feed"].items.insert(0, item(2, server.url("")))
        await asyncio.sleep(0.02)
        [second] = await poller.poll_all()
        assert second.batch is not None and not second.batch.archive
        assert second.batch.new == [seed_name(server.url("/articles/2"))]
        await poller.aclose()
    files = seeds(tmp_path)
    assert len(files) == 3
    text = files[seed_name(server.url("/articles/2"))]
    # YAML front matter with the item's own metadata; the date keeps its own zone.
    assert text.startswith('---\ntitle: "Arctic council resumes scientific cooperation"\n')
    assert f'url: "{server.url("/articles/2")}"' in text
    assert 'source: "Summit Wire"' in text
    assert 'published: "2025-10-03T09:30:00+02:00"' in text
    assert 'fetched: "' in text
    assert "Researchers will share data from eight stations" in text


async def test_conditional_get_304_writes_nothing_and_sends_validators(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.feeds["/feed"] = Feed("Wire", [item(0, server.url(""))])
        poller = make_poller(tmp_path)
        poller.add(server.url("/feed"))
        await poller.poll_all()
        await asyncio.sleep(0.02)
        [again] = await poller.poll_all()
        assert again.status == "not modified"
        first, second = server.requests("/feed")
        assert "If-None-Match" not in first.headers
        assert second.headers["If-None-Match"].startswith('"')
        assert second.headers["If-Modified-Since"].endswith("GMT")
        assert second.headers["User-Agent"] == USER_AGENT
        await poller.aclose()


async def test_permanent_redirect_is_remembered_temporary_is_not(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.feeds["/new"] = Feed("Wire", [item(0, server.url(""))])
        server.feeds["/tmp-target"] = Feed("Wire 2", [item(1, server.url(""))])
        server.redirects["/old"] = (301, "/new")
        server.redirects["/moving"] = (302, "/tmp-target")
        poller = make_poller(tmp_path)
        poller.add(server.url("/old"))
        poller.add(server.url("/moving"))
        outcomes = await poller.poll_all()
        assert all(o.status == "new" for o in outcomes)
        rows = {r.url: r for r in poller.sources()}
        assert rows[server.url("/old")].fetch_url == server.url("/new")
        assert rows[server.url("/moving")].fetch_url is None
        await asyncio.sleep(0.02)
        await poller.poll_all()
        assert len(server.requests("/old")) == 1  # the 301 is not asked again
        assert len(server.requests("/moving")) == 2  # a 302 is
        await poller.aclose()
    assert len(seeds(tmp_path)) == 2


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_honoured_and_the_error_shown(tmp_path: Path, status: int) -> None:
    now = [1000.0]
    async with FeedServer() as server:
        server.feeds["/feed"] = Feed("Wire", [item(0, server.url(""))])
        server.failures["/feed"] = [(status, "120")]
        poller = make_poller(tmp_path, interval=5, clock=lambda: now[0])
        poller.add(server.url("/feed"))
        [outcome] = await poller.poll_all()
        assert outcome.status == "error" and f"HTTP {status}" in (outcome.error or "")
        [row] = poller.sources()
        assert row.next_due == 1120.0  # Retry-After, not the 5 s interval
        assert row.last_error == f"HTTP {status}" and row.failures == 1
        now[0] = 1119.0
        assert await poller.poll_all() == []  # not before the server said
        now[0] = 1121.0
        [ok] = await poller.poll_all()
        assert ok.status == "new"
        [row] = poller.sources()
        assert row.failures == 0 and row.last_error is None
        await poller.aclose()


async def test_errors_back_off_and_a_day_of_failing_is_reported_once(tmp_path: Path) -> None:
    now = [0.0]
    async with FeedServer() as server:
        poller = make_poller(tmp_path, interval=10, clock=lambda: now[0])
        poller.add(server.url("/missing"), "Ministry")
        delays = []
        for _ in range(4):
            await poller.poll_all()
            [row] = poller.sources()
            delays.append(row.next_due - now[0])
            now[0] = row.next_due
        assert delays == [10, 20, 40, 80]
        assert poller.take_reports() == []  # 150 s of failing: not yet a day
        now[0] = 86_400.0
        [reported] = poller.take_reports()
        assert reported.label == "Ministry" and reported.last_error == "HTTP 404"
        assert poller.take_reports() == []  # once
        await poller.aclose()


async def test_malformed_xml_is_an_error_not_a_crash(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.raw["/bad"] = (b"<?xml version='1.0'?><rss><channel><item><title>Open", "text/xml")
        poller = make_poller(tmp_path)
        poller.add(server.url("/bad"))
        [outcome] = await poller.poll_all()
        assert outcome.status == "error" and "not a readable feed" in (outcome.error or "")
        await poller.aclose()
    assert seeds(tmp_path) == {}


async def test_cp1251_feed_labelled_utf8_reads_as_cyrillic(tmp_path: Path) -> None:
    title = "Министры договорились о зерновом коридоре"
    body = (
        "Министры иностранных дел договорились во вторник о возобновлении зернового "
        "коридора. Председатель заявил, что соглашение будет пересмотрено в марте."
    )
    rss = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Лента'
           f"</title><item><title>{title}</title><link>http://127.0.0.1/ru/1</link>"
           f"<guid>ru-1</guid><description>{body}</description></item></channel></rss>"
           )  # fmt: skip
    async with FeedServer() as server:
        server.raw["/ru"] = (rss.encode("cp1251"), "application/rss+xml; charset=utf-8")
        poller = make_poller(tmp_path)
        poller.add(server.url("/ru"))
        [outcome] = await poller.poll_all()
        assert outcome.status == "new", outcome.error
        await poller.aclose()
    [text] = seeds(tmp_path).values()
    assert f'title: "{title}"' in text and body in text and 'source: "Лента"' in text


PAGE = """<!DOCTYPE html><html><head><meta charset="windows-1251">
<title>{title}</title><link rel="canonical" href="{url}">{meta}</head><body>
<nav>Home | World | Subscribe</nav><article><h1>{title}</h1>
<p>{p1}</p><p>{p2}</p><p>{p3}</p></article><footer>Read more stories</footer></body></html>"""


def _page(url: str, meta: str = "") -> bytes:
    sentences = TOPICS[1][1].split(". ")
    return PAGE.format(
        title="Лидеры обещают климатический фонд", url=url, meta=meta,
        p1="Главы правительств обещали четыре миллиарда долларов фонду адаптации. " * 3,
        p2=". ".join(sentences[:3]) + ".", p3=". ".join(sentences[3:]),
    ).encode("cp1251")  # fmt: skip


async def test_page_with_meta_charset_only_and_no_date_gets_none(tmp_path: Path) -> None:
    async with FeedServer() as server:
        # The address holds a date; the page states none: no date may be taken from the URL.
        url = server.url("/2025/10/10/climate-fund.html")
        server.raw["/2025/10/10/climate-fund.html"] = (_page(url), "text/html")
        poller = make_poller(tmp_path)
        poller.add(url)
        [outcome] = await poller.poll_all()
        assert outcome.status == "new", outcome.error
        assert outcome.batch is not None and not outcome.batch.archive  # one page: announced
        await poller.aclose()
    [text] = seeds(tmp_path).values()
    assert "Главы правительств обещали четыре миллиарда" in text
    assert "published: null" in text
    assert "Subscribe" not in text and "Read more" not in text


async def test_page_date_is_taken_only_as_the_page_declares_it(tmp_path: Path) -> None:
    meta = '<meta property="article:published_time" content="2025-09-14T08:05:00+03:00">'
    async with FeedServer() as server:
        url = server.url("/news/climate-fund")
        server.raw["/news/climate-fund"] = (_page(url, meta), "text/html")
        poller = make_poller(tmp_path)
        poller.add(url)
        await poller.poll_all()
        await poller.aclose()
    [text] = seeds(tmp_path).values()
    assert 'published: "2025-09-14T08:05:00+03:00"' in text


async def test_a_50_mb_response_is_cut(tmp_path: Path) -> None:
    async with FeedServer() as server:
        poller = make_poller(tmp_path)
        poller.add(server.url("/huge"))
        started = time.monotonic()
        [outcome] = await poller.poll_all()
        assert time.monotonic() - started < 20
        assert outcome.status == "error" and "byte limit" in (outcome.error or "")
        await poller.aclose()


async def test_a_never_ending_response_is_cut_at_the_total_timeout(tmp_path: Path) -> None:
    async with FeedServer() as server:
        poller = make_poller(tmp_path, total_timeout=2.0)
        poller.add(server.url("/endless"))
        started = time.monotonic()
        [outcome] = await poller.poll_all()
        elapsed = time.monotonic() - started
        assert 1.9 < elapsed < 6, elapsed  # it kept sending bytes: only a total limit cuts it
        assert outcome.status == "error" and "within 2 s" in (outcome.error or "")
        [row] = poller.sources()
        assert row.last_error is not None and "cut" in row.last_error
        await poller.aclose()


async def test_guids_changing_on_every_fetch_give_no_new_articles(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.feeds["/feed"] = Feed("Wire", [item(0, server.url("")), item(1, server.url(""))],
                                     rotate_guids=True)  # fmt: skip
        poller = make_poller(tmp_path)
        poller.add(server.url("/feed"))
        for _ in range(3):
            await poller.poll_all()
            await asyncio.sleep(0.02)
        [*_, last] = await poller.poll_all()
        assert last.batch is not None and last.batch.new == [] and last.duplicates == 2
        assert len(server.requests("/feed")) == 4
        await poller.aclose()
    assert len(seeds(tmp_path)) == 2


async def test_removed_readded_and_moved_items_are_not_new(tmp_path: Path) -> None:
    async with FeedServer() as server:
        base = server.url("")
        feed = server.feeds["/feed"] = Feed("Wire", [item(0, base), item(1, base)])
        poller = make_poller(tmp_path)
        poller.add(server.url("/feed"))
        await poller.poll_all()
        removed = feed.items.pop(1)
        await asyncio.sleep(0.02)
        await poller.poll_all()
        feed.items.append(removed)  # re-added
        moved = item(0, base)
        moved.link, moved.guid = f"{base}/2025/moved-0?utm_source=rss", "new-guid-0"
        feed.items[0] = moved  # same text at a new address with a new GUID
        await asyncio.sleep(0.02)
        [outcome] = await poller.poll_all()
        assert outcome.batch is not None and outcome.batch.new == [], outcome
        assert outcome.duplicates == 2
        await poller.aclose()
    assert len(seeds(tmp_path)) == 2


async def test_an_item_edited_in_place_rewrites_its_seed(tmp_path: Path) -> None:
    async with FeedServer() as server:
        feed = server.feeds["/feed"] = Feed("Wire", [item(0, server.url(""))])
        poller = make_poller(tmp_path)
        poller.add(server.url("/feed"))
        await poller.poll_all()
        name = seed_name(server.url("/articles/0"))
        before = seeds(tmp_path)[name]
        feed.items[0].text = feed.items[0].text.replace("in March", "in April")
        await asyncio.sleep(0.02)
        [outcome] = await poller.poll_all()
        assert outcome.batch is not None
        assert outcome.batch.new == [] and outcome.batch.updated == [name]
        await poller.aclose()
    after = seeds(tmp_path)
    assert list(after) == [name]
    assert "in March" in before and "in April" in after[name] and "in March" not in after[name]


async def test_the_same_story_from_two_outlets_is_one_article(tmp_path: Path) -> None:
    async with FeedServer() as server:
        wire = item(0, server.url("/a"))
        copy = item(0, server.url("/b"), title="Grain corridor deal reached in Lisbon")
        copy.guid = "other-outlet-7"
        copy.text = "LISBON (Other Agency) - " + copy.text.replace("welcomed", "praised")
        server.feeds["/a"] = Feed("Outlet A", [wire])
        server.feeds["/b"] = Feed("Outlet B", [])
        poller = make_poller(tmp_path)
        poller.add(server.url("/a"))
        poller.add(server.url("/b"))
        await poller.poll_all()
        server.feeds["/b"].items.append(copy)
        await asyncio.sleep(0.02)
        outcomes = {o.source: o for o in await poller.poll_all()}
        b = outcomes[server.url("/b")]
        assert b.batch is not None and b.batch.new == [] and b.also == 1
        [story] = poller.store.sources()[:1]
        item_row = poller.store.find([("url", canonical_url(wire.link))])
        assert item_row is not None and item_row.sources == ("Outlet A", "Outlet B")
        assert story.url == server.url("/a")
        await poller.aclose()
    assert len(seeds(tmp_path)) == 1


async def test_never_two_requests_to_one_host_at_once(tmp_path: Path) -> None:
    async with FeedServer() as server:
        poller = make_poller(tmp_path)
        for n in range(8):
            server.feeds[f"/f{n}"] = Feed(f"Feed {n}", [item(n, server.url(f"/f{n}"))])
            poller.add(server.url(f"/f{n}"))
        outcomes = await poller.poll_all()
        assert [o.status for o in outcomes] == ["new"] * 8
        assert len(server.log) == 8 and server.overlapping() == 0
        await poller.aclose()


async def test_json_and_atom_feeds(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.feeds["/j"] = Feed("Json Wire", [item(0, server.url("/j"))], kind="json")
        server.feeds["/a"] = Feed("Atom Wire", [item(1, server.url("/a"))], kind="atom")
        poller = make_poller(tmp_path)
        poller.add(server.url("/j"))
        poller.add(server.url("/a"))
        await poller.poll_all()
        await poller.aclose()
    texts = "\n".join(seeds(tmp_path).values())
    assert 'source: "Json Wire"' in texts and 'source: "Atom Wire"' in texts
    assert 'published: "2025-10-01T09:30:00+02:00"' in texts
    assert 'published: "2025-10-02T09:30:00+02:00"' in texts


def test_sources_file_lines(tmp_path: Path) -> None:
    path = tmp_path / "sources.txt"
    path.write_text(
        "# feeds we follow\n\nhttps://example.org/rss.xml  Presidency  press  # the main one\n"
        "ftp://nope/\nhttps://example.org/rss.xml again\nhttp://127.0.0.1:8000/page\n"
    )
    specs = read_sources_file(path)
    assert [(s.url, s.label) for s in specs] == [
        ("https://example.org/rss.xml", "Presidency press"),
        ("http://127.0.0.1:8000/page", ""),
    ]
    assert parse_line("   # only a comment") is None
    with pytest.raises(SourceError, match="not a web address"):
        parse_line("javascript:alert(1)")


def test_remove_by_number_and_bad_numbers(tmp_path: Path) -> None:
    poller = make_poller(tmp_path)
    poller.add("https://example.org/a.xml", "A")
    poller.add("https://example.org/b.xml", "B")
    with pytest.raises(SourceError, match="followed already"):
        poller.add("https://example.org/a.xml")
    with pytest.raises(SourceError, match="no source number 3"):
        poller.remove(3)
    assert poller.remove(1).label == "A"
    assert [r.label for r in poller.sources()] == ["B"]


def test_canonical_urls_and_retry_after() -> None:
    assert canonical_url("HTTPS://Example.org:443/a/b/?utm_source=x&b=2&a=1#top") == (
        "https://example.org/a/b?a=1&b=2"
    )
    assert seed_name("https://example.org/a?utm_medium=rss") == seed_name("https://example.org/a")
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("soon") is None


def test_a_feed_item_without_a_date_gets_none() -> None:
    rss = (b'<rss version="2.0"><channel><title>T</title><pubDate>Mon, 06 Oct 2025 10:00:00 GMT'
           b"</pubDate><item><title>Undated</title><link>http://127.0.0.1/u</link>"
           b"<description>Some words here.</description></item></channel></rss>")  # fmt: skip
    parsed = parse(rss, "application/rss+xml", "http://127.0.0.1/feed")
    [article] = parsed.articles
    assert article.published is None  # the channel's date is not the item's


async def test_a_teaser_item_gets_its_page_text(tmp_path: Path) -> None:
    title, text = TOPICS[1]
    async with FeedServer() as server:
        teaser = item(1, server.url(""), text="Heads of government pledged a climate fund.")
        server.feeds["/feed"] = Feed("Wire", [teaser])
        page = PAGE.format(title=title, url=teaser.link, meta="",
                           p1=text[:300], p2=text[300:], p3="")  # fmt: skip
        server.raw["/articles/1"] = (page.encode("cp1251"), "text/html")
        poller = make_poller(tmp_path)
        poller.add(server.url("/feed"))
        await poller.poll_all()
        await poller.aclose()
    [seed] = seeds(tmp_path).values()
    assert "fund's board meets in Geneva" in seed  # the page's text, not the teaser
    assert 'published: "2025-10-02T09:30:00+02:00"' in seed  # the feed item's own date


async def test_demo_feed_serves_an_archive_then_adds_an_article(tmp_path: Path) -> None:
    from sources.demo import serve_demo_feed

    articles = sorted((Path(__file__).parent.parent / "seeds").glob("*.txt"))
    async with serve_demo_feed(articles, initial=1, add_after=None) as demo:
        poller = make_poller(tmp_path)
        poller.add(demo.url, "Demo")
        [first] = await poller.poll_all()
        assert first.batch is not None and first.batch.archive and len(first.batch.new) == 1
        assert demo.add_next() is not None
        await asyncio.sleep(0.02)
        [second] = await poller.poll_all()
        assert second.batch is not None and not second.batch.archive
        assert len(second.batch.new) == 1
        await poller.aclose()


def test_sources_never_import_the_bot_telegram_or_the_engine() -> None:
    import ast

    root = Path(__file__).resolve().parent.parent / "sources"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            for name in names:
                assert name.split(".")[0] not in {"bot", "telegram", "briefings"}, (path, name)


async def test_seeds_that_cannot_be_written_are_taken_again_later(tmp_path: Path) -> None:
    (tmp_path / "seeds").write_text("a file where the seeds folder should be")
    async with FeedServer() as server:
        server.feeds["/feed"] = Feed("Wire", [item(0, server.url(""))])
        poller = make_poller(tmp_path)
        poller.add(server.url("/feed"))
        [failed] = await poller.poll_all()
        assert failed.status == "error" and "cannot write seed files" in (failed.error or "")
        (tmp_path / "seeds").unlink()
        await asyncio.sleep(0.05)
        [again] = await poller.poll_all()
        assert again.batch is not None and again.batch.archive and len(again.batch.new) == 1
        await poller.aclose()
    assert len(seeds(tmp_path)) == 1


async def test_a_teaser_linking_off_site_is_not_fetched(tmp_path: Path) -> None:
    async with FeedServer() as server, FeedServer() as elsewhere:
        teaser = item(1, elsewhere.url(""), text="Heads of government pledged a climate fund.")
        server.feeds["/feed"] = Feed("Wire", [teaser])
        poller = make_poller(tmp_path)
        poller.add(server.url("/feed"))
        [outcome] = await poller.poll_all()
        assert outcome.status == "new"
        assert elsewhere.log == []  # another port is another site for an address
        await poller.aclose()
    assert same_site("https://www.example.org/a", "http://feeds.example.org/rss")
    assert not same_site("http://10.0.0.1/a", "http://10.0.0.2/rss")
    assert not same_site("javascript:alert(1)", "http://example.org/rss")
