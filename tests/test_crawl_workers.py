"""Page workers (crawl.workers): a crawl whose pages are extracted in a worker process stores
exactly what a crawl that extracts them itself stores; a worker that dies or hangs costs
no page."""

import array
import asyncio
import fcntl
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import ProfileConfig, load_config
from crawler.cleaning import clean_text, one_line
from crawler.extract import extract_article
from crawler.pageworker import ANSWER, answer_for, answer_frame, page_from_answer, request_frame
from crawler.workers import PagePool, WorkerFailed, extract_page, worker_count
from relevance import profile_for, storage_scorer
from storage.models import Article, content_hash
from storage.neardup import fingerprint
from storage.searchkeys import search_keys
from tests.crawling import REPO, read_rows, run_cycle, write_config
from tests.outlets.articles import CASPIAN_HERALD
from tests.outlets.server import OutletServer, article_page


def sources(server: OutletServer) -> list[dict[str, Any]]:
    """Feeds, a sitemap, a listing, a cp1251 outlet, and one story copied across outlets."""
    own = [
        {"name": "Caspian Herald", "kind": "feed", "url": server.url("/herald/rss.xml")},
        {"name": "Steppe Wire", "kind": "feed", "url": server.url("/steppe/atom.xml")},
        {"name": "Cyrillic Daily", "kind": "sitemap", "url": server.url("/robots.txt")},
        {
            "name": "Valley Times",
            "kind": "site",
            "url": server.url("/valley/"),
            "follow": ["/valley/story/"],
            "max_pages": 3,
        },
        {"name": "Old Cyrillic", "kind": "feed", "url": server.url("/cp1251/feed.xml")},
    ]
    copies = [
        {"name": name, "kind": "feed", "url": url}
        for name, url in server.web.syndication.feeds().items()
    ]
    return own + copies


def stored(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a crawl decided, without row ids (which follow the order pages came in)
    nor which of two feeds of one outlet stored an article first."""
    articles = read_rows(
        db_path,
        "SELECT a.canonical_url, a.title, a.text, a.author, a.published_at, a.lang, "
        "a.page_problem, a.content_hash, a.search_keys, a.relevance, "
        "a.relevant, a.matched, o.canonical_url AS copy_of "
        "FROM articles a LEFT JOIN articles o ON o.id = a.duplicate_of WHERE a.is_seed = 0",
    )
    aliases = read_rows(
        db_path,
        "SELECT l.url, a.canonical_url FROM article_aliases l "
        "JOIN articles a ON a.id = l.article_id",
    )
    return {
        "articles": sorted(tuple(row) for row in articles),
        "aliases": sorted(tuple(row) for row in aliases),
    }


def crawl(server: OutletServer, folder: Path, workers: int) -> Path:
    config = write_config(folder / "newswatch.toml", sources(server), workers=workers)
    run = run_cycle(config, "--all", proxy=server.base)
    assert run.returncode == 0, run.stderr[-3000:]
    assert {s["status"] for s in run.summary["sources"]} == {"ok"}, run.summary
    return folder / "crawl.db"


@pytest.fixture(scope="module")
def server() -> Iterator[OutletServer]:
    with OutletServer() as web:
        yield web


@pytest.fixture(scope="module")
def in_process(server: OutletServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The reference: a crawl with no worker."""
    return stored(crawl(server, tmp_path_factory.mktemp("in-process"), workers=0))


def test_a_crawl_with_a_page_worker_stores_what_one_without_stores(
    server: OutletServer, in_process: dict[str, Any], tmp_path: Path
) -> None:
    assert len(in_process["articles"]) >= 15
    assert any(row[-1] is not None for row in in_process["articles"])  # a copy was found
    assert stored(crawl(server, tmp_path, workers=1)) == in_process


def _children(pid: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append((int(entry.name), command))
    return found


def _page_worker_of(cycle: subprocess.Popen[str], wait: float = 30.0) -> int:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for pid, command in _children(cycle.pid):
            if "crawler.pageworker" in command:
                return pid
        time.sleep(0.01)
    raise AssertionError("no page worker started")


def _wait_for_pages_sent_to(worker: int, wait: float = 60.0) -> None:
    """Until bytes wait unread in a stopped worker's stdin: the pages it holds. (It may be
    started before any page is sent: see PagePool.warm.)"""
    deadline = time.monotonic() + wait
    with open(f"/proc/{worker}/fd/0", "rb", buffering=0) as pipe:  # the same pipe, reopened
        unread = array.array("i", [0])
        while time.monotonic() < deadline:
            fcntl.ioctl(pipe, termios.FIONREAD, unread)
            if unread[0] > 0:
                return
            time.sleep(0.01)
    raise AssertionError("no page was sent to the page worker")


def test_a_killed_worker_loses_no_page_and_stores_nothing_twice(
    server: OutletServer, in_process: dict[str, Any], tmp_path: Path
) -> None:
    config = write_config(tmp_path / "newswatch.toml", sources(server), workers=1)
    cycle = subprocess.Popen(
        [sys.executable, "-m", "crawler.cycle", "--config", str(config), "--all"],
        cwd=REPO,
        env={**os.environ, "http_proxy": server.base},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Caught while it starts and stopped; killed once pages sent to it wait in its pipe.
    worker = _page_worker_of(cycle)
    os.kill(worker, signal.SIGSTOP)
    _wait_for_pages_sent_to(worker)
    os.kill(worker, signal.SIGKILL)
    _out, errors = cycle.communicate(timeout=120)
    assert cycle.returncode == 0, errors[-3000:]
    # Each page it held: the source, the page and the cause.
    assert re.search(
        r"WARNING crawler\.workers: source '[^']+': article http://\S+: "
        r"extracted in the crawl process: worker killed by signal 9\n",
        errors,
    ), errors[-3000:]
    assert "Unknown child process" not in errors  # its exit status was read, not lost
    assert stored(tmp_path / "crawl.db") == in_process


def test_a_hung_worker_is_killed_and_the_page_extracted_here() -> None:
    body = article_page(CASPIAN_HERALD[0], "Caspian Herald").encode("utf-8")
    url = "http://127.0.0.1/herald/news/story.html"
    expected = extract_article(body, url)

    async def scenario() -> None:
        # The worker's start and its first page (importing trafilatura) can take seconds on
        # a loaded machine: the short timeout applies from the second page on.
        pool = PagePool(1, timeout=60.0)
        page, _worked = await pool.extract(body, url)
        assert page == expected
        pool.timeout = 1.0
        (hung,) = pool.workers
        os.kill(hung.process.pid, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(WorkerFailed, match="no answer in 1 s"):
            await pool.extract(body, url)
        assert time.monotonic() - started < 10
        await hung.process.wait()  # killed
        # The next page starts a new worker.
        page, _worked = await extract_page(pool, body, url, "Caspian Herald")
        assert page == expected
        assert [w.process.pid for w in pool.workers] != [hung.process.pid]
        await pool.close()

    asyncio.run(scenario())


def test_a_pool_warmed_when_news_comes_starts_its_worker_before_the_first_page() -> None:
    body = article_page(CASPIAN_HERALD[0], "Caspian Herald").encode("utf-8")
    url = "http://127.0.0.1/herald/news/story.html"

    async def scenario() -> None:
        pool = PagePool(1, timeout=60.0)
        pool.warm()
        pool.warm()  # news from a second source: still one worker
        deadline = time.monotonic() + 30
        while not pool.workers and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        (warmed,) = pool.workers
        page, _worked = await pool.extract(body, url)
        assert page == extract_article(body, url)
        assert pool.workers == [warmed]  # the page went to the worker already started
        await pool.close()
        assert warmed.process.returncode == 0

        # Warmed, then closed while its worker starts (no page after all: the news were
        # known): no worker is left behind.
        idle = PagePool(1, timeout=60.0)
        idle.warm()
        await idle.close()
        assert idle.workers == []
        assert not [c for _pid, c in _children(os.getpid()) if "crawler.pageworker" in c]

    asyncio.run(scenario())


def _page_workers_seen(command: list[str], env: dict[str, str]) -> tuple[int, bool]:
    """Run a crawl cycle; whether a page worker was among its children at any moment."""
    cycle = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    seen = False
    while cycle.poll() is None:
        # A worker lives from its start to the cycle's end, its warm-up alone ~0.4 s.
        seen = seen or any("crawler.pageworker" in c for _pid, c in _children(cycle.pid))
        time.sleep(0.005)
    return cycle.returncode, seen


def test_a_cycle_with_nothing_new_starts_no_page_worker(
    server: OutletServer, tmp_path: Path
) -> None:
    feeds = [s for s in sources(server) if s["kind"] == "feed"][:2]
    config = write_config(tmp_path / "newswatch.toml", feeds, workers=1)
    command = [sys.executable, "-m", "crawler.cycle", "--config", str(config), "--all"]
    env = {**os.environ, "http_proxy": server.base}
    assert _page_workers_seen(command, env) == (0, True)  # news: a worker extracts them
    # Both feeds now answer 304: nothing to extract, no worker's start-up paid.
    assert _page_workers_seen(command, env) == (0, False)
    fetches = read_rows(tmp_path / "crawl.db", "SELECT status FROM fetches ORDER BY id")
    assert [row[0] for row in fetches][-2:] == ["not-modified", "not-modified"]
    # As from a server that keeps no validators: the feeds are read again, in full, and
    # every entry is stored already. Still no page to fetch, so no worker.
    with sqlite3.connect(tmp_path / "crawl.db") as db:
        db.execute("UPDATE source_documents SET etag = NULL, last_modified = NULL")
    assert _page_workers_seen(command, env) == (0, False)
    fetches = read_rows(tmp_path / "crawl.db", "SELECT status FROM fetches ORDER BY id")
    assert [row[0] for row in fetches][-2:] == ["ok", "ok"]


def test_what_a_library_prints_as_the_worker_starts_never_reaches_its_answers() -> None:
    body = article_page(CASPIAN_HERALD[0], "Caspian Herald").encode("utf-8")
    url = "http://127.0.0.1/herald/news/story.html"
    # A library that prints to stdout while the worker loads it (its warm-up page).
    noisy = (
        "import sys, crawler.pageworker as worker; warm = worker.warm_up; "
        "worker.warm_up = lambda score: (print('loading model...'), warm(score)); "
        "worker.exit_at_once(worker.main([]))"
    )
    # Buffered as a worker's stdout is (a pipe), whatever the environment asks.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    done = subprocess.run(
        [sys.executable, "-c", noisy],
        input=request_frame(url, body),
        capture_output=True,
        cwd=REPO,
        env=env,
        check=True,
        timeout=60,
    )
    (size,) = ANSWER.unpack(done.stdout[: ANSWER.size])
    answer = json.loads(done.stdout[ANSWER.size : ANSWER.size + size])
    assert page_from_answer(answer)[0] == extract_article(body, url)
    assert b"loading model..." in done.stderr


def test_the_page_worker_imports_no_scrapy() -> None:
    code = (
        "import sys, crawler.pageworker; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_what_a_worker_computes_ahead_is_what_storing_computes() -> None:
    body = article_page(CASPIAN_HERALD[1], "Caspian Herald").encode("utf-8")
    url = "http://127.0.0.1/herald/news/story.html"
    score = storage_scorer(profile_for(ProfileConfig()))
    answer = json.loads(answer_frame(answer_for(url, body, score))[ANSWER.size :])
    page, worked = page_from_answer(answer)
    assert worked is not None
    article = Article(
        url=url,
        canonical_url=url,
        source="Caspian Herald",
        title=one_line(page.title),
        text=clean_text(page.text),
        lang=page.lang,
    )
    assert worked.fits(article)
    assert worked.fingerprint == fingerprint(article.text)
    assert worked.content_hash == content_hash(article.text)
    assert worked.score == score(article)
    assert worked.search_keys and worked.search_keys == search_keys(article.title, article.text)


def test_unset_workers_mean_one_worker_where_a_second_cpu_is_usable() -> None:
    assert worker_count(0) == 0 and worker_count(3) == 3
    assert load_config(None).crawl.workers is None  # the default: decided per machine
    # The same question asked by a process held to one CPU, and to two where there are two.
    check = (
        "import os, sys; from crawler.workers import worker_count; "
        "os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: int(sys.argv[1])]); "
        "print(worker_count(None))"
    )
    answers = {
        cpus: subprocess.run(
            [sys.executable, "-c", check, str(cpus)],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        ).stdout.strip()
        for cpus in (1, 2)
    }
    assert answers[1] == "0"
    assert answers[2] == ("1" if len(os.sched_getaffinity(0)) >= 2 else "0")
