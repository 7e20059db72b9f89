"""The jobs the CLI and the daemon run. A crawl cycle always runs in a child process: the
scheduler never imports Scrapy (its reactor cannot restart, and a crash or a leak in one
cycle must not take the daemon down)."""

import json
import logging
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Exit codes of `python -m crawler.cycle` (see crawler/cycle.py).
CYCLE_EXIT_MEANING = {
    1: "crawl cycle crashed (see the log above)",
    2: "configuration unusable",
    3: "unknown source",
    4: "database unusable",
}


@dataclass(frozen=True)
class CycleOutcome:
    returncode: int
    sources: list[dict[str, Any]] = field(default_factory=list)
    next_due: dict[str, str | None] = field(default_factory=dict)
    error: str | None = None

    @property
    def new_articles(self) -> int:
        return sum(source["new_articles"] for source in self.sources)

    @property
    def failed_sources(self) -> list[dict[str, Any]]:
        return [source for source in self.sources if source["status"].startswith("error")]


def crawl_command(
    config_file: Path | None, sources: list[str], run_all: bool, log_level: str
) -> list[str]:
    command = [sys.executable, "-m", "crawler.cycle", "--log-level", log_level]
    if config_file is not None:
        command += ["--config", str(config_file)]
    if run_all:
        command.append("--all")
    for name in sources:
        command += ["--source", name]
    return command


def run_crawl_cycle(
    config_file: Path | None,
    sources: list[str] = (),
    run_all: bool = False,
    log_level: str = "WARNING",
    timeout: float | None = None,
) -> CycleOutcome:
    """Run one crawl cycle as a child process; its logs go to our stderr."""
    command = crawl_command(config_file, list(sources), run_all, log_level)
    try:
        completed = subprocess.run(
            command, stdout=subprocess.PIPE, stderr=None, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return CycleOutcome(returncode=-1, error=f"crawl cycle still running after {timeout} s")
    if completed.returncode != 0:
        meaning = CYCLE_EXIT_MEANING.get(completed.returncode, "crawl cycle failed")
        return CycleOutcome(
            returncode=completed.returncode, error=f"{meaning} (exit code {completed.returncode})"
        )
    lines = completed.stdout.strip().splitlines()
    try:
        summary = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return CycleOutcome(returncode=-1, error="crawl cycle printed no summary")
    return CycleOutcome(0, summary["sources"], summary.get("next_due", {}))
