"""Resident memory of the daemon over many short crawl cycles.

Runs `newswatch run` (the foreground daemon) with a 1-second crawl interval against a
loopback outlet whose feed changes every cycle, and prints the daemon's RSS after cycle 1,
50 and 100 (the crawl itself runs in a child process each time). Run from the repo root:

    python bench/daemon_memory.py [--cycles 100]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.crawling import init_database, write_config  # noqa: E402
from tests.daemons import cycles_logged  # noqa: E402
from tests.outlets.articles import CASPIAN_HERALD  # noqa: E402
from tests.outlets.server import OutletServer  # noqa: E402


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=100)
    args = parser.parse_args()
    checkpoints = sorted({1, args.cycles // 2, args.cycles})
    with tempfile.TemporaryDirectory() as tmp, OutletServer() as server:
        folder = Path(tmp)
        config = write_config(
            folder / "newswatch.toml",
            [{"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")}],
            interval="1s",
        )
        init_database(config)
        log = folder / "daemon.log"
        daemon = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scheduler",
                "--config",
                str(config),
                "run",
                "--log-file",
                str(log),
            ],
            cwd=REPO,
        )
        started = time.monotonic()
        try:
            print(f"{'cycle':>6} {'RSS MiB':>8} {'elapsed s':>10}")
            published = 0
            for checkpoint in checkpoints:
                while cycles_logged(log) < checkpoint:
                    done = cycles_logged(log)
                    if done > published:  # a new article for the next cycle to find
                        base = CASPIAN_HERALD[done % len(CASPIAN_HERALD)]
                        server.web.add_herald_article(
                            replace(
                                base,
                                slug=f"m{done}",
                                title=f"{base.title} ({done})",
                                paragraphs=tuple(f"{p} Cycle {done}." for p in base.paragraphs),
                            )
                        )
                        published = done
                    if daemon.poll() is not None:
                        raise SystemExit(f"daemon exited: {daemon.returncode}")
                    time.sleep(0.05)
                print(
                    f"{checkpoint:>6} {rss_mib(daemon.pid):>8.1f} "
                    f"{time.monotonic() - started:>10.0f}"
                )
        finally:
            daemon.terminate()
            daemon.wait(60)


if __name__ == "__main__":
    main()
