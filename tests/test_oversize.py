"""A page past the download limit is "page too large" whether or not the server said its
length up front, and is not fetched again each cycle."""

import sqlite3
from pathlib import Path

from tests.crawling import init_database, run_cycle, write_config
from tests.outlets.server import OutletServer, Reply, rss_feed

LIMIT = 200_000


def test_a_page_too_large_is_named_so_with_or_without_a_length(tmp_path: Path) -> None:
    big = b"<html><body><p>" + b"Caspian patrol report. " * 20_000 + b"</p></body></html>"
    with OutletServer() as server:
        routes = server.web.routes
        routes["/big/sized.html"] = lambda: Reply(200, big)
        routes["/big/streamed.html"] = lambda: Reply(200, big, streamed=True)
        items = [
            {
                "title": f"Patrol report ({name})",
                "link": server.url(f"/big/{name}.html"),
                "description": f"The {name} patrol report, in short.",
            }
            for name in ("sized", "streamed")
        ]
        routes["/big/rss.xml"] = lambda: Reply(
            200, rss_feed("Big pages", items).encode(), "application/rss+xml"
        )
        feed = {"name": "Big", "kind": "feed", "url": server.url("/big/rss.xml")}
        config = write_config(tmp_path / "nw.toml", [feed], max_page_bytes=LIMIT)
        init_database(config)
        first = run_cycle(config, "--all")
        second = run_cycle(config, "--all")
        asked = {
            name: len(server.requests_for(f"/big/{name}.html")) for name in ("sized", "streamed")
        }
    assert first.returncode == 0, first.stderr[-3000:]
    db = sqlite3.connect(tmp_path / "crawl.db")
    problems = dict(db.execute("SELECT title, page_problem FROM articles WHERE source = 'Big'"))
    too_large = f"page too large (more than {LIMIT:,} bytes)"
    assert problems == {
        "Patrol report (sized)": too_large,
        "Patrol report (streamed)": too_large,
    }
    # A lasting fault: the source keeps its validators, and neither page is asked again.
    assert second.source("Big")["status"] == "not-modified"
    assert asked == {"sized": 1, "streamed": 1}
