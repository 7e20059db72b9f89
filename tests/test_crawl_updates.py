"""Which article pages a crawl fetches, in real crawls on loopback: the cap counts only what
will be fetched, and a stored article is read again when its source announces a change —
a later Atom/sitemap date or a moved RSS pubDate, compared with what the source said before
(never with our fetch time) — or re-issues it under another guid."""

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from tests.crawling import CycleRun, run_cycle, write_config
from tests.outlets.articles import CYRILLIC_DAILY, FixtureArticle
from tests.outlets.server import OutletServer, Reply, article_page, rfc822, rss_feed


def wire_article(number: int) -> FixtureArticle:
    return FixtureArticle(
        slug=f"story-{number}",
        title=f"Border guards of Kazakhstan report patrol number {number}",
        author="Wire desk",
        date="2026-11-20T08:00:00Z",
        lang="en",
        paragraphs=(
            f"Patrol {number} of the Kazakh border guard service crossed the steppe near the "
            "Caspian shore and reported no incident to the district command.",
            f"The report for patrol {number} lists vehicles, routes and the weather, as every "
            "weekly report of the district does.",
        ),
    )


@dataclass
class Wire:
    """An outlet whose feed and pages the test rewrites between cycles."""

    server: OutletServer
    articles: list[FixtureArticle]
    pub_dates: dict[str, str] = field(default_factory=dict)  # slug -> ISO pubDate
    guids: dict[str, str] = field(default_factory=dict)

    def publish(self) -> None:
        items = []
        for article in self.articles:
            item = {
                "title": article.title,
                "link": self.server.url(f"/wire/{article.slug}.html"),
                "guid": self.guids.get(article.slug, article.slug),
                "description": article.paragraphs[0],
            }
            if article.slug in self.pub_dates:
                item["pubDate"] = rfc822(self.pub_dates[article.slug])
            items.append(item)
            page = article_page(article, "Steppe Wire").encode()
            self.server.web.routes[f"/wire/{article.slug}.html"] = lambda body=page: Reply(
                200, body
            )
        feed = rss_feed("Wire", items).encode()
        self.server.web.routes["/wire/rss.xml"] = lambda: Reply(200, feed, "application/rss+xml")

    def page_fetches(self, since: int = 0) -> list[str]:
        return [e.path for e in self.server.log[since:] if e.path.endswith(".html")]


@pytest.fixture
def wire() -> Iterator[Wire]:
    with OutletServer() as server:
        yield Wire(server, [])


def crawl(tmp_path: Path, wire: Wire, **crawl_settings: object) -> CycleRun:
    config = write_config(
        tmp_path / "wire.toml",
        [{"name": "Wire", "kind": "feed", "url": wire.server.url("/wire/rss.xml")}],
        **crawl_settings,
    )
    run = run_cycle(config, "--all")
    assert run.returncode == 0, run.stderr[-2000:]
    return run


def rows(tmp_path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(tmp_path / "crawl.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_the_cap_skips_stored_articles_first_then_takes_the_next_ones(
    tmp_path: Path, wire: Wire
) -> None:
    wire.articles = [wire_article(n) for n in range(7)]  # undated: the feed's order
    wire.publish()
    fetched: list[str] = []
    for expected_new, left_over in ((3, True), (3, True), (1, False), (0, False)):
        mark = len(wire.server.log)
        run = crawl(tmp_path, wire, max_articles_per_source=3)
        assert run.source("Wire")["new_articles"] == expected_new
        fetched += wire.page_fetches(mark)
        # While articles are left over the feed's validators are not kept: no 304 hides them.
        kept = rows(tmp_path, "SELECT etag IS NOT NULL FROM sources WHERE name = 'Wire'")
        assert kept == [(not left_over,)]
    assert len(fetched) == len(set(fetched)) == 7  # every page once, none twice
    assert rows(tmp_path, "SELECT count(*) FROM articles WHERE source = 'Wire'") == [(7,)]


def test_an_rss_item_whose_pubdate_moves_is_read_again_and_reported_as_updated(
    tmp_path: Path, wire: Wire
) -> None:
    first = wire_article(1)
    wire.articles = [first]
    wire.pub_dates = {first.slug: "2026-11-20T08:00:00Z"}
    wire.publish()
    crawl(tmp_path, wire)
    # Edited the next day — still long before our first fetch of it: only what the source
    # said before counts, not when we fetched it.
    edited = replace(first, paragraphs=(*first.paragraphs, "Corrected: the patrol met a storm."))
    wire.articles = [edited]
    wire.pub_dates = {first.slug: "2026-11-21T09:30:00Z"}
    wire.publish()
    mark = len(wire.server.log)
    run = crawl(tmp_path, wire)
    assert wire.page_fetches(mark) == [f"/wire/{first.slug}.html"]
    assert run.source("Wire")["updated_articles"] == 1
    assert run.source("Wire")["new_articles"] == 0
    ((article_id, text),) = rows(tmp_path, "SELECT id, text FROM articles WHERE source = 'Wire'")
    assert "Corrected: the patrol met a storm." in text
    versions = rows(tmp_path, f"SELECT text FROM article_versions WHERE article_id = {article_id}")
    assert len(versions) == 1 and "Corrected" not in versions[0][0]
    # The same announcement again brings nothing back.
    mark = len(wire.server.log)
    crawl(tmp_path, wire)
    assert wire.page_fetches(mark) == []


def test_a_reissued_guid_is_read_again_and_an_unchanged_page_is_no_edit(
    tmp_path: Path, wire: Wire
) -> None:
    article = wire_article(2)
    wire.articles = [article]
    wire.publish()
    crawl(tmp_path, wire)
    wire.guids = {article.slug: "reissued-2"}
    wire.publish()
    mark = len(wire.server.log)
    run = crawl(tmp_path, wire)
    assert wire.page_fetches(mark) == [f"/wire/{article.slug}.html"]
    assert run.source("Wire")["updated_articles"] == 0
    assert rows(tmp_path, "SELECT count(*) FROM article_versions") == [(0,)]
    aliases = rows(tmp_path, "SELECT url FROM article_aliases WHERE url LIKE 'guid:Wire:%'")
    assert sorted(a for (a,) in aliases) == ["guid:Wire:reissued-2", "guid:Wire:story-2"]
    mark = len(wire.server.log)
    crawl(tmp_path, wire)
    assert wire.page_fetches(mark) == []


def test_a_sitemap_source_given_as_robots_txt_reads_its_sitemaps_every_time(
    tmp_path: Path,
) -> None:
    with OutletServer() as server:
        config = write_config(
            tmp_path / "daily.toml",
            [{"name": "Daily", "kind": "sitemap", "url": server.url("/robots.txt")}],
        )
        first = run_cycle(config, "--all").source("Daily")["new_articles"]
        assert first == len(CYRILLIC_DAILY)
        unchanged = len(server.log)
        assert run_cycle(config, "--all").source("Daily")["new_articles"] == 0
        asked = {e.path: e for e in server.log[unchanged:]}
        # robots.txt is read whole; the news sitemap behind it answers 304 by itself.
        assert "If-None-Match" not in asked["/robots.txt"].headers
        assert asked["/robots.txt"].status == 200
        assert asked["/daily/sitemap-news.xml.gz"].status == 304
        server.web.add_daily_article(
            FixtureArticle(
                slug="kaspiy-patrul",
                title="Пограничники Казахстана провели патрулирование на Каспии",
                author="Редакция",
                date="2026-11-27T10:00:00Z",
                lang="ru",
                paragraphs=(
                    "Пограничная служба Казахстана провела патрулирование акватории Каспийского "
                    "моря у Актау.",
                ),
            )
        )
        found = run_cycle(config, "--all")
        assert found.source("Daily")["new_articles"] == 1
