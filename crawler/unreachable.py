"""Stop asking a host that cannot be reached, for the rest of a source's crawl.

A feed whose article pages sit on a host that is down (its name no longer resolves, it
refuses connections, it never answers) would otherwise cost every page its retries and its
download delay: minutes per cycle for a few hundred links, for nothing. After a few pages
in a row fail that way, the host's other pages are not requested in this crawl; the spider
stores them from the source's summary, waiting for their pages (storage.decide.PAGE_PENDING),
and the next cycle tries the host again.
"""

import logging
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from twisted.internet.error import ConnectError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError

from crawler.addon import config_from_settings
from crawler.failures import describe_error
from crawler.meta import LEAD

logger = logging.getLogger(__name__)

# Failed attempts in a row, with no answer between, after which a host is given up for the
# crawl.
FAILURES_BEFORE_GIVING_UP = 3


class HostGivenUp(IgnoreRequest):
    """A request not made because its host could not be reached this cycle; `cause` is why
    the host's last attempt failed."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.cause = cause


UNREACHABLE = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    TwistedTimeoutError,
    TCPTimedOutError,
    ConnectError,
)


class UnreachableHostMiddleware:
    """Counts, per host, the article-page attempts in a row that failed to reach it (a
    retry is an attempt); from the third, the host's remaining article pages in this crawl,
    retries included, are dropped with a cause that says why. A source's own documents
    (feed, sitemaps, listing pages) are left to fail on their own."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.failures: dict[str, int] = {}
        self.last_cause: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "UnreachableHostMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        host = _host(request)
        if LEAD in request.meta and self.failures.get(host, 0) >= FAILURES_BEFORE_GIVING_UP:
            raise self._given_up(host)

    def process_response(self, request: Request, response: Response) -> Response:
        self.failures.pop(_host(request), None)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if LEAD not in request.meta or not isinstance(exception, UNREACHABLE):
            return  # a source's own document fails on its own, with its own cause
        host = _host(request)
        self.failures[host] = self.failures.get(host, 0) + 1
        config = config_from_settings(self.crawler.settings)
        self.last_cause[host] = describe_error(
            exception, request, config.crawl.timeout, config.crawl.max_page_bytes
        )
        if self.failures[host] == FAILURES_BEFORE_GIVING_UP:
            self._drop_queued(request, host)
            logger.warning(
                "source %r: %s could not be reached %d times in a row (%s): its other pages "
                "are not requested this cycle; they are stored from the source's summary "
                "and tried again next cycle",
                getattr(self.crawler.spider, "source_name", "?"),
                host,
                FAILURES_BEFORE_GIVING_UP,
                self.last_cause[host],
            )

    def _drop_queued(self, request: Request, host: str) -> None:
        """Fail the host's requests already waiting in its download slot: they passed
        process_request before the host was given up, and would each still cost a timeout
        or a download delay. (Scrapy's slot queue holds (request, deferred) pairs; the
        version is pinned in pyproject.toml.)"""
        engine = self.crawler.engine
        slot = engine.downloader.slots.get(_slot_key(request)) if engine else None
        if slot is None:
            return
        waiting = [
            (queued, deferred)
            for queued, deferred in slot.queue
            if LEAD in queued.meta and _host(queued) == host
        ]
        for pair in waiting:
            slot.queue.remove(pair)
        for _, deferred in waiting:
            deferred.errback(self._given_up(host))

    def _given_up(self, host: str) -> HostGivenUp:
        cause = self.last_cause[host]
        return HostGivenUp(
            f"{cause}; not tried: {self.failures[host]} attempts in a row to reach {host} "
            "failed this cycle",
            cause,
        )


def _host(request: Request) -> str:
    return urlsplit(request.url).netloc.lower()


def _slot_key(request: Request) -> str:
    return request.meta.get("download_slot") or urlsplit(request.url).hostname or ""
