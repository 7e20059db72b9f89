"""Crawl throughput (issue 12): newswatch beside a hand-written loop and bare Scrapy, in one run
on the same generated web.

    python bench/crawl_bench.py                 # the issue's web: 200 feeds, 4,000 pages
    python bench/crawl_bench.py --quick         # a smoke check in about a minute
    python bench/crawl_bench.py --feeds 40 --pages 800 --server python

Generates a static news web (bench/crawlweb.py: 8 hosts on 127.0.0.11–18, RSS/Atom/RDF feeds,
article pages of 8–40 KB, 5% syndicated copies), serves it with nginx if installed (else a
threaded Python server; see bench/webserver.py), and runs, one after the other:

  loop        bench/crawl_loop.py: sequential urllib → feedparser → trafilatura.extract → sqlite3
  bare Scrapy bench/crawl_scrapy_bare.py: one process, 32 concurrent, feedparser + extract
  newswatch   `newswatch crawl --all` (python -m scheduler; it runs python -m crawler.cycle)
  re-crawl    the same again with nothing changed: every feed answers 304

and prints, for each, pages/s, CPU ms per page (user + system of the whole process tree,
children included), peak RSS of the whole tree, and the ratios to the loop. Then the latency
line: the loop and newswatch on a smaller web whose server waits 50 ms before each answer.
The load average at the start and end is printed: the machine is shared, so compare ratios
within one run. See bench/README.md.
"""

import argparse
import compileall
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from _tree import Measured, run  # noqa: E402
from crawlweb import Web, WebShape, generate_web  # noqa: E402
from webserver import NGINX_HINT, free_port, nginx_binary, serve  # noqa: E402

# The targets for newswatch, as ratios to the loop where they are ratios.
TARGET_SPEED = 1.3  # first crawl pages/s ≥ 1.3 × the loop's
TARGET_CPU = 1.2  # CPU per page ≤ 1.2 × the loop's
TARGET_RECRAWL_MS = 5.0  # unchanged re-crawl: CPU ms per source
TARGET_RSS_MIB = 250.0
TARGET_LATENCY_SPEED = 5.0  # under 50 ms latency: pages/s ≥ 5 × the loop's
LATENCY_SECONDS = 0.05


@dataclass
class Line:
    name: str
    units: int  # pages fetched (or sources, for the re-crawl)
    measured: Measured

    @property
    def rate(self) -> float:
        return self.units / self.measured.wall

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.measured.cpu / max(self.units, 1)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# The checkout's packages, whose bytecode the benches compile first.
PACKAGES = ("config", "crawler", "digest", "relevance", "scheduler", "storage", "textkeys")


def child_env() -> dict[str, str]:
    """This checkout's packages, not an installed copy, run as an installed copy runs: from
    compiled bytecode. (`pip install` compiles a package's modules; a shell that sets
    PYTHONDONTWRITEBYTECODE, as some sandboxes do, made every crawl compile ours from source
    again: 0.1 s of CPU per process, a fifth of an unchanged re-crawl.)"""
    compile_checkout()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_checkout() -> None:
    for package in PACKAGES:
        compileall.compile_dir(REPO / package, quiet=1)


def checked(name: str, measured: Measured) -> Measured:
    if measured.returncode != 0:
        raise SystemExit(f"{name} failed (exit {measured.returncode}):\n{measured.stderr[-3000:]}")
    return measured


def last_json(measured: Measured) -> dict:
    return json.loads(measured.stdout.strip().splitlines()[-1])


def run_loop(web: Web, work: Path) -> Line:
    command = [sys.executable, str(HERE / "crawl_loop.py"), str(work / "loop.db")]
    measured = checked("loop", run(command + web.feed_urls(), cwd=work, env=child_env()))
    return Line("loop", last_json(measured)["pages"], measured)


def run_bare_scrapy(web: Web, work: Path) -> Line:
    command = [sys.executable, str(HERE / "crawl_scrapy_bare.py"), *web.feed_urls()]
    measured = checked("bare Scrapy", run(command, cwd=work, env=child_env()))
    return Line("bare Scrapy", last_json(measured)["pages"], measured)


def write_newswatch_config(
    web: Web, folder: Path, parallel_sources: int, workers: int | None = None
) -> Path:
    """A configuration with the web's feeds as sources; crawl settings for a loopback web
    (no delay between requests to a host), the rest as `newswatch init` writes them."""
    folder.mkdir(parents=True)
    lines = [
        "[storage]",
        'path = "newswatch.db"',
        "",
        "[crawl]",
        "download_delay = 0",
        "concurrent_per_host = 8",
        "timeout = 30",
        "max_page_bytes = 5000000",
        f"parallel_sources = {parallel_sources}",
    ]
    if workers is not None:
        lines.append(f"workers = {workers}")
    for number, url in enumerate(web.feed_urls()):
        lines += ["", "[[sources]]", f'name = "feed {number}"', 'kind = "feed"', f'url = "{url}"']
    config = folder / "newswatch.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # As a user would, before the first crawl (not timed): only `init` creates a database.
    subprocess.run(
        [sys.executable, "-m", "scheduler", "--config", str(config), "init"],
        cwd=folder,
        env=child_env(),
        check=True,
        capture_output=True,
    )
    return config


def newswatch_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "scheduler", "--config", str(config), "crawl", "--all"]


def stored_counts(database: Path) -> dict[str, int]:
    db = sqlite3.connect(database)
    try:
        articles, copies = db.execute(
            "SELECT count(*), count(duplicate_of) FROM articles WHERE is_seed = 0"
        ).fetchone()
        not_modified = db.execute(
            "SELECT count(*) FROM fetches WHERE status = 'not-modified'"
        ).fetchone()[0]
    finally:
        db.close()
    return {"articles": articles, "copies": copies, "not_modified": not_modified}


def run_newswatch(
    web: Web, work: Path, parallel_sources: int, workers: int | None
) -> tuple[Line, Line, dict]:
    config = write_newswatch_config(web, work / "newswatch", parallel_sources, workers)
    first = checked("newswatch", run(newswatch_command(config), cwd=config.parent, env=child_env()))
    counts = stored_counts(config.parent / "newswatch.db")
    again = checked(
        "newswatch re-crawl", run(newswatch_command(config), cwd=config.parent, env=child_env())
    )
    recounted = stored_counts(config.parent / "newswatch.db")
    facts = {
        "articles": counts["articles"],
        "copies": counts["copies"],
        "not_modified": recounted["not_modified"] - counts["not_modified"],
        "stored_again": recounted["articles"] - counts["articles"],
    }
    feeds = len(web.feed_paths)
    return Line("newswatch", counts["articles"], first), Line("re-crawl", feeds, again), facts


def run_newswatch_with_workers(web: Web, work: Path, parallel_sources: int, workers: int) -> Line:
    """The first crawl again on a fresh database, with crawl.workers = `workers`."""
    config = write_newswatch_config(web, work / f"newswatch-w{workers}", parallel_sources, workers)
    first = checked("newswatch", run(newswatch_command(config), cwd=config.parent, env=child_env()))
    stored = stored_counts(config.parent / "newswatch.db")["articles"]
    return Line(f"  workers = {workers}", stored, first)


def print_table(lines: list[Line], loop: Line) -> None:
    print(
        f"{'':<14}{'pages':>6}{'s':>8}{'pages/s':>9}{'CPU s':>8}{'CPU ms/page':>13}"
        f"{'peak RSS MiB':>14}{'pages/s ÷ loop':>16}{'CPU/page ÷ loop':>17}"
    )
    for line in lines:
        m = line.measured
        print(
            f"{line.name:<14}{line.units:>6}{m.wall:>8.1f}{line.rate:>9.1f}{m.cpu:>8.1f}"
            f"{line.cpu_ms:>13.2f}{m.peak_rss_mib:>14.0f}"
            f"{line.rate / loop.rate:>15.2f}×{line.cpu_ms / loop.cpu_ms:>16.2f}×"
        )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--latency-feeds", type=int, default=24)
    parser.add_argument("--latency-pages", type=int, default=480)
    parser.add_argument("--quick", action="store_true", help="a small web: a smoke check")
    parser.add_argument("--no-latency", action="store_true", help="skip the latency line")
    parser.add_argument(
        "--server",
        choices=("auto", "nginx", "python"),
        default="auto",
        help="default: nginx if installed",
    )
    parser.add_argument("--parallel-sources", type=int, default=8, help="crawl.parallel_sources")
    parser.add_argument(
        "--workers", type=int, help="crawl.workers (page workers; default: newswatch's)"
    )
    parser.add_argument(
        "--also-workers",
        type=int,
        metavar="N",
        help="also a first crawl with crawl.workers = N, for comparison in the same run",
    )
    parser.add_argument("--keep", action="store_true", help="keep the web and databases")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.quick:
        args.feeds, args.pages = 24, 480
        args.latency_feeds, args.latency_pages = 8, 80
    shape = WebShape(feeds=args.feeds, pages=args.pages, hosts=args.hosts)
    (HERE / "out").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="crawl-", dir=HERE / "out"))
    try:
        figures = bench(args, shape, work)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def bench(args: argparse.Namespace, shape: WebShape, work: Path) -> dict:
    load_start = loadavg()
    addresses = [f"127.0.0.{11 + h}" for h in range(shape.hosts)]
    port = free_port(addresses)
    web = generate_web(work / "web", shape, port)
    if args.server == "auto" and nginx_binary() is None:
        print(f"nginx not found ({NGINX_HINT}): serving with the Python server instead")
    with serve(web.root, web.addresses, port, args.server) as server:
        print(f"web: {web.describe()}")
        print(f"server: {server.name}, on {addresses[0]}–{addresses[-1].rsplit('.', 1)[1]}:{port}")
        print(f"load average at start: {load_start} (2 cores; other work may run beside)")
        loop = run_loop(web, work)
        bare = run_bare_scrapy(web, work)
        newswatch, recrawl, facts = run_newswatch(web, work, args.parallel_sources, args.workers)
        also = (
            [run_newswatch_with_workers(web, work, args.parallel_sources, args.also_workers)]
            if args.also_workers is not None
            else []
        )
    print()
    print_table([loop, bare, newswatch, *also], loop)
    print(
        f"{'re-crawl':<14}{'':>6}{recrawl.measured.wall:>8.1f}{'':>9}{recrawl.measured.cpu:>8.1f}"
        f"{recrawl.cpu_ms:>10.1f} ms/source, {recrawl.units} sources;"
        f" peak RSS {recrawl.measured.peak_rss_mib:.0f} MiB"
    )
    print(
        f"  checks: loop stored {loop.units}, bare Scrapy extracted {bare.units}, newswatch stored "
        f"{facts['articles']} of {web.pages} pages ({facts['copies']} marked as copies, "
        f"{web.copies} in the web); re-crawl: {facts['not_modified']} of {recrawl.units} "
        f"feeds answered 304, {facts['stored_again']} articles stored again"
    )
    figures = {
        "web": web.describe(),
        "server": server.name,
        "runs": {
            line.name: {
                "units": line.units,
                "seconds": round(line.measured.wall, 2),
                "cpu_seconds": round(line.measured.cpu, 2),
                "peak_rss_mib": round(line.measured.peak_rss_mib, 1),
            }
            for line in (loop, bare, newswatch, recrawl, *also)
        },
        "checks": facts,
    }
    if not args.no_latency:
        figures["latency"] = latency_line(args, work)
    load_end = loadavg()
    print(f"\nload average at start: {load_start}; at end: {load_end}")
    speed, cpu = newswatch.rate / loop.rate, newswatch.cpu_ms / loop.cpu_ms
    print("targets (issue 12):")
    print(
        f"  first crawl pages/s ≥ {TARGET_SPEED}× loop: {speed:.2f}×"
        f" — {verdict(speed >= TARGET_SPEED)}"
    )
    print(f"  CPU per page ≤ {TARGET_CPU}× loop: {cpu:.2f}× — {verdict(cpu <= TARGET_CPU)}")
    print(
        f"  unchanged re-crawl ≤ {TARGET_RECRAWL_MS:.0f} ms CPU per source: {recrawl.cpu_ms:.1f} ms"
        f" — {verdict(recrawl.cpu_ms <= TARGET_RECRAWL_MS)}"
    )
    peak = max(newswatch.measured.peak_rss_mib, recrawl.measured.peak_rss_mib)
    print(
        f"  peak RSS ≤ {TARGET_RSS_MIB:.0f} MiB: {peak:.0f} MiB — {verdict(peak <= TARGET_RSS_MIB)}"
    )
    if "latency" in figures:
        ratio = figures["latency"]["ratio"]
        print(
            f"  under {LATENCY_SECONDS * 1000:.0f} ms latency ≥ {TARGET_LATENCY_SPEED:.0f}× loop:"
            f" {ratio:.2f}× — {verdict(ratio >= TARGET_LATENCY_SPEED)}"
        )
    figures["load"] = {"start": load_start, "end": load_end}
    return figures


def latency_line(args: argparse.Namespace, work: Path) -> dict:
    """The loop and newswatch against a server that waits 50 ms before each answer."""
    shape = WebShape(feeds=args.latency_feeds, pages=args.latency_pages, hosts=args.hosts)
    addresses = [f"127.0.0.{11 + h}" for h in range(shape.hosts)]
    port = free_port(addresses)
    web = generate_web(work / "latency" / "web", shape, port)
    with serve(web.root, web.addresses, port, "python", delay=LATENCY_SECONDS) as server:
        loop = run_loop(web, work / "latency")
        config = write_newswatch_config(
            web, work / "latency" / "newswatch", args.parallel_sources, args.workers
        )
        command = newswatch_command(config)
        measured = checked("newswatch", run(command, cwd=config.parent, env=child_env()))
        stored = stored_counts(config.parent / "newswatch.db")["articles"]
        newswatch = Line("newswatch", stored, measured)
    ratio = newswatch.rate / loop.rate
    print(
        f"\nlatency line ({server.name}; {web.pages} pages, {len(web.feed_paths)} feeds):"
        f" loop {loop.rate:.1f} pages/s ({loop.units} pages, {loop.measured.wall:.1f} s),"
        f" newswatch {newswatch.rate:.1f} pages/s ({newswatch.units} pages,"
        f" {newswatch.measured.wall:.1f} s, {newswatch.measured.cpu:.1f} s CPU):"
        f" {ratio:.2f}× the loop"
    )
    return {
        "pages": web.pages,
        "loop_pages_per_s": round(loop.rate, 2),
        "newswatch_pages_per_s": round(newswatch.rate, 2),
        "newswatch_cpu_seconds": round(newswatch.measured.cpu, 2),
        "ratio": round(ratio, 2),
    }


if __name__ == "__main__":
    main()
