"""One crawl cycle, run as its own process: `python -m crawler.cycle [--all | --source NAME]`.

Twisted's reactor cannot be restarted within a process, and a crash or a leak in one cycle
must not take down whoever started it, so the CLI and the daemon run this as a child. It
prints a JSON summary on its last line of stdout; logs go to stderr.

Its exit codes and summary are the contract in crawler/contract.py.
"""

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

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import BaseSettings, Settings, SettingsAttribute
from twisted.internet import defer, task
from twisted.internet.error import ReactorNotRunning

from config import Config, ConfigError, load_config
from crawler.addon import CONFIG_OBJECT
from crawler.contract import CycleExit, CycleSummary, Progress, SourceResult
from crawler.parent import stop_with_parent
from crawler.spiders.feed import FeedSpider
from crawler.spiders.site import SiteSpider
from crawler.spiders.sitemap import SitemapSpider
from crawler.state import shared_by_every_crawler
from crawler.workers import close_page_pool
from relevance import ProfileError, profile_for
from storage import Storage, StorageError

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0

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
) -> list[SourceResult]:
    """Crawl these sources in this process's one reactor, `crawl.parallel_sources` at a time
    (hundreds of spiders at once would open hundreds of connections and hold every page in
    memory together), telling `report` how far it is. Once per process: the reactor cannot
    restart."""
    if not sources:
        return []
    process = CrawlerProcess(scrapy_settings(config, log_level))
    crawlers = [
        (name, process.create_crawler(SPIDERS[config.source(name).kind])) for name in sources
    ]
    watch = _ProgressWatch(config, crawlers, report or (lambda _progress: None))
    limit = defer.DeferredSemaphore(config.crawl.parallel_sources)
    runs = []
    for name, crawler in crawlers:
        run = limit.run(process.crawl, crawler, source=name)
        run.addBoth(watch.source_done, name, crawler)
        runs.append(run)
    all_done = defer.DeferredList(runs, consumeErrors=True)
    all_done.addCallback(_log_crashed_crawls, [name for name, _crawler in crawlers])
    all_done.addBoth(watch.stop)
    all_done.addBoth(_close_page_workers)
    all_done.addBoth(_stop_reactor)
    watch.start()
    process.start(stop_after_crawl=False)
    return [_result(config, name, crawler) for name, crawler in crawlers]


class _ProgressWatch:
    """Reports a cycle's progress: when each source is done, and each second while pages
    come in."""

    def __init__(
        self,
        config: Config,
        crawlers: list[tuple[str, Crawler]],
        report: Callable[[Progress], None],
    ) -> None:
        self.config = config
        self.total = len(crawlers)
        # Crawlers whose counts may still change; a finished one's are added up once.
        self.unfinished = {id(crawler): crawler for _name, crawler in crawlers}
        self.finished_pages = self.finished_articles = 0
        self.report = report
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

    def source_done(self, result: object, name: str, crawler: Crawler) -> object:
        self.done += 1
        stats = _stats(self.unfinished.pop(id(crawler)))
        self.finished_pages += stats.get("response_received_count", 0)
        self.finished_articles += stats.get("newswatch/new_articles", 0)
        self.report(self.progress(_result(self.config, name, crawler)))
        return result

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


def _result(config: Config, name: str, crawler: Crawler) -> SourceResult:
    stats = _stats(crawler)
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
        config = load_config(args.config)
    except ConfigError as error:
        print("configuration is not usable:\n  " + "\n  ".join(error.problems), file=sys.stderr)
        return CycleExit.CONFIG_UNUSABLE
    try:
        profile_for(config.profile)  # a broken profile stops the cycle before any fetch
    except ProfileError as error:
        print(f"relevance profile is not usable: {error}", file=sys.stderr)
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
            next_due = storage.sources.next_due([s.name for s in config.sources])
            with shared_by_every_crawler(storage):
                results = run_cycle(config, chosen, args.log_level, print_progress)
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
    sys.exit(main())
