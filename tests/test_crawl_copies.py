"""Copies a new-user trial saw missed, in real crawl cycles (child processes) over invented
outlets on invented hosts (tests/outlets/copies.py).

Cycle 1 reads the first outlet of each short item, and the reprints of two wire stories
(Steppe Daily on the syndication hub's host, Aral Times on its own). Cycle 2 reads every
source: the short items' verbatim copies on other outlets, the same teaser and caption under
other items, and the wire's two stories, whose pages have the reprints' date but whose feed
listed them a day earlier.
"""

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crawling import CycleRun, read_rows, run_cycle, write_config
from tests.outlets.copies import (
    CAPTION,
    PHOTO_TITLE,
    TEASER,
    WIRE_FERRY,
    WIRE_STORY,
    CopyOutlets,
)
from tests.outlets.server import OutletServer

FIRST_CYCLE = ("Vodiy Yangiliklari", "Ala-Too Kabar", "Steppe Daily", "Aral Times")


class Crawled:
    def __init__(self, server: OutletServer, folder: Path) -> None:
        outlets = CopyOutlets()
        server.web.routes.update(outlets.routes())
        sources = [
            {"name": name, "kind": "feed", "url": url} for name, url in outlets.feeds().items()
        ]
        config = write_config(folder / "newswatch.toml", sources)
        self.db_path = folder / "crawl.db"
        chosen = [arg for name in FIRST_CYCLE for arg in ("--source", name)]
        self.first: CycleRun = run_cycle(config, *chosen, proxy=server.base)
        self.second: CycleRun = run_cycle(config, "--all", proxy=server.base)

    def rows(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return read_rows(self.db_path, sql, *params)

    def by_source(self, source: str, title: str) -> sqlite3.Row:
        (row,) = self.rows("SELECT * FROM articles WHERE source = ? AND title = ?", source, title)
        return row


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    with OutletServer() as server:
        yield Crawled(server, tmp_path_factory.mktemp("copies"))


def test_both_cycles_read_their_sources(crawled: Crawled) -> None:
    for run, count in ((crawled.first, len(FIRST_CYCLE)), (crawled.second, 7)):
        assert run.returncode == 0, run.stderr[-3000:]
        assert run.summary is not None
        assert len(run.summary["sources"]) == count
        # The first cycle's feeds answer the second with 304 (not modified).
        assert {s["status"] for s in run.summary["sources"]} <= {"ok", "not-modified"}


@pytest.mark.parametrize(
    ("first", "copier", "slug"),
    [
        ("Vodiy Yangiliklari", "Tezkor Xabar", "samarqand-koprik"),
        ("Ala-Too Kabar", "Osh Jarchysy", "batken-zastava"),
    ],
)
def test_a_short_item_copied_verbatim_by_another_outlet_is_recorded_as_the_same_article(
    crawled: Crawled, first: str, copier: str, slug: str
) -> None:
    (stored,) = crawled.rows("SELECT * FROM articles WHERE url LIKE ?", f"%/{slug}-%")
    assert stored["source"] == first
    assert len(stored["text"]) < 200  # too short for a MinHash fingerprint
    # The copier's page is an address of the first outlet's article, with its source.
    aliases = crawled.rows(
        "SELECT url, source FROM article_aliases WHERE article_id = ? AND url LIKE 'http%'",
        stored["id"],
    )
    assert [alias["source"] for alias in aliases] == [copier], aliases
    assert not crawled.rows(
        "SELECT id FROM articles WHERE source = ? AND title = ?", copier, stored["title"]
    )


def test_the_same_teaser_under_other_headlines_links_nothing(crawled: Crawled) -> None:
    rows = crawled.rows("SELECT id, source, duplicate_of FROM articles WHERE text = ?", TEASER)
    assert sorted(row["source"] for row in rows) == ["Tezkor Xabar", "Vodiy Yangiliklari"]
    assert [row["duplicate_of"] for row in rows] == [None, None]
    for row in rows:
        assert not crawled.rows(
            "SELECT url FROM article_aliases WHERE article_id = ? AND url LIKE 'http%'", row["id"]
        )


def test_a_caption_under_the_same_headline_is_too_short_to_link(crawled: Crawled) -> None:
    rows = crawled.rows("SELECT id, source FROM articles WHERE title = ?", PHOTO_TITLE)
    assert sorted(row["source"] for row in rows) == ["Tezkor Xabar", "Vodiy Yangiliklari"]
    assert {row["id"] for row in crawled.rows("SELECT id FROM articles WHERE text = ?", CAPTION)}
    assert len({row["id"] for row in rows}) == 2


def test_a_reprint_by_another_source_on_the_hubs_host_is_a_copy(crawled: Crawled) -> None:
    wire = crawled.by_source("Caspian Wire", WIRE_FERRY.title)
    steppe = crawled.by_source("Steppe Daily", WIRE_FERRY.title)
    assert steppe["published_at"] == wire["published_at"]
    groups = {row["duplicate_of"] or row["id"] for row in (wire, steppe)}
    assert len(groups) == 1, "one group of copies"
    # And the wire, listed a day earlier by its feed, is its original.
    assert steppe["duplicate_of"] == wire["id"]


def test_on_one_page_date_the_story_its_feed_listed_first_is_the_original(
    crawled: Crawled,
) -> None:
    wire = crawled.by_source("Caspian Wire", WIRE_STORY.title)
    aral = crawled.by_source("Aral Times", WIRE_STORY.title)
    # The reprint was stored first, with the wire's page date; the wire's feed listed it a
    # day before the reprint's.
    assert aral["id"] < wire["id"]
    assert aral["published_at"] == wire["published_at"]
    assert aral["announced_at"] > wire["announced_at"]
    assert wire["duplicate_of"] is None
    assert aral["duplicate_of"] == wire["id"]
