"""Where a newswatch crawl spends its CPU (issue 12): a profile of `python -m crawler.cycle
--all` on the benchmark's generated web, first crawl and unchanged re-crawl, grouped by
component, plus the costs of the parts measured one by one on the same pages.

    python bench/crawl_profile.py                  # 200 feeds, 4,000 pages
    python bench/crawl_profile.py --quick
    python bench/crawl_profile.py --profiler cprofile

py-spy (`pip install py-spy`) samples the crawl child and its page worker (crawl.workers),
each reported apart, without slowing them much; without it, or with --profiler cprofile, the
child runs under `python -m cProfile` (which inflates Python-heavy code, Scrapy's above all;
the page worker is not profiled then) and the top functions are printed. No product code
changes: the crawl is the same command the CLI runs.

The grouped view gives each sample to the innermost frame that belongs to a component (the
extraction call, the fingerprint, scoring, feed parsing, an article write, the stored-article
query…); what is left is attributed by the file it runs in (Scrapy/Twisted, logging, import
machinery). Samples are CPU time, 1/rate seconds each (py-spy leaves idle threads out).
"""

import argparse
import ast
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from _tree import run  # noqa: E402
from crawl_bench import child_env, loadavg, stored_counts, write_newswatch_config  # noqa: E402
from crawlweb import WebShape, generate_web  # noqa: E402
from webserver import free_port, serve  # noqa: E402

RATE = 200  # py-spy samples per second
CRAWL_PROCESS = "crawl process"
PAGE_WORKER = "page worker"

# Components, innermost match wins: (name, file part, function name or qualified name, or
# None for any function in that file).
COMPONENTS: list[tuple[str, str, str | None]] = [
    ("logging", "logging/", None),
    ("language identification (letters, fastText)", "relevance/language.py", "identify_language"),
    ("htmldate (page dates, extensive search)", "htmldate/", None),
    ("trafilatura extraction", "crawler/extract.py", "extract_article"),
    ("MinHash fingerprints", "storage/neardup.py", "fingerprint"),
    ("content hash", "storage/models.py", "content_hash"),
    ("search keys (stems, transliterations)", "storage/searchkeys.py", "search_keys"),
    ("near-duplicate lookup (LSH bands)", "storage/copies.py", "find_candidates"),
    ("near-duplicate index writes", "storage/copies.py", "index_article"),
    ("stories (keys, candidate stories, threads)", "storage/stories.py", "assign_story"),
    ("article row insert (SQL, FTS5 index)", "storage/articles.py", "Articles._insert"),
    ("commits (WAL, FTS5 segments)", "storage/db.py", "write_transaction"),
    ("relevance scoring", "relevance/", "score_article"),
    ("relevance profile load", "relevance/", "profile_for"),
    ("feedparser (feeds)", "crawler/feeds.py", "parse_feed"),
    ("outlet boilerplate paragraphs", "crawler/boilerplate.py", None),
    ("text cleaning", "crawler/cleaning.py", None),
    ("page worker frames (JSON, pipes)", "crawler/pageworker.py", "answer_frame"),
    ("page worker frames (JSON, pipes)", "crawler/pageworker.py", "page_from_answer"),
    ("page worker frames (JSON, pipes)", "crawler/workers.py", "_Worker._read_answers"),
    ("conditional GET (validators query)", "crawler/middlewares.py", "ConditionalGetMiddleware."),
    ("source records (fetches, health)", "storage/sources.py", None),
    ("database open and migrations", "storage/db.py", "open_database"),
    ("canonical URLs", "crawler/urls.py", None),
    ("robots.txt (per source and host)", "scrapy/downloadermiddlewares/robotstxt.py", None),
    ("robots.txt (per source and host)", "protego", None),
    # Scrapy reads each callback's source (ast) once per spider instance: once per source.
    (
        "callback source inspection (per source)",
        "scrapy/utils/misc.py",
        "warn_on_generator_with_return_value",
    ),
    ("per-source crawler set-up/tear-down", "scrapy/crawler.py", "create_crawler"),
    ("per-source crawler set-up/tear-down", "scrapy/crawler.py", "Crawler.__init__"),
    ("per-source crawler set-up/tear-down", "scrapy/crawler.py", "Crawler._apply_settings"),
    ("per-source crawler set-up/tear-down", "scrapy/crawler.py", "Crawler._create_engine"),
    ("per-source crawler set-up/tear-down", "scrapy/crawler.py", "Crawler._create_spider"),
    ("per-source crawler set-up/tear-down", "scrapy/middleware.py", "from_crawler"),
    ("per-source crawler set-up/tear-down", "scrapy/utils/misc.py", "build_from_crawler"),
    ("per-source crawler set-up/tear-down", "scrapy/core/engine.py", "ExecutionEngine.__init__"),
    ("per-source crawler set-up/tear-down", "scrapy/core/engine.py", "open_spider_async"),
    ("per-source crawler set-up/tear-down", "scrapy/middleware.py", "MiddlewareManager.__init__"),
    ("per-source crawler set-up/tear-down", "scrapy/core/engine.py", "close_spider_async"),
    ("per-source crawler set-up/tear-down", "scrapy/settings/", None),
    ("per-source crawler set-up/tear-down", "scrapy/addons.py", None),
]
IMPORTS = "imports (module code run on first import)"
# What is left, by the file it runs in.
LEFTOVERS = [
    ("Scrapy/Twisted engine (scheduling, downloads, middlewares, signals)", r"scrapy/|twisted/"),
    ("Scrapy/Twisted engine (scheduling, downloads, middlewares, signals)", r"asyncio/|w3lib/"),
    ("Scrapy/Twisted engine (scheduling, downloads, middlewares, signals)", r"zope/|parsel/"),
    ("other storage (sqlite-utils, sqlite3)", r"sqlite_utils/|storage/|sqlite3"),
    ("newswatch crawler (spiders, pipelines, items)", r"crawler/"),
    ("trafilatura extraction", r"trafilatura/|justext/|lxml|courlan/"),
]

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>.*?):(?P<line>\d+)\)$")


class QualifiedNames:
    """Class.function names of this repository's frames (py-spy gives the function only)."""

    def __init__(self) -> None:
        self.spans: dict[str, list[tuple[int, int, str]]] = {}

    def name(self, file: str, function: str, line: int) -> str:
        relative = next((p for p in ("crawler/", "storage/", "relevance/") if p in file), None)
        if relative is None:
            return function
        path = REPO / file[file.index(relative) :]
        if str(path) not in self.spans:
            self.spans[str(path)] = _function_spans(path)
        inside = [s for s in self.spans[str(path)] if s[0] <= line <= s[1]]
        return min(inside, key=lambda s: s[1] - s[0])[2] if inside else function


def _function_spans(path: Path) -> list[tuple[int, int, str]]:
    if not path.exists():
        return []
    spans = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                spans.append((child.lineno, child.end_lineno or child.lineno, prefix + child.name))
                visit(child, f"{prefix}{child.name}.")

    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return spans


def parse_raw(path: Path) -> list[tuple[str, list[tuple[str, str]], int]]:
    """py-spy's raw output as (process, stack) pairs: which process (the crawl process or
    its page worker: py-spy runs with --subprocesses) and the stack, outermost first, of
    (file, qualified function)."""
    names = QualifiedNames()
    stacks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        frames_text, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = []
        process = CRAWL_PROCESS
        for frame in filter(None, frames_text.split(";")):
            if frame.startswith("process "):  # the innermost one names the sampled process
                process = PAGE_WORKER if "crawler.pageworker" in frame else CRAWL_PROCESS
                continue
            match = FRAME.match(frame)
            if match is None:
                frames.append(("?", frame))
                continue
            file, function = match["file"], match["function"]
            frames.append((file, names.name(file, function, int(match["line"]))))
        stacks.append((process, frames, int(count)))
    return stacks


def _matches(function: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if wanted.endswith("."):  # any method of a class
        return function.startswith(wanted)
    return function == wanted or function.endswith("." + wanted)


def component_of(frames: list[tuple[str, str]]) -> str:
    if not frames:
        return "no Python frame (interpreter start and exit, C code)"
    if any(file.startswith("<frozen importlib") for file, _function in frames):
        return IMPORTS
    for file, function in reversed(frames):
        for name, file_part, wanted in COMPONENTS:
            if file_part in file and _matches(function, wanted):
                return name
    leaf = frames[-1][0] if frames else "?"
    for name, pattern in LEFTOVERS:
        if re.search(pattern, leaf):
            return name
    return f"other ({leaf})"


def report_samples(title: str, raw: Path, units: int, unit: str, cpu: float | None = None) -> None:
    """For each process sampled (the crawl process, its page worker), the grouped view, then
    the top functions by self and by cumulative samples. The kernel's CPU count of the
    whole tree (when known) is shared among the processes by their samples."""
    stacks = parse_raw(raw)
    by_process = Counter(process for process, _frames, _count in stacks)
    everything = sum(count for _process, _frames, count in stacks)
    for process in (CRAWL_PROCESS, PAGE_WORKER):
        if not by_process[process]:
            continue
        own = [(frames, count) for name, frames, count in stacks if name == process]
        share = sum(count for _frames, count in own) / everything
        seconds = cpu * share if cpu is not None else None
        named = f"{title}, {process}" if len(by_process) > 1 else title
        report_process(named, own, units, unit, seconds)


def report_process(
    title: str,
    stacks: list[tuple[list[tuple[str, str]], int]],
    units: int,
    unit: str,
    cpu: float | None = None,
) -> dict[str, float]:
    total = sum(count for _frames, count in stacks)
    groups: Counter[str] = Counter()
    own: Counter[str] = Counter()
    cumulative: Counter[str] = Counter()
    inside: dict[str, Counter[str]] = {}
    for frames, count in stacks:
        group = component_of(frames)
        groups[group] += count
        if frames:
            inside.setdefault(group, Counter())[f"{frames[-1][1]} ({frames[-1][0]})"] += count
        if frames:
            own[f"{frames[-1][1]} ({frames[-1][0]})"] += count
        for label in {f"{function} ({file})" for file, function in frames}:
            cumulative[label] += count
    sampled = total / RATE
    # Samples give shares; the kernel's CPU count (when known) gives the milliseconds. Under
    # load, a thread waiting for a core still looks busy to a sampler.
    seconds = cpu if cpu is not None else sampled
    print(
        f"\n== {title}: {total} samples ({sampled:.1f} s at {RATE}/s); "
        f"CPU {seconds:.1f} s = {1000 * seconds / max(units, 1):.2f} ms per {unit}"
    )
    print(f"{'component (innermost frame wins)':<70}{'share':>7}{'ms/' + unit:>12}")
    shown = 0.0
    for name, count in groups.most_common():
        share = count / total
        if share < 0.003:
            continue
        shown += share
        print(f"{name:<70}{100 * share:>6.1f}%{1000 * seconds * share / max(units, 1):>12.2f}")
    print(f"{'(the rest, each under 0.3%)':<70}{100 * (1 - shown):>6.1f}%")
    print("-- inside the largest components (leaf frames, share of all samples):")
    for name, _count in groups.most_common(8):
        leaves = ", ".join(
            f"{leaf[:70]} {100 * n / total:.1f}%"
            for leaf, n in inside.get(name, Counter()).most_common(4)
        )
        print(f"  {name}: {leaves}")
    for label, counter in (("self (leaf frame)", own), ("cumulative", cumulative)):
        print(f"-- top functions, {label}:")
        for name, count in counter.most_common(22 if label == "cumulative" else 15):
            print(f"  {100 * count / total:5.1f}%  {name[:110]}")
    return {name: 1000 * seconds * count / total / max(units, 1) for name, count in groups.items()}


def profile_crawl(config: Path, out: Path, profiler: str, label: str) -> tuple[Path, float]:
    """Run one crawl cycle under the profiler; return the profile and the crawl's CPU
    seconds (user + system, from the kernel, without the profiler's own)."""
    crawl = [sys.executable, "-m", "crawler.cycle", "--config", str(config), "--all"]
    if profiler == "cprofile":
        target = out / f"{label}.prof"
        command = [sys.executable, "-m", "cProfile", "-o", str(target), *crawl[1:]]
        measured = run(command, cwd=config.parent, env=child_env())
        if measured.returncode != 0:
            raise SystemExit(f"profiled crawl failed:\n{measured.stderr[-3000:]}")
        return target, measured.cpu
    # py-spy attaches to the crawl rather than starting it, so the crawl's own CPU time can
    # be read apart from py-spy's (it misses the first milliseconds of start-up).
    target = out / f"{label}.pyspy.txt"
    with open(out / f"{label}.stderr", "w") as errors:
        crawl_process = subprocess.Popen(
            crawl, cwd=config.parent, env=child_env(), stdout=subprocess.DEVNULL, stderr=errors
        )
        spy_command = ["py-spy", "record", "--pid", str(crawl_process.pid), "--format", "raw"]
        spy_command.append("--subprocesses")  # the page worker (crawl.workers) too
        spy = subprocess.Popen(
            [*spy_command, "--rate", str(RATE), "--nonblocking", "-o", str(target)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _pid, status, usage = os.wait4(crawl_process.pid, 0)
        spy.wait(timeout=60)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"profiled crawl failed: see {out / f'{label}.stderr'}")
    return target, usage.ru_utime + usage.ru_stime


def profile_cli(config: Path, out: Path) -> Path:
    """py-spy on the CLI process only (`newswatch crawl --all`, not its crawl child)."""
    target = out / "cli.pyspy.txt"
    command = [sys.executable, "-m", "scheduler", "--config", str(config), "crawl", "--all"]
    spy = ["py-spy", "record", "--format", "raw", "--rate", str(RATE), "-o", str(target)]
    measured = run([*spy, "--", *command], cwd=config.parent, env=child_env())
    if measured.returncode != 0:
        raise SystemExit(f"profiled CLI failed:\n{measured.stderr[-3000:]}")
    return target


def recrawl_split(config: Path) -> tuple[float, float]:
    """CPU seconds of an unchanged re-crawl through the CLI (both processes), and of the
    crawl child run on its own."""
    cli = [sys.executable, "-m", "scheduler", "--config", str(config), "crawl", "--all"]
    child = [sys.executable, "-m", "crawler.cycle", "--config", str(config), "--all"]
    whole = run(cli, cwd=config.parent, env=child_env())
    alone = run(child, cwd=config.parent, env=child_env())
    if whole.returncode or alone.returncode:
        raise SystemExit(f"re-crawl failed:\n{whole.stderr[-2000:]}{alone.stderr[-2000:]}")
    return whole.cpu, alone.cpu


def report_cprofile(title: str, path: Path, units: int, unit: str) -> None:
    stats = pstats.Stats(str(path))
    print(
        f"\n== {title} (cProfile; {stats.total_tt:.1f} s profiled, "
        f"{1000 * stats.total_tt / max(units, 1):.2f} ms per {unit})"
    )
    for key in ("cumulative", "tottime"):
        print(f"-- top functions by {key}:")
        stats.sort_stats(key).print_stats(25)


def component_costs(web_root: Path, sample: int) -> None:
    """The parts one by one, in this process, on `sample` of the generated pages and feeds."""
    import feedparser
    import trafilatura
    from htmldate import find_date

    from config import load_config
    from crawler.extract import DATE_PARAMS, extract_article
    from crawler.feeds import parse_feed
    from relevance import profile_for, score_article
    from storage.minhash import shingle_hashes
    from storage.models import normalise_for_hash
    from storage.neardup import fingerprint

    every_page = sorted(web_root.glob("*/news/*/*/*.html"))
    pages = every_page[:: max(1, len(every_page) // sample)][:sample]
    feeds = sorted(web_root.glob("*/feeds/*.xml"))[:sample]
    bodies = [p.read_bytes() for p in pages]
    urls = [f"http://{p.parts[-5]}/{'/'.join(p.parts[-4:])}" for p in pages]
    profile = profile_for(load_config(None).profile)
    extracted = [extract_article(b, u) for b, u in zip(bodies, urls, strict=True)]

    def per_item(label: str, call: Callable[[Any], object], items: list[Any]) -> None:
        times = []
        for item in items:
            started = time.process_time()
            call(item)
            times.append(time.process_time() - started)
        print(
            f"  {label:<62}{1000 * statistics.mean(times):>8.2f} ms"
            f" (median {1000 * statistics.median(times):.2f})"
        )

    pairs = list(zip(bodies, urls, strict=True))
    print(f"\n== the parts one by one ({len(pages)} pages, {len(feeds)} feeds; CPU per item)")
    per_item(
        "newswatch extract_article (bare_extraction + dates + lang)",
        lambda p: extract_article(*p),
        pairs,
    )
    per_item(
        "trafilatura.extract (the loop's call)",
        lambda p: trafilatura.extract(p[0], url=p[1]),
        pairs,
    )
    per_item(
        "trafilatura.extract(fast=True)",
        lambda p: trafilatura.extract(p[0], url=p[1], fast=True),
        pairs,
    )
    per_item(
        "bare_extraction, metadata, favor_precision, default dates",
        lambda p: trafilatura.bare_extraction(
            p[0], url=p[1], with_metadata=True, favor_precision=True
        ),
        pairs,
    )
    per_item(
        "bare_extraction, no metadata, favor_precision",
        lambda p: trafilatura.bare_extraction(p[0], url=p[1], favor_precision=True),
        pairs,
    )
    per_item(
        "htmldate find_date, newswatch's parameters (extensive search)",
        lambda p: find_date(trafilatura.load_html(p[0]), **DATE_PARAMS),
        pairs,
    )
    per_item(
        "MinHash fingerprint (storage.neardup.fingerprint)",
        lambda e: fingerprint(e.text),
        extracted,
    )
    per_item("  of which normalise_for_hash", lambda e: normalise_for_hash(e.text), extracted)
    per_item(
        "  of which shingle_hashes (normalise included)",
        lambda e: shingle_hashes(e.text),
        extracted,
    )
    per_item(
        "relevance score_article",
        lambda e: score_article(profile, e.title, e.text, e.lang),
        extracted,
    )
    feed_bodies = [f.read_bytes() for f in feeds]
    per_item(
        "newswatch parse_feed (per feed)",
        lambda b: parse_feed(b, "http://127.0.0.11/feeds/x.xml"),
        feed_bodies,
    )
    per_item("feedparser.parse (per feed, the loop's call)", feedparser.parse, feed_bodies)


def settings_copy_cost(work: Path) -> None:
    """Scrapy copies the settings for every crawler (one per source), and the settings hold
    newswatch's Config, every source included: the copy grows with the number of sources."""
    import copy

    from config import load_config
    from crawler.cycle import scrapy_settings

    print(
        "\n== per crawler: Scrapy's settings copy (holds the whole Config), by sources configured"
    )
    for count in (20, 200, 1000):
        lines = ["[storage]", 'path = "x.db"']
        for number in range(count):
            lines += ["", "[[sources]]", f'name = "feed {number}"', 'kind = "feed"']
            lines += [f'url = "http://127.0.0.11:1/feeds/{number}.xml"']
        path = work / f"sources-{count}.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        config = load_config(path)
        settings = scrapy_settings(config, "WARNING")
        started = time.process_time()
        for _ in range(20):
            settings.copy()
        per_copy = (time.process_time() - started) / 20
        started = time.process_time()
        for _ in range(20):
            copy.deepcopy(config)
        per_config = (time.process_time() - started) / 20
        print(
            f"  {count:>5} sources: Settings.copy {1000 * per_copy:6.2f} ms"
            f" (of which deepcopy(Config) {1000 * per_config:5.2f} ms);"
            f" × {count} crawlers = {count * per_copy:5.2f} s per cycle"
        )


def import_floor() -> None:
    """CPU of starting the crawl child and the CLI and importing what they import."""
    print("\n== start-up floor (CPU of a fresh interpreter importing, no crawl)")
    for label, code in (
        ("python -c pass", "pass"),
        ("import crawler.cycle (Scrapy, trafilatura, feedparser, storage)", "import crawler.cycle"),
        (
            "+ relevance profile load",
            "import crawler.cycle; from relevance import profile_for;"
            " from config import load_config; profile_for(load_config(None).profile)",
        ),
        ("import scheduler.cli (the CLI process)", "import scheduler.cli"),
    ):
        runs = [run([sys.executable, "-c", code], env=child_env()) for _ in range(3)]
        cpu = min(m.cpu for m in runs)
        rss = min(m.peak_rss_mib for m in runs)
        print(f"  {label:<66}{1000 * cpu:>7.0f} ms CPU{rss:>7.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profiler", choices=("py-spy", "cprofile"), default=None)
    parser.add_argument("--parallel-sources", type=int, default=8)
    parser.add_argument("--sample", type=int, default=300, help="pages for the parts' costs")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--report", type=Path, help="only report again on the py-spy files kept in this folder"
    )
    args = parser.parse_args()
    if args.report:
        counts = stored_counts(args.report / "newswatch" / "newswatch.db")
        feeds = len(list((args.report / "web").glob("*/feeds/*.xml")))
        report_samples("first crawl", args.report / "first.pyspy.txt", counts["articles"], "page")
        report_samples("unchanged re-crawl", args.report / "again.pyspy.txt", feeds, "source")
        return
    if args.quick:
        args.feeds, args.pages, args.sample = 24, 480, 60
    profiler = args.profiler or ("py-spy" if shutil.which("py-spy") else "cprofile")
    if args.profiler is None and profiler == "cprofile":
        print("py-spy not found (pip install py-spy): profiling with cProfile")
    (HERE / "out").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="profile-", dir=HERE / "out"))
    try:
        print(f"load average at start: {loadavg()}")
        shape = WebShape(feeds=args.feeds, pages=args.pages)
        addresses = [f"127.0.0.{11 + h}" for h in range(shape.hosts)]
        web = generate_web(work / "web", shape, free_port(addresses))
        print(f"web: {web.describe()}")
        config = write_newswatch_config(web, work / "newswatch", args.parallel_sources)
        with serve(web.root, web.addresses, web.port) as server:
            print(f"server: {server.name}; profiler: {profiler}")
            first, first_cpu = profile_crawl(config, work, profiler, "first")
            counts = stored_counts(config.parent / "newswatch.db")
            again, again_cpu = profile_crawl(config, work, profiler, "again")
            split = recrawl_split(config)
            cli = profile_cli(config, work) if profiler == "py-spy" else None
        feeds = len(web.feed_paths)
        print(f"stored {counts['articles']} articles ({counts['copies']} copies)")
        if profiler == "py-spy":
            report_samples("first crawl", first, counts["articles"], "page", first_cpu)
            report_samples("unchanged re-crawl", again, feeds, "source", again_cpu)
            if cli is not None:
                report_samples("the CLI process alone, unchanged re-crawl", cli, feeds, "source")
        else:
            report_cprofile("first crawl", first, counts["articles"], "page")
            report_cprofile("unchanged re-crawl", again, feeds, "source")
        print(
            f"\nunchanged re-crawl without a profiler, {feeds} sources: the CLI's whole tree"
            f" {split[0]:.2f} s CPU ({1000 * split[0] / feeds:.1f} ms/source), the crawl child"
            f" alone {split[1]:.2f} s ({1000 * split[1] / feeds:.1f} ms/source)"
        )
        import_floor()
        settings_copy_cost(work)
        component_costs(web.root, args.sample)
        print(f"\nload average at end: {loadavg()}")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
