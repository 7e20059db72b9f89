"""One crawl cycle, run as its own process: `python -m crawler.cycle [--all | --source NAME]`.

Twisted's reactor cannot be restarted within a process, and a crash or a leak in one cycle
must not take down whoever started it, so the CLI and the daemon run this as a child. It
prints a JSON summary on its last line of stdout; logs go to stderr.

Its exit codes and summary are the contract in crawler/contract.py.
"""

import gc

if __name__ == "__main__":
    # The cycle process imports some 800 modules; collecting garbage while they load finds
    # none. They are frozen out of later collections once loaded (end of the imports).
    gc.disable()

# isort: split
import argparse
import asyncio
import contextlib
import copy
import fcntl
import logging
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

# Scrapy's HTTP download handler, imported here rather than when the first crawler's engine
# starts: its module makes deprecated class aliases, each calling inspect.stack(), which
# reads the source of every frame on the stack. Deep in the engine's start-up that cost about
# 0.1 s of CPU in every cycle (measured: 200 unchanged sources, 7.8 -> 7.3 ms each).
import scrapy.core.downloader.handlers.http11  # noqa: F401
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Response
from scrapy.settings import BaseSettings, Settings, SettingsAttribute
from twisted.internet import defer, task
from twisted.internet.error import ReactorNotRunning
from twisted.python.failure import Failure

from config import Config, ConfigError, config_from_text, load_config
from crawler.addon import CONFIG_OBJECT
from crawler.contract import CycleExit, CycleSummary, Progress, SourceResult
from crawler.parent import exit_at_once, stop_with_parent
from crawler.pipelines import CrawlRecord, record_crawl
from crawler.prefetch import Prefetched
from crawler.probe import ProbeSpider
from crawler.spiders.base import fetch_record_item
from crawler.spiders.feed import FeedSpider
from crawler.spiders.site import SiteSpider
from crawler.spiders.sitemap import SitemapSpider
from crawler.state import crawler_storage, shared_by_every_crawler
from crawler.workers import close_page_pool, warm_page_workers
from relevance import ProfileError, profile_for
from storage import Storage, StorageError

if __name__ == "__main__":
    gc.freeze()
    gc.enable()

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0
# The most the probe's answers may hold in memory for sources waiting for their crawl.
MAX_HELD_BYTES = 64 * 1024 * 1024

# A spider for each of config.SOURCE_KINDS.
SPIDERS = {spider.kind: spider for spider in (FeedSpider, SitemapSpider, SiteSpider)}


class UnknownSource(Exception):
    pass


def choose_sources(
    config: Config, storage: Storage, names: list[str], run_all: bool, now: datetime
) -> list[str]:
    """The sources to crawl: those named (paused or not), else all (--all), else those due
    now; a paused source is crawled only when named."""
    configured = [source.name for source in config.sources]
    if names:
        unknown = [name for name in names if name not in configured]
        left_out = config.left_out_warnings(unknown)
        if left_out:
            raise UnknownSource("; ".join(left_out))
        if unknown:
            raise UnknownSource(
                f"no source named {', '.join(map(repr, unknown))}; configured: "
                f"{', '.join(configured) or 'none'}"
            )
        return names
    active = [source for source in config.sources if not source.paused]
    if run_all:
        return [source.name for source in active]
    return storage.sources.due({s.name: config.interval_of(s) for s in active}, now)


# Values a settings copy can share with the original: nothing can change them.
_IMMUTABLE = (str, bytes, int, float, bool, type(None), Config)
_AnySettings = TypeVar("_AnySettings", bound=BaseSettings)


class CycleSettings(Settings):
    """Scrapy's settings, with a cheaper deep copy. Every source's crawler copies the
    cycle's settings (~300, some of them nested settings): `copy.deepcopy`'s generic walk
    cost 1.9 ms a source. Values nothing can change (text, numbers, the frozen Config) are
    shared; nested settings are copied the same way, and any other value (lists, dicts) is
    deep-copied as before, so a crawler's changes never reach another's."""

    def __deepcopy__(self, memo: dict[int, object]) -> "CycleSettings":
        return _copied_settings(self, memo)


def _copied_settings(settings: _AnySettings, memo: dict[int, object]) -> _AnySettings:
    copied = type(settings).__new__(type(settings))
    memo[id(settings)] = copied
    copied.__dict__.update(
        (name, value) for name, value in settings.__dict__.items() if name != "attributes"
    )
    copied.attributes = {
        name: _copied_attribute(attribute, memo) for name, attribute in settings.attributes.items()
    }
    return copied


def _copied_attribute(attribute: SettingsAttribute, memo: dict[int, object]) -> SettingsAttribute:
    copied = SettingsAttribute.__new__(SettingsAttribute)
    copied.__dict__.update(attribute.__dict__)
    value = attribute.value
    if isinstance(value, BaseSettings):
        copied.value = _copied_settings(value, memo)
    elif not isinstance(value, _IMMUTABLE):
        copied.value = copy.deepcopy(value, memo)
    return copied


def scrapy_settings(config: Config, log_level: str) -> Settings:
    settings = CycleSettings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set(CONFIG_OBJECT, config, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    return settings


def run_cycle(
    config: Config,
    sources: list[str],
    log_level: str = "WARNING",
    report: Callable[[Progress], None] | None = None,
    news_certain: bool = False,
) -> list[SourceResult]:
    """Crawl these sources in this process's one reactor, telling `report` how far it is.
    Once per process: the reactor cannot restart. With `news_certain` (a source is crawled
    for the first time) the page workers start with the cycle, not at the first news.

    The probe (crawler.probe) asks every source's own URL first, in one crawler; a source
    that answers 304 is done there, and every other gets a crawler of its own, handed the
    answer, `crawl.parallel_sources` at a time (hundreds of spiders at once would open
    hundreds of connections and hold every page in memory together)."""
    if not sources:
        return []
    process = CrawlerProcess(scrapy_settings(config, log_level))
    cycle = _Cycle(config, process, _ProgressWatch(len(sources), report))
    all_done = cycle.start(sources)
    if news_certain:
        from twisted.internet import reactor  # the one CrawlerProcess installed

        # Their start-up (~0.5 s of CPU) then overlaps the probe's downloads.
        reactor.callWhenRunning(cycle.warm_page_workers)
    all_done.addBoth(cycle.watch.stop)
    all_done.addBoth(_close_page_workers)
    all_done.addBoth(_stop_reactor)
    cycle.watch.start()
    process.start(stop_after_crawl=False)
    if cycle.profile_problem is not None:
        logger.error(
            "relevance profile is not usable: %s; the sources with news were not crawled "
            "(they are asked again next cycle)",
            cycle.profile_problem,
        )
    return [cycle.result(name) for name in sources]


class _Cycle:
    """The crawls of one cycle: the probe, then a crawler for each source it did not finish."""

    def __init__(self, config: Config, process: CrawlerProcess, watch: "_ProgressWatch") -> None:
        self.config = config
        self.process = process
        self.watch = watch
        self.limit = defer.DeferredSemaphore(config.crawl.parallel_sources)
        # Sources being crawled. Once a crawl ends only its result is kept: a crawler holds
        # its settings, stats and engine (10 MiB over a cycle of 200 sources).
        self.crawlers: dict[str, Crawler] = {}
        # Sources whose crawl ended, and those the probe finished: unchanged (304), or news
        # left for a usable profile.
        self.finished: dict[str, SourceResult] = {}
        self.runs: list[tuple[str, defer.Deferred[Any]]] = []
        # Bytes of the probe's answers held for sources whose crawl has not ended.
        self.held = 0
        self.held_for: dict[str, int] = {}
        self.probe = process.create_crawler(ProbeSpider)
        self.profile_problem: str | None = None
        self.profile_built = False

    def start(self, sources: list[str]) -> defer.Deferred[Any]:
        """Start the probe; the result fires once every source's crawl has ended."""
        probed = self.process.crawl(
            self.probe,
            sources=[self.config.source(name) for name in sources],
            answered=self.answered,
        )
        probed.addBoth(self.probe_done, sources)
        return probed

    def answered(self, name: str, prefetched: Prefetched) -> None:
        if name in self.crawlers or name in self.finished:
            return
        response = prefetched.response
        if response is not None and response.status == 304:
            self.record_unchanged(name, response)
        elif response is not None and self.held + len(response.body) > MAX_HELD_BYTES:
            # Sources wait for `crawl.parallel_sources` with what the probe got for them:
            # past this much, a source asks again rather than hold more in memory.
            self.crawl_source(name, None)
        elif response is not None or prefetched.exception is not None:
            self.held_for[name] = len(response.body) if response is not None else 0
            self.held += self.held_for[name]
            self.crawl_source(name, prefetched)
        else:
            self.crawl_source(name, None)

    def warm_page_workers(self) -> None:
        """A source is crawled for the first time: pages are coming for certain, so the page
        workers start with the cycle (otherwise at the first page a source lists to fetch:
        crawler.middlewares.ArticlePlanMiddleware)."""
        warm_page_workers(self.config, str(self.process.settings["LOG_LEVEL"]))

    def probe_done(self, result: object, sources: list[str]) -> defer.Deferred[Any]:
        if isinstance(result, Failure):
            logger.error("the cycle's probe stopped with an error: %s", result.getErrorMessage())
        # A source the probe did not answer for is crawled all the same: nothing is lost.
        for name in sources:
            if name not in self.crawlers and name not in self.finished:
                self.crawl_source(name, None)
        names = [name for name, _run in self.runs]
        all_done = defer.DeferredList([run for _name, run in self.runs], consumeErrors=True)
        all_done.addCallback(_log_crashed_crawls, names)
        return all_done

    def crawl_source(self, name: str, prefetched: Prefetched | None) -> None:
        if not self.profile_usable():
            self.record_not_scored(name, prefetched)
            self.release(None, name)  # the probe's answer is no longer held for it
            return
        crawler = self.process.create_crawler(SPIDERS[self.config.source(name).kind])
        self.crawlers[name] = crawler
        self.watch.add(crawler)
        run = self.limit.run(self.process.crawl, crawler, source=name, prefetched=prefetched)
        run.addBoth(self.watch.source_done, self.config, name, crawler)
        run.addBoth(self.release, name)
        run.addBoth(self.ended, name)
        self.runs.append((name, run))

    def profile_usable(self) -> bool:
        """Build the relevance profile when the first source needs a crawl of its own, not
        before the cycle: a cycle whose every source answers 304 scores nothing (building it
        imports numpy: 0.2 s of CPU). With a broken profile no source with news is crawled
        (record_not_scored); the others are recorded as usual."""
        if not self.profile_built:
            self.profile_built = True
            try:
                profile_for(self.config.profile)
            except ProfileError as error:
                self.profile_problem = str(error)
        return self.profile_problem is None

    def record_not_scored(self, name: str, prefetched: Prefetched | None) -> None:
        """A source with news while the relevance profile does not load: nothing of it is
        stored (articles stored unscored would never be scored right), and it is recorded as
        failed by a local fault: no back-off, no validators kept, due again at once, so its
        articles come in once the profile is fixed."""
        problem = f"relevance profile is not usable: {self.profile_problem}"
        response = prefetched.response if prefetched is not None else None
        record = None
        if response is not None:
            # In the fetch history as what it was for us: a fetch whose articles were not read.
            fetch = fetch_record_item(name, response, "error", error=problem)
            record = CrawlRecord([fetch], validated=False, write_error=problem)
        self.finish(name, record, f"error: articles not stored: {problem}")

    def ended(self, result: object, name: str) -> object:
        crawler = self.crawlers.pop(name)
        self.finished[name] = _result(self.config, name, _stats(crawler))
        return result

    def release(self, result: object, name: str) -> object:
        self.held -= self.held_for.pop(name, 0)
        return result

    def record_unchanged(self, name: str, response: Response) -> None:
        """What the source's own crawl would record of a 304, and its result."""
        fetch = fetch_record_item(name, response, "not-modified")
        self.finish(name, CrawlRecord([fetch]), "not-modified")

    def finish(self, name: str, record: CrawlRecord | None, status: str) -> None:
        """A source the probe finished: its crawl recorded (its status then is the recording's
        failure, if any), and its result reported."""
        if record is not None:
            storage = crawler_storage(self.probe)
            status = record_crawl(storage, self.config, self.config.source(name), record) or status
        result = _result(self.config, name, {"newswatch/status": status})
        self.finished[name] = result
        self.watch.finished(result)

    def result(self, name: str) -> SourceResult:
        if name in self.finished:
            return self.finished[name]
        crawler = self.crawlers.get(name)
        return _result(self.config, name, _stats(crawler) if crawler is not None else {})


class _ProgressWatch:
    """Reports a cycle's progress: when each source is done, and each second while pages
    come in."""

    def __init__(self, total: int, report: Callable[[Progress], None] | None) -> None:
        self.total = total
        # Crawlers whose counts may still change; a finished one's are added up once.
        self.unfinished: dict[int, Crawler] = {}
        self.finished_pages = self.finished_articles = 0
        self.report = report or (lambda _progress: None)
        self.done = 0
        self.last: tuple[int, int] | None = None
        self.ticker: task.LoopingCall | None = None

    def start(self) -> None:
        # Made once the crawls are set up: a LoopingCall made earlier would install Twisted's
        # default reactor before Scrapy installs the one it needs.
        self.ticker = task.LoopingCall(self.tick)
        self.ticker.start(PROGRESS_EVERY_SECONDS, now=False)

    def stop(self, result: object) -> object:
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        return result

    def add(self, crawler: Crawler) -> None:
        self.unfinished[id(crawler)] = crawler

    def source_done(self, result: object, config: Config, name: str, crawler: Crawler) -> object:
        stats = _stats(self.unfinished.pop(id(crawler)))
        self.finished_pages += stats.get("response_received_count", 0)
        self.finished_articles += stats.get("newswatch/new_articles", 0)
        self.finished(_result(config, name, stats))
        return result

    def finished(self, source: SourceResult) -> None:
        self.done += 1
        self.report(self.progress(source))

    def tick(self) -> None:
        progress = self.progress()
        counts = (progress.pages, progress.new_articles)
        if counts != self.last:
            self.last = counts
            self.report(progress)

    def progress(self, finished: SourceResult | None = None) -> Progress:
        stats = [_stats(crawler) for crawler in self.unfinished.values()]
        return Progress(
            sources_done=self.done,
            sources_total=self.total,
            pages=self.finished_pages + sum(s.get("response_received_count", 0) for s in stats),
            new_articles=self.finished_articles
            + sum(s.get("newswatch/new_articles", 0) for s in stats),
            finished=finished,
        )


def print_progress(progress: Progress) -> None:
    print(progress.to_json(), flush=True)


def _log_crashed_crawls(results: list[tuple[bool, Any]], names: list[str]) -> None:
    for name, (succeeded, failure) in zip(names, results, strict=True):
        if not succeeded:
            logger.error(
                "source %r: the crawl stopped with an error: %s", name, failure.getErrorMessage()
            )


def _close_page_workers(result: object) -> defer.Deferred[object]:
    """Let the page workers (crawl.workers) exit before the reactor stops."""
    closing = defer.Deferred.fromFuture(asyncio.ensure_future(close_page_pool()))
    return closing.addBoth(lambda _closed: result)


def _stop_reactor(_: object) -> None:
    from twisted.internet import reactor  # the one CrawlerProcess installed

    # After SIGTERM, Scrapy's own graceful shutdown may have stopped it already.
    with contextlib.suppress(ReactorNotRunning):
        reactor.stop()  # type: ignore[misc]  # twisted types the module-level reactor loosely


def _stats(crawler: Crawler) -> dict[str, Any]:
    """A crawler's stats; none for one whose crawl has not started yet (sources wait for
    `crawl.parallel_sources`) or failed before it made its stats collector. Scrapy raises
    on `crawler.stats` then: a progress tick while sources waited made every later
    source's crawl "stop with an error" and lose its progress line."""
    collector = crawler._stats  # Scrapy's documented way to look before the crawl starts
    return collector.get_stats() if collector is not None else {}


def _result(config: Config, name: str, stats: dict[str, Any]) -> SourceResult:
    return SourceResult(
        source=name,
        kind=config.source(name).kind,
        status=stats.get("newswatch/status", "not fetched"),
        items_seen=stats.get("newswatch/items_seen", 0),
        new_articles=stats.get("newswatch/new_articles", 0),
        updated_articles=stats.get("newswatch/updated_articles", 0),
        article_errors=stats.get("newswatch/article_errors", 0)
        + stats.get("newswatch/articles_gone", 0),
        already_stored=stats.get("newswatch/already_stored", 0),
        dropped_links=stats.get("newswatch/refused_links", 0),
    )


@contextlib.contextmanager
def one_crawl_at_a_time(database: Path) -> Iterator[None]:
    """Hold the database's crawl lock; a cycle started while another runs (the daemon's and
    a `newswatch crawl`) waits for it, then chooses its sources: what the first fetched is
    no longer due, and nothing is fetched twice. The kernel releases the lock of a killed
    cycle."""
    path = database.with_name(database.name + ".crawl-lock")
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                "another crawl is running on this database: waiting for it to finish",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.cycle", description=__doc__)
    parser.add_argument("--config", type=Path)
    # The daemon sends the text of the file's last version that loaded: a file edited
    # badly meanwhile does not stop its crawling (--config still names the file).
    parser.add_argument("--config-on-stdin", action="store_true")
    parser.add_argument("--source", action="append", default=[])
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    # A killed daemon leaves no cycle writing behind it: on SIGTERM Scrapy closes the
    # spiders and the pipelines write what they hold.
    stop_with_parent("crawl cycle")
    # Scrapy installs the one root log handler (stderr, at --log-level) when the crawl
    # starts; problems before that are printed.
    try:
        if args.config_on_stdin and args.config is not None:
            text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
            config = config_from_text(text, args.config)
        else:
            config = load_config(args.config)
    except ConfigError as error:
        print("configuration is not usable:\n  " + "\n  ".join(error.problems), file=sys.stderr)
        return CycleExit.CONFIG_UNUSABLE
    try:
        with one_crawl_at_a_time(config.storage.path):
            return crawl(config, args)
    except OSError as error:  # the lock file cannot be made: the database folder is unusable
        print(f"database {config.storage.path}: {error}", file=sys.stderr)
        return CycleExit.DATABASE_UNUSABLE


def crawl(config: Config, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    try:
        with Storage.open_configured(config) as storage:
            chosen = choose_sources(config, storage, args.source, args.all, now)
            next_due = storage.sources.next_due(
                {s.name: config.interval_of(s) for s in config.sources}
            )
            news_certain = bool(storage.sources.never_fetched(chosen))
            with shared_by_every_crawler(storage):
                results = run_cycle(config, chosen, args.log_level, print_progress, news_certain)
    except UnknownSource as error:
        print(str(error), file=sys.stderr)
        return CycleExit.UNKNOWN_SOURCE
    except StorageError as error:
        print(str(error), file=sys.stderr)
        return CycleExit.DATABASE_UNUSABLE
    summary = CycleSummary(now.strftime("%Y-%m-%dT%H:%M:%SZ"), results, next_due)
    print(summary.to_json())
    return CycleExit.OK


if __name__ == "__main__":
    exit_at_once(main())
