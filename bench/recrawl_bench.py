"""The unchanged re-crawl alone (issue 12: ≤ 5 ms CPU per source), repeated, on the bench web.

    python bench/recrawl_bench.py                   # 200 feeds, 3 re-crawls
    python bench/recrawl_bench.py --repeat 5 --profile

Generates the crawl bench's web (bench/crawlweb.py) with few pages (the re-crawl fetches no
page: every feed answers 304), serves it with nginx if installed, makes a first crawl (not
measured), then runs `newswatch crawl --all` again `--repeat` times and prints, for each,
the CPU of the whole process tree (the CLI and its crawl child) per source, the wall time,
the tree's peak RSS and the load average. Beside it, the same run's floor: a Python that
imports nothing (`python -c pass`), twice (one for the CLI, one for its child). Each re-crawl
is checked: every feed answered 304 and nothing was stored again.

`--profile` also runs one re-crawl under py-spy (`--subprocesses`) and writes a speedscope
file to bench/out/ (kept).
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _tree import run  # noqa: E402
from crawl_bench import (  # noqa: E402
    checked,
    child_env,
    loadavg,
    newswatch_command,
    stored_counts,
    write_newswatch_config,
)
from crawlweb import WebShape, generate_web  # noqa: E402
from webserver import free_port, serve  # noqa: E402

TARGET_MS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--pages", type=int, default=400, help="article pages of the web")
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parallel-sources", type=int, default=8)
    parser.add_argument("--server", choices=("auto", "nginx", "python"), default="auto")
    parser.add_argument("--profile", action="store_true", help="one more re-crawl under py-spy")
    args = parser.parse_args()
    (HERE / "out").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="recrawl-", dir=HERE / "out"))
    try:
        bench(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench(args: argparse.Namespace, work: Path) -> None:
    shape = WebShape(feeds=args.feeds, pages=args.pages, hosts=args.hosts)
    addresses = [f"127.0.0.{11 + h}" for h in range(shape.hosts)]
    port = free_port(addresses)
    web = generate_web(work / "web", shape, port)
    with serve(web.root, web.addresses, port, args.server) as server:
        print(f"web: {web.describe()}\nserver: {server.name}")
        config = write_newswatch_config(web, work / "newswatch", args.parallel_sources)
        database = config.parent / "newswatch.db"
        command = newswatch_command(config)
        checked("first crawl", run(command, cwd=config.parent, env=child_env()))
        floor = sum(run([sys.executable, "-c", "pass"]).cpu for _ in range(2))
        print(f"floor (two bare interpreters): {1000 * floor:.0f} ms CPU")
        print(f"{'run':<5}{'CPU s':>7}{'ms/source':>11}{'wall s':>8}{'peak RSS MiB':>14}  load")
        feeds = len(web.feed_paths)
        for number in range(1, args.repeat + 1):
            before = stored_counts(database)
            load = loadavg()
            measured = checked("re-crawl", run(command, cwd=config.parent, env=child_env()))
            after = stored_counts(database)
            not_modified = after["not_modified"] - before["not_modified"]
            if not_modified != feeds or after["articles"] != before["articles"]:
                raise SystemExit(
                    f"re-crawl {number}: {not_modified} of {feeds} feeds answered 304, "
                    f"{after['articles'] - before['articles']} articles stored again"
                )
            print(
                f"{number:<5}{measured.cpu:>7.2f}{1000 * measured.cpu / feeds:>11.1f}"
                f"{measured.wall:>8.1f}{measured.peak_rss_mib:>14.0f}  {load}"
            )
        print(f"target ≤ {TARGET_MS:.0f} ms CPU per source; {feeds} feeds, all answered 304")
        if args.profile:
            profile(command, config.parent)


def profile(command: list[str], folder: Path) -> None:
    output = HERE / "out" / f"recrawl-{Path(tempfile.mktemp()).name}.speedscope.json"
    spy = shutil.which("py-spy")
    if spy is None:
        print("py-spy not found (the `bench` extra): no profile")
        return
    spy_options = ["record", "--subprocesses", "--rate", "500", "--format", "speedscope"]
    subprocess.run(
        [spy, *spy_options, "-o", str(output), "--", *command],
        cwd=folder,
        env=child_env(),
        check=True,
        capture_output=True,
    )
    print(f"profile: {output}")


if __name__ == "__main__":
    main()
