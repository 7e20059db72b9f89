"""`newswatch browse` on a sample database: time its pages beside the same queries run
straight on SQLite, and screenshot them in headless Chromium to look at them.

Run from the repository root:

    python bench/browse_screenshot.py [--articles 5000] [--out bench/out]

Builds a database of invented articles spread over the last eight weeks (several sources,
languages and countries, copies, sources in error), starts `newswatch browse` on a free
loopback port, and prints for each page the median time of a full page load next to the
plain baseline: its SQL run with sqlite3 in this process. When /usr/bin/chromium exists it
writes <out>/browse-<page>.png; without it, it says so and skips the screenshots.
"""

import argparse
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import _chromium as chromium  # noqa: E402  (bench/ is the script's folder)

from storage import Article, FetchRecord, SourceOutcome, Storage  # noqa: E402
from storage.browse import browse_metadata  # noqa: E402
from storage.timeutil import to_iso  # noqa: E402

SOURCES = ("Caspian Herald", "Steppe Wire", "Valley Times", "Shirvan Post", "Kyrgyz Courier")
PLACES = {
    "Kazakhstan": ("Aktau", "Astana", "Kazakhstan"),
    "Azerbaijan": ("Baku", "Azerbaijan", "Nakhchivan"),
    "Kyrgyzstan": ("Bishkek", "Kyrgyzstan"),
    "Uzbekistan": ("Tashkent", "Uzbekistan"),
    "Tajikistan": ("Dushanbe", "Tajikistan"),
}
TOPICS = ("naval drill", "air defence exercise", "border patrol", "defence talks", "arms deal")
WORDS = [
    f"{a}{b}{c}"
    for a in ("ka", "su", "to", "mi", "re", "al", "ba", "ne")
    for b in ("ra", "li", "mo", "te", "zu", "ko")
    for c in ("n", "s", "t", "r", "", "k")
]
PAGES = {
    "home": ("/", None),
    "articles": ("/{db}/articles?_facet=source&_facet=lang&_facet=relevant", None),
    "search": ("/{db}/articles?_search=Aktau", None),
    "today": ("/{db}/todays_relevant_coverage", "todays_relevant_coverage"),
    "weekly": ("/{db}/articles_per_week_per_country", "articles_per_week_per_country"),
    "errors": ("/{db}/sources_in_error", "sources_in_error"),
}


def build(path: Path, count: int, now: datetime) -> None:
    chance = random.Random(14)
    articles = []
    for number in range(count):
        country = chance.choice(list(PLACES))
        place = chance.choice(PLACES[country])
        topic = chance.choice(TOPICS)
        seen = now - timedelta(minutes=chance.randrange(0, 8 * 7 * 24 * 60))
        relevant = chance.random() < 0.4
        articles.append(
            Article(
                url=f"http://outlet{number % 5}.test/{number}",
                canonical_url=f"http://outlet{number % 5}.test/{number}",
                source=SOURCES[number % len(SOURCES)],
                title=f"{place}: {topic} #{number}",
                # Words drawn at random: every text its own, no two near-duplicates.
                text=f"{topic} near {place}, {country}. " + " ".join(chance.choices(WORDS, k=150)),
                lang=chance.choice(("en", "ru", "az", "kk", "uz")),
                relevance=round(chance.uniform(0.5, 1) if relevant else chance.uniform(0, 0.5), 3),
                relevant=relevant,
                matched=(f"place:{place}", f"place:{country}", "defense:exercise"),
                first_seen_at=to_iso(seen),
                published_at=to_iso(seen - timedelta(hours=2)),
            )
        )
    with Storage.open(path) as storage:
        storage.ensure_seed()
        storage.sources.sync(
            (name, "feed", f"http://{name[:4].lower()}.test/rss") for name in SOURCES
        )
        storage.articles.add_many(articles)
        for name in SOURCES[:2]:
            when = to_iso(now - timedelta(hours=1))
            fetch = FetchRecord(name, "http://x.test/rss", when, when, "error", "HTTP 503")
            outcome = SourceOutcome(name, when, error="HTTP 503")
            storage.sources.record_fetches([fetch], outcome, timedelta(hours=1))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        assert response.status == 200, url
    return time.perf_counter() - started


def baseline(path: Path, query: str | None) -> float | None:
    """The page's own SQL straight on SQLite (a canned query), or None for other pages."""
    if query is None:
        return None
    sql = browse_metadata(path.stem)["databases"][path.stem]["queries"][query]["sql"]
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    started = time.perf_counter()
    connection.execute(sql).fetchall()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        config = folder / "newswatch.toml"
        config.write_text('[storage]\npath = "newswatch.db"\n', encoding="utf-8")
        database = folder / "newswatch.db"
        started = time.perf_counter()
        build(database, args.articles, datetime.now(UTC))
        print(f"sample database: {args.articles} articles in {time.perf_counter() - started:.1f} s")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "scheduler", "--config", str(config), "browse", "--port",
             str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    load(base + "/-/versions.json")
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        sys.exit("newswatch browse did not start")
                    time.sleep(0.2)
            print(f"{'page':<10} {'browse median ms':>17} {'raw SQL ms':>11}")
            for name, (path, query) in PAGES.items():
                url = base + path.format(db=database.stem)
                times = [load(url) for _ in range(args.repeat)]
                raw = baseline(database, query)
                raw_text = f"{raw * 1000:11.1f}" if raw is not None else f"{'-':>11}"
                print(f"{name:<10} {statistics.median(times) * 1000:17.1f} {raw_text}")
            if not chromium.available():
                return
            for name, (path, _query) in PAGES.items():
                png = args.out / f"browse-{name}.png"
                if chromium.screenshot(base + path.format(db=database.stem), png):
                    print(f"wrote {png}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
