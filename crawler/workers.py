"""Page workers (`crawl.workers`): article pages are extracted in child processes
(crawler/pageworker.py) while the crawl process goes on fetching and writing.

Extraction is the largest per-page cost of a crawl and a pure function of the page's bytes,
so a worker returns exactly what the crawl process would have computed: the rows stored do
not change. A worker that dies, or does not answer within WORKER_TIMEOUT, is killed and the
pages it held are extracted in the crawl process (a warning names the source, the page and
the cause); the next page starts a new worker. After MAX_WORKER_FAILURES failures in one
crawl the workers are given up and every page is extracted in the crawl process.

Used from the Twisted asyncio reactor's event loop (the spiders' async callbacks).
"""

import asyncio
import contextlib
import functools
import json
import logging
import os
import sys
from collections import deque
from pathlib import Path

from config import Config, ProfileConfig
from crawler.extract import Extracted, extract_article
from crawler.pageworker import ANSWER, page_from_answer, profile_argument, request_frame
from storage.models import Worked

logger = logging.getLogger(__name__)

# Pages sent to one worker ahead of its answers: the crawl process is busy for a while at
# times (a batch of 25 articles written at once), and the worker must not run dry meanwhile.
# With 2, a full benchmark crawl kept the worker busy only 65% of its wall time.
PAGES_IN_FLIGHT = 16
# A page takes milliseconds (a 5 MB one, seconds): a worker this late is stuck.
WORKER_TIMEOUT = 60.0
MAX_WORKER_FAILURES = 5
# A worker that closed its output, or was told to stop, and has not exited after this long
# is killed.
CLOSE_SECONDS = 5.0
# Where the crawler package is, for the worker's `python -m` (it may not be on sys.path of
# a process started elsewhere).
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])


class WorkerFailed(Exception):
    """A page worker could not extract a page (the message is the cause)."""


class _Worker:
    """One worker process and the pages it was sent, answered in order."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.waiting: deque[asyncio.Future[dict[str, object]]] = deque()
        self.failure: str | None = None  # set once it is dead or being killed
        self.counted = False  # its failure is counted (once, whatever pages it held)
        self.reader = asyncio.ensure_future(self._read_answers())

    @property
    def alive(self) -> bool:
        return self.failure is None

    def send(self, url: str, body: bytes) -> "asyncio.Future[dict[str, object]]":
        assert self.process.stdin is not None and self.failure is None
        future: asyncio.Future[dict[str, object]] = asyncio.get_running_loop().create_future()
        self.waiting.append(future)
        self.process.stdin.write(request_frame(url, body))
        return future

    def kill(self, cause: str) -> None:
        if self.failure is None:
            self.failure = cause
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()

    async def _read_answers(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while True:
                (size,) = ANSWER.unpack(await stream.readexactly(ANSWER.size))
                answer = json.loads(await stream.readexactly(size))
                future = self.waiting.popleft()
                if not future.done():
                    future.set_result(answer)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, IndexError):
            pass  # it died, was killed, or said something unreadable: it is done for
        failure, self.failure = self.failure, self.failure or "stopped answering"
        try:
            # Not killed first: killing polls the process, which would take its exit status
            # from asyncio's child watcher.
            code = await asyncio.wait_for(self.process.wait(), CLOSE_SECONDS)
        except TimeoutError:
            self.kill(self.failure)
            code = await self.process.wait()
        if failure is None:
            self.failure = _exit_cause(code)
        for future in self.waiting:
            if not future.done():
                future.set_exception(WorkerFailed(self.failure))
        self.waiting.clear()

    async def close(self) -> None:
        """Let it finish what it holds and exit (it stops when its stdin closes)."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), CLOSE_SECONDS)
        except TimeoutError:
            self.kill("did not exit")
        with contextlib.suppress(Exception):
            await self.reader


def _exit_cause(code: int) -> str:
    return f"worker killed by signal {-code}" if code < 0 else f"worker exited with code {code}"


class PagePool:
    """Up to `size` page workers, started ahead of the first page (`warm`: a source lists
    pages to fetch, or is crawled for the first time) or else when it comes. A crawl that
    fetches no page (every source unchanged or all its entries stored) starts none."""

    def __init__(
        self,
        size: int,
        log_level: str = "WARNING",
        timeout: float = WORKER_TIMEOUT,
        profile: ProfileConfig | None = None,
    ) -> None:
        self.size = size
        self.profile = profile
        self.log_level = log_level
        self.timeout = timeout
        self.workers: list[_Worker] = []
        self.failures = 0
        self.given_up = size <= 0
        self._slots: asyncio.Semaphore | None = None
        self._starting: asyncio.Lock | None = None
        self._warming: asyncio.Future[None] | None = None

    async def extract(self, body: bytes, url: str) -> tuple[Extracted, Worked | None]:
        """The page as crawler.extract.extract_article gives it, from a worker, and what
        the worker computed ahead for storing it (with a `profile`, its score); raises
        WorkerFailed when no worker could give it."""
        if self.given_up:
            raise WorkerFailed("no page worker")
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size * PAGES_IN_FLIGHT)
        async with self._slots:
            worker = await self._worker()
            future = worker.send(url, body)
            try:
                answer = await asyncio.wait_for(asyncio.shield(future), self.timeout)
            except TimeoutError:
                future.cancel()  # nobody waits for it any more
                worker.kill(f"no answer in {self.timeout:g} s: worker killed")
                self._failed(worker)
                raise WorkerFailed(worker.failure) from None
            except WorkerFailed:
                self._failed(worker)
                raise
        if "error" in answer:
            raise WorkerFailed(f"extraction raised {answer['error']}")
        return page_from_answer(answer)

    def warm(self) -> None:
        """Start the workers now, not at the first page: a worker loads its libraries and
        models as it starts (0.4 s of CPU), and does so on the second core while this process
        fetches the first pages."""
        if self._warming is None and not self.given_up:
            self._warming = asyncio.ensure_future(self._start_all())

    async def _start_all(self) -> None:
        with contextlib.suppress(WorkerFailed):  # counted; the first page tries again
            for _ in range(self.size):
                await self._worker()

    def _failed(self, worker: _Worker | None = None) -> None:
        if worker is not None:
            if worker.counted:
                return
            worker.counted = True
        self.failures += 1
        if self.failures >= MAX_WORKER_FAILURES and not self.given_up:
            self.given_up = True
            logger.warning(
                "page workers failed %d times: the rest of this crawl's pages are extracted "
                "in the crawl process",
                self.failures,
            )

    async def _worker(self) -> _Worker:
        """The live worker with the fewest pages waiting; a new one while under `size`."""
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            self.workers = [worker for worker in self.workers if worker.alive]
            if len(self.workers) < self.size:
                self.workers.append(await self._start())
        return min(self.workers, key=lambda worker: len(worker.waiting))

    async def _start(self) -> _Worker:
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, path]))}
        # numpy's BLAS starts a thread per CPU at import, for linear algebra the worker never
        # does (MinHash works elementwise): 0.08 s of CPU at each start, on the crawl's core.
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        command = ["-m", "crawler.pageworker", "--log-level", self.log_level]
        if self.profile is not None:
            command += ["--profile", profile_argument(self.profile)]
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=env,
            )
        except OSError as error:
            self._failed()
            raise WorkerFailed(f"page worker not started: {error}") from None
        return _Worker(process)

    async def close(self) -> None:
        if self._warming is not None:
            # A worker still starting is closed with the others, whatever ended its start.
            await asyncio.gather(self._warming, return_exceptions=True)
        workers, self.workers = self.workers, []
        await asyncio.gather(*(worker.close() for worker in workers))


async def extract_page(
    pool: PagePool | None, body: bytes, url: str, source: str
) -> tuple[Extracted, Worked | None]:
    """The page extracted by a worker, or here when there is none or it failed (then
    nothing is computed ahead)."""
    if pool is not None and not pool.given_up:
        try:
            return await pool.extract(body, url)
        except WorkerFailed as error:
            logger.warning(
                "source %r: article %s: extracted in the crawl process: %s",
                source,
                url[:200],
                error,
            )
    return extract_article(body, url), None


_pool: PagePool | None = None


def worker_count(configured: int | None) -> int:
    """How many page workers a crawl runs: `crawl.workers`, or when it is unset one where
    this process may run on two CPUs or more, so that extraction uses the second one (on
    the 2-core bench web a first crawl is ~1.6 times as fast), and none on a single CPU,
    where a worker only adds its cost."""
    if configured is not None:
        return configured
    return 1 if usable_cpus() >= 2 else 0


@functools.cache
def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity: a container's or taskset's limit),
    asked once: page_pool asks for every page."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def page_pool(config: Config, log_level: str) -> PagePool | None:
    """This process's page workers (`crawl.workers`, see `worker_count`; none for 0), made
    on first use; they score relevance with the crawl's profile."""
    global _pool
    size = worker_count(config.crawl.workers)
    if size <= 0:
        return None
    if _pool is None:
        _pool = PagePool(size, log_level, profile=config.profile)
    return _pool


def warm_page_workers(config: Config, log_level: str) -> None:
    """Start this process's page workers now, ahead of the first page (PagePool.warm), if
    the crawl runs any."""
    pool = page_pool(config, log_level)
    if pool is not None:
        pool.warm()


async def close_page_pool() -> None:
    """Stop this process's page workers, if any ran (at the end of a crawl)."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        await pool.close()
