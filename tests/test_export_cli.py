"""`newswatch export`, `newswatch show ID` and --json on search and stats, on a real
database file."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scheduler.cli import cli
from storage import Article, Storage, content_hash

ORIGINAL_TEXT = (
    "Naval units from two Caspian states rehearsed mine clearance off Aktau.\n"
    "Crews practised with towed sonar and divers."
)
EDITED_TEXT = (
    "Naval units from three Caspian states rehearsed mine clearance off Aktau.\n"
    "Crews practised with towed sonar and divers."
)


@pytest.fixture
def database(config_file: Path) -> dict[str, int]:
    """Four articles: an edited original with a copy and an alias, an unrelated one."""
    with Storage.open(config_file.parent / "test.db") as storage:
        storage.ensure_seed()
        original = storage.articles.add(
            Article(
                url="http://herald.test/drill",
                canonical_url="http://herald.test/drill",
                source="Caspian Herald",
                title="Mine clearance drill off Aktau",
                text=ORIGINAL_TEXT,
                lang="en",
                relevance=0.8,
                relevant=True,
                matched=("place:Aktau", "defense:exercise"),
                first_seen_at="2026-11-20T08:00:00Z",
                aliases=("http://amp.herald.test/drill/amp",),
            )
        )
        assert original is not None
        copy = storage.articles.add(
            Article(
                url="http://wire.test/drill-copy",
                canonical_url="http://wire.test/drill-copy",
                source="Lankaran Wire",
                title="Mine clearance drill off Aktau (Wire)",
                text="Copied: " + ORIGINAL_TEXT,
                lang="en",
                relevance=0.7,
                relevant=True,
                duplicate_of=original,
                first_seen_at="2026-11-21T08:00:00Z",
            )
        )
        other = storage.articles.add(
            Article(
                url="http://herald.test/wrestling",
                canonical_url="http://herald.test/wrestling",
                source="Caspian Herald",
                title="Baku hosts junior wrestling",
                text='A wrestling championship, with a comma, and "quotes".\nSecond line.',
                lang="en",
                relevance=0.1,
                relevant=False,
                first_seen_at="2026-11-25T08:00:00Z",
            )
        )
        storage.articles.update_content(
            original, "Mine clearance drill off Aktau, updated", EDITED_TEXT,
            content_hash(EDITED_TEXT),
        )  # fmt: skip
    return {"original": original, "copy": copy, "other": other}


def newswatch(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_export_jsonl_carries_the_links(config_file: Path, database: dict[str, int]) -> None:
    result = newswatch(config_file, "export", "--format", "jsonl", "--source", "Caspian Herald")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["id"] for row in rows] == [database["original"], database["other"]]
    original = rows[0]
    assert original["title"] == "Mine clearance drill off Aktau, updated"
    assert original["text"] == EDITED_TEXT
    assert original["copies"] == [database["copy"]]
    assert original["addresses"] == ["http://amp.herald.test/drill/amp"]
    assert original["versions"] == 1
    assert original["matched"] == ["place:Aktau", "defense:exercise"]
    assert original["relevant"] is True and isinstance(original["story"], int)
    assert rows[1]["story"] != original["story"]  # the wrestling is another story
    copy = json.loads(newswatch(config_file, "export", "--format", "json").output)[2]
    assert copy["duplicate_of"] == database["original"]
    assert copy["story"] == original["story"]  # a copy is in its original's story
    assert copy["original_url"] == "http://herald.test/drill"


def test_export_filters_by_period_and_relevance(
    config_file: Path, database: dict[str, int]
) -> None:
    result = newswatch(
        config_file, "export", "--format", "json", "--relevant",
        "--since", "2026-11-20", "--until", "2026-11-21T08:00:00Z",
    )  # fmt: skip
    assert [row["id"] for row in json.loads(result.output)] == [database["original"]]
    nothing = newswatch(config_file, "export", "--format", "json", "--since", "2030-01-01")
    assert json.loads(nothing.output) == []
    bad = newswatch(config_file, "export", "--since", "last week")
    assert bad.exit_code == 2 and "is not an ISO date" in bad.output


def test_export_csv_to_a_file_reads_back(
    config_file: Path, database: dict[str, int], tmp_path: Path
) -> None:
    target = tmp_path / "articles.csv"
    result = newswatch(config_file, "export", "--output", str(target))
    assert result.exit_code == 0 and "exported 4 articles" in result.output
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 and rows[0]["is_seed"] == "1"
    by_id = {int(row["id"]): row for row in rows}
    other = by_id[database["other"]]
    assert other["text"] == 'A wrestling championship, with a comma, and "quotes".\nSecond line.'
    assert other["relevant"] == "0" and other["copies"] == "" and other["story"].isdigit()
    original = by_id[database["original"]]
    assert original["copies"] == str(database["copy"])
    assert original["matched"] == "place:Aktau; defense:exercise"
    no_text = newswatch(config_file, "export", "--no-text")
    header = next(csv.reader(io.StringIO(no_text.output)))
    assert "text" not in header and header[0] == "id" and "story" in header


def test_show_prints_the_text_versions_and_copies(
    config_file: Path, database: dict[str, int]
) -> None:
    result = newswatch(config_file, "show", str(database["original"]))
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"#{database['original']}  Mine clearance drill off Aktau, updated\n")
    assert "relevance:  0.80 (relevant)" in out
    assert f"copied by:  #{database['copy']} Lankaran Wire: http://wire.test/drill-copy" in out
    assert "address:    http://amp.herald.test/drill/amp (Caspian Herald)" in out
    assert EDITED_TEXT in out
    assert "earlier versions: 1" in out
    assert "version 1, as of 2026-11-20T08:00:00Z: Mine clearance drill off Aktau" in out
    assert "-Naval units from two Caspian states" in out
    assert "+Naval units from three Caspian states" in out
    copy = newswatch(config_file, "show", str(database["copy"])).output
    assert f"copy of:    #{database['original']} Caspian Herald" in copy
    missing = newswatch(config_file, "show", "999")
    assert missing.exit_code == 1 and "no article #999" in missing.output


def test_show_json(config_file: Path, database: dict[str, int]) -> None:
    shown = json.loads(newswatch(config_file, "show", str(database["original"]), "--json").output)
    assert shown["text"] == EDITED_TEXT
    assert [v["text"] for v in shown["versions"]] == [ORIGINAL_TEXT]
    assert [(e["role"], e["url"]) for e in shown["group"]] == [
        ("original", "http://herald.test/drill"),
        ("copy", "http://wire.test/drill-copy"),
        ("address", "http://amp.herald.test/drill/amp"),
    ]


def test_search_and_stats_print_json(config_file: Path, database: dict[str, int]) -> None:
    hits = json.loads(newswatch(config_file, "search", "Aktau", "--json").output)
    assert {hit["id"] for hit in hits} >= {database["original"], database["copy"]}
    assert all({"title", "source", "url", "snippet", "rank"} <= set(hit) for hit in hits)
    assert json.loads(newswatch(config_file, "search", "nothingmatches", "--json").output) == []
    stats = json.loads(newswatch(config_file, "stats", "--json").output)
    assert (stats["articles"], stats["relevant"], stats["duplicates"]) == (4, 3, 1)
    assert stats["seed"]["id"] == 1
    herald = next(row for row in stats["per_source"] if row["source"] == "Caspian Herald")
    assert herald["articles"] == 2
