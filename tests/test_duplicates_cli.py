"""`newswatch duplicates ID` against a temporary database."""

from pathlib import Path

from click.testing import CliRunner, Result

from scheduler.cli import cli
from storage import Article, Storage
from tests.outlets.syndication import PATROL_BOATS, PATROL_BOATS_AGGREGATED, seed_copy_text

ORIGINAL_URL = "https://shirvanpost.az/news/coast-guard-patrol-boats"
COPY_URL = "https://lankaranwire.az/lw-20261124-patrol"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def stored(config_file: Path) -> tuple[int, int]:
    with Storage.open(config_file.parent / "test.db") as storage:
        ids = storage.articles.add_many(
            Article(
                url=url,
                canonical_url=url,
                source=source,
                title=fixture.title,
                published_at=fixture.date,
                text="\n".join(fixture.paragraphs),
            )
            for url, source, fixture in [
                (ORIGINAL_URL, "Shirvan Post", PATROL_BOATS),
                (COPY_URL, "Lankaran Wire", PATROL_BOATS_AGGREGATED),
            ]
        )
        storage.articles.add_alias(ORIGINAL_URL + "?amp=1", ids[0], "Shirvan Post")
    assert ids[0] is not None and ids[1] is not None
    return ids[0], ids[1]


def test_duplicates_lists_the_original_its_copies_and_addresses(config_file: Path) -> None:
    original, copy = stored(config_file)
    result = run("--config", str(config_file), "duplicates", str(copy))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"#{original} {PATROL_BOATS.title}"
    assert lines[1] == "original: Shirvan Post, published 2026-11-24; 1 copy, 1 further address"
    rows = {(line.split()[0], line.split()[1]): line.split() for line in lines[4:]}
    assert rows[(f"#{original}", "original")][2:4] == ["Shirvan", "Post"]
    assert rows[(f"#{original}", "original")][-1] == ORIGINAL_URL
    copy_row = rows[(f"#{copy}*", "copy")]  # * marks the article asked about
    assert copy_row[2:4] == ["Lankaran", "Wire"]
    assert 0.5 <= float(copy_row[-2]) <= 1.0
    assert copy_row[-1] == COPY_URL
    assert rows[(f"#{original}", "address")][-1] == ORIGINAL_URL + "?amp=1"


def test_duplicates_of_the_seed_lists_its_copies(config_file: Path) -> None:
    with Storage.open(config_file.parent / "test.db") as storage:
        seed_id, _ = storage.ensure_seed()
        url = "https://regionaldigest.example/azerbaijan-central-asia"
        storage.articles.add(
            Article(url=url, canonical_url=url, source="Regional Digest", text=seed_copy_text())
        )
    result = run("--config", str(config_file), "duplicates", str(seed_id))
    assert result.exit_code == 0, result.output
    assert "1 copy" in result.output and "Regional Digest" in result.output
    assert "www.azernews.az" in result.output  # the seed's original address


def test_an_unknown_id_is_one_line_and_exit_1(config_file: Path) -> None:
    result = run("--config", str(config_file), "duplicates", "999")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no article #999"
