"""One bad line in the configuration (new-user trial F7): a bad [[sources]] entry leaves out
that source only, with a warning naming it and the cause, and loses nothing stored; a file
that does not load at all stops a command run by hand, with one clear message."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from config import parse_config_text
from tests.crawling import init_database, read_rows, write_config
from tests.daemons import newswatch
from tests.outlets.articles import CASPIAN_HERALD, STEPPE_WIRE, FixtureArticle
from tests.outlets.server import OutletServer

NEW_AT_THE_HERALD = FixtureArticle(
    slug="ferry-line",
    title="A ferry line opens between Aktau and Baku ports",
    author="Leyla Mammadova",
    date="2026-11-28T09:00:00Z",
    lang="en",
    paragraphs=(
        "A new ferry line between the ports of Aktau and Baku opened on Friday, carrying "
        "trucks and rail wagons across the Caspian Sea twice a week, the port authority said.",
        "The operator expects the crossing to take about twenty hours in calm weather.",
    ),
)


@pytest.fixture
def server() -> Iterator[OutletServer]:
    with OutletServer() as running:
        yield running


def two_sources(folder: Path, server: OutletServer, steppe_interval: object = "1h") -> Path:
    return write_config(
        folder / "newswatch.toml",
        [
            {"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")},
            {
                "name": "Steppe Wire",
                "kind": "feed",
                "url": server.url("/steppe/atom.xml"),
                "interval": steppe_interval,
            },
        ],
    )


def titles(db: Path, source: str) -> set[str]:
    rows = read_rows(db, "SELECT title FROM articles WHERE source = ?", source)
    return {row["title"] for row in rows}


def test_a_bad_source_line_costs_only_that_source_and_loses_nothing_stored(
    tmp_path: Path, server: OutletServer
) -> None:
    config = two_sources(tmp_path, server)
    db = init_database(config)
    first = newswatch(config, "crawl")
    assert first.returncode == 0, first.stderr
    assert titles(db, "Steppe Wire") == {a.title for a in STEPPE_WIRE}
    (steppe_before,) = read_rows(db, "SELECT * FROM sources WHERE name = 'Steppe Wire'")

    # A typo in Steppe Wire's interval; a new article at the Herald.
    two_sources(tmp_path, server, steppe_interval="1 hour")
    server.web.add_herald_article(NEW_AT_THE_HERALD)
    second = newswatch(config, "crawl", "--all")
    assert second.returncode == 0, second.stderr
    assert "Caspian Herald" in second.stdout and "Steppe Wire" not in second.stdout
    assert titles(db, "Caspian Herald") == {a.title for a in (*CASPIAN_HERALD, NEW_AT_THE_HERALD)}
    warning = f"warning: {config}: [[sources]] #2 ('Steppe Wire') interval: expected a duration"
    assert warning in second.stderr and "left out until that is fixed" in second.stderr
    assert second.stderr.count("warning:") == 1 and "Traceback" not in second.stderr
    # What was stored of the left-out source stays: its articles and its health and
    # validators, so that once fixed it asks conditionally again.
    assert titles(db, "Steppe Wire") == {a.title for a in STEPPE_WIRE}
    assert read_rows(db, "SELECT * FROM sources WHERE name = 'Steppe Wire'") == [steppe_before]

    named = newswatch(config, "crawl", "--source", "Steppe Wire")
    assert named.returncode == 2
    assert "('Steppe Wire') interval: expected a duration" in named.stderr

    listing = newswatch(config, "sources")
    assert listing.returncode == 0 and "Caspian Herald" in listing.stdout
    assert "Steppe Wire" not in listing.stdout and warning in listing.stderr

    two_sources(tmp_path, server)  # fixed
    asked = len(server.requests_for("/steppe/atom.xml"))
    fixed = newswatch(config, "crawl", "--source", "Steppe Wire")
    assert fixed.returncode == 0 and "warning" not in fixed.stderr
    assert "not-modified" in fixed.stdout
    (request,) = server.requests_for("/steppe/atom.xml")[asked:]
    assert request.status == 304


def test_a_file_that_is_not_toml_stops_a_crawl_by_hand_with_one_clear_message(
    tmp_path: Path, server: OutletServer
) -> None:
    config = two_sources(tmp_path, server)
    init_database(config)
    with config.open("a", encoding="utf-8") as broken:
        broken.write("\ninterval = 5m oops\n")
    crawl = newswatch(config, "crawl")
    assert crawl.returncode == 2
    assert crawl.stderr.startswith("Error: configuration is not usable:\n")
    assert f"{config}: not valid TOML" in crawl.stderr and "Traceback" not in crawl.stderr
    assert not server.log  # nothing was fetched


# A change that makes a source's entry bad, each a different check of the loader.
BAD_CHANGES: list[tuple[str, Any]] = [
    ("url", "ftp://a.test/"),
    ("interval", "soon"),
    ("interval", 0),
    ("kind", "rss"),
    ("intervall", "1h"),
    ("max_pages", 0),
    ("name", 3),
    ("follow", ["("]),
    ("paused", "yes"),
    ("tags", [""]),
]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.none(), st.sampled_from(BAD_CHANGES)), max_size=8))
def test_each_bad_source_entry_costs_only_itself(changes: list[tuple[str, Any] | None]) -> None:
    tables = []
    for number, change in enumerate(changes, start=1):
        table: dict[str, Any] = {
            "name": f"S{number}",
            "kind": "feed",
            "url": f"http://a.test/{number}",
        }
        if change is not None:
            table[change[0]] = change[1]
        tables.append(table)
    config = parse_config_text(tomlkit.dumps({"sources": tables}), "p.toml")
    good = [number for number, change in enumerate(changes, start=1) if change is None]
    bad = [number for number, change in enumerate(changes, start=1) if change is not None]
    assert [source.name for source in config.sources] == [f"S{number}" for number in good]
    assert len(config.warnings) == len(bad)
    for number, warning in zip(bad, config.warnings, strict=True):
        assert warning.startswith(f"p.toml: [[sources]] #{number}")
