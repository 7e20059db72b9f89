"""`newswatch run | start | stop | status`: the daemon in the foreground or detached."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

import click

from scheduler.context import AppContext, echo
from scheduler.daemon import (
    AlreadyRunning,
    Daemon,
    configure_daemon_logging,
    process_exists,
    running_pid,
    uptime_text,
)
from scheduler.output import counted
from storage import Storage

LOG_BYTES = 5_000_000
LOG_BACKUPS = 5
START_WAIT_SECONDS = 20.0
NOT_RUNNING_EXIT = 3  # as LSB init scripts and systemctl say "not running"


def rotating_handler(path: Path) -> RotatingFileHandler:
    path.parent.mkdir(parents=True, exist_ok=True)
    return RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")


def _verbosity(ctx: click.Context) -> int:
    return ctx.find_root().params.get("verbose", 0)


@click.command()
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Log to this rotating file instead of stderr.",
)
@click.pass_context
def run(ctx: click.Context, log_file: Path | None) -> None:
    """Run the daemon in the foreground: crawl cycles, digests and maintenance on schedule,
    until SIGTERM or Ctrl-C. This is what a systemd service runs.

    Example:

        newswatch run
    """
    app: AppContext = ctx.obj
    config = app.config
    app.existing_database()
    verbosity = _verbosity(ctx)
    child_level = {0: "ERROR", 1: "INFO"}.get(verbosity, "DEBUG")
    try:
        configure_daemon_logging(verbosity, log_file, rotating_handler)
        Daemon(config, child_log_level=child_level).run()
    except AlreadyRunning as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:  # the PID file or the log cannot be written
        raise click.ClickException(f"cannot run the daemon: {error}") from error


@click.command()
@click.pass_context
def start(ctx: click.Context) -> None:
    """Start the daemon in the background. Its PID file and rotating log are next to the
    database unless [daemon] says otherwise; a second daemon on one database is refused.

    Example:

        newswatch start && newswatch status
    """
    app: AppContext = ctx.obj
    config = app.config
    pid = running_pid(config.pid_path)
    if pid is not None:
        raise click.ClickException(f"already running (pid {pid})")
    with app.storage():
        pass  # a database that cannot be opened stops `start` here, not in every cycle
    command = [sys.executable, "-m", "scheduler"]
    if config.file is not None:
        command += ["--config", str(config.file.resolve())]
    command += ["-v"] * _verbosity(ctx) + ["run", "--log-file", str(config.log_path)]
    # What the daemon prints before its logging is set up (or a crash past it) goes to a
    # file of its own: the log file rotates, and stderr would follow the rotated file.
    stderr_path = config.log_path.with_suffix(".stderr")
    try:
        config.log_path.parent.mkdir(parents=True, exist_ok=True)
        early_errors = open(stderr_path, "a", encoding="utf-8")  # noqa: SIM115
    except OSError as error:
        raise click.ClickException(f"cannot write the daemon's files: {error}") from error
    with early_errors:
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=early_errors,
            start_new_session=True,
            close_fds=True,
        )
    deadline = time.monotonic() + START_WAIT_SECONDS
    while time.monotonic() < deadline:
        if running_pid(config.pid_path) == child.pid:
            echo(f"started (pid {child.pid}); log: {config.log_path}")
            return
        if child.poll() is not None:
            raise click.ClickException(
                f"the daemon exited at start (exit code {child.returncode}); "
                f"see {stderr_path} and {config.log_path}"
            )
        time.sleep(0.1)
    raise click.ClickException(f"the daemon did not report running in time; see {config.log_path}")


@click.command()
@click.option(
    "--timeout", default=60.0, show_default=True, help="Seconds to wait for a clean stop."
)
@click.pass_obj
def stop(app: AppContext, timeout: float) -> None:
    """Stop the daemon: SIGTERM, then wait while it ends the running crawl cleanly. Returns
    once the process is gone (not only its PID file's lock, which is released a moment
    before the interpreter exits).

    Example:

        newswatch stop
    """
    config, warning = app.daemon_config()
    if warning:
        echo(warning, err=True)
    pid = running_pid(config.pid_path)
    if pid is None:
        echo("not running")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running_pid(config.pid_path) is None and not process_exists(pid):
            echo(f"stopped (pid {pid})")
            return
        time.sleep(0.05)
    raise click.ClickException(f"pid {pid} did not stop within {timeout:g} s")


@click.command()
@click.pass_obj
def status(app: AppContext) -> None:
    """Say whether the daemon runs: its PID and uptime, the next run of each job, the last
    cycle's summary and the sources in error. Exit code 3 when it does not run.

    Example:

        newswatch status
    """
    config, warning = app.daemon_config()
    if warning:
        echo(warning, err=True)
    else:
        app.existing_database()  # run in the wrong folder: say which database was looked for
    pid = running_pid(config.pid_path)
    state = _read_state(config.state_path) if pid is not None else {}
    if pid is None:
        echo("newswatch daemon: not running")
    else:
        uptime = uptime_text(state["started_at"], datetime.now(UTC)) if state else "?"
        echo(f"newswatch daemon: running (pid {pid}, up {uptime})")
        for job, at in state.get("next_runs", {}).items():
            echo(f"  next {job}: {at or 'paused'}")
        cycle = state.get("last_cycle")
        if cycle:
            echo(
                f"  last cycle: {cycle['finished_at']}: {counted(cycle['sources'], 'source')}, "
                f"{counted(cycle['new_articles'], 'new article')}, {len(cycle['failed'])} failed"
                + (f" ({cycle['error']})" if cycle.get("error") else "")
            )
        else:
            echo("  last cycle: none yet")
        if state.get("config_problem"):
            echo(
                "  configuration: the daemon runs on the last configuration that loaded, "
                f"as the file has an error: {state['config_problem']}"
            )
        elif warning:
            # Broken since the daemon's last cycle: it has not read the file since.
            echo(
                "  configuration: the file has an error (above); the daemon keeps the "
                "configuration it last loaded, and its next crawl cycle reads the file again"
            )
    if warning is None:
        with app.reader() as storage:
            _echo_failing_sources(storage)
    if pid is None:
        sys.exit(NOT_RUNNING_EXIT)


def _echo_failing_sources(storage: Storage) -> None:
    failing = [row for row in storage.sources.all() if row["consecutive_errors"]]
    if not failing:
        return
    echo("sources in error:")
    for row in failing:
        echo(
            f"  {row['name']}: {row['last_error']} "
            f"({row['consecutive_errors']} in a row; next try {row['next_fetch_at']})"
        )


def _read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
