"""What a person sees of a crawl: progress on a terminal, silence in a pipe, one line per
failure from `scrapy crawl`, one log line per source in the daemon's log."""

import os
import pty
import select
import socket
import subprocess
import sys
from pathlib import Path

from tests.crawling import REPO, init_database, run_cycle, scrapy_crawl, write_config
from tests.daemons import newswatch
from tests.outlets.server import OutletServer


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_on_a_terminal(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal (stdout piped); return the exit code and all
    that reached the terminal."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL
    )
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    process.communicate(timeout=120)
    os.close(master)
    return process.returncode, seen.decode("utf-8", "replace")


def test_crawl_shows_progress_on_a_terminal_and_nothing_when_piped(tmp_path: Path) -> None:
    with OutletServer() as server:
        server.web.page_delay = 0.6  # long enough for the per-second progress line
        config = write_config(
            tmp_path / "nw.toml",
            [
                {"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")},
                {"name": "Steppe Wire", "kind": "feed", "url": server.url("/steppe/atom.xml")},
            ],
            concurrent_per_host=1,
        )
        init_database(config)
        command = [sys.executable, "-m", "scheduler", "--config", str(config), "crawl"]
        code, terminal = run_on_a_terminal(command, dict(os.environ))
        assert code == 0, terminal
        assert "sources done" in terminal and "pages fetched" in terminal
        assert "crawling: 2/2 sources done" in terminal
        piped = newswatch(config, "crawl", "--all")
    assert piped.returncode == 0
    assert "sources done" not in piped.stderr + piped.stdout


def test_progress_while_sources_wait_their_turn(tmp_path: Path) -> None:
    # One source at a time, the first slow: progress ticks while the second waits, its
    # crawler made but not started (Scrapy has no stats for it yet).
    with OutletServer() as server:
        server.web.page_delay = 0.6
        config = write_config(
            tmp_path / "nw.toml",
            [
                {"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")},
                {"name": "Steppe Wire", "kind": "feed", "url": server.url("/steppe/atom.xml")},
            ],
            concurrent_per_host=1,
            parallel_sources=1,
        )
        init_database(config)
        run = run_cycle(config, "--all")
    assert run.returncode == 0, run.stderr
    assert "stopped with an error" not in run.stderr and "Unhandled error" not in run.stderr
    finished = [p.finished.source for p in run.progress if p.finished is not None]
    assert finished == ["Caspian Herald", "Steppe Wire"]
    assert [p.sources_done for p in run.progress if p.finished] == [1, 2]
    # Ticks came while the first source's pages arrived, before the second started.
    assert any(p.sources_done == 0 and p.pages > 0 for p in run.progress)
    assert all(run.source(name)["status"] == "ok" for name in finished)


def test_scrapy_crawl_says_a_failure_in_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/rss.xml"
    config = write_config(tmp_path / "one.toml", [{"name": "Gone", "kind": "feed", "url": url}])
    completed = scrapy_crawl(config, "feed", "-a", "source=Gone")
    assert completed.returncode == 0
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, completed.stderr
    assert "source 'Gone'" in lines[0] and "refused" in lines[0]
