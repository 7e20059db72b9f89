"""The real daemon, started and stopped as a user would, against the loopback outlets."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger

from config import load_config, parse_config_text
from scheduler.daemon import (
    Daemon,
    PidLock,
    crawl_tick,
    cron_trigger,
    previous_fire_time,
    process_exists,
    running_pid,
)
from storage import Storage
from storage.timeutil import to_iso
from tests.crawling import init_database, write_config
from tests.daemons import REPO, cycles_logged, newswatch, pid_alive, query, wait_for
from tests.outlets.articles import FixtureArticle
from tests.outlets.server import OutletServer

LATE = FixtureArticle(
    slug="patrol-boats",
    title="Patrol boats delivered to the naval base at Aktau",
    author="Marat Ospanov",
    date="2026-11-27T09:00:00Z",
    lang="en",
    paragraphs=(
        "Two patrol boats were delivered to the naval base at Aktau on Thursday, the navy "
        "said, completing an order placed two years earlier with a shipyard on the coast.",
        "Crews will train on the new boats through the winter before the first patrols.",
    ),
)


def numbered(article: FixtureArticle, number: int) -> FixtureArticle:
    """A distinct variant of an article (its own slug, title and text)."""
    return replace(
        article,
        slug=f"{article.slug}-{number}",
        title=f"{article.title} ({number})",
        paragraphs=tuple(f"{p} Report {number}." for p in article.paragraphs),
    )


@pytest.fixture(autouse=True)
def no_daemon_left_behind(tmp_path: Path) -> Iterator[None]:
    """A failed test must not leave a daemon running."""
    yield
    pid = running_pid(tmp_path / "crawl.pid")
    if pid is not None:
        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def server() -> Iterator[OutletServer]:
    with OutletServer() as running:
        yield running


def herald_config(folder: Path, server: OutletServer, **crawl: object) -> Path:
    config = write_config(
        folder / "newswatch.toml",
        [{"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")}],
        **{"interval": "2s", **crawl},
    )
    init_database(config)
    return config


def test_daemon_crawls_on_schedule_reports_status_and_stops(
    tmp_path: Path, server: OutletServer
) -> None:
    config = herald_config(tmp_path, server)
    db, log = tmp_path / "crawl.db", tmp_path / "crawl.log"
    started = newswatch(config, "start")
    assert started.returncode == 0, started.stderr + log.read_text()
    try:
        wait_for(
            lambda: query(db, "SELECT count(*) FROM articles")[0][0] == 4,
            30,
            "the first cycle's three articles and the seed",
        )
        assert newswatch(config, "start").returncode == 1  # one daemon per database
        server.web.add_herald_article(LATE)
        wait_for(
            lambda: (
                query(db, "SELECT count(*) FROM articles WHERE title = ?", LATE.title)[0][0] == 1
            ),
            30,
            "the new article in a later cycle",
        )
        status = newswatch(config, "status")
        assert status.returncode == 0
        assert "running (pid" in status.stdout and "next crawl" in status.stdout
        assert "up ?" not in status.stdout
        assert "last cycle" in status.stdout
    finally:
        stopped = newswatch(config, "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert cycles_logged(log) >= 2
    assert "source Caspian Herald: ok, 3 seen, 3 new" in log.read_text()  # a line per source
    assert newswatch(config, "status").returncode == 3
    assert not (tmp_path / "crawl.pid").exists()
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_sigkill_mid_crawl_loses_and_repeats_nothing(tmp_path: Path, server: OutletServer) -> None:
    server.web.page_delay = 0.4  # a cycle takes a while: the kill lands mid-crawl
    config = herald_config(tmp_path, server, concurrent_per_host=1)
    db = tmp_path / "crawl.db"
    seen: set[tuple] = set()
    for round_number in range(3):
        for n in range(4):  # fresh articles, so every round has pages to download
            server.web.add_herald_article(numbered(LATE, round_number * 4 + n))
        assert newswatch(config, "start").returncode == 0
        pid = running_pid(tmp_path / "crawl.pid")
        assert pid is not None
        before = len(server.log)
        wait_for(
            lambda b=before: any(e.path.startswith("/herald/news/") for e in server.log[b:]),
            30,
            "an article download",
        )
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda p=pid: not pid_alive(p), 10, "the daemon to die")
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        rows = set(query(db, "SELECT id, canonical_url FROM articles"))
        assert seen <= rows  # nothing stored before is lost
        seen = rows
    server.web.page_delay = 0
    assert newswatch(config, "start").returncode == 0
    expected = 1 + 3 + 12  # the seed, the Herald's own three, the twelve added
    wait_for(
        lambda: query(db, "SELECT count(*) FROM articles")[0][0] == expected, 60, "every article"
    )
    assert newswatch(config, "stop").returncode == 0
    urls = [row[0] for row in query(db, "SELECT canonical_url FROM articles")]
    assert len(urls) == len(set(urls)) == expected
    hashes = [row[0] for row in query(db, "SELECT content_hash FROM articles")]
    assert len(hashes) == len(set(hashes))


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_a_digest_missed_while_stopped_is_made_once(tmp_path: Path, server: OutletServer) -> None:
    config_path = herald_config(tmp_path, server)
    with config_path.open("a") as extra:
        extra.write('\n[digest]\nschedule = "0 7 * * *"\noutput_dir = "out"\nformats = ["json"]\n')
    config = load_config(config_path)
    yesterday = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    with Storage.open_configured(config) as storage:  # the daemon's last digest: yesterday 07:00
        storage.digests.record(
            to_iso(yesterday - timedelta(days=1)), to_iso(yesterday), 0, ["json"], None
        )
    clock = MovableClock(datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # stopped over 07:00
    daemon = Daemon(config, clock=clock)
    daemon.catch_up_digest()
    daemon.catch_up_digest()  # started again: the period is already digested
    clock.now = datetime(2026, 11, 28, 6, 59, tzinfo=UTC)
    daemon.catch_up_digest()  # the next one is not due yet
    digests = query(tmp_path / "crawl.db", "SELECT since, until FROM digests ORDER BY id")
    assert digests[1:] == [("2026-11-26T07:00:00Z", "2026-11-27T07:00:00Z")]
    assert len(list((tmp_path / "out").glob("digest-*.json"))) == 1
    clock.now = datetime(2026, 11, 28, 7, 1, tzinfo=UTC)
    daemon.catch_up_digest()
    until = query(tmp_path / "crawl.db", "SELECT until FROM digests ORDER BY id")[-1][0]
    assert until == "2026-11-28T07:00:00Z"


def test_previous_fire_time_and_tick() -> None:
    trigger = CronTrigger.from_crontab("0 7 * * *", timezone=UTC)
    now = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    assert previous_fire_time(trigger, now) == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    early = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    assert previous_fire_time(trigger, early) == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    config = parse_config_text(
        '[crawl]\ninterval = "1h"\n'
        '[[sources]]\nname = "a"\nkind = "feed"\nurl = "http://a.test/"\ninterval = "15m"\n'
        '[[sources]]\nname = "b"\nkind = "feed"\nurl = "http://b.test/"\ninterval = "2h"\n'
    )
    assert crawl_tick(config) == timedelta(minutes=15)  # the quickest source sets the pace
    assert crawl_tick(load_config(None)) == timedelta(hours=1)  # the defaults: crawl.interval


@pytest.mark.parametrize(
    ("field", "fires_on"),
    [
        ("1-5", {"Mon", "Tue", "Wed", "Thu", "Fri"}),
        ("0", {"Sun"}),
        ("7", {"Sun"}),
        ("5-7", {"Fri", "Sat", "Sun"}),
        ("sat,sun", {"Sat", "Sun"}),
        ("*/2", {"Sun", "Tue", "Thu", "Sat"}),
        ("*", {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}),
    ],
)
def test_digest_schedule_counts_weekdays_as_crontab_does(field: str, fires_on: set[str]) -> None:
    trigger = cron_trigger(f"0 7 * * {field}")
    moment = datetime(2026, 11, 29, 0, 0, tzinfo=trigger.timezone)  # a Sunday
    days = set()
    for _ in range(7):
        moment = trigger.get_next_fire_time(None, moment)
        days.add(moment.strftime("%a"))
        moment += timedelta(hours=1)
    assert days == fires_on


def test_stop_returns_only_once_the_process_is_gone(tmp_path: Path, server: OutletServer) -> None:
    """The PID file's lock is released before the interpreter has exited: `stop` must wait
    for the process itself. Looped, because the gap is short."""
    config = herald_config(tmp_path, server)
    for attempt in range(4):
        started = newswatch(config, "start")
        assert started.returncode == 0, started.stderr
        pid = running_pid(tmp_path / "crawl.pid")
        assert pid is not None
        stopped = newswatch(config, "stop")
        assert stopped.returncode == 0 and f"stopped (pid {pid})" in stopped.stdout
        assert not process_exists(pid), f"attempt {attempt}: pid {pid} still runs"


def test_a_config_broken_while_the_daemon_runs_still_lets_status_and_stop_reach_it(
    tmp_path: Path, server: OutletServer
) -> None:
    config = herald_config(tmp_path, server)
    started = newswatch(config, "start")
    assert started.returncode == 0, started.stderr
    pid = running_pid(tmp_path / "crawl.pid")
    assert pid is not None
    db, log = tmp_path / "crawl.db", tmp_path / "crawl.log"
    wait_for(lambda: query(db, "SELECT count(*) FROM articles")[0][0] == 4, 30, "a first cycle")
    with config.open("a", encoding="utf-8") as broken:
        broken.write("\ninterval = 5m oops\n")
    server.web.add_herald_article(LATE)
    # The daemon goes on crawling, with the configuration's last version that loaded.
    wait_for(
        lambda: query(db, "SELECT count(*) FROM articles WHERE title = ?", LATE.title)[0][0] == 1,
        30,
        "the new article in a cycle after the file broke",
    )
    wait_for(lambda: "configuration does not load" in log.read_text(), 30, "the logged error")
    status = newswatch(config, "status")
    assert status.returncode == 0, status.stderr
    assert f"running (pid {pid}" in status.stdout
    assert "configuration is not usable" in status.stderr and "not valid TOML" in status.stderr
    assert "runs on the last configuration that loaded, as the file has an error" in status.stdout
    assert f"{config}: not valid TOML" in status.stdout
    stopped = newswatch(config, "stop")
    assert stopped.returncode == 0 and f"stopped (pid {pid})" in stopped.stdout
    assert not process_exists(pid)


def test_status_in_a_folder_without_a_database_says_so_and_nothing_else(tmp_path: Path) -> None:
    elsewhere = subprocess.run(
        [sys.executable, "-m", "scheduler", "status"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert elsewhere.returncode == 1
    assert "no database at" in elsewhere.stderr and "not running" not in elsewhere.stdout


def test_a_config_edited_badly_while_running_is_logged_and_the_last_that_loaded_crawls(
    tmp_path: Path, server: OutletServer, caplog: pytest.LogCaptureFixture
) -> None:
    config_file = herald_config(tmp_path, server)
    daemon = Daemon(load_config(config_file))
    # A bad source line: that source is left out, with a warning; the Herald crawls.
    with config_file.open("a", encoding="utf-8") as edited:
        edited.write('\n[[sources]]\nname = "Typo"\nkind = "feed"\nurl = "htp://x.test/"\n')
    with caplog.at_level("INFO"):
        daemon.crawl_job()
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        f"configuration: {config_file}: [[sources]] #2 ('Typo') url: expected an http:// or "
        "https:// URL, got 'htp://x.test/' (this source is left out until that is fixed)"
    ]
    assert daemon.last_cycle is not None and daemon.last_cycle["new_articles"] == 3
    caplog.clear()

    # Not TOML at all: each cycle says so, and crawls with the last version that loaded.
    with config_file.open("a", encoding="utf-8") as broken:
        broken.write("\ninterval = 5m oops\n")
    server.web.add_herald_article(LATE)
    time.sleep(2.1)  # the Herald's interval: the child reads the real clock to find it due
    with caplog.at_level("INFO"):
        daemon.crawl_job()
        daemon.write_state()
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].exc_info is None
    message = errors[0].getMessage()
    assert message.startswith(f"configuration does not load: {config_file}: not valid TOML")
    assert message.endswith("(crawling with its last version that loaded)")
    assert daemon.last_cycle is not None and daemon.last_cycle["error"] is None
    assert daemon.last_cycle["new_articles"] == 1
    state = json.loads((tmp_path / "crawl.state.json").read_text(encoding="utf-8"))
    assert "not valid TOML" in state["config_problem"]

    # Fixed: the file's own version crawls again, and the problem is gone.
    config_file.write_text(config_file.read_text().replace("interval = 5m oops", ""))
    daemon.crawl_job()
    assert daemon.config_problem is None


def test_a_cycle_that_fails_logs_one_error_line_with_its_cause(
    tmp_path: Path, server: OutletServer, caplog: pytest.LogCaptureFixture
) -> None:
    config_file = herald_config(tmp_path, server)
    config = load_config(config_file)
    with config_file.open("a", encoding="utf-8") as broken:
        broken.write("\ninterval = 5m oops\n")
    daemon = Daemon(config)  # no version of the file that loads: the child reads the file
    with caplog.at_level("INFO"):
        daemon.crawl_job()  # no exception: the scheduler would log it with a traceback
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert all(error.exc_info is None for error in errors)
    assert errors[0].getMessage().endswith("(no version of it has loaded since the daemon started)")
    (failed,) = [e.getMessage() for e in errors if e.getMessage().startswith("crawl cycle failed")]
    assert failed.startswith("crawl cycle failed: configuration unusable")
    assert "not valid TOML" in failed and str(config_file) in failed
    assert ":;" not in failed and "not usable" not in failed  # said once, no empty part
    assert daemon.last_cycle is not None and "not valid TOML" in daemon.last_cycle["error"]


def test_status_says_at_once_that_the_daemon_keeps_its_configuration_when_the_file_breaks(
    tmp_path: Path, server: OutletServer
) -> None:
    # A long interval: the daemon does not read the file again before `status` asks.
    config = herald_config(tmp_path, server, interval="1h")
    started = newswatch(config, "start")
    assert started.returncode == 0, started.stderr
    pid = running_pid(tmp_path / "crawl.pid")
    assert pid is not None
    try:
        db = tmp_path / "crawl.db"
        wait_for(lambda: query(db, "SELECT count(*) FROM articles")[0][0] == 4, 30, "a cycle")
        with config.open("a", encoding="utf-8") as broken:
            broken.write("\n[crawl\n")
        status = newswatch(config, "status")
        assert status.returncode == 0, status.stderr
        assert "configuration is not usable" in status.stderr
        assert "the daemon keeps the configuration it last loaded" in status.stdout
        assert "its next crawl cycle reads the file again" in status.stdout
    finally:
        assert newswatch(config, "stop").returncode == 0
    assert not process_exists(pid)


def test_a_pid_file_removed_while_it_is_read_means_not_running(tmp_path: Path) -> None:
    """A daemon stopping removes its PID file: `stop` and `status` polling it at that
    instant must say "not running", not fail on the missing file."""
    path = tmp_path / "crawl.pid"
    lock = PidLock(path)
    lock.acquire()
    assert running_pid(path) == os.getpid()
    lock.release()
    assert running_pid(path) is None
    path.write_text("12345\n")  # left by a killed daemon: no lock holds it
    assert running_pid(path) is None

    done = threading.Event()

    def come_and_go() -> None:
        while not done.is_set():
            path.write_text("1\n")
            path.unlink()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns often enough to land in between
    toggler = threading.Thread(target=come_and_go)
    toggler.start()
    try:
        answers = {running_pid(path) for _ in range(20_000)}
    finally:
        done.set()
        toggler.join()
        sys.setswitchinterval(interval)
    assert answers == {None}
