"""Duplicates in real crawl cycles (child processes) over outlets on invented hosts.

Cycle 1: Shirvan Post's story in its RSS feed (with utm parameters) and its Atom feed (with a
trailing slash), Lankaran Wire's republication (glued words, its credit line and footer, a
canonical link to the original), Ganja Courier's own story on the same event, and Regional
Digest's copy of the seed. Cycle 2: the story is edited and its Atom entry says so, its RSS
entry links elsewhere under the same guid, and an aggregator links its AMP page.
"""

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from scheduler.cli import cli
from tests.crawling import CycleRun, read_rows, run_cycle, write_config
from tests.outlets.server import OutletServer, SyndicationOutlets
from tests.outlets.syndication import EDITED_PARAGRAPH, PATROL_BOATS

WEB = SyndicationOutlets


class Crawled:
    def __init__(self, server: OutletServer, folder: Path) -> None:
        self.server = server
        outlets = server.web.syndication
        sources = [
            {"name": name, "kind": "feed", "url": url} for name, url in outlets.feeds().items()
        ]
        self.config = write_config(folder / "newswatch.toml", sources)
        self.db_path = folder / "crawl.db"
        self.first: CycleRun = run_cycle(self.config, "--all", proxy=server.base)
        self.first_log = list(server.log)
        self.first_articles = self.rows("SELECT * FROM articles ORDER BY id")
        outlets.edited = outlets.moved_link = outlets.amp_listed = True
        self.second: CycleRun = run_cycle(self.config, "--all", proxy=server.base)
        self.second_log = server.log[len(self.first_log) :]

    def rows(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return read_rows(self.db_path, sql, *params)

    def article(self, canonical_url: str) -> sqlite3.Row:
        (row,) = self.rows("SELECT * FROM articles WHERE canonical_url = ?", canonical_url)
        return row

    def id_for(self, url: str) -> int | None:
        found = self.rows(
            "SELECT id FROM articles WHERE canonical_url = ? "
            "UNION SELECT article_id FROM article_aliases WHERE url = ?",
            url,
            url,
        )
        assert len(found) <= 1
        return found[0]["id"] if found else None


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    with OutletServer() as server:
        yield Crawled(server, tmp_path_factory.mktemp("dupes"))


def test_both_cycles_read_every_source(crawled: Crawled) -> None:
    for run in (crawled.first, crawled.second):
        assert run.returncode == 0, run.stderr[-3000:]
        statuses = {s["status"] for s in run.summary["sources"]}
        assert statuses <= {"ok", "not-modified"}, run.summary


def test_the_story_from_two_feeds_is_stored_once_under_its_main_address(
    crawled: Crawled,
) -> None:
    row = crawled.article(WEB.MAIN_URL)
    assert row["source"] in ("Shirvan Post RSS", "Shirvan Post Atom")
    assert row["duplicate_of"] is None
    # Every address it came under, and both feeds' guids, lead to it.
    for address in (
        f"{WEB.MAIN_URL}?utm_source=rss&utm_medium=feed",
        f"{WEB.MAIN_URL}/",
        f"guid:Shirvan Post RSS:{WEB.GUID}",
        f"guid:Shirvan Post Atom:tag:{WEB.SHIRVAN},2026:1207",
    ):
        assert crawled.id_for(address) == row["id"], address
    first_cycle = [r for r in crawled.first_articles if r["source"].startswith("Shirvan")]
    assert [r["canonical_url"] for r in first_cycle] == [WEB.MAIN_URL]


def test_the_republished_copy_is_kept_and_points_at_the_original(crawled: Crawled) -> None:
    original = crawled.article(WEB.MAIN_URL)
    copy = crawled.article(WEB.COPY_URL)  # its canonical link to another site is not trusted
    assert copy["source"] == "Lankaran Wire"
    assert copy["duplicate_of"] == original["id"]
    assert "werepart" not in copy["text"]  # (the fixture's glue is its own)
    assert "Lankaran Wire" in copy["text"]  # credit line and footer are there, and differ


def test_another_outlets_own_story_on_the_same_event_is_not_a_duplicate(
    crawled: Crawled,
) -> None:
    rival = crawled.article(WEB.RIVAL_URL)
    assert rival["source"] == "Ganja Courier"
    assert rival["duplicate_of"] is None


def test_a_copy_of_the_seed_points_at_the_seed(crawled: Crawled) -> None:
    (seed,) = crawled.rows("SELECT id FROM articles WHERE is_seed = 1")
    copy = crawled.article(WEB.SEED_COPY_URL)
    assert copy["duplicate_of"] == seed["id"]


def test_the_amp_page_is_an_address_of_the_original(crawled: Crawled) -> None:
    original = crawled.article(WEB.MAIN_URL)
    assert crawled.id_for(WEB.AMP_URL) == original["id"]
    assert crawled.server.requests_for("/news/coast-guard-patrol-boats/amp", "amp.shirvanpost.test")


def test_an_edit_keeps_one_row_and_the_earlier_text_as_a_version(crawled: Crawled) -> None:
    row = crawled.article(WEB.MAIN_URL)
    assert EDITED_PARAGRAPH in row["text"]
    (before,) = [r for r in crawled.first_articles if r["id"] == row["id"]]
    assert row["updated_at"] >= before["updated_at"]
    assert row["content_hash"] != before["content_hash"]
    (version,) = crawled.rows("SELECT * FROM article_versions WHERE article_id = ?", row["id"])
    assert version["text"] == before["text"]
    assert version["content_hash"] == before["content_hash"]
    assert PATROL_BOATS.paragraphs[2] in version["text"]


def test_the_second_cycle_adds_no_article(crawled: Crawled) -> None:
    assert len(crawled.rows("SELECT id FROM articles")) == len(crawled.first_articles)
    assert sum(s["new_articles"] for s in crawled.second.summary["sources"]) == 0


def test_a_moved_link_under_the_same_guid_is_not_downloaded(crawled: Crawled) -> None:
    moved = "/2026/11/24/coast-guard-patrol-boats"
    assert not [entry for entry in crawled.second_log if entry.path == moved]


def test_the_duplicates_command_lists_the_outlets_that_carried_it(crawled: Crawled) -> None:
    original = crawled.article(WEB.MAIN_URL)
    result = CliRunner().invoke(
        cli, ["--config", str(crawled.config), "duplicates", str(original["id"])]
    )
    assert result.exit_code == 0, result.output
    assert "1 copy" in result.output
    copy_line = next(line for line in result.output.splitlines() if WEB.COPY_URL in line)
    assert copy_line.split()[1:4] == ["copy", "Lankaran", "Wire"]
    assert WEB.AMP_URL in result.output
    assert WEB.RIVAL_URL not in result.output


def test_a_second_feed_read_later_records_its_guid_without_fetching_the_page(
    tmp_path: Path,
) -> None:
    """The outlet's Atom feed, read in a later cycle than its RSS feed, lists the story
    already stored: its guid is recorded for it all the same (before, only a feed read while
    the page was still being fetched got its guid recorded, so the result hung on timing)."""
    names = ["Shirvan Post RSS", "Shirvan Post Atom"]
    db_path = tmp_path / "crawl.db"
    with OutletServer() as server:
        feeds = server.web.syndication.feeds()
        sources = [{"name": name, "kind": "feed", "url": feeds[name]} for name in names]
        config = write_config(tmp_path / "newswatch.toml", sources)
        for name in names:
            run = run_cycle(config, "--source", name, proxy=server.base)
            assert run.returncode == 0, run.stderr[-3000:]
        page = urlsplit(WEB.MAIN_URL).path
        page_fetches = [e for e in server.log if e.path.split("?")[0].rstrip("/") == page]
    assert len(page_fetches) == 1  # the Atom feed's cycle did not fetch the page again
    atom_guid = f"guid:Shirvan Post Atom:tag:{WEB.SHIRVAN},2026:1207"
    (row,) = read_rows(
        db_path,
        "SELECT a.id, a.source, l.source AS alias_source FROM articles a "
        "JOIN article_aliases l ON l.article_id = a.id WHERE l.url = ?",
        atom_guid,
    )
    assert (row["source"], row["alias_source"]) == ("Shirvan Post RSS", "Shirvan Post Atom")
    (stored,) = read_rows(db_path, "SELECT id FROM articles WHERE canonical_url = ?", WEB.MAIN_URL)
    assert row["id"] == stored["id"]
