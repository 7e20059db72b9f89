"""What a page worker (crawl.workers) costs per page, beside the same work done in-process, in
one run on the same generated pages (bench/crawlweb.py): extraction, fingerprint, content
hash and relevance score of each page.

    python bench/page_worker.py              # 400 pages
    python bench/page_worker.py --pages 1000

Prints the CPU per page in this process (the in-process line), and through one worker: this
process's share (the pipe, JSON, asyncio) and the worker's (its start-up, measured apart on
a worker that extracts one page, taken out). No crawl, no network: what is left of a crawl's
difference between `workers = 0` and `workers = 1` is the machine (a second core free or not).
"""

import argparse
import asyncio
import resource
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from crawlweb import WebShape, generate_web  # noqa: E402

from config import ProfileConfig  # noqa: E402
from crawler.pageworker import _scorer, answer_for, profile_argument  # noqa: E402
from crawler.workers import PagePool  # noqa: E402


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def in_process(pages: list[tuple[str, bytes]]) -> float:
    score = _scorer(profile_argument(ProfileConfig()))
    answer_for(*pages[0], score)  # caches and models loaded, as in a crawl under way
    start = cpu(resource.RUSAGE_SELF)
    for url, body in pages:
        answer_for(url, body, score)
    return cpu(resource.RUSAGE_SELF) - start


async def through_worker(pages: list[tuple[str, bytes]]) -> float:
    """This process's CPU for the pages; the worker's is in RUSAGE_CHILDREN once it exits."""
    pool = PagePool(1, profile=ProfileConfig())
    await pool.extract(pages[0][1], pages[0][0])
    start = cpu(resource.RUSAGE_SELF)
    for url, body in pages:
        await pool.extract(body, url)
    own = cpu(resource.RUSAGE_SELF) - start
    await pool.close()
    return own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=400)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="page-worker-"))
    web = generate_web(folder / "web", WebShape(feeds=20, pages=args.pages, hosts=8), 8000)
    pages = [
        (f"http://127.0.0.11/{path.name}", path.read_bytes())
        for path in sorted(Path(web.root).rglob("*.html"))
    ]
    shutil.rmtree(folder)
    here = in_process(pages)
    before = cpu(resource.RUSAGE_CHILDREN)
    asyncio.run(through_worker(pages[:1]))
    start_up = cpu(resource.RUSAGE_CHILDREN) - before
    before = cpu(resource.RUSAGE_CHILDREN)
    own = asyncio.run(through_worker(pages))
    worker = cpu(resource.RUSAGE_CHILDREN) - before - start_up
    count = len(pages)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"{count} pages of the generated web; load average {load}")
    print(f"in-process:       {1000 * here / count:6.2f} ms CPU per page")
    print(
        f"through a worker: {1000 * (own + worker) / count:6.2f} ms CPU per page "
        f"(this process {1000 * own / count:.2f}, the worker {1000 * worker / count:.2f}); "
        f"the worker's start-up {start_up:.2f} s once per cycle"
    )


if __name__ == "__main__":
    main()
