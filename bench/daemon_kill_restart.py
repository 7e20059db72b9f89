"""SIGKILL the daemon in the middle of a crawl and start it again, ROUNDS times.

After every round the database must pass PRAGMA integrity_check, keep every article stored
before, and hold no article twice. Run from the repository root:

    python bench/daemon_kill_restart.py [--rounds 10]
"""

import argparse
import os
import signal
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler.daemon import running_pid
from tests.crawling import init_database, write_config
from tests.daemons import newswatch, pid_alive, query, wait_for
from tests.outlets.articles import CASPIAN_HERALD
from tests.outlets.server import OutletServer

NEW_PER_ROUND = 6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, OutletServer() as server:
        folder = Path(tmp)
        server.web.page_delay = 0.3
        config = write_config(
            folder / "newswatch.toml",
            [{"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")}],
            interval="2s",
            concurrent_per_host=1,
        )
        init_database(config)
        db, pid_file = folder / "crawl.db", folder / "crawl.pid"
        seen: set[tuple] = set()
        published = len(CASPIAN_HERALD)
        print(
            f"{'round':>5} {'killed after':>13} {'articles':>9} {'integrity':>10} "
            f"{'lost':>5} {'twice':>6}"
        )
        for number in range(args.rounds):
            for n in range(NEW_PER_ROUND):
                base = CASPIAN_HERALD[n % len(CASPIAN_HERALD)]
                server.web.add_herald_article(
                    replace(
                        base,
                        slug=f"r{number}-{n}",
                        title=f"{base.title} (round {number}.{n})",
                        paragraphs=tuple(f"{p} Round {number}.{n}." for p in base.paragraphs),
                    )
                )
            published += NEW_PER_ROUND
            started = time.monotonic()
            assert newswatch(config, "start").returncode == 0
            pid = running_pid(pid_file)
            mark = len(server.log)
            wait_for(
                lambda m=mark: any(e.path.startswith("/herald/news/") for e in server.log[m:]),
                60,
                "an article download",
            )
            os.kill(pid, signal.SIGKILL)
            killed_after = time.monotonic() - started
            wait_for(lambda p=pid: not pid_alive(p), 10, "the daemon to die")
            integrity = query(db, "PRAGMA integrity_check")[0][0]
            rows = set(query(db, "SELECT id, canonical_url FROM articles"))
            lost = len(seen - rows)
            urls = [url for _id, url in rows]
            twice = len(urls) - len(set(urls))
            print(
                f"{number + 1:>5} {killed_after:>12.1f}s {len(rows):>9} {integrity:>10} "
                f"{lost:>5} {twice:>6}"
            )
            if integrity != "ok" or lost or twice:
                raise SystemExit("FAILED")
            seen = rows
        server.web.page_delay = 0
        assert newswatch(config, "start").returncode == 0
        wait_for(
            lambda: query(db, "SELECT count(*) FROM articles")[0][0] == published + 1,
            120,
            "every article",
        )
        assert newswatch(config, "stop").returncode == 0
        hashes = [row[0] for row in query(db, "SELECT content_hash FROM articles")]
        print(
            f"after a last clean run: {len(hashes)} articles (the seed and {published} "
            f"published), {len(hashes) - len(set(hashes))} stored twice"
        )


if __name__ == "__main__":
    main()
