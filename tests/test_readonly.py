"""Commands that only read work on a database the user may not write (the daemon's, owned by
its service user, as README's systemd set-up makes it) and change nothing in it."""

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Article, Storage

REPO = Path(__file__).resolve().parents[1]
# Root may write any file: run the commands as root without the capabilities that let it.
WITHOUT_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def as_a_reader() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot take away the right to write")
    return WITHOUT_OVERRIDE


@pytest.fixture
def readonly_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "service"
    folder.mkdir()
    (folder / "newswatch.toml").write_text(
        '[storage]\npath = "newswatch.db"\n'
        '[[sources]]\nname = "Caspian Herald"\nkind = "feed"\nurl = "http://herald.test/rss"\n',
        encoding="utf-8",
    )
    with Storage.open(folder / "newswatch.db") as storage:
        storage.ensure_seed()
        storage.sources.sync([("Caspian Herald", "feed", "http://herald.test/rss")])
        storage.articles.add(
            Article(
                url="http://herald.test/a/1",
                canonical_url="http://herald.test/a/1",
                source="Caspian Herald",
                title="Naval drill near Aktau",
                text="The navy held a drill near Aktau on the Caspian coast.",
                relevant=True,
                # Seen before the digest's end: a digest ends at a whole second and takes
                # what was seen before it, and the commands run within a second of this.
                first_seen_at="2024-07-01T00:00:00Z",
            )
        )
        storage.checkpoint()
    for leftover in folder.glob("newswatch.db-*"):
        leftover.unlink()
    (folder / "newswatch.db").chmod(0o444)
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def newswatch_as_reader(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scheduler", "--config", str(folder / "newswatch.toml")]
    return subprocess.run(
        as_a_reader() + command + list(args),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def fingerprint(folder: Path) -> tuple[list[str], str]:
    files = sorted(path.name for path in folder.iterdir())
    return files, hashlib.sha256((folder / "newswatch.db").read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("args", "exit_code", "expected"),
    [
        (["stats"], 0, "articles:   2"),
        (["search", "Aktau"], 0, "Naval drill near Aktau"),
        (["explain", "2"], 0, "Naval drill near Aktau"),
        (["duplicates", "2"], 0, "Caspian Herald"),
        (["sources"], 0, "Caspian Herald"),
        (["digest", "--dry-run", "--since", "2020-01-01", "--format", "text"], 0, "Naval drill"),
        (["status"], 3, "not running"),
    ],
)
def test_reading_commands_work_on_a_database_the_user_may_not_write(
    readonly_folder: Path, args: list[str], exit_code: int, expected: str
) -> None:
    before = fingerprint(readonly_folder)
    result = newswatch_as_reader(readonly_folder, *args)
    assert result.returncode == exit_code, result.stderr
    assert expected in result.stdout
    assert fingerprint(readonly_folder) == before


def test_a_writing_command_on_it_fails_in_one_line_naming_the_file(readonly_folder: Path) -> None:
    result = newswatch_as_reader(readonly_folder, "rescore")
    assert result.returncode == 1
    assert "newswatch.db" in result.stderr and "Traceback" not in result.stderr
