"""The jobs the CLI and the daemon run. A crawl cycle always runs in a child process: the
scheduler never imports Scrapy (its reactor cannot restart, and a crash or a leak in one
cycle must not take the daemon down)."""

import io
import logging
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from crawler.contract import EXIT_MEANING, CycleExit, CycleSummary, Progress, SourceResult

logger = logging.getLogger(__name__)

# The child's last stderr lines a failed cycle's error quotes.
RECENT_LINES = 4


@dataclass(frozen=True)
class CycleOutcome:
    returncode: int
    sources: list[SourceResult] = field(default_factory=list)
    next_due: dict[str, str | None] = field(default_factory=dict)
    error: str | None = None

    @property
    def new_articles(self) -> int:
        return sum(source.new_articles for source in self.sources)

    @property
    def updated_articles(self) -> int:
        return sum(source.updated_articles for source in self.sources)

    @property
    def failed_sources(self) -> list[SourceResult]:
        return [source for source in self.sources if source.failed]


def crawl_command(
    config_file: Path | None,
    sources: list[str],
    run_all: bool,
    log_level: str,
    config_on_stdin: bool = False,
) -> list[str]:
    command = [sys.executable, "-m", "crawler.cycle", "--log-level", log_level]
    if config_file is not None:
        command += ["--config", str(config_file)]
        if config_on_stdin:
            command.append("--config-on-stdin")
    if run_all:
        command.append("--all")
    for name in sources:
        command += ["--source", name]
    return command


def outcome_of(returncode: int, stdout: str) -> CycleOutcome:
    """Read a finished cycle's exit code and the JSON summary on its last stdout line."""
    if returncode != CycleExit.OK:
        meaning = EXIT_MEANING.get(returncode, f"crawl cycle failed (exit {returncode})")
        if returncode < 0:
            meaning = f"crawl cycle stopped by signal {-returncode}"
        return CycleOutcome(returncode=returncode, error=meaning)
    lines = stdout.strip().splitlines()
    try:
        summary = CycleSummary.from_json(lines[-1])
    except (IndexError, ValueError):
        return CycleOutcome(returncode=-1, error="crawl cycle printed no summary")
    return CycleOutcome(CycleExit.OK, summary.sources, summary.next_due)


def run_crawl_cycle(
    config_file: Path | None,
    sources: Sequence[str] = (),
    run_all: bool = False,
    log_level: str = "WARNING",
    on_progress: Callable[[Progress], None] | None = None,
) -> CycleOutcome:
    """Run one crawl cycle as a child process; its logs go to our stderr, its progress to
    `on_progress`."""
    command = crawl_command(config_file, list(sources), run_all, log_level)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    last_line = follow_progress(process, on_progress)
    return outcome_of(process.wait(), last_line)


def follow_progress(
    process: subprocess.Popen[str], on_progress: Callable[[Progress], None] | None
) -> str:
    """Read a cycle child's stdout to its end, passing on its progress lines; return the
    last line (the summary, when the cycle ran)."""
    assert process.stdout is not None
    last = ""
    for line in process.stdout:
        progress = Progress.from_line(line)
        if progress is None:
            last = line if line.strip() else last
        elif on_progress is not None:
            on_progress(progress)
    return last


class CycleChild:
    """The daemon's crawl child: one at a time, stoppable from a signal handler."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self.stopping = False

    def run(
        self, config_file: Path | None, log_level: str, config_text: str | None = None
    ) -> CycleOutcome:
        """Run a cycle with the configuration file, or with `config_text`, the text it had
        when it last loaded (the file's folder still anchors its relative paths)."""
        given = config_file is not None and config_text is not None
        command = crawl_command(config_file, [], False, log_level, config_on_stdin=given)
        with self._lock:
            if self.stopping:
                return CycleOutcome(returncode=-1, error="not started: shutting down")
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE if given else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            self._process = process
        # The child's log lines, as they come (a thread: stdout is read here meanwhile).
        recent: deque[str] = deque(maxlen=RECENT_LINES)
        logs = threading.Thread(target=_log_lines, args=(process, recent), daemon=True)
        logs.start()
        if given:
            _send_config(process, config_text or "")
        last_line = follow_progress(process, _log_finished_source)
        returncode = process.wait()
        logs.join(timeout=5)
        with self._lock:
            self._process = None
        outcome = outcome_of(returncode, last_line)
        if outcome.error is not None and recent:
            # What the child said last names the cause ("…/newswatch.toml: not valid TOML …
            # line 119"): the failure's one log line carries it.
            # A heading line ("configuration is not usable:") only repeats the exit's meaning.
            lines = (line.strip() for line in recent)
            said = "; ".join(line for line in lines if line and not line.endswith(":"))
            outcome = replace(outcome, error=f"{outcome.error}: {said}")
        return outcome

    def terminate(self, grace_seconds: float = 30.0) -> None:
        """Ask a running cycle to stop: Scrapy closes its spiders, the pipelines write what
        they hold in one transaction each, and the child exits; killed if it takes longer
        than `grace_seconds` (a killed child loses only its unwritten batch: every write is
        one transaction)."""
        with self._lock:
            self.stopping = True
            process = self._process
            if process is None or process.poll() is not None:
                return
            process.terminate()
        timer = threading.Timer(grace_seconds, _kill_if_running, [process])
        timer.daemon = True
        timer.start()

    def wait_stopped(self, timeout: float = 60.0) -> None:
        """Wait until no crawl child runs (after terminate())."""
        deadline = time.monotonic() + timeout
        while self._process is not None and time.monotonic() < deadline:
            time.sleep(0.05)


def _send_config(process: subprocess.Popen[str], text: str) -> None:
    """Write the configuration to the child, which reads it all before it prints a line.
    UTF-8 bytes, as in the file, whatever the locale's encoding."""
    assert isinstance(process.stdin, io.TextIOWrapper)  # text=True
    try:
        process.stdin.buffer.write(text.encode("utf-8"))
        process.stdin.close()
    except OSError:  # BrokenPipeError: the child ended first; its exit code tells why
        pass


def _log_lines(process: subprocess.Popen[str], recent: deque[str]) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        if line.strip():
            logger.info("crawl: %s", line.rstrip())
            recent.append(line)


def _log_finished_source(progress: Progress) -> None:
    """The daemon's log: one line per source as its crawl ends."""
    source = progress.finished
    if source is None:
        return
    logger.info(
        "source %s: %s, %d seen, %d new, %d updated (%d/%d sources done)",
        source.source,
        source.status,
        source.items_seen,
        source.new_articles,
        source.updated_articles,
        progress.sources_done,
        progress.sources_total,
    )


def _kill_if_running(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        logger.warning("crawl child %d did not stop in time: killed", process.pid)
        process.kill()
