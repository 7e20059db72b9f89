"""The relevance profile is built when a source has something new, not before every cycle:
with a broken profile the sources with news are not crawled, each says why, and nothing is
lost."""

import sqlite3
import subprocess
import sys
from pathlib import Path

from crawler.contract import CycleExit
from tests.crawling import REPO, init_database, run_cycle, write_config
from tests.outlets.server import OutletServer, Reply, rss_feed


def test_a_broken_profile_leaves_the_news_for_later_and_says_so_per_source(
    tmp_path: Path,
) -> None:
    items = [
        {
            "title": f"Caspian flotilla exercise, day {day}",
            "link": f"/mirage/{day}.html",
            "description": f"Day {day} of the exercise off Aktau, in short.",
        }
        for day in (1, 2)
    ]
    profile = tmp_path / "profile.toml"
    with OutletServer() as server:
        for item in items:
            page = f"<html><body><p>{item['description']} " * 40 + "</p></body></html>"
            server.web.routes[item["link"]] = lambda page=page: Reply(200, page.encode())
            item["link"] = server.url(item["link"])
        server.web.routes["/mirage/rss.xml"] = lambda: Reply(
            200, rss_feed("Mirage", items).encode(), "application/rss+xml"
        )
        feed = {"name": "Mirage", "kind": "feed", "url": server.url("/mirage/rss.xml")}
        config = write_config(tmp_path / "nw.toml", [feed])
        with config.open("a", encoding="utf-8") as out:
            out.write(f'\n[profile]\nfile = "{profile}"\n')
        init_database(config)

        profile.write_text("[groups\n", encoding="utf-8")  # not TOML
        broken = run_cycle(config, "--all")
        stored_while_broken = _titles(tmp_path)
        health_while_broken = _health(tmp_path)
        profile.write_text("", encoding="utf-8")  # the shipped profile, extended by nothing
        mended = run_cycle(config, "--all")
        profile.write_text("[groups\n", encoding="utf-8")
        unchanged = run_cycle(config, "--all")
        feed_answers = [entry.status for entry in server.log if entry.path == "/mirage/rss.xml"]

    assert broken.returncode == CycleExit.OK, broken.stderr[-3000:]
    status = broken.source("Mirage")["status"]
    assert status.startswith("error: articles not stored: relevance profile is not usable")
    assert "profile.toml" in status and "not backed off" in status
    assert "relevance profile is not usable" in broken.stderr
    assert stored_while_broken == []
    errors_in_a_row, last_error = health_while_broken
    assert errors_in_a_row == 0  # not the outlet's fault: no back-off
    assert last_error.startswith("articles not stored: relevance profile is not usable")
    # The feed kept no validators from the broken cycle: its items come in once mended.
    assert mended.returncode == 0, mended.stderr[-3000:]
    assert mended.source("Mirage")["new_articles"] == 2
    assert sorted(_titles(tmp_path)) == [item["title"] for item in items]
    # Nothing new, nothing to score: a broken profile does not stop an unchanged cycle.
    assert unchanged.returncode == 0, unchanged.stderr[-3000:]
    assert unchanged.source("Mirage")["status"] == "not-modified"
    assert feed_answers == [200, 200, 304]


def _health(folder: Path) -> tuple[int, str]:
    """The source's errors in a row (a local fault counts none) and its last error."""
    db = sqlite3.connect(folder / "crawl.db")
    try:
        errors, last = db.execute(
            "SELECT coalesce(consecutive_errors, 0), last_error FROM sources WHERE name = 'Mirage'"
        ).fetchone()
    finally:
        db.close()
    return errors, last or ""


def _titles(folder: Path) -> list[str]:
    db = sqlite3.connect(folder / "crawl.db")
    try:
        return [row[0] for row in db.execute("SELECT title FROM articles WHERE source = 'Mirage'")]
    finally:
        db.close()


def test_the_crawl_process_starts_without_numpy() -> None:
    # A cycle whose every source answers 304 neither scores nor fingerprints: loading numpy
    # (sqlite-utils, MinHash, the relevance model) would cost a fifth of its CPU.
    check = "import sys, crawler.cycle; print(sorted({'numpy', 'pandas'} & set(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert loaded.stdout.strip() == "[]"


def test_a_crawl_process_that_neither_scores_nor_fingerprints_loads_no_numpy() -> None:
    # With a page worker the crawl process builds the profile (to check it) and compares
    # signatures the worker made: numpy would be 12 MiB of its memory for nothing.
    check = (
        "import sys; from config import ProfileConfig; from relevance import profile_for; "
        "from storage import neardup; profile_for(ProfileConfig()); "
        "same = neardup.similarity(bytes(range(8)), bytes(range(4)) + bytes(4)); "
        "print(same, sorted({'numpy', 'pandas'} & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert loaded.stdout.strip() == "0.5 []"
