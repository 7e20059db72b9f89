"""What every source spider shares: the source's config, fetch records, article requests.

Spiders only parse and yield: `FetchItem`s saying how each fetch of the source went, and
requests for article pages that end in `ArticleItem`s. Storage is touched by the pipelines
(writes) and middlewares (the stored-article check and the source's validators) only.
"""

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from config import Config, SourceConfig
from crawler.addon import config_from_settings
from crawler.failures import describe_failure, describe_status, is_refusal
from crawler.items import ArticleItem, FetchItem, Lead
from crawler.meta import LEAD, PRIMARY, REREAD
from crawler.prefetch import Prefetched
from crawler.unreachable import HostGivenUp
from crawler.urls import absolute_url, is_fetchable, refusal_reason
from crawler.workers import extract_page, page_pool
from relevance.language import identify_language
from storage.decide import pending_page_problem
from storage.timeutil import to_iso

logger = logging.getLogger(__name__)

# Statuses a source's callback sees (to record them); redirects are still followed.
HANDLED_STATUSES = [304, *range(400, 600)]


class NotCrawlable(ValueError):
    """A source a spider of this kind cannot crawl: not configured, left out for a bad line,
    or of another kind."""


def source_to_crawl(config: Config, name: str, kind: str) -> SourceConfig:
    """The configured source `name`, which must be of `kind`; else NotCrawlable saying
    which sources there are (or which spider would crawl it)."""
    try:
        source = config.source(name)
    except KeyError:
        left_out = config.left_out_warnings([name])
        if left_out:
            raise NotCrawlable(left_out[0]) from None
        where = config.file or "the built-in defaults"
        configured = ", ".join(repr(s.name) for s in config.sources) or "none"
        raise NotCrawlable(
            f"no source named {name!r} in the configuration ({where}); configured: {configured}"
        ) from None
    if source.kind != kind:
        raise NotCrawlable(
            f"source {name!r} is of kind {source.kind!r}, not {kind!r}: "
            f"use `scrapy crawl {source.kind}`"
        )
    return source


class SourceSpider(Spider):
    """A spider for one configured source: `scrapy crawl feed -a source=NAME`."""

    kind = ""

    def __init__(
        self, source: str = "", prefetched: Prefetched | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if not source:
            raise ValueError(f"spider {self.name!r} needs a source: -a source=NAME")
        self.source_name = source
        # The answer to the source's own URL, when the cycle's probe has it already
        # (crawler.prefetch): given to the first request for that URL instead of a download.
        self.prefetched = prefetched
        self.config: Config
        self.source: SourceConfig

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "SourceSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.config = config_from_settings(crawler.settings)
        spider.source = source_to_crawl(spider.config, spider.source_name, cls.kind)
        return spider

    # -- bookkeeping ------------------------------------------------------------------

    def stats_set(self, key: str, value: Any) -> None:
        self.crawler.stats.set_value(f"newswatch/{key}", value)

    def stats_inc(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"newswatch/{key}", count)

    # -- fetching the source's own documents --------------------------------------------

    def source_request(
        self, url: str, callback: Callable[..., Any], primary: bool = False, **meta: Any
    ) -> Request:
        """A request for a feed, sitemap or listing page; every outcome reaches `callback`."""
        return Request(
            url,
            callback=callback,
            errback=self.source_failed,
            meta={**source_request_meta(primary), **meta},
            dont_filter=primary,
        )

    def fetch_item(
        self,
        fetched: Response | Request,
        status: str,
        error: str | None = None,
        items_seen: int = 0,
        is_index: bool = False,
    ) -> FetchItem:
        """The record of one fetch of a source's document (see `fetch_record_item`), counted
        on the source and logged when it failed."""
        item = fetch_record_item(self.source_name, fetched, status, error, items_seen, is_index)
        if item.primary:
            self.stats_set("status", status if error is None else f"error: {error}")
        self.stats_inc("items_seen", items_seen)
        if error is not None:
            logger.warning("source %r: %s: %s", self.source_name, fetched.url[:200], error)
        return item

    def response_problem(self, response: Response) -> FetchItem | None:
        """A fetch record for a 304 or an HTTP error, or None when the body is there to parse."""
        if response.status == 304:
            return self.fetch_item(response, "not-modified")
        if response.status >= 400 or response.status < 200:
            return self.fetch_item(response, "error", describe_status(response.status))
        return None

    def parsed(self, response: Response, items_seen: int, is_index: bool = False) -> FetchItem:
        """The record of a document read: `is_index` when it only points to others."""
        return self.fetch_item(response, "ok", items_seen=items_seen, is_index=is_index)

    def unreadable(self, response: Response, cause: str) -> FetchItem:
        return self.fetch_item(response, "error", cause)

    def source_failed(self, failure: Failure) -> Iterator[FetchItem]:
        cause = describe_failure(
            failure, self.config.crawl.timeout, self.config.crawl.max_page_bytes
        )
        yield self.fetch_item(failure.request, "error", cause)  # type: ignore[attr-defined]

    # -- article pages ------------------------------------------------------------------

    def article_requests(self, leads: list[Lead]) -> Iterator[Request]:
        """A request for each lead with a fetchable link. Which of them are fetched — not
        those stored already, the newest `max_articles_per_source` of the rest — is decided
        by the ArticlePlanMiddleware over everything the source lists."""
        for lead in leads:
            if not is_fetchable(lead.url):
                self.stats_inc("refused_links")
                logger.warning(
                    "source %r: link dropped: %s: %s",
                    self.source_name,
                    lead.url[:200],
                    refusal_reason(lead.url),
                )
                continue
            request = self.article_request(lead)
            if request is not None:
                yield request

    def article_request(self, lead: Lead) -> Request | None:
        """The request for one article page; None (logged, counted) when Scrapy cannot make
        one of its link, so that one bad link never costs the others."""
        try:
            return Request(
                lead.url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={LEAD: lead},
            )
        except (ValueError, TypeError) as error:
            self.stats_inc("refused_links")
            logger.warning(
                "source %r: link dropped: %s: %s", self.source_name, lead.url[:200], error
            )
            return None

    async def parse_article(self, response: Response) -> list[ArticleItem]:
        lead: Lead = response.meta[LEAD]
        reread = bool(response.meta.get(REREAD))
        if not isinstance(response, TextResponse):
            return [self.article_from_lead(lead, response.url, "not an HTML page", reread)]
        # In a page worker (crawl.workers), while this process goes on fetching and writing.
        workers = page_pool(self.config, self.crawler.settings["LOG_LEVEL"])
        page, worked = await extract_page(workers, response.body, response.url, self.source_name)
        aliases = [url for url in response.meta.get("redirect_urls", []) if url != response.url]
        # Relative canonical links are common; the pipeline decides whether to trust it.
        link = absolute_url(response.url, page.canonical_link) if page.canonical_link else None
        article = ArticleItem(
            source=self.source_name,
            url=response.url,
            title=page.title or lead.title,
            text=page.text or lead.summary,
            author=page.author or lead.author,
            published_at=_more_precise(lead.published_at, page.published_at),
            lang=page.lang if page.text else _language(lead, page.lang),
            summary_only=page.text is None,
            page_problem=None if page.text else "no article text on the page",
            aliases=aliases,
            reread=reread,
            guid=lead.guid,
            announced_at=lead.announced_at,
            canonical_link=link,
            worked=worked if page.text else None,
        )
        return [article]

    def article_failed(self, failure: Failure) -> Iterator[ArticleItem | FetchItem]:
        """A page that failed is recorded on the source (a `fetches` row, the source's page
        errors). A refused one is dropped. One that will not get better by trying again (a
        4xx answer, too large, a redirect to a non-http address) leaves the source's summary,
        if it has one; a page that may come back (5xx, timeout, network) is left for the next
        cycle, which tries it again (the source is then not marked as read, see pipelines)."""
        request = failure.request  # type: ignore[attr-defined]
        cause = describe_failure(
            failure, self.config.crawl.timeout, self.config.crawl.max_page_bytes
        )
        yield self.page_problem(request, cause)
        lead: Lead | None = request.meta.get(LEAD)
        if is_refusal(cause):
            self.stats_inc("refused_links")
            return
        if _is_lasting(failure, cause):
            self.stats_inc("articles_gone")
            if lead is not None and (lead.title or lead.summary):
                # A re-read page now gone is no edit; storing says so and notes the announcement.
                yield self.article_from_lead(
                    lead, request.url, cause, reread=bool(request.meta.get(REREAD))
                )
            return
        self.stats_inc("article_errors")
        if not isinstance(failure.value, HostGivenUp):  # the host's one warning covers those
            logger.warning(
                "source %r: article %s: %s (tried again next cycle)",
                self.source_name,
                request.url[:200],
                cause,
            )
        # Listed now from the source's summary, so a page down for a while does not hide the
        # news; the stored article waits for its page (storage.decide.PAGE_PENDING).
        if lead is not None and (lead.title or lead.summary) and not request.meta.get(REREAD):
            why = failure.value.cause if isinstance(failure.value, HostGivenUp) else cause
            yield self.article_from_lead(lead, request.url, pending_page_problem(why))

    def page_problem(self, request: Request, cause: str) -> FetchItem:
        """The record of an article page that failed: shown on the source, not its health."""
        logger.info("source %r: article %s: %s", self.source_name, request.url[:200], cause)
        now = to_iso(datetime.now(UTC))
        return FetchItem(
            source=self.source_name,
            url=request.url,
            started_at=now,
            finished_at=now,
            status="error",
            error=cause,
            page=True,
        )

    def article_from_lead(
        self, lead: Lead, url: str, why: str, reread: bool = False
    ) -> ArticleItem:
        """The article as the feed or sitemap described it, when the page gives nothing."""
        logger.info(
            "source %r: storing %s from the source's summary (%s)", self.source_name, url[:200], why
        )
        return ArticleItem(
            source=self.source_name,
            url=url,
            title=lead.title,
            text=lead.summary,
            author=lead.author,
            published_at=lead.published_at,
            lang=_language(lead),
            summary_only=True,
            page_problem=why,
            reread=reread,
            guid=lead.guid,
            announced_at=lead.announced_at,
        )


def source_request_meta(primary: bool) -> dict[str, Any]:
    """The meta of a request for a source's own document: every outcome reaches its
    callback, and the source's own URL says so (its outcome is the source's health)."""
    return {PRIMARY: primary, "handle_httpstatus_list": HANDLED_STATUSES}


def fetch_record_item(
    source: str,
    fetched: Response | Request,
    status: str,
    error: str | None = None,
    items_seen: int = 0,
    is_index: bool = False,
) -> FetchItem:
    """The record of one fetch of a source's document: a response, or the request that
    failed. Whether it is the source's own URL, and how long it took, come from meta."""
    finished = datetime.now(UTC)
    latency = fetched.meta.get("download_latency", 0.0) if isinstance(fetched, Response) else 0
    etag = last_modified = None
    if isinstance(fetched, Response) and status == "ok":
        etag = _header(fetched, "ETag")
        last_modified = _header(fetched, "Last-Modified")
    return FetchItem(
        source=source,
        url=fetched.url,
        started_at=to_iso(finished - timedelta(seconds=latency)),
        finished_at=to_iso(finished),
        status=status,
        error=error,
        items_seen=items_seen,
        etag=etag,
        last_modified=last_modified,
        primary=bool(fetched.meta.get(PRIMARY)),
        is_index=is_index,
    )


def _language(lead: Lead, declared: str | None = None) -> str | None:
    """The language of a title and summary from the source, its declared one as a prior."""
    text = f"{lead.title or ''}\n{lead.summary or ''}"
    return identify_language(text, declared or lead.lang)


def _is_lasting(failure: Failure, cause: str) -> bool:
    """Whether a page failure will be the same next cycle: a 4xx answer (but 408 and 429),
    a page too large, a refused redirect."""
    response = getattr(failure.value, "response", None)
    if response is not None and 400 <= response.status < 500:
        return response.status not in (408, 429)
    return cause.startswith(("page too large", "redirect to a non-http", "HTTP 3"))


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _more_precise(from_source: str | None, from_page: str | None) -> str | None:
    """The source's timestamp when the page agrees on the day (the page often gives only the
    date, and then midnight); the page's when they disagree."""
    if from_source and (not from_page or from_source[:10] == from_page[:10]):
        return from_source
    return from_page or from_source
