"""Real crawl cycles (child processes) against the loopback fixture web."""

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crawling import (
    REPO,
    CycleRun,
    init_database,
    read_rows,
    run_cycle,
    scrapy_crawl,
    write_config,
)
from tests.daemons import newswatch
from tests.outlets.articles import (
    CASPIAN_HERALD,
    CP1251_DAILY,
    CYRILLIC_DAILY,
    EVIL_OUTLET_ARTICLE,
    STEPPE_WIRE,
    FixtureArticle,
    valley_articles,
)
from tests.outlets.server import LoggedRequest, OutletServer, Reply, rss_feed

VALLEY = valley_articles()

FAULTS = {
    "Broken 500": ("/faulty/500.xml", "HTTP 500"),
    "Broken XML": ("/faulty/malformed.xml", "malformed XML at line 3"),
    "Slow": ("/faulty/slow.xml", "timeout after 2 s"),
    "Loop": ("/faulty/loop.xml", "too many redirects"),
    "Huge": ("/faulty/huge.xml", "page too large (more than 1,000,000 bytes)"),
    "Private": ("/private/feed.xml", "blocked by robots.txt"),
}

ARTICLE_PATH_PREFIXES = (
    "/herald/news/",
    "/steppe/a/",
    "/daily/",
    "/valley/story/",
    "/cp1251/news/",
    "/faulty/ok-article",
)


def sources(server: OutletServer) -> list[dict[str, Any]]:
    good = [
        {"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")},
        {"name": "Steppe Wire", "kind": "feed", "url": server.url("/steppe/atom.xml")},
        {"name": "Cyrillic Daily", "kind": "sitemap", "url": server.url("/robots.txt")},
        {
            "name": "Valley Times",
            "kind": "site",
            "url": server.url("/valley/"),
            "follow": ["/valley/story/"],
            "max_pages": 2,
        },
        {"name": "Evil", "kind": "feed", "url": server.url("/faulty/evil.rss")},
        {"name": "Old Cyrillic", "kind": "feed", "url": server.url("/cp1251/feed.xml")},
        {"name": "Flaky", "kind": "feed", "url": server.url("/flaky/feed.xml")},
        {"name": "Gone Pages", "kind": "feed", "url": server.url("/gone/rss.xml")},
    ]
    faulty = [
        {"name": name, "kind": "feed", "url": server.url(path)}
        for name, (path, _cause) in FAULTS.items()
    ]
    return good + faulty


class Crawled:
    """Two cycles over the fixture web, the second against unchanged outlets."""

    def __init__(self, server: OutletServer, folder: Path) -> None:
        self.server = server
        self.config = write_config(folder / "newswatch.toml", sources(server))
        self.db_path = folder / "crawl.db"
        self.first: CycleRun = run_cycle(self.config, "--all")
        self.first_log = list(server.log)
        self.first_rows = self.rows("SELECT id, canonical_url, updated_at FROM articles")
        self.second: CycleRun = run_cycle(self.config, "--all")
        self.second_log = server.log[len(self.first_log) :]

    def rows(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return read_rows(self.db_path, sql, *params)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    with OutletServer() as server:
        yield Crawled(server, tmp_path_factory.mktemp("crawl"))


def good_articles() -> list[tuple[str, str, FixtureArticle]]:
    return (
        [("Caspian Herald", f"/herald/news/{a.slug}.html", a) for a in CASPIAN_HERALD]
        + [("Steppe Wire", f"/steppe/a/{a.slug}", a) for a in STEPPE_WIRE]
        + [("Cyrillic Daily", f"/daily/{a.slug}.html", a) for a in CYRILLIC_DAILY]
        + [("Valley Times", f"/valley/story/{a.slug}", a) for a in VALLEY[:4]]
        + [("Old Cyrillic", "/cp1251/news/1.html", CP1251_DAILY[0])]
        + [("Evil", "/faulty/ok-article.html", EVIL_OUTLET_ARTICLE)]
    )


def test_the_cycle_completes_and_reports_every_source(crawled: Crawled) -> None:
    assert crawled.first.returncode == 0, crawled.first.stderr[-3000:]
    assert crawled.first.source("Caspian Herald")["status"] == "ok"
    assert crawled.first.source("Caspian Herald")["new_articles"] == 3
    assert crawled.first.source("Valley Times")["new_articles"] == 4
    for name, (_path, cause) in FAULTS.items():
        assert crawled.first.source(name)["status"].startswith("error: " + cause)


@pytest.mark.parametrize(
    ("source", "path", "article"), good_articles(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_good_article_lands_once_with_its_facts(
    crawled: Crawled, source: str, path: str, article: FixtureArticle
) -> None:
    url = crawled.server.url(path)
    rows = crawled.rows("SELECT * FROM articles WHERE canonical_url = ?", url)
    assert len(rows) == 1
    row = rows[0]
    assert row["source"] == source
    assert row["title"] == article.title
    assert row["author"] == article.author
    assert row["published_at"] == article.date
    assert row["lang"] == article.lang
    for paragraph in article.paragraphs:
        assert " ".join(paragraph.split()) in row["text"]
    assert row["text"].splitlines()[0] != article.title  # the headline is not repeated
    assert row["content_hash"]


def test_nothing_but_the_good_articles_and_the_seed_is_stored(crawled: Crawled) -> None:
    stored = {
        row["canonical_url"]
        for row in crawled.rows("SELECT canonical_url FROM articles WHERE is_seed = 0")
    }
    expected = {crawled.server.url(path) for _s, path, _a in good_articles()}
    assert stored == expected | {crawled.server.url("/gone/removed-story.html")}


def test_a_page_that_fails_leaves_the_feed_summary(crawled: Crawled) -> None:
    (row,) = crawled.rows("SELECT * FROM articles WHERE source = 'Gone Pages'")
    assert row["title"] == "Caspian ferry line suspended for the storm season"
    assert row["text"] == "The ferry line across the Caspian is suspended until March."
    assert row["published_at"] == "2026-11-18T06:00:00Z"
    assert row["page_problem"] == "HTTP 404"  # what the digest says beside its dead link
    assert crawled.first.source("Gone Pages")["article_errors"] == 1
    read = crawled.rows("SELECT page_problem FROM articles WHERE source = 'Steppe Wire'")
    assert read and all(r["page_problem"] is None for r in read)  # pages that were read


def test_pagination_stops_at_max_pages_and_navigation_is_not_followed(crawled: Crawled) -> None:
    paths = {entry.path for entry in crawled.first_log}
    assert "/valley/page/2" in paths
    assert "/valley/page/3" not in paths
    assert f"/valley/story/{VALLEY[4].slug}" not in paths
    assert not {"/valley/tag/news", "/valley/about", "/tags/politics", "/about"} & paths


def test_each_fault_is_recorded_with_its_cause(crawled: Crawled) -> None:
    for name, (_path, cause) in FAULTS.items():
        (source,) = crawled.rows("SELECT * FROM sources WHERE name = ?", name)
        assert source["last_error"].startswith(cause)
        assert source["consecutive_errors"] >= 1
        assert source["last_ok_at"] is None
        fetches = crawled.rows("SELECT * FROM fetches WHERE source = ? AND status = 'error'", name)
        assert fetches and fetches[0]["error"].startswith(cause)


def test_the_hosts_robots_txt_is_read_once_a_cycle_for_all_its_sources(crawled: Crawled) -> None:
    # Fourteen sources on one host: robots.txt once for all (Cyrillic Daily's own document
    # is that same robots.txt, asked for once more as its source), and it still applies to
    # each of them: "Private"'s feed is refused, never requested.
    for log in (crawled.first_log, crawled.second_log):
        assert len([r for r in log if r.path == "/robots.txt"]) == 2
        assert not [r for r in log if r.path.startswith("/private/")]
    assert crawled.first.source("Private")["status"].startswith("error: blocked by robots.txt")
    assert crawled.second.source("Private")["status"].startswith("error: blocked by robots.txt")


def test_past_the_memory_bound_for_the_probes_answers_a_source_asks_again(tmp_path: Path) -> None:
    with OutletServer() as server:
        config = write_config(
            tmp_path / "bound.toml",
            [{"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")}],
        )
        # The cycle as the CLI runs it, holding no byte of the probe's answers.
        script = (
            "import sys, crawler.cycle as cycle; cycle.MAX_HELD_BYTES = 0; "
            f"sys.exit(cycle.main(['--config', {str(config)!r}, '--all']))"
        )
        completed = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
        )
        feed_asked = [entry.status for entry in server.log if entry.path == "/herald/rss.xml"]
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert feed_asked == [200, 200]
    stored = read_rows(
        tmp_path / "crawl.db",
        "SELECT count(*) AS n FROM articles WHERE source = ?",
        "Caspian Herald",
    )
    assert stored[0]["n"] == len(CASPIAN_HERALD)


def test_a_robots_txt_that_could_not_be_read_is_asked_once_for_the_sources_waiting_on_it(
    tmp_path: Path,
) -> None:
    feeds = [
        {"name": "Caspian Herald", "kind": "feed", "url": "/herald/rss.xml"},
        {"name": "Steppe Wire", "kind": "feed", "url": "/steppe/atom.xml"},
    ]
    asked = []
    for count in (1, 2):  # what one source asks, then two sources on the host
        with OutletServer() as server:
            server.web.routes["/robots.txt"] = lambda: Reply(200, b"User-agent: *\n", delay=3)
            sources = [{**feed, "url": server.url(feed["url"])} for feed in feeds[:count]]
            config = write_config(
                tmp_path / f"nw{count}.toml", sources, timeout=1, parallel_sources=1
            )
            init_database(config)
            run = run_cycle(config, "--all")
            asked.append(len(server.requests_for("/robots.txt")))
        assert run.returncode == 0, run.stderr
        # Crawled as Scrapy crawls a host whose robots.txt cannot be read: all allowed.
        assert all(run.source(source["name"])["status"] == "ok" for source in sources)
    # The cycle's probe asks both sources' feeds at once: they wait on one fetch, and
    # neither source asks again after it failed (nor does either source's own crawler).
    assert asked[0] >= 1 and asked[1] == asked[0]


def test_hostile_links_are_dropped_and_never_requested(crawled: Crawled) -> None:
    requested = " ".join(entry.path for entry in crawled.server.log)
    assert "passwd" not in requested and "secret" not in requested
    assert crawled.first.source("Evil")["items_seen"] == 5
    assert crawled.first.source("Evil")["new_articles"] == 1
    for scheme in ("'file'", "'data'", "'javascript'", "'ftp'"):
        assert f"scheme {scheme} is not http(s)" in crawled.first.stderr
    schemes = {
        row[0] for row in crawled.rows("SELECT substr(url, 1, instr(url, ':')) FROM articles")
    }
    assert schemes <= {"http:", "https:"}


def test_429_is_retried_after_the_delay_the_server_asked_for(crawled: Crawled) -> None:
    hits = [entry for entry in crawled.first_log if entry.path == "/flaky/feed.xml"]
    assert [entry.status for entry in hits] == [429, 200], crawled.first.source("Flaky")
    assert hits[1].at - hits[0].at >= 0.95
    assert crawled.first.source("Flaky")["status"] == "ok"


def test_every_fetch_attempt_is_recorded(crawled: Crawled) -> None:
    counted = {
        row["source"]: row["n"]
        for row in crawled.rows("SELECT source, count(*) AS n FROM fetches GROUP BY source")
    }
    assert set(counted) == {source["name"] for source in sources(crawled.server)}
    (herald,) = crawled.rows(
        "SELECT * FROM fetches WHERE source = 'Caspian Herald' ORDER BY id LIMIT 1"
    )
    assert herald["status"] == "ok" and herald["new_articles"] == 3
    assert herald["started_at"] <= herald["finished_at"]


def test_second_cycle_is_conditional_and_downloads_no_article(crawled: Crawled) -> None:
    assert crawled.second.returncode == 0, crawled.second.stderr[-3000:]
    by_path = {entry.path: entry for entry in crawled.second_log}
    for path in (
        "/herald/rss.xml",
        "/steppe/atom.xml",
        "/valley/",
        "/cp1251/feed.xml",
        "/faulty/evil.rss",
    ):
        assert by_path[path].status == 304, path
        assert by_path[path].headers.get("If-None-Match")
    article_hits = [
        e.path
        for e in crawled.second_log
        if e.path.startswith(ARTICLE_PATH_PREFIXES)
        and not e.path.endswith(".xml")
        and not e.path.endswith(".gz")
    ]
    assert article_hits == []
    after = crawled.rows("SELECT id, canonical_url, updated_at FROM articles")
    assert [tuple(row) for row in after] == [tuple(row) for row in crawled.first_rows]
    assert crawled.second.source("Caspian Herald")["status"] == "not-modified"
    assert sum(s["new_articles"] for s in crawled.second.summary["sources"]) == 0


def test_each_source_url_is_asked_once_a_cycle_and_an_unchanged_one_needs_no_crawler(
    crawled: Crawled,
) -> None:
    # The cycle's probe asks every source's own URL; a source whose URL answered anything
    # but 304 gets the probe's answer in its own crawler instead of asking again.
    def asked(log: list[LoggedRequest], path: str) -> list[int]:
        return [entry.status for entry in log if entry.path == path]

    for path in ("/herald/rss.xml", "/steppe/atom.xml", "/valley/"):
        assert asked(crawled.first_log, path) == [200]
        assert asked(crawled.second_log, path) == [304]
    # A failing one: its try and its one retry (crawl.retry_times = 1), not again.
    assert asked(crawled.first_log, "/faulty/500.xml") == [500, 500]
    # A crawler each for the probe and for the sources not answering 304; none for the rest.
    crawlers = crawled.second.stderr.count("Spider opened")
    statuses = [source["status"] for source in crawled.second.summary["sources"]]
    assert statuses.count("not-modified") >= 5
    assert crawlers == 1 + len(statuses) - statuses.count("not-modified")


def test_a_failing_source_backs_off(crawled: Crawled) -> None:
    (broken,) = crawled.rows("SELECT * FROM sources WHERE name = 'Broken 500'")
    (healthy,) = crawled.rows("SELECT * FROM sources WHERE name = 'Caspian Herald'")
    assert broken["consecutive_errors"] == 2
    # one hour, doubled for the second failure in a row
    assert broken["next_fetch_at"] > healthy["next_fetch_at"]


def test_articles_are_scored_on_the_way_in(crawled: Crawled) -> None:
    by_title = {row["title"]: row for row in crawled.rows("SELECT * FROM articles")}
    drill = by_title[CASPIAN_HERALD[0].title]
    wrestling = by_title[CASPIAN_HERALD[2].title]
    assert drill["relevant"] == 1 and drill["relevance"] >= 0.5
    assert "place:Aktau" in drill["matched"]
    assert wrestling["relevant"] == 0 and wrestling["relevance"] is not None


def test_scrapy_crawl_runs_one_source_from_the_repository_root(
    crawled: Crawled, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "one.toml",
        [{"name": "Steppe Wire", "kind": "feed", "url": crawled.server.url("/steppe/atom.xml")}],
    )
    completed = scrapy_crawl(config, "feed", "-a", "source=Steppe Wire", "-s", "LOG_LEVEL=WARNING")
    assert completed.returncode == 0, completed.stderr[-2000:]
    db = sqlite3.connect(tmp_path / "crawl.db")
    titles = {row[0] for row in db.execute("SELECT title FROM articles WHERE is_seed = 0")}
    assert titles == {article.title for article in STEPPE_WIRE}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("feed", "-a", "source=nope"),
            "error: no source named 'nope' in the configuration ({config}); "
            "configured: 'Steppe Wire'",
        ),
        (
            ("sitemap", "-a", "source=Steppe Wire"),
            "error: source 'Steppe Wire' is of kind 'feed', not 'sitemap': use `scrapy crawl feed`",
        ),
        (("feed",), "error: spider 'feed' needs a source: -a source=NAME"),
        (
            ("feed", "-a", "source=Typo"),
            "error: {config}: [[sources]] #2 ('Typo') url: expected an http:// or https:// URL, "
            "got 'htp://x.test/' (this source is left out until that is fixed)",
        ),
        (("news", "-a", "source=x"), "error: no spider named 'news'; spiders: feed, site, sitemap"),
    ],
)
def test_scrapy_crawl_of_a_source_it_cannot_crawl_says_why_in_one_line(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    config = write_config(
        tmp_path / "one.toml",
        [
            {"name": "Steppe Wire", "kind": "feed", "url": "http://127.0.0.1:9/atom.xml"},
            {"name": "Typo", "kind": "feed", "url": "htp://x.test/"},
        ],
    )
    completed = scrapy_crawl(config, *args)
    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [expected.format(config=config)]
    assert not (tmp_path / "crawl.db").exists()


def test_crawl_command_prints_the_summary_table(crawled: Crawled, tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "cli.toml",
        [
            {
                "name": "Caspian Herald",
                "kind": "feed",
                "url": crawled.server.url("/herald/rss.xml"),
            },
            {"name": "Broken 500", "kind": "feed", "url": crawled.server.url("/faulty/500.xml")},
        ],
    )
    init_database(config)
    first = newswatch(config, "crawl")
    assert first.returncode == 0, first.stderr[-2000:]
    assert "Caspian Herald" in first.stdout and "HTTP 500" in first.stdout
    assert "3 new articles from 2 sources; 1 failed" in first.stdout
    again = newswatch(config, "crawl")
    assert again.returncode == 0 and "no source is due" in again.stdout
    unknown = newswatch(config, "crawl", "--source", "X")
    assert unknown.returncode == 2 and "no source named 'X'" in unknown.stderr


def test_scrapy_settings_disable_local_schemes_and_remote_control() -> None:
    from crawler import settings

    assert all(
        settings.DOWNLOAD_HANDLERS[scheme] is None for scheme in ("file", "data", "ftp", "s3")
    )
    assert settings.REMOTE_CONTROL_ENABLED is False
    assert settings.TELNETCONSOLE_ENABLED is False


def settings_tree(settings: Any) -> dict[str, Any]:
    """Every setting's value and priority, nested settings as trees of their own."""
    from scrapy.settings import BaseSettings

    return {
        name: (
            settings_tree(a.value) if isinstance(a.value, BaseSettings) else a.value,
            a.priority,
        )
        for name, a in settings.attributes.items()
    }


def test_each_crawlers_settings_are_a_full_copy_of_the_cycles(tmp_path: Path) -> None:
    from config import load_config
    from crawler.cycle import scrapy_settings

    config = load_config(write_config(tmp_path / "nw.toml", [], timeout=7))
    cycle = scrapy_settings(config, "INFO")
    cycle.set("SOME_LIST", [1, [2]], priority="project")
    copied = cycle.copy()
    assert settings_tree(copied) == settings_tree(cycle)
    assert copied["NEWSWATCH_CONFIG_OBJECT"] is config  # frozen: shared
    # What one crawler changes stays its own, nested settings and lists included.
    copied["DOWNLOADER_MIDDLEWARES"].set("x.Y", 1)
    copied["SOME_LIST"][1].append(3)
    copied.set("LOG_LEVEL", "DEBUG", priority="cmdline")
    assert "x.Y" not in cycle["DOWNLOADER_MIDDLEWARES"]
    assert cycle["SOME_LIST"] == [1, [2]] and cycle["LOG_LEVEL"] == "INFO"
    copied.freeze()
    assert not cycle.frozen


def test_a_page_that_fails_for_now_is_listed_from_the_summary_and_read_next_cycle(
    tmp_path: Path,
) -> None:
    with OutletServer() as server:
        config = write_config(
            tmp_path / "busy.toml",
            [{"name": "Busy", "kind": "feed", "url": server.url("/busy/rss.xml")}],
        )
        first = run_cycle(config, "--all")
        assert first.source("Busy")["article_errors"] == 1
        db = sqlite3.connect(tmp_path / "crawl.db")
        stored = "SELECT count(*), min(text), min(page_problem) FROM articles WHERE source = 'Busy'"
        count, text, problem = db.execute(stored).fetchone()
        assert (count, text) == (1, EVIL_OUTLET_ARTICLE.paragraphs[0])  # the feed's summary
        assert problem == "page not fetched yet (HTTP 503)"
        assert db.execute("SELECT etag FROM sources WHERE name = 'Busy'").fetchone() == (None,)
        server.web.busy_page_recovers = True
        second = run_cycle(config, "--all")
        assert second.source("Busy")["updated_articles"] == 1
        count, text, problem = db.execute(stored).fetchone()
        assert count == 1 and problem is None
        assert EVIL_OUTLET_ARTICLE.paragraphs[1] in text  # the page's text, not the summary
        assert db.execute("SELECT etag FROM sources WHERE name = 'Busy'").fetchone()[0]


def test_a_host_that_cannot_be_reached_is_given_up_for_the_cycle(tmp_path: Path) -> None:
    """A feed whose pages never answer (each times out): after three failed attempts the
    host's other pages are not requested, and every entry is still listed from the feed's
    summary, waiting for its page."""
    entries = [
        {
            "title": f"Caspian patrol report {n}",
            "link": f"/gone/story-{n}.html",
            "description": f"Summary of patrol report {n} on the Caspian coast.",
        }
        for n in range(8)
    ]
    with OutletServer() as server:
        for entry in entries:
            server.web.routes[entry["link"]] = lambda: Reply(200, b"late", delay=3.0)
            entry["link"] = server.url(entry["link"])
        server.web.routes["/gone/rss.xml"] = lambda: Reply(
            200, rss_feed("Gone pages", entries).encode(), "application/rss+xml"
        )
        config = write_config(
            tmp_path / "gone.toml",
            [{"name": "Gone", "kind": "feed", "url": server.url("/gone/rss.xml")}],
            concurrent_per_host=1,
        )
        run = run_cycle(config)
        asked = sum(len(server.requests_for(f"/gone/story-{n}.html")) for n in range(8))
    # Three time out; the slot may start the next as the third fails. No retry, and not
    # the others.
    assert asked in (3, 4)
    assert "could not be reached 3 times in a row (timeout after 2 s)" in run.stderr
    assert run.source("Gone")["article_errors"] == 8
    db = sqlite3.connect(tmp_path / "crawl.db")
    rows = db.execute("SELECT title, text, page_problem FROM articles WHERE source = 'Gone'")
    stored = {title: (text, problem) for title, text, problem in rows}
    assert set(stored) == {entry["title"] for entry in entries}
    for entry in entries:
        text, problem = stored[entry["title"]]
        assert text == entry["description"]
        assert problem == "page not fetched yet (timeout after 2 s)"
    # Each page's record on the source gives the cause first (`newswatch sources` cuts it).
    records = db.execute("SELECT error FROM fetches WHERE source = 'Gone' AND error IS NOT NULL")
    errors = [error for (error,) in records]
    assert len(errors) == 8 and all(e.startswith("timeout after 2 s") for e in errors)
    assert sum("; not tried: 3 attempts in a row to reach 127.0.0.1:" in e for e in errors) >= 4


def test_two_crawls_at_once_fetch_each_page_once(tmp_path: Path) -> None:
    """A second cycle started while one runs waits for it (and says so), then finds the
    articles stored: no page is downloaded twice."""
    with OutletServer() as server:
        server.web.page_delay = 4.0  # the first cycle is still busy when the second starts
        config = write_config(
            tmp_path / "newswatch.toml",
            [{"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")}],
            timeout=20,
        )
        command = [sys.executable, "-m", "crawler.cycle", "--config", str(config), "--all"]
        first = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_until_requested(server, "/herald/rss.xml")
        second = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
        first.communicate(timeout=120)
        assert first.returncode == 0 and second.returncode == 0, second.stderr
        assert "another crawl is running on this database: waiting" in second.stderr
        for article in CASPIAN_HERALD:
            assert len(server.requests_for(f"/herald/news/{article.slug}.html")) == 1


def wait_until_requested(server: OutletServer, path: str, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not server.requests_for(path):
        assert time.monotonic() < deadline, f"{path} was never requested"
        time.sleep(0.05)
