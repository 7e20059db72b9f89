"""Editing newswatch.toml in place: comments and layout kept, every edit checked."""

import subprocess
import sys
from pathlib import Path

import pytest

from config import load_config
from config.edit import (
    ConfigEditError,
    SourceEntry,
    add_sources,
    remove_source,
    rename_source,
    set_paused,
)
from tests.crawling import REPO

HAND_WRITTEN = """\
# My newswatch.
[storage]
path = "mine.db"  # beside this file

[crawl]
interval = "2h"

# Azerbaijani outlets
[[sources]]
name = "Shirvan Post"
kind = "feed"
url = "http://shirvanpost.test/rss.xml"
# checked by hand in November
interval = "30m"

# Kazakh outlets, both in Russian
# (the second one is slow)
[[sources]]
name = "Steppe Wire"
kind = "feed"
url = "http://steppewire.test/atom.xml"

[[sources]]
name = "Aktau Daily"
kind = "sitemap"
url = "http://aktaudaily.test/robots.txt"

# The profile comes last.
[profile]
threshold = 0.4
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "newswatch.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    return path


def names(path: Path) -> list[str]:
    return [source.name for source in load_config(path).sources]


def test_removing_a_source_takes_its_own_comments_and_leaves_the_next_ones(
    config_path: Path,
) -> None:
    remove_source(config_path, "Shirvan Post")
    text = config_path.read_text(encoding="utf-8")
    assert names(config_path) == ["Steppe Wire", "Aktau Daily"]
    assert "# Azerbaijani outlets" not in text and "checked by hand" not in text
    # The next source's comment block stays directly above its header.
    assert "# Kazakh outlets, both in Russian\n# (the second one is slow)\n[[sources]]\n" in text
    assert text.startswith('# My newswatch.\n[storage]\npath = "mine.db"  # beside this file\n')
    assert "# The profile comes last.\n[profile]\n" in text


def test_removing_the_last_source_keeps_the_comment_of_the_section_after_it(
    config_path: Path,
) -> None:
    remove_source(config_path, "Aktau Daily")
    text = config_path.read_text(encoding="utf-8")
    assert names(config_path) == ["Shirvan Post", "Steppe Wire"]
    assert 'url = "http://steppewire.test/atom.xml"\n\n# The profile comes last.\n[profile]' in text


def test_only_the_asked_lines_change(config_path: Path) -> None:
    set_paused(config_path, "Steppe Wire", True)
    rename_source(config_path, "Shirvan Post", "Shirvan Post (EN)")
    text = config_path.read_text(encoding="utf-8")
    expected = HAND_WRITTEN.replace('name = "Shirvan Post"', 'name = "Shirvan Post (EN)"')
    expected = expected.replace(
        'url = "http://steppewire.test/atom.xml"\n',
        'url = "http://steppewire.test/atom.xml"\npaused = true\n',
    )
    assert text == expected
    set_paused(config_path, "Steppe Wire", False)
    assert "paused" not in config_path.read_text(encoding="utf-8")
    assert load_config(config_path).source("Steppe Wire").paused is False


def test_added_sources_go_after_the_others_with_a_blank_line(config_path: Path) -> None:
    add_sources(
        config_path,
        [
            SourceEntry("Ganja Courier", "feed", "http://ganjacourier.test/rss.xml", "6h"),
            SourceEntry("Valley Times", "site", "http://valley.test/", follow=(r"/story/",)),
        ],
    )
    text = config_path.read_text(encoding="utf-8")
    config = load_config(config_path)
    assert names(config_path)[-2:] == ["Ganja Courier", "Valley Times"]
    assert config.source("Ganja Courier").interval.total_seconds() == 6 * 3600
    assert (
        'url = "http://aktaudaily.test/robots.txt"\n\n[[sources]]\nname = "Ganja Courier"' in text
    )
    assert text.endswith("[profile]\nthreshold = 0.4\n")
    assert text.startswith(HAND_WRITTEN.split("[[sources]]")[0])


def test_an_edit_that_would_not_load_leaves_the_file_as_it_was(config_path: Path) -> None:
    with pytest.raises(ConfigEditError, match="interval: expected a duration"):
        add_sources(config_path, [SourceEntry("Bad", "feed", "http://bad.test/", "soon")])
    with pytest.raises(ConfigEditError, match="already configured"):
        add_sources(config_path, [SourceEntry("Steppe Wire", "feed", "http://x.test/")])
    with pytest.raises(ConfigEditError, match="no source named 'Nope'"):
        remove_source(config_path, "Nope")
    with pytest.raises(ConfigEditError, match="already configured"):
        rename_source(config_path, "Steppe Wire", "Aktau Daily")
    assert config_path.read_text(encoding="utf-8") == HAND_WRITTEN


def test_a_config_without_sources_gets_its_first(tmp_path: Path) -> None:
    path = tmp_path / "nw.toml"
    path.write_text('[storage]\npath = "x.db"\n', encoding="utf-8")
    add_sources(path, [SourceEntry("One", "feed", "http://one.test/rss", tags=("Caspian",))])
    assert load_config(path).source("One").tags == ("Caspian",)
    remove_source(path, "One")
    assert load_config(path).sources == ()
    assert path.read_text(encoding="utf-8").startswith('[storage]\npath = "x.db"\n')


def test_a_symlinked_config_is_edited_where_it_lives(config_path: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.toml"
    link.symlink_to(config_path)
    set_paused(link, "Aktau Daily", True)
    assert link.is_symlink()
    assert load_config(config_path).source("Aktau Daily").paused


ADD_ONE = """
import sys
from pathlib import Path
from config.edit import SourceEntry, add_sources
number = int(sys.argv[2])
add_sources(Path(sys.argv[1]), [SourceEntry(f"Outlet {number}", "feed",
            f"http://outlet{number}.test/rss")])
"""


def test_edits_by_processes_at_the_same_time_all_land(config_path: Path) -> None:
    processes = [
        subprocess.Popen([sys.executable, "-c", ADD_ONE, str(config_path), str(n)], cwd=REPO)
        for n in range(6)
    ]
    assert [process.wait(timeout=60) for process in processes] == [0] * 6
    assert sorted(names(config_path)[3:]) == [f"Outlet {n}" for n in range(6)]
