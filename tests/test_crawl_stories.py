"""Stories in a real crawl cycle (a child process, as the CLI runs it) over invented outlets
in English, Russian and Kazakh, and the commands that read them.

The outlets (tests/outlets/stories.py) report the seed's matter: the planning conference in
Aktau (Russian, two days before the seed), the exercise opening in July 2024 (one report in
each language), next year's edition in Uzbekistan, and an unrelated border incident in the
week of the opening.
"""

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scheduler.cli import cli
from tests.crawling import CycleRun, init_database, read_rows, run_cycle, write_config
from tests.outlets.articles import FixtureArticle
from tests.outlets.server import OutletServer
from tests.outlets.stories import (
    CLASH_EN,
    CONFERENCE_RU,
    OPENING_EN,
    OPENING_KK,
    OPENING_RU,
    SEQUEL_EN,
    StoryOutlets,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Crawled:
    def __init__(self, server: OutletServer, folder: Path) -> None:
        sources = [
            {"name": name, "kind": "feed", "url": url}
            for name, url in server.web.stories.feeds().items()
        ]
        self.folder = folder
        self.config = write_config(folder / "newswatch.toml", sources)
        self.db_path = init_database(self.config)
        # Before any crawl: only the seed.
        self.fresh_timeline = invoke(self.config, "timeline")
        self.run: CycleRun = run_cycle(self.config, "--all", proxy=server.base)

    def rows(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return read_rows(self.db_path, sql, *params)

    def story(self, outlet: str, article: FixtureArticle) -> sqlite3.Row:
        (row,) = self.rows(
            "SELECT s.* FROM stories s JOIN articles a ON a.story_id = s.id "
            "WHERE a.canonical_url = ?",
            StoryOutlets.url(outlet, article),
        )
        return row

    def seed_story(self) -> sqlite3.Row:
        (row,) = self.rows(
            "SELECT s.* FROM stories s JOIN articles a ON a.story_id = s.id WHERE a.is_seed = 1"
        )
        return row


def invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args])


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    with OutletServer() as server:
        yield Crawled(server, tmp_path_factory.mktemp("stories"))


def test_the_cycle_reads_every_outlet(crawled: Crawled) -> None:
    assert crawled.run.returncode == 0, crawled.run.stderr[-3000:]
    assert {s["status"] for s in crawled.run.summary["sources"]} == {"ok"}  # type: ignore[index]
    assert len(crawled.rows("SELECT id FROM articles WHERE is_seed = 0")) == 6
    assert not crawled.rows("SELECT id FROM articles WHERE story_id IS NULL")


def test_reports_of_one_event_in_three_languages_share_a_story(crawled: Crawled) -> None:
    stories = {
        crawled.story("Steppe Herald", OPENING_EN)["id"],
        crawled.story("Kaspiy Vestnik", OPENING_RU)["id"],
        crawled.story("Dala Zharshysy", OPENING_KK)["id"],
    }
    assert len(stories) == 1
    story = crawled.story("Steppe Herald", OPENING_EN)
    assert story["article_count"] == 3 and story["outlet_count"] == 3
    assert sorted(json.loads(story["languages"])) == ["en", "kk", "ru"]
    assert story["title"] == OPENING_EN.title
    assert story["first_published_at"] == OPENING_EN.date


def test_the_sequel_a_year_later_is_its_own_story_on_the_same_thread(crawled: Crawled) -> None:
    opening = crawled.story("Steppe Herald", OPENING_EN)
    sequel = crawled.story("Steppe Herald", SEQUEL_EN)
    assert sequel["id"] != opening["id"]
    assert sequel["thread_id"] == opening["thread_id"]


def test_an_unrelated_military_story_stays_apart(crawled: Crawled) -> None:
    clash = crawled.story("Steppe Herald", CLASH_EN)
    opening = crawled.story("Steppe Herald", OPENING_EN)
    assert clash["id"] != opening["id"] and clash["thread_id"] != opening["thread_id"]
    assert clash["article_count"] == 1 and clash["thread_id"] == clash["id"]


def test_the_seeds_follow_ups_are_on_the_seeds_thread(crawled: Crawled) -> None:
    seed = crawled.seed_story()
    for outlet, article in (
        ("Kaspiy Vestnik", CONFERENCE_RU),
        ("Steppe Herald", OPENING_EN),
        ("Steppe Herald", SEQUEL_EN),
    ):
        assert crawled.story(outlet, article)["thread_id"] == seed["thread_id"], article.slug
    # A thread's id is its first story's: the conference was reported before the seed.
    conference = crawled.story("Kaspiy Vestnik", CONFERENCE_RU)
    assert seed["thread_id"] == conference["id"]


def test_timeline_on_a_fresh_database_prints_the_seeds_story(crawled: Crawled) -> None:
    result = crawled.fresh_timeline
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("thread #1: 1 story, 1 article, 2024-04-08 → 2024-04-08")
    assert "2024-04-08  #1 *  Azerbaijan Prioritises Expanding Relations" in result.output
    assert "1 outlet: AzerNews (via MENAFN) · en" in result.output


def test_timeline_after_the_crawl_shows_the_follow_ups_in_order_with_the_chart(
    crawled: Crawled,
) -> None:
    chart = crawled.folder / "seed-thread.png"
    result = invoke(crawled.config, "timeline", "--chart", str(chart))
    assert result.exit_code == 0, result.output
    headlines = [CONFERENCE_RU.title, "Azerbaijan Prioritises", OPENING_EN.title, SEQUEL_EN.title]
    positions = [result.output.index(headline) for headline in headlines]
    assert positions == sorted(positions)
    assert CLASH_EN.title not in result.output
    line = next(line for line in result.output.splitlines() if "3 articles · 3 outlets: " in line)
    assert sorted(line.rsplit(" · ", 1)[1].split(", ")) == ["en", "kk", "ru"]
    assert f"chart (articles per week): {chart.resolve()}" in result.output
    assert chart.read_bytes().startswith(PNG_MAGIC)


def test_timeline_of_another_story_and_its_json(crawled: Crawled) -> None:
    clash = crawled.story("Steppe Herald", CLASH_EN)
    result = invoke(crawled.config, "timeline", "--story", str(clash["id"]), "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert [s["title"] for s in shown["stories"]] == [CLASH_EN.title]
    assert shown["stories"][0]["outlets"] == ["Steppe Herald"]
    assert Path(shown["chart"]).name == f"timeline-story-{clash['id']}.png"
    assert Path(shown["chart"]).read_bytes().startswith(PNG_MAGIC)


def test_story_lists_its_articles_by_outlet_and_language(crawled: Crawled) -> None:
    opening = crawled.story("Steppe Herald", OPENING_EN)
    result = invoke(crawled.config, "story", str(opening["id"]))
    assert result.exit_code == 0, result.output
    assert f"story #{opening['id']}: {OPENING_EN.title}" in result.output
    summary = result.output.splitlines()[1].split(" · ")
    assert summary[1:3] == ["3 articles", "3 outlets"]
    assert sorted(summary[3].split(", ")) == ["en", "kk", "ru"]
    table = result.output.split("\n\n", 1)[1]
    for outlet, lang in (
        ("Steppe Herald", "en"),
        ("Kaspiy Vestnik", "ru"),
        ("Dala Zharshysy", "kk"),
    ):
        line = next(line for line in table.splitlines() if outlet in line)
        assert f" {lang} " in line
    assert invoke(crawled.config, "story", "9999").exit_code == 1


def test_stories_lists_them_latest_first(crawled: Crawled) -> None:
    result = invoke(crawled.config, "stories", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert listed[0]["title"] == SEQUEL_EN.title
    since = invoke(crawled.config, "stories", "--since", "2025-01-01", "--json")
    assert [s["title"] for s in json.loads(since.output)] == [SEQUEL_EN.title]
    text = invoke(crawled.config, "stories", "--relevant")
    assert text.exit_code == 0 and OPENING_EN.title in text.output


def test_export_carries_each_articles_story(crawled: Crawled) -> None:
    result = invoke(crawled.config, "export", "--format", "json", "--no-text")
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    opening = crawled.story("Steppe Herald", OPENING_EN)["id"]
    assert all(isinstance(row["story"], int) for row in exported)
    assert sum(row["story"] == opening for row in exported) == 3


def test_timeline_says_when_the_chart_cannot_be_written(crawled: Crawled) -> None:
    blocked = crawled.folder / "not-a-folder"
    blocked.write_text("a file where the chart's folder would go", encoding="utf-8")
    result = invoke(crawled.config, "timeline", "--chart", str(blocked / "chart.png"))
    assert result.exit_code == 1
    assert "Azerbaijan Prioritises" in result.output  # the timeline is shown all the same
    assert f"{blocked / 'chart.png'}: cannot write the chart" in result.output
