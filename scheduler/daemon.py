"""The newswatch daemon: scheduled crawl cycles, digests and maintenance, for months unattended.

APScheduler 3 (BlockingScheduler) runs three jobs:
- crawl: every tick (the shortest of crawl.interval and the sources' own intervals), a child
  process crawls the sources that are due (their own interval passed, back-off after errors);
- digest: on digest.schedule (cron); the `digests` table is the record, so a period is never
  digested twice, and a digest whose time passed while the daemon was down is made once at
  start;
- maintenance: every 6 hours, a WAL checkpoint and pruning of old `fetches` rows.

The daemon never imports Scrapy. One daemon per database: it holds an exclusive lock on its
PID file while it runs.
"""

import fcntl
import json
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    SchedulerEvent,
)
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from config import Config, ConfigError, load_config_file
from config.cron import weekday_names
from digest import DigestError, is_digested, run_scheduled_digest
from scheduler.jobs import CycleChild, CycleOutcome
from storage import Storage, StorageError
from storage.timeutil import from_iso, to_iso

logger = logging.getLogger("newswatch.daemon")

MAINTENANCE_EVERY = timedelta(hours=6)
SHORTEST_TICK = timedelta(seconds=1)
# Late runs still run: a busy or suspended machine must not silently skip a cycle or a digest
# (APScheduler's default grace is one second).
MISFIRE_GRACE = {"crawl": 3600, "digest": 24 * 3600, "maintenance": 24 * 3600}


class AlreadyRunning(Exception):
    """Another daemon holds this database's PID file lock."""


@dataclass
class PidLock:
    """The PID file, locked for the daemon's lifetime (a stale file from a killed daemon is
    not a lock: the kernel released it with the process)."""

    path: Path
    handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="ascii")  # noqa: SIM115 - held until release
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise AlreadyRunning(
                f"a daemon already runs on this database (pid {read_pid(self.path)})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            self.path.unlink(missing_ok=True)
            self.handle.close()
            self.handle = None


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def running_pid(path: Path) -> int | None:
    """The PID of the daemon holding the lock on `path`, or None when none runs."""
    try:
        handle = open(path, encoding="ascii")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return None  # none ran, or the daemon removed it this instant while stopping
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return read_pid(path)
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


def process_exists(pid: int) -> bool:
    """Whether a process with this PID still runs (a zombie, dead but not yet reaped by
    its parent, does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc (not Linux), or gone this instant: asked again next time
    state = stat.rsplit(")", 1)[-1].split()[:1]
    return state not in (["Z"], ["X"])


def cron_trigger(expression: str) -> CronTrigger:
    """The digest schedule (a crontab line, already validated with the config)."""
    minute, hour, day, month, weekdays = expression.split()
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday_names(weekdays)
    )


def crawl_tick(config: Config) -> timedelta:
    """How often the crawl job looks for due sources: no source waits longer than its
    interval for the next look."""
    intervals = [config.crawl.interval, *(s.interval for s in config.sources if s.interval)]
    return max(min(intervals), SHORTEST_TICK)


def previous_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest time at or before `now` when the cron schedule fired (within 35 days)."""
    moment = trigger.get_next_fire_time(None, now - timedelta(days=35))
    latest = None
    while moment is not None and moment <= now:
        latest = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return latest


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def real_clock() -> datetime:
    return datetime.now(UTC)


class Daemon:
    """The scheduler and its jobs. `clock` tells the jobs what time it is (the real time;
    tests move it to check what the jobs decide at a given time)."""

    def __init__(
        self,
        config: Config,
        child_log_level: str = "ERROR",
        clock: Callable[[], datetime] = real_clock,
    ) -> None:
        self.config = config
        self.clock = clock
        self.child_log_level = child_log_level
        self.child = CycleChild()
        self.scheduler = BlockingScheduler(job_defaults={"coalesce": True, "max_instances": 1})
        self.digest_trigger = cron_trigger(config.digest.schedule)
        self.started_at = clock()
        self.last_cycle: dict[str, Any] | None = None
        self._state_lock = threading.Lock()
        # Each cycle crawls with the file as it is now; while an edit leaves it unusable,
        # with the text it had when it last loaded (None: the child reads the file).
        self.config_text = _text_that_loads(config.file)
        self.config_problem: str | None = None

    def reread_config(self) -> str | None:
        """The configuration text the next cycle crawls with: the file's, when it loads;
        else the last that loaded, and the file's problem is logged (each cycle, until it
        is fixed) and shown by `newswatch status`."""
        path = self.config.file
        if path is None:
            return None  # the built-in defaults: no file to read again
        try:
            config, text = load_config_file(path)
        except ConfigError as error:
            self.config_problem = "; ".join(error.problems)
            fallback = (
                "crawling with its last version that loaded"
                if self.config_text is not None
                else "no version of it has loaded since the daemon started"
            )
            logger.error("configuration does not load: %s (%s)", self.config_problem, fallback)
            return self.config_text
        self.config_problem = None
        self.config_text = text
        for warning in config.warnings:
            logger.warning("configuration: %s", warning)
        return text

    # -- jobs -----------------------------------------------------------------------------

    def crawl_job(self) -> None:
        config_text = self.reread_config()
        started = self.clock()
        outcome = self.child.run(self.config.file, self.child_log_level, config_text)
        self.last_cycle = cycle_summary(outcome, started, self.clock())
        log_cycle(outcome)
        if outcome.error is not None and not self.child.stopping:
            # A failed cycle is an expected event (a config edited badly, a locked database):
            # one line with its cause, no traceback; the next cycle runs as planned.
            logger.error("crawl cycle failed: %s", outcome.error)

    def digest_job(self, scheduled_at: datetime | None = None) -> None:
        now = self.clock().astimezone(self.digest_trigger.timezone)
        scheduled_at = scheduled_at or previous_fire_time(self.digest_trigger, now) or now
        with Storage.open_configured(self.config) as storage:
            try:
                result = run_scheduled_digest(self.config, storage, scheduled_at.astimezone(UTC))
            except DigestError as error:
                raise RuntimeError(f"digest for {to_iso(scheduled_at)}: {error}") from error
        if result is None:
            logger.info("digest for %s: already made", to_iso(scheduled_at))
            return
        logger.info(
            "digest for %s: %d relevant articles, written to %s",
            to_iso(scheduled_at),
            result.digest.relevant_count,
            ", ".join(str(p) for p in result.files) or "-",
        )
        for problem in result.mail_errors:
            logger.warning("digest mail failed (retried at the next digest): %s", problem)

    def maintenance_job(self) -> None:
        with Storage.open(self.config.storage.path) as storage:
            pruned = storage.sources.prune_fetches(self.clock() - self.config.daemon.keep_fetches)
            storage.checkpoint()
        logger.info("maintenance: WAL checkpoint, %d old fetch records pruned", pruned)

    def catch_up_digest(self) -> None:
        """Make the digest whose time passed while the daemon was down, once. A database that
        never had a digest gets none at start: the schedule will make the first."""
        now = self.clock().astimezone(self.digest_trigger.timezone)
        due = previous_fire_time(self.digest_trigger, now)
        if due is None:
            return
        with Storage.open_configured(self.config) as storage:
            covered = storage.digests.covered_until()
            if covered is None or is_digested(storage, due.astimezone(UTC)):
                return
        logger.info("digest due at %s was missed while stopped: making it now", to_iso(due))
        self.digest_job(due)

    # -- running ------------------------------------------------------------------------------

    def add_jobs(self) -> None:
        self.scheduler.add_job(
            self.crawl_job,
            IntervalTrigger(seconds=crawl_tick(self.config).total_seconds()),
            id="crawl",
            name="crawl cycle",
            next_run_time=self.clock(),
            misfire_grace_time=MISFIRE_GRACE["crawl"],
        )
        self.scheduler.add_job(
            self.digest_job,
            self.digest_trigger,
            id="digest",
            name="digest",
            misfire_grace_time=MISFIRE_GRACE["digest"],
        )
        self.scheduler.add_job(
            self.maintenance_job,
            IntervalTrigger(seconds=MAINTENANCE_EVERY.total_seconds()),
            id="maintenance",
            name="maintenance",
            misfire_grace_time=MISFIRE_GRACE["maintenance"],
        )
        self.scheduler.add_listener(
            self.on_event,
            EVENT_SCHEDULER_STARTED | EVENT_JOB_ERROR | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED,
        )

    def on_event(self, event: SchedulerEvent) -> None:
        if event.code == EVENT_JOB_ERROR:
            logger.error("job %s failed: %s", event.job_id, _cause(event.exception))
        elif event.code == EVENT_JOB_MISSED:
            logger.warning("job %s missed its run at %s", event.job_id, event.scheduled_run_time)
        self.write_state()

    def write_state(self) -> None:
        """Tell `newswatch status` how the daemon is doing."""
        if self.child.stopping:
            return  # the state file goes with the daemon
        jobs = {job.id: _iso_or_none(job.next_run_time) for job in self.scheduler.get_jobs()}
        state = {
            "pid": os.getpid(),
            "started_at": to_iso(self.started_at),
            "next_runs": jobs,
            "last_cycle": self.last_cycle,
            # Why the cycles crawl with the configuration file's last version that loaded.
            "config_problem": self.config_problem,
        }
        with self._state_lock:
            try:
                write_json_atomically(self.config.state_path, state)
            except OSError as error:
                logger.warning("cannot write %s: %s", self.config.state_path, error)

    def stop(self, signum: int, _frame: FrameType | None) -> None:
        """SIGTERM/SIGINT: stop the running crawl child and the scheduler. Runs in the main
        thread, inside the scheduler's loop; the scheduler's locks are re-entrant and
        shutdown(wait=False) takes no other, so this cannot deadlock with a job thread."""
        logger.info("received %s: stopping", signal.Signals(signum).name)
        self.child.terminate()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def run(self) -> None:
        lock = PidLock(self.config.pid_path)
        lock.acquire()
        try:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, self.stop)
            logger.info(
                "newswatch daemon started (pid %d, database %s)",
                os.getpid(),
                self.config.storage.path,
            )
            self.catch_up_digest_safely()
            self.add_jobs()
            self.scheduler.start()  # blocks until stop()
            self.child.wait_stopped()
        finally:
            self.config.state_path.unlink(missing_ok=True)
            lock.release()
            logger.info("newswatch daemon stopped")

    def catch_up_digest_safely(self) -> None:
        try:
            self.catch_up_digest()
        except (StorageError, RuntimeError) as error:
            logger.error("catching up the missed digest failed: %s", error)


def _text_that_loads(path: Path | None) -> str | None:
    """The configuration file's text when it loads (the first cycle reports its problems)."""
    if path is None:
        return None
    try:
        return load_config_file(path)[1]
    except ConfigError:
        return None


def cycle_summary(outcome: CycleOutcome, started: datetime, finished: datetime) -> dict[str, Any]:
    return {
        "started_at": to_iso(started),
        "finished_at": to_iso(finished),
        "sources": len(outcome.sources),
        "new_articles": outcome.new_articles,
        "failed": [f"{s.source}: {s.status}" for s in outcome.failed_sources],
        "error": outcome.error,
    }


def log_cycle(outcome: CycleOutcome) -> None:
    """One line per cycle, and one per failing source."""
    if outcome.error is not None:
        return  # reported by the error listener
    if not outcome.sources:
        logger.info("cycle: no source due")
        return
    failed = outcome.failed_sources
    logger.info(
        "cycle: %d sources, %d new articles, %d updated, %d failed",
        len(outcome.sources),
        outcome.new_articles,
        outcome.updated_articles,
        len(failed),
    )
    for source in failed:
        logger.warning("source %s: %s", source.source, source.status.removeprefix("error: "))


def _cause(error: BaseException | None) -> str:
    if error is None:
        return "unknown cause"
    return f"{type(error).__name__}: {error}" if not isinstance(error, RuntimeError) else str(error)


def _iso_or_none(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment is not None else None


def uptime_text(started_at: str, now: datetime) -> str:
    seconds = int((now - from_iso(started_at)).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return (f"{days}d " if days else "") + f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def configure_daemon_logging(
    verbosity: int, log_file: Path | None, handler_factory: Callable[[Path], logging.Handler]
) -> None:
    """INFO by default (a line per cycle), DEBUG with -v; to a rotating file when given."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = handler_factory(log_file) if log_file else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbosity else logging.INFO)
    # APScheduler warns at every tick that finds the previous cycle still running; the
    # coalesced run is the intended behaviour, not news.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbosity > 1 else logging.ERROR)
