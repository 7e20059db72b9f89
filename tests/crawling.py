"""Helpers to run real crawl cycles (child processes, as the CLI runs them) in tests."""

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.contract import Progress

REPO = Path(__file__).resolve().parents[1]


@dataclass
class CycleRun:
    returncode: int
    summary: dict[str, Any] | None
    stderr: str
    progress: list[Progress] = field(default_factory=list)

    def source(self, name: str) -> dict[str, Any]:
        assert self.summary is not None, self.stderr
        return next(s for s in self.summary["sources"] if s["source"] == name)


def run_cycle(config: Path, *args: str, timeout: float = 120, proxy: str | None = None) -> CycleRun:
    """Run one crawl cycle; with `proxy`, every request goes through it (the loopback
    server, so that invented host names resolve)."""
    env = {**os.environ, "http_proxy": proxy} if proxy else None
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cycle",
            "--config",
            str(config),
            "--log-level",
            "INFO",
            *args,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    lines = completed.stdout.strip().splitlines()
    summary = json.loads(lines[-1]) if completed.returncode == 0 and lines else None
    progress = [p for p in map(Progress.from_line, lines) if p is not None]
    return CycleRun(completed.returncode, summary, completed.stderr, progress)


def scrapy_crawl(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl ARGS` from the repository root, with this configuration."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *args],
        cwd=REPO,
        env={**os.environ, "NEWSWATCH_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write_config(path: Path, sources: list[dict[str, Any]], **crawl: Any) -> Path:
    """A config for a loopback crawl: no delays, short timeouts, small size limit."""
    settings = {
        "download_delay": 0,
        "timeout": 2,  # short, yet long enough for a loaded 2-core CI machine
        "retry_times": 1,
        "concurrent_per_host": 8,
        "max_page_bytes": 1_000_000,
        # No page worker unless a test asks: a worker's start-up would double a small
        # crawl's CPU (tests/test_crawl_workers.py runs both ways).
        "workers": 0,
        **crawl,
    }
    lines = ["[storage]", 'path = "crawl.db"', "", "[crawl]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    for source in sources:
        lines += ["", "[[sources]]"]
        lines += [f"{key} = {json.dumps(value)}" for key, value in source.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def init_database(config: Path) -> Path:
    """Create the configured database, seed stored and sources registered, as `newswatch
    init` does (the other commands refuse to create one)."""
    from config import load_config
    from storage import Storage

    loaded = load_config(config)
    Storage.open_configured(loaded).close()
    return loaded.storage.path


def read_rows(db_path: Path, sql: str, *params: Any) -> list[sqlite3.Row]:
    """Rows of a query on a crawl's database, by column name."""
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()
