"""Crawl throughput: a full newswatch cycle beside a bare Scrapy download-and-extract run.

Generates a loopback web (FEEDS feeds × ITEMS items, each item an article page), serves it
in its own process, then runs, one after the other:

  1. newswatch: `python -m crawler.cycle --all` (spiders, pipelines, SQLite, every check);
  2. baseline: one bare Scrapy spider that downloads every feed and page and extracts each
     page with trafilatura, storing nothing.

Prints pages/s and the peak resident memory of each child. Run from the repository root:

    python bench/crawl_bench.py [--feeds 100] [--items 20]
"""

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.crawling import write_config  # noqa: E402

WORDS = (
    "army exercise border caspian navy ministry defence cooperation valley port grain freight "
    "rail school council river bridge harbour winter officers staff plan drill signals "
    "artillery convoy market season weather museum festival team match"
).split()

BARE_SPIDER = r"""
import sys, feedparser, trafilatura, scrapy
from scrapy.crawler import CrawlerProcess

class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for url in FEEDS:
            yield scrapy.Request(url, callback=self.parse_feed)
    def parse_feed(self, response):
        for entry in feedparser.parse(response.body).entries:
            yield response.follow(entry.link, callback=self.parse_page)
    def parse_page(self, response):
        doc = trafilatura.bare_extraction(response.body, url=response.url, with_metadata=True)
        yield {"url": response.url, "chars": len(doc.text or "") if doc else 0}

FEEDS = sys.argv[1:]
process = CrawlerProcess({"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": 16,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "DOWNLOAD_DELAY": 0,
                          "AUTOTHROTTLE_ENABLED": True, "AUTOTHROTTLE_START_DELAY": 0.1,
                          "CONCURRENT_ITEMS": 8, "TELNETCONSOLE_ENABLED": False,
                          "REMOTE_CONTROL_ENABLED": False})
crawler = process.create_crawler(Bare)
process.crawl(crawler)
process.start()
print("pages extracted:", crawler.stats.get_value("item_scraped_count", 0))
"""


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 80))).capitalize() + "."


def generate_web(root: Path, feeds: int, items: int) -> None:
    rng = random.Random(7)
    for f in range(feeds):
        folder = root / f"outlet{f}"
        folder.mkdir(parents=True)
        entries = []
        for i in range(items):
            title = f"Outlet {f} story {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}"
            body = "".join(f"<p>{paragraph(rng)}</p>" for _ in range(rng.randint(4, 9)))
            (folder / f"{i}.html").write_text(
                f"<html lang='en'><head><title>{title}</title>"
                f"<meta name='author' content='Reporter {i}'></head><body>"
                f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}</article>"
                f"<footer>Outlet {f}</footer></body></html>",
                encoding="utf-8",
            )
            entries.append(
                f"<item><title>{title}</title><link>{i}.html</link>"
                f"<pubDate>Fri, 20 Nov 2026 0{i % 10}:00:00 GMT</pubDate></item>"
            )
        (folder / "feed.xml").write_text(
            "<?xml version='1.0'?><rss version='2.0'><channel><title>Outlet</title>"
            + "".join(entries)
            + "</channel></rss>",
            encoding="utf-8",
        )


def run_child(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if completed.returncode != 0:
        raise SystemExit(f"{command[:4]} failed:\n{completed.stderr[-3000:]}")
    # ru_maxrss of children is the largest of any child so far: run the bigger one last or
    # read it per run; each run here is measured in a fresh interpreter below.
    return elapsed, max(peak, before) / 1024, completed.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        web, work = Path(tmp) / "web", Path(tmp) / "work"
        work.mkdir()
        generate_web(web, args.feeds, args.items)
        server = subprocess.Popen(
            [sys.executable, str(REPO / "bench/_static_server.py"), str(web)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            port = int(server.stdout.readline())
            base = f"http://127.0.0.1:{port}"
            feeds = [f"{base}/outlet{f}/feed.xml" for f in range(args.feeds)]
            pages = args.feeds * args.items
            config = write_config(
                work / "newswatch.toml",
                [
                    {"name": f"Outlet {f}", "kind": "feed", "url": url}
                    for f, url in enumerate(feeds)
                ],
                timeout=30,
                retry_times=0,
                concurrent_per_host=8,
                max_page_bytes=5_000_000,
            )
            print(f"loopback web: {args.feeds} feeds, {pages} article pages")
            # Scrapy reads callbacks' source code, so the spider must live in a file.
            bare_spider = work / "bare_spider.py"
            bare_spider.write_text(BARE_SPIDER, encoding="utf-8")
            results = {}
            for name, command in (
                (
                    "newswatch cycle",
                    [
                        sys.executable,
                        str(REPO / "bench/_measure.py"),
                        sys.executable,
                        "-m",
                        "crawler.cycle",
                        "--config",
                        str(config),
                        "--all",
                    ],
                ),
                (
                    "bare Scrapy",
                    [
                        sys.executable,
                        str(REPO / "bench/_measure.py"),
                        sys.executable,
                        str(bare_spider),
                        *feeds,
                    ],
                ),
            ):
                elapsed, _peak, stdout = run_child(command)
                lines = stdout.strip().splitlines()
                measured = json.loads(lines[-1])
                results[name] = (elapsed, measured["peak_rss_mib"])
                if name == "bare Scrapy":
                    print(f"bare Scrapy {lines[-2]}")
            stored = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
                    ".execute('select count(*) from articles where is_seed=0').fetchone()[0])",
                    str(work / "crawl.db"),
                ],
                capture_output=True,
                text=True,
            ).stdout.strip()
            print(f"newswatch stored {stored} articles of {pages}")
            print(f"{'run':<18}{'seconds':>10}{'pages/s':>10}{'peak RSS MiB':>15}")
            for name, (elapsed, peak) in results.items():
                print(f"{name:<18}{elapsed:>10.1f}{pages / elapsed:>10.1f}{peak:>15.1f}")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
