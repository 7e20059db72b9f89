"""`newswatch sources …` against the loopback web: discovery behind home pages, safe
fetching, edits of the configuration file, pause honoured by real crawls, rename keeping
history, and the crawl's hint for an HTML page given as a feed."""

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result

from config import load_config
from scheduler.cli import cli
from tests.crawling import init_database, read_rows, run_cycle, write_config
from tests.outlets.server import OutletServer, Reply, rss_feed

BAZAAR_HOME = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Bazaar Weekly</title>
<link rel="stylesheet" href="/bazaar/style.css">
<link rel="alternate" type="application/rss+xml" title="Old feed" href="missing.xml">
<link rel="alternate" type="application/rss+xml" title="Bazaar Weekly" href="rss.xml">
<link rel="alternate" type="application/atom+xml" title="Comments" href="/bazaar/comments.atom">
<link rel="alternate" hreflang="ru" href="/bazaar/ru/">
</head><body><h1>Bazaar Weekly</h1><p>Market news from Baku.</p></body></html>"""

PLAIN_HOME = """<!DOCTYPE html><html><head><title>Plain Gazette</title></head>
<body><p>No feed is announced here.</p></body></html>"""

COMMENTS_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Bazaar Weekly comments</title>
<id>tag:bazaar.invalid,2026:comments</id><updated>2026-11-24T09:00:00Z</updated></feed>"""


def feed(title: str, server: OutletServer, slugs: list[str]) -> Reply:
    items = [
        {
            "title": f"{title}: story {slug}",
            "link": server.url(f"/herald/news/{slug}.html"),
            "pubDate": "Tue, 24 Nov 2026 08:00:00 GMT",
        }
        for slug in slugs
    ]
    return Reply(200, rss_feed(title, items).encode(), "application/rss+xml")


def add_home_pages(server: OutletServer) -> None:
    routes = server.web.routes
    routes["/bazaar/"] = lambda: Reply(200, BAZAAR_HOME.encode())
    routes["/bazaar/rss.xml"] = lambda: feed("Bazaar Weekly", server, ["a", "b"])
    routes["/bazaar/comments.atom"] = lambda: Reply(
        200, COMMENTS_ATOM.encode(), "application/atom+xml"
    )
    routes["/plain/"] = lambda: Reply(200, PLAIN_HOME.encode())
    routes["/plain/feed/"] = lambda: feed("Plain Gazette", server, ["c"])
    routes["/bare/"] = lambda: Reply(200, PLAIN_HOME.replace("Plain", "Bare").encode())
    routes["/hop/file"] = lambda: Reply(
        302, b"", headers={"Location": "file:///etc/passwd"}, cacheable=False
    )


@pytest.fixture
def server() -> Iterator[OutletServer]:
    with OutletServer() as running:
        add_home_pages(running)
        yield running


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path / "newswatch.toml", [], timeout=1, max_page_bytes=100_000)
    init_database(path)
    return path


def newswatch(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_add_takes_the_first_readable_feed_a_home_page_names(
    server: OutletServer, config: Path
) -> None:
    result = newswatch(config, "sources", "add", server.url("/bazaar/"), "--interval", "2h")
    assert result.exit_code == 0, result.output
    assert 'found: RSS 2.0 "Bazaar Weekly", 2 items' in result.output
    assert f'via <link rel="alternate"> on {server.url("/bazaar/")}' in result.output
    assert "Bazaar Weekly: story a" in result.output
    assert f"the page also offers: {server.url('/bazaar/comments.atom')} (Atom" in result.output
    source = load_config(config).source("Bazaar Weekly")
    assert (source.kind, source.url) == ("feed", server.url("/bazaar/rss.xml"))
    assert source.interval is not None and source.interval.total_seconds() == 7200
    # The page's first feed answers 404: tried, then passed over.
    assert [r.status for r in server.requests_for("/bazaar/missing.xml")] == [404]
    again = newswatch(config, "sources", "add", server.url("/bazaar/rss.xml"))
    assert again.exit_code == 1 and "already configured as 'Bazaar Weekly'" in again.output


def test_a_feed_title_becomes_a_plain_one_line_name(server: OutletServer, config: Path) -> None:
    title = "Evil\u202e\x08 Gazette\n[storage]\u200f"
    server.web.routes["/evil/rss.xml"] = lambda: feed(title, server, ["a"])
    result = newswatch(config, "sources", "add", server.url("/evil/rss.xml"))
    assert result.exit_code == 0, result.output
    assert [source.name for source in load_config(config).sources] == ["Evil Gazette [storage]"]
    written = config.read_text(encoding="utf-8")
    assert "\u202e" not in written and "\u200f" not in written and "\x08" not in written


def test_add_tries_the_usual_addresses_then_robots_txt(server: OutletServer, config: Path) -> None:
    plain = newswatch(config, "sources", "add", server.url("/plain/"), "--name", "Plain")
    assert plain.exit_code == 0, plain.output
    assert load_config(config).source("Plain").url == server.url("/plain/feed/")
    bare = newswatch(config, "sources", "add", server.url("/bare/"), "--name", "Bare")
    assert bare.exit_code == 0, bare.output
    assert "found: sitemap index, 2 sitemaps" in bare.output
    assert f"via {server.url('/robots.txt')}" in bare.output
    source = load_config(config).source("Bare")
    assert (source.kind, source.url) == ("sitemap", server.url("/daily/sitemap-index.xml"))
    robots = newswatch(config, "sources", "add", server.url("/robots.txt"), "--name", "Robots")
    assert robots.exit_code == 1  # the same sitemap as "Bare": found, and refused twice
    assert "found: sitemap index" in robots.output and "already configured as 'Bare'" in (
        robots.output
    )
    # The usual addresses were looked at before robots.txt.
    assert server.requests_for("/bare/feed") and server.requests_for("/rss.xml")
    assert server.requests_for("/bare/feed")[0].at < server.requests_for("/robots.txt")[0].at


def test_add_says_what_it_tried_when_nothing_is_found(server: OutletServer, config: Path) -> None:
    server.web.routes["/robots.txt"] = lambda: Reply(404, b"no robots", cacheable=False)
    before = config.read_text(encoding="utf-8")
    result = newswatch(config, "sources", "add", server.url("/bare/"))
    assert result.exit_code == 1
    assert f"no feed or sitemap found at or behind {server.url('/bare/')}" in result.output
    assert f"{server.url('/bare/feed')}: HTTP 404" in result.output
    assert f"{server.url('/robots.txt')}: HTTP 404" in result.output
    assert config.read_text(encoding="utf-8") == before


def test_add_of_a_robots_txt_without_sitemaps_says_so(server: OutletServer, config: Path) -> None:
    server.web.routes["/robots.txt"] = lambda: Reply(
        200, b"User-agent: *\nDisallow: /private/\n", "text/plain", cacheable=False
    )
    result = newswatch(config, "sources", "add", server.url("/robots.txt"))
    assert result.exit_code == 1
    assert "names no sitemap (no Sitemap: line)" in result.output
    assert "not a feed or sitemap" not in result.output


@pytest.mark.parametrize(
    ("path", "cause"),
    [
        ("/hop/file", "redirected to file:///etc/passwd, which is not an http(s) URL"),
        ("/faulty/huge.xml", "response exceeded 100000 bytes"),
        ("/faulty/slow.xml", "timeout after 1 s"),
        ("/faulty/loop.xml", "too many redirects"),
        ("/faulty/malformed.xml", "malformed XML at line 3"),
    ],
)
def test_add_fetches_safely_and_says_why_it_failed(
    server: OutletServer, config: Path, path: str, cause: str
) -> None:
    result = newswatch(config, "sources", "add", server.url(path))
    assert result.exit_code == 1
    assert f"{server.url(path)}: {cause}" in result.output
    assert "Traceback" not in result.output
    assert load_config(config).sources == ()


def test_add_refuses_other_schemes_and_bad_options_before_fetching(
    server: OutletServer, config: Path
) -> None:
    local = newswatch(config, "sources", "add", "file:///etc/passwd")
    assert local.exit_code == 1 and "file:///etc/passwd: not an http(s) address" in local.output
    path = newswatch(config, "sources", "add", str(config))
    assert path.exit_code == 1 and "a local file cannot be a source" in path.output
    assert "sources import" in path.output
    hostless = newswatch(config, "sources", "add", "http://")
    assert hostless.exit_code == 1 and "http://: the address has no host name" in hostless.output
    bad = newswatch(config, "sources", "add", server.url("/plain/"), "--interval", "soon")
    assert bad.exit_code == 2 and "'soon' is not a duration" in bad.output
    site = newswatch(config, "sources", "add", server.url("/valley/"), "--kind", "site")
    assert site.exit_code == 2 and "--follow" in site.output
    assert not server.requests_for("/plain/") and not server.requests_for("/valley/")


def test_add_a_listing_page_as_a_site_source(server: OutletServer, config: Path) -> None:
    result = newswatch(
        config, "sources", "add", server.url("/valley/"), "--kind", "site",
        "--follow", "/valley/story/", "--name", "Valley", "--tag", "Fergana",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "found: listing page, 2 article links" in result.output
    source = load_config(config).source("Valley")
    assert (source.kind, source.follow, source.tags) == ("site", ("/valley/story/",), ("Fergana",))


def test_remove_pause_resume_edit_the_file_and_the_listing_shows_them(
    server: OutletServer, config: Path
) -> None:
    newswatch(config, "sources", "add", server.url("/bazaar/"))
    newswatch(config, "sources", "add", server.url("/plain/"), "--name", "Plain")
    paused = newswatch(config, "sources", "pause", "Plain")
    assert paused.exit_code == 0 and "now paused" in paused.output
    assert "already paused" in newswatch(config, "sources", "pause", "Plain").output
    listing = newswatch(config, "sources")
    line = next(line for line in listing.output.splitlines() if line.startswith("Plain"))
    assert line.rstrip().endswith("paused")
    as_json = json.loads(newswatch(config, "sources", "list", "--json").output)
    assert [(s["name"], s["paused"]) for s in as_json] == [
        ("Bazaar Weekly", False),
        ("Plain", True),
    ]
    assert newswatch(config, "sources", "resume", "Plain").exit_code == 0
    assert load_config(config).source("Plain").paused is False
    removed = newswatch(config, "sources", "remove", "Bazaar Weekly")
    assert removed.exit_code == 0 and "its articles stay in the database" in removed.output
    assert [s.name for s in load_config(config).sources] == ["Plain"]
    unknown = newswatch(config, "sources", "remove", "Nope")
    assert unknown.exit_code == 1 and "no source named 'Nope'" in unknown.output


def test_editing_needs_a_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["sources", "pause", "Kloop"])
    assert result.exit_code == 2
    assert "no configuration file to edit" in result.output and "newswatch init" in result.output


def crawl_config(server: OutletServer, tmp_path: Path, paused: bool = False) -> Path:
    herald = {"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")}
    steppe = {"name": "Steppe Wire", "kind": "feed", "url": server.url("/steppe/atom.xml")}
    if paused:
        steppe["paused"] = True
    return write_config(tmp_path / "crawl.toml", [herald, steppe])


def test_a_paused_source_is_not_crawled_when_due_but_is_when_named(
    server: OutletServer, tmp_path: Path
) -> None:
    config = crawl_config(server, tmp_path, paused=True)
    due = run_cycle(config)
    assert [s["source"] for s in due.summary["sources"]] == ["Caspian Herald"]
    everything = run_cycle(config, "--all")
    assert [s["source"] for s in everything.summary["sources"]] == ["Caspian Herald"]
    assert not server.requests_for("/steppe/atom.xml")
    named = run_cycle(config, "--source", "Steppe Wire")
    assert named.source("Steppe Wire")["new_articles"] > 0
    newswatch(config, "sources", "resume", "Steppe Wire")
    assert load_config(config).source("Steppe Wire").paused is False


def test_rename_carries_the_history_over(server: OutletServer, tmp_path: Path) -> None:
    config = crawl_config(server, tmp_path)
    first = run_cycle(config, "--source", "Caspian Herald")
    stored = first.source("Caspian Herald")["new_articles"]
    assert stored == 3
    database = tmp_path / "crawl.db"
    health = read_rows(database, "SELECT * FROM sources WHERE name = 'Caspian Herald'")[0]
    result = newswatch(config, "sources", "rename", "Caspian Herald", "Herald (EN)")
    assert result.exit_code == 0, result.output
    assert "moved with it: 3 articles, 1 fetch records, its health and validators" in result.output
    assert [s.name for s in load_config(config).sources] == ["Herald (EN)", "Steppe Wire"]
    counts = read_rows(
        database,
        "SELECT (SELECT count(*) FROM articles WHERE source = 'Herald (EN)') AS articles,"
        " (SELECT count(*) FROM articles WHERE source = 'Caspian Herald') AS left_behind,"
        " (SELECT count(*) FROM fetches WHERE source = 'Herald (EN)') AS fetches,"
        " (SELECT count(*) FROM article_aliases WHERE url LIKE 'guid:Herald (EN):%') AS guids,"
        " (SELECT count(*) FROM article_aliases WHERE url LIKE 'guid:Caspian Herald:%') AS old",
    )[0]
    assert dict(counts) == {"articles": 3, "left_behind": 0, "fetches": 1, "guids": 3, "old": 0}
    renamed = read_rows(database, "SELECT * FROM sources WHERE name = 'Herald (EN)'")[0]
    for column in ("etag", "last_ok_at", "next_fetch_at", "last_fetch_at"):
        assert renamed[column] == health[column]
    # The next crawl under the new name knows every article already.
    second = run_cycle(config, "--source", "Herald (EN)")
    assert second.source("Herald (EN)")["new_articles"] == 0
    assert read_rows(database, "SELECT count(*) AS n FROM articles")[0]["n"] == 4  # and the seed


def test_rename_refuses_a_taken_name_and_changes_nothing(
    server: OutletServer, tmp_path: Path
) -> None:
    config = crawl_config(server, tmp_path)
    before = config.read_text(encoding="utf-8")
    result = newswatch(config, "sources", "rename", "Caspian Herald", "Steppe Wire")
    assert result.exit_code == 2 and "already configured" in result.output
    assert config.read_text(encoding="utf-8") == before


def test_a_feed_source_that_is_an_html_page_names_its_feeds(
    server: OutletServer, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "crawl.toml",
        [
            {"name": "Bazaar", "kind": "feed", "url": server.url("/bazaar/")},
            {"name": "Plain", "kind": "feed", "url": server.url("/plain/")},
        ],
    )
    run = run_cycle(config, "--all")
    assert run.returncode == 0, run.stderr
    errors = {
        row["name"]: row["last_error"]
        for row in read_rows(tmp_path / "crawl.db", "SELECT name, last_error FROM sources")
    }
    feeds = ", ".join(
        server.url(path)
        for path in ("/bazaar/missing.xml", "/bazaar/rss.xml", "/bazaar/comments.atom")
    )
    assert errors["Bazaar"] == f"this is an HTML page; its feeds are: {feeds}"
    assert errors["Plain"].startswith("this is an HTML page, not a feed, and it names no feed")
    assert "malformed XML" not in run.stderr


def test_sources_json_lists_health(server: OutletServer, tmp_path: Path) -> None:
    config = crawl_config(server, tmp_path)
    run_cycle(config, "--source", "Caspian Herald")
    listed = json.loads(newswatch(config, "sources", "--json").output)
    herald = next(s for s in listed if s["name"] == "Caspian Herald")
    assert herald["articles"] == 3 and herald["last_ok_at"] and herald["consecutive_errors"] == 0
    assert herald["url"] == server.url("/herald/rss.xml") and herald["interval_seconds"] == 3600
    assert sqlite3.connect(tmp_path / "crawl.db").execute("SELECT 1").fetchone() == (1,)


def test_an_address_typed_without_a_scheme_is_taken_as_https() -> None:
    from scheduler.sources_commands import _web_address

    assert _web_address("example.com/rss") == "https://example.com/rss"
    assert _web_address("https://example.com/rss") == "https://example.com/rss"


INSIDER_HOME = """<!DOCTYPE html><html><head><title>Insider</title>
<link rel="alternate" type="application/rss+xml" href="http://127.0.0.2:{port}/admin/feed.xml">
<link rel="alternate" type="application/rss+xml" href="http://169.254.169.254/latest/meta-data/">
</head><body><p>Feeds elsewhere.</p></body></html>"""


def test_a_page_cannot_send_discovery_to_an_internal_address(
    server: OutletServer, config: Path
) -> None:
    """The address typed is trusted (here a loopback test server); the feeds its page names
    and its redirects are a stranger's, and go through the crawl's address policy."""
    port = urlsplit(server.url("/")).port
    routes = server.web.routes
    routes["/robots.txt"] = lambda: Reply(404, b"no robots", cacheable=False)
    routes["/insider/"] = lambda: Reply(200, INSIDER_HOME.format(port=port).encode())
    routes["/insider/hop"] = lambda: Reply(
        302, b"", headers={"Location": "http://10.255.255.1/x.xml"}, cacheable=False
    )
    home = newswatch(config, "sources", "add", server.url("/insider/"))
    assert home.exit_code == 1
    assert "refused: 127.0.0.2 is a loopback address" in home.output
    assert "refused: 169.254.169.254 is a cloud metadata address" in home.output
    hop = newswatch(config, "sources", "add", server.url("/insider/hop"))
    assert hop.exit_code == 1
    assert "refused: 10.255.255.1 is a private address" in hop.output
    assert load_config(config).sources == ()
