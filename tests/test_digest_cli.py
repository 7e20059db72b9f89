"""Digest periods (since the last one, empty ones, dry runs) and the `newswatch digest` command."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from digest_fixtures import CONFIG_TOML, NOW, add_later, fill, make_config

from digest import DigestError, is_digested, run_digest, run_scheduled_digest
from scheduler.cli import cli
from storage import Storage
from storage.timeutil import to_iso
from tests.crawling import init_database


@pytest.fixture
def filled(tmp_path: Path):
    config = make_config(tmp_path)
    with Storage.open(config.storage.path) as storage:
        ids = fill(storage, config)
        yield config, storage, ids


def test_two_digests_in_a_row_the_second_has_only_what_came_between(filled):
    config, storage, ids = filled
    first = run_digest(config, storage, NOW, formats=["json"])
    assert first.digest.since == NOW - timedelta(hours=24)  # the first looks back a day
    assert ids["top"] in [e.id for e in first.digest.entries]

    later_id = add_later(storage, NOW + timedelta(hours=3))
    second = run_digest(config, storage, NOW + timedelta(hours=6), formats=["json"])
    assert second.digest.since == NOW
    assert [e.id for e in second.digest.entries] == [later_id]
    data = json.loads(second.files[0].read_text(encoding="utf-8"))
    assert [a["id"] for a in data["articles"]] == [later_id]
    assert data["period"] == {"since": to_iso(NOW), "until": to_iso(NOW + timedelta(hours=6))}

    third = run_digest(config, storage, NOW + timedelta(hours=7), formats=["text"])
    assert third.digest.is_empty
    assert "Nothing new since 2024-07-15 13:00 UTC." in third.files[0].read_text("utf-8")
    rows = list(storage.db.query("SELECT since, until, article_count FROM digests ORDER BY id"))
    assert [r["article_count"] for r in rows] == [6, 1, 0]
    assert [r["since"] for r in rows[1:]] == [r["until"] for r in rows[:-1]]  # no gap, no overlap


def test_dry_run_records_nothing_and_writes_to_stdout_by_default(filled, tmp_path):
    config, storage, _ids = filled
    printed = []

    class Out:
        def write(self, text: str) -> int:
            printed.append(text)
            return len(text)

    result = run_digest(config, storage, NOW, dry_run=True, stdout=Out())
    assert result.digest_id is None and result.files == []
    assert "Birlik-2024" in "".join(printed)
    assert storage.digests.last() is None
    assert not (tmp_path / "digests").exists()


def test_files_get_dated_names_and_the_atom_file_is_rewritten(filled, tmp_path):
    config, storage, _ids = filled
    first = run_digest(config, storage, NOW, formats=["html", "markdown", "atom"])
    names = sorted(p.name for p in first.files)
    assert names == [
        "digest-2024-07-15T070000Z.html",
        "digest-2024-07-15T070000Z.md",
        "digest.atom",
    ]
    second = run_digest(config, storage, NOW + timedelta(days=1), formats=["html", "atom"])
    out = tmp_path / "digests"
    assert sorted(p.name for p in out.iterdir()) == [
        "digest-2024-07-15T070000Z.html",
        "digest-2024-07-15T070000Z.md",
        "digest-2024-07-16T070000Z.html",
        "digest.atom",
    ]
    assert second.files[1].read_text("utf-8") == second.rendered["atom"]
    assert all(path.stat().st_mode & 0o644 == 0o644 for path in out.iterdir())


def test_period_already_digested_is_refused(filled):
    config, storage, _ids = filled
    run_digest(config, storage, NOW, formats=["json"])
    assert is_digested(storage, NOW) and not is_digested(storage, NOW + timedelta(seconds=1))
    with pytest.raises(DigestError, match="already digested up to 2024-07-15T07:00:00Z"):
        run_digest(config, storage, NOW, formats=["json"])


def test_a_file_output_takes_one_format(filled, tmp_path):
    config, storage, _ids = filled
    with pytest.raises(DigestError, match="a file takes one format"):
        run_digest(config, storage, NOW, formats=["text", "json"], output=tmp_path / "d.txt")
    assert storage.digests.last() is None


# -- the command ---------------------------------------------------------------------------


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "newswatch.toml"
    path.write_text(CONFIG_TOML.format(db="news.db", out="digests", email=""), encoding="utf-8")
    config = make_config(tmp_path)
    with Storage.open(config.storage.path) as storage:
        fill(storage, config)
    return path


def invoke(config_file: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config_file), "digest", *args])


PERIOD = ["--since", "2024-07-14T07:00Z", "--until", "2024-07-15T07:00:00+00:00"]


def test_cli_prints_json_to_stdout(config_file):
    result = invoke(config_file, *PERIOD, "--format", "json", "--output", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"]["relevant"] == 6
    assert "digest #1: 6 new relevant" in result.stderr


def test_cli_writes_the_configured_formats_and_a_report_does_not_move_the_mark(
    config_file, tmp_path
):
    result = invoke(config_file, *PERIOD)
    assert result.exit_code == 0, result.output
    out = tmp_path / "digests"
    assert sorted(p.name for p in out.iterdir()) == [
        "digest-2024-07-15T070000Z.html",
        "digest-2024-07-15T070000Z.md",
    ]
    assert f"wrote {out / 'digest-2024-07-15T070000Z.html'}" in result.stderr
    again = invoke(
        config_file,
        "--since-last",
        "--until",
        "2024-07-16",
        "--record",
        "--format",
        "json",
        "-o",
        "-",
    )
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    # The first digest was a report for a chosen period: "since the last digest" does not
    # start at its end but, as for a first digest, 24 hours before its own end.
    assert data["period"]["since"] == "2024-07-15T00:00:00Z"
    followed = invoke(config_file, "--until", "2024-07-16T06:00", "--format", "json", "-o", "-")
    assert json.loads(followed.stdout)["period"]["since"] == "2024-07-16T00:00:00Z"


def test_a_digest_printed_to_look_at_leaves_the_daemons_period_alone(config_file):
    looked = invoke(config_file, "--until", "2024-07-15T07:00Z", "--format", "text", "-o", "-")
    assert looked.exit_code == 0, looked.output
    assert "digest #1" in looked.stderr  # recorded, as a report
    with Storage.open(config_file.parent / "news.db") as storage:
        assert storage.digests.covered_until() is None
        scheduled = run_scheduled_digest(
            make_config(config_file.parent), storage, NOW, now=NOW, env={}
        )
    assert scheduled is not None
    # The scheduled digest covers the same period: the printed one did not use it up.
    assert scheduled.digest.since == looked_since(looked.stdout)
    assert scheduled.digest.relevant_count == 6


def looked_since(text: str) -> datetime:
    moment = re.search(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC →", text)
    assert moment is not None, text
    return datetime.strptime(moment.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def test_a_digest_until_the_future_is_refused(config_file):
    result = invoke(config_file, "--since", "2024-07-01", "--until", "2099-01-01")
    assert result.exit_code != 0
    assert "in the future" in result.output


def test_cli_all_marks_articles_below_threshold(config_file):
    result = invoke(config_file, *PERIOD, "--all", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "[below threshold]" in result.stdout
    assert "dry run: 6 new relevant" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--since-last", "--since", "2024-07-01"], 2, "exclude each other"),
        (["--since", "yesterday"], 2, "is not an ISO date"),
        (["--format", "pdf"], 2, "'pdf' is not one of"),
        ([*PERIOD, "--format", "text", "--format", "json", "-o", "x.txt"], 1, "one format"),
        ([*PERIOD, "--mail"], 1, "has no [digest.email] section"),
        (["--since", "2024-07-16", "--until", "2024-07-15"], 1, "is not before"),
    ],
)
def test_cli_errors_are_one_clear_line(config_file, args, code, message):
    result = invoke(config_file, *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_cli_mail_failure_exits_non_zero_naming_the_host(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    email = f'[digest.email]\nhost = "127.0.0.1"\nport = {port}\nrecipients = ["a@example.org"]'
    path = tmp_path / "newswatch.toml"
    path.write_text(CONFIG_TOML.format(db="news.db", out="digests", email=email), "utf-8")
    init_database(path)
    result = invoke(path, *PERIOD, "--mail")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: mail to 127.0.0.1:{port} failed:")
    assert "retried at the next --mail run" in last
    assert "digest #1" in result.stderr  # recorded all the same


def test_digest_help_ends_with_an_example():
    result = CliRunner().invoke(cli, ["digest", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "newswatch digest" in result.output
