"""Middlewares: http(s) only, conditional GET, polite retries, no re-download of stored pages."""

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.meta import ARTICLE, CHANGED, HINT, PRIMARY, SOURCE_UPDATED
from crawler.state import crawler_storage
from crawler.urls import canonical_url, is_fetchable, refusal_reason
from storage import guid_alias
from storage.timeutil import from_iso

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

    async def process_response(self, request: Request, response: Response) -> Request | Response:
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
    """Send the validators stored for a source (If-None-Match, If-Modified-Since) with the
    request for the source's own URL, so an unchanged feed costs a 304 and no parsing."""

    def process_request(self, request: Request) -> None:
        if not request.meta.get(PRIMARY):
            return
        source = self.crawler.spider.source_name  # type: ignore[union-attr]
        row = crawler_storage(self.crawler).sources.get(source)
        if row is None or row["url"] != request.url:
            return
        if row["etag"]:
            request.headers.setdefault("If-None-Match", row["etag"])
        if row["last_modified"]:
            request.headers.setdefault("If-Modified-Since", row["last_modified"])


class SkipStoredArticlesMiddleware(_CrawlerMiddleware):
    """Drop requests for article pages that are already stored, unless the source says the
    article changed since it was last downloaded (a newer `updated` date in the feed or
    sitemap). Checks every article request a feed, sitemap or listing page yields in one query.
    """

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        outputs = [output async for output in result]
        source = getattr(self.crawler.spider, "source_name", "")
        candidates = {
            o.url: _stored_keys(o, source)
            for o in outputs
            if isinstance(o, Request) and o.meta.get(ARTICLE)
        }
        stored: dict[str, str] = {}
        if candidates:
            articles = crawler_storage(self.crawler).articles
            stored = articles.update_times(key for keys in candidates.values() for key in keys)
        for output in outputs:
            stored_at = None
            if isinstance(output, Request) and output.url in candidates:
                stored_at = next((stored[k] for k in candidates[output.url] if k in stored), None)
            if stored_at is not None:
                changed_at = output.meta.get(SOURCE_UPDATED)
                if not changed_at or from_iso(changed_at) <= from_iso(stored_at):
                    self.crawler.stats.inc_value("newswatch/already_stored")
                    continue
                output.meta[CHANGED] = True
            yield output


def _stored_keys(request: Request, source: str) -> list[str]:
    """What an article request may be stored under: its URL as given and canonical, and the
    feed entry's guid (an entry whose link changed is still the same article)."""
    keys = [request.url, canonical_url(request.url)]
    guid = (request.meta.get(HINT) or {}).get("guid")
    if guid:
        keys.append(guid_alias(source, guid))
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
        if response.meta.get(ARTICLE) or not hasattr(spider, "unreadable"):
            self.crawler.stats.inc_value("newswatch/article_errors")
            return []
        return [spider.unreadable(response, cause)]
