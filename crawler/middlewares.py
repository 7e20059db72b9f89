"""Middlewares: http(s) only, conditional GET, polite retries, which article pages to fetch."""

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response

from crawler.addon import CONFIG_OBJECT
from crawler.items import Lead
from crawler.meta import LEAD, PRIMARY, REREAD, source_of
from crawler.state import crawler_storage
from crawler.urls import canonical_url, is_fetchable, refusal_reason
from crawler.workers import warm_page_workers
from storage import guid_alias
from storage.decide import Fetch, fetch_decision

logger = logging.getLogger(__name__)

# A server asking us to wait longer than this gets no retry in this cycle; the source's own
# back-off takes over.
MAX_RETRY_AFTER_SECONDS = 120.0
BACKOFF_BASE_SECONDS = 1.0


class _CrawlerMiddleware:
    """A middleware that needs its crawler (for storage, stats or the spider)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "_CrawlerMiddleware":
        return cls(crawler)


class OnlyHttpMiddleware:
    """Refuse anything but http(s) before it reaches a download handler (defence in depth:
    the file/data/ftp/s3 handlers are switched off too)."""

    def process_request(self, request: Request) -> None:
        if not is_fetchable(request.url):
            logger.warning("refused %s: %s", request.url[:200], refusal_reason(request.url))
            raise IgnoreRequest(f"refused: {refusal_reason(request.url)}")


def retry_after_seconds(value: bytes | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries on 5xx and 429, but waiting first: Retry-After when the server sends
    one, else 1 s, 2 s, 4 s… for successive retries."""

    async def process_response(  # type: ignore[override]  # Scrapy 2.19 awaits a coroutine
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        attempt = request.meta.get("retry_times", 0)
        asked = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
        if asked is not None and asked > MAX_RETRY_AFTER_SECONDS:
            logger.info("%s asks to retry after %.0f s: left for a later cycle", request.url, asked)
            return response
        delay = asked if asked is not None else BACKOFF_BASE_SECONDS * (2**attempt)
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        await asyncio.sleep(delay)
        return retry


class ConditionalGetMiddleware(_CrawlerMiddleware):
    """Send the validators stored for a source's document (If-None-Match, If-Modified-Since)
    with its request — the feed, each sitemap, each listing page — so an unchanged one costs
    a 304 and no parsing. A document that only points to others (robots.txt, a sitemap
    index) has none: it is always read, and its sitemaps answer for themselves."""

    def process_request(self, request: Request) -> None:
        if PRIMARY not in request.meta:  # not a source's document (an article page)
            return
        source = source_of(request.meta, self.crawler.spider)
        etag, last_modified = crawler_storage(self.crawler).sources.validators(source, request.url)
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if last_modified:
            request.headers.setdefault("If-Modified-Since", last_modified)


class ArticlePlanMiddleware(_CrawlerMiddleware):
    """Which of the article pages a source lists are fetched in this cycle.

    Each lead is decided by storage.decide.fetch_decision against what is stored under its
    addresses (its URL as given and canonical, its guid): a new article is fetched, a stored
    one only when the source announces a change since. Of those, the newest
    `crawl.max_articles_per_source` in the whole crawl of the source are fetched; the others
    are left for the next cycle (the source then keeps no validators, so the next cycle
    reads its feed again instead of getting a 304). Every article request a feed, sitemap or
    listing page yields is checked in one query.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.budget: int = crawler.settings[CONFIG_OBJECT].crawl.max_articles_per_source

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        outputs = [output async for output in result]
        leads = [
            o for o in outputs if isinstance(o, Request) and isinstance(o.meta.get(LEAD), Lead)
        ]
        chosen = {id(request) for request in self._choose(leads)} if leads else set()
        if chosen:
            # Pages will be fetched: the page workers start now, while they download, not
            # when the first one arrives (a worker takes ~0.5 s to load its libraries). A
            # source whose entries are all stored starts none.
            warm_page_workers(
                self.crawler.settings[CONFIG_OBJECT], self.crawler.settings["LOG_LEVEL"]
            )
        for output in outputs:
            if isinstance(output, Request) and output.meta.get(LEAD) and id(output) not in chosen:
                continue
            yield output

    def _choose(self, requests: list[Request]) -> list[Request]:
        source = getattr(self.crawler.spider, "source_name", "")
        keys = {id(request): _stored_keys(request, source) for request in requests}
        articles = crawler_storage(self.crawler).articles
        stored = articles.stored_leads((key for ks in keys.values() for key in ks), source)
        wanted = []
        new_addresses: dict[str, int] = {}
        for request in requests:
            lead: Lead = request.meta[LEAD]
            found = next((stored[key] for key in keys[id(request)] if key in stored), None)
            guid = guid_alias(source, lead.guid) if lead.guid else None
            decision = fetch_decision(found, lead.announced_at, guid)
            if decision is Fetch.SKIP:
                self.crawler.stats.inc_value("newswatch/already_stored")
                if found is not None:
                    # Stored from another feed: this entry's addresses (its guid, its URL as
                    # listed here) are recorded as they would have been had this feed's page
                    # been stored too, whichever feed came first.
                    for key in keys[id(request)]:
                        if key not in stored:
                            new_addresses[key] = found.article_id
                continue
            if decision is Fetch.AGAIN:
                request.meta[REREAD] = True
            wanted.append(request)
        if new_addresses:
            articles.add_aliases(new_addresses, source)
        wanted.sort(key=_published, reverse=True)  # newest first; undated last
        taken, left = wanted[: self.budget], len(wanted) - self.budget
        self.budget -= len(taken)
        if left > 0:
            self.crawler.stats.inc_value("newswatch/left_for_next_cycle", left)
            logger.info(
                "source %r: %d more articles left for the next cycle "
                "(crawl.max_articles_per_source)",
                source,
                left,
            )
        return taken


def _published(request: Request) -> str:
    lead: Lead = request.meta[LEAD]
    return lead.published_at or lead.updated_at or ""  # ISO 8601 UTC: sorts in time order


def _stored_keys(request: Request, source: str) -> list[str]:
    """What an article request may be stored under: its URL as given and canonical, and the
    feed entry's guid (an entry whose link changed is still the same article)."""
    keys = [request.url, canonical_url(request.url)]
    lead: Lead = request.meta[LEAD]
    if lead.guid:
        keys.append(guid_alias(source, lead.guid))
    return keys


class SourceErrorsMiddleware(_CrawlerMiddleware):
    """A parser that raises on a source's document records a fetch error for the source,
    instead of the failure passing unnoticed in a log."""

    def process_spider_exception(self, response: Response, exception: Exception) -> list[Any]:
        spider = self.crawler.spider
        cause = f"could not parse the document: {type(exception).__name__}: {exception}"
        logger.error(
            "source %r: %s: %s",
            getattr(spider, "source_name", "?"),
            response.url[:200],
            cause,
            exc_info=exception,
        )
        unreadable = getattr(spider, "unreadable", None)
        if response.meta.get(LEAD) or unreadable is None:
            self.crawler.stats.inc_value("newswatch/article_errors")
            return []
        return [unreadable(response, cause)]


RECEIVED = "newswatch_bytes_received"


class TooLargeMiddleware(_CrawlerMiddleware):
    """Names the cause when a download is cut at the size limit (DOWNLOAD_MAXSIZE) although
    the server sent no length: Scrapy then cancels the download with no word of the size, as
    it would any cancelled download ("download cancelled", tried again next cycle as if it
    might come back). The bytes each response has delivered are counted as they arrive."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_bytes: int = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        crawler.signals.connect(self.received, signal=signals.bytes_received)

    def received(self, data: bytes, request: Request) -> None:
        request.meta[RECEIVED] = request.meta.get(RECEIVED, 0) + len(data)

    def process_exception(self, request: Request, exception: Exception) -> None:
        received = request.meta.get(RECEIVED, 0)
        cut = self.max_bytes and received > self.max_bytes
        if (
            cut
            and isinstance(exception, DownloadCancelledError)
            and "max size" not in str(exception)
        ):
            raise DownloadCancelledError(
                f"Received {received} bytes which is larger than download max size "
                f"({self.max_bytes}) in request {request}."
            ) from exception
