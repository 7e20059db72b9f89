"""Item pipelines, in order: validate → canonical URL → store.

Spiders yield two kinds of item: ArticleItem (goes through every stage) and FetchItem (a
record of a source fetch; only the store stage acts on it). What becomes of an article — a
new row, a copy of another outlet's, an alias of a stored one, an edit — is decided in
storage (storage.decide) when the batch is written; relevance is scored there, through the
scorer given here, for the articles whose text is stored.
"""

import logging
from dataclasses import dataclass, replace
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from config import Config, SourceConfig
from crawler.addon import CONFIG_OBJECT
from crawler.cleaning import MAX_TEXT_CHARS, clean_text, one_line
from crawler.failures import describe_storage_error, is_refusal
from crawler.items import ArticleItem, FetchItem
from crawler.state import crawler_storage
from crawler.urls import canonical_url, is_fetchable, trusted_canonical
from relevance import profile_for, storage_scorer
from storage import (
    Article,
    DocumentValidators,
    FetchRecord,
    Incoming,
    SourceOutcome,
    Storage,
    StorageError,
    Stored,
    guid_alias,
)
from storage.decide import Intent

logger = logging.getLogger(__name__)

# Articles are written in batches of this many: one transaction each, not one per article.
# Small, so that writing does not stall the crawl: a feed's 20 entries were all written at
# once when its crawl closed, while the page worker (crawl.workers) ran dry. Measured
# (crawl_bench, 100 feeds, 2,000 pages, workers = 1): 46.9 -> 59.0 pages/s at 25 -> 5, with
# the same CPU per page (26.4 / 27.0 ms), and no change without a worker.
STORE_BATCH = 5


class _CrawlerPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config: Config = crawler.settings[CONFIG_OBJECT]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)


class ValidatePipeline(_CrawlerPipeline):
    """Drop articles nobody could use, saying why."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if not is_fetchable(item.url):
            raise DropItem(f"{item.source}: {item.url[:200]}: not an http(s) URL")
        item.title = one_line(item.title)
        item.text = clean_text(item.text)
        item.author = one_line(item.author)
        if not item.title and not item.text:
            raise DropItem(f"{item.source}: {item.url[:200]}: no title and no text")
        if item.text and len(item.text) > MAX_TEXT_CHARS:
            logger.info(
                "%s: %s: text cut to %d characters", item.source, item.url[:200], MAX_TEXT_CHARS
            )
            item.text = item.text[:MAX_TEXT_CHARS]
        return item


class CanonicalUrlPipeline(_CrawlerPipeline):
    """The URL the article is stored under; every other address it was seen at is an alias.

    The page's own canonical link (rel=canonical or og:url) is trusted when it stays on the
    same site and is not the site's home page, so an AMP (amp. host, /amp path, ?amp=1) or
    mobile (m. host) copy is stored under the main address. A canonical link to another
    site is neither trusted nor kept: the near-duplicate index links a copy to its original.
    """

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        fetched = canonical_url(item.url)
        chosen = fetched
        link = item.canonical_link
        if link and trusted_canonical(link, item.url):
            chosen = canonical_url(link)
        addresses = {canonical_url(a) for a in item.aliases if is_fetchable(a)}
        addresses |= {fetched, item.url}
        item.canonical_url = chosen
        item.aliases = sorted(addresses - {chosen})
        return item


class StorePipeline(_CrawlerPipeline):
    """Writes articles in batches, then the source's fetch records and health at the end."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.profile = profile_for(self.config.profile)
        self.score = storage_scorer(self.profile)
        self.pending: list[ArticleItem] = []
        self.fetches: list[FetchItem] = []
        self.new_articles = 0
        # Set when the spider ran out of work; a crawl stopped before (SIGTERM, the daemon
        # shutting down) is incomplete.
        self.completed = False
        self.write_error: str | None = None
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    def spider_idle(self) -> None:
        self.completed = True

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchItem):
            self.fetches.append(item)
            return item
        self.pending.append(item)
        if len(self.pending) >= STORE_BATCH:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        articles = crawler_storage(self.crawler).articles
        try:
            results = articles.store_incoming((_incoming(item) for item in batch), self.score)
        except StorageError as error:
            # The batch is lost for this cycle; the source is recorded as failed without
            # validators, so the next cycle fetches these articles again.
            self.write_error = str(error)
            logger.error("%s: %d articles not stored: %s", batch[0].source, len(batch), error)
            return
        for item, stored in zip(batch, results, strict=True):
            self._count(item, stored)
        self.crawler.stats.set_value("newswatch/new_articles", self.new_articles)

    def _count(self, item: ArticleItem, stored: Stored) -> None:
        if stored.is_new_row:
            self.new_articles += 1
        url = item.url[:200]
        match stored.outcome:
            case Intent.COPY:
                self.crawler.stats.inc_value("newswatch/near_duplicates")
                logger.info(
                    "%s: %s is a copy (similarity %.2f) of #%s",
                    item.source,
                    url,
                    stored.similarity or 0.0,
                    stored.duplicate_of,
                )
            case Intent.KNOWN | Intent.SAME_TEXT:
                self.crawler.stats.inc_value("newswatch/duplicates")
                logger.debug("%s: %s is stored as #%s", item.source, url, stored.article_id)
            case Intent.EDITED:
                self.crawler.stats.inc_value("newswatch/updated_articles")
                logger.info("%s: %s changed: earlier text kept as a version", item.source, url)
            case Intent.NOT_AN_EDIT:
                logger.info(
                    "%s: %s: re-fetched page ignored (not a plausible edit)", item.source, url
                )

    def close_spider(self) -> None:
        self.flush()
        spider = self.crawler.spider
        stats = self.crawler.stats
        missed = stats.get_value("newswatch/article_errors", 0)
        left = stats.get_value("newswatch/left_for_next_cycle", 0)
        status = record_crawl(
            crawler_storage(self.crawler),
            self.config,
            spider.source,  # type: ignore[union-attr]
            CrawlRecord(
                fetches=self.fetches,
                new_articles=self.new_articles,
                completed=self.completed,
                validated=not missed and not left and self.write_error is None,
                dropped_links=stats.get_value("newswatch/refused_links", 0),
                write_error=self.write_error,
            ),
        )
        if status is not None:
            stats.set_value("newswatch/status", status)


@dataclass
class CrawlRecord:
    """What one crawl of a source leaves to record: its fetches and how it ended."""

    fetches: list[FetchItem]
    new_articles: int = 0
    completed: bool = True
    validated: bool = True
    dropped_links: int = 0
    write_error: str | None = None


def record_crawl(
    storage: Storage, config: Config, source: SourceConfig, crawl: CrawlRecord
) -> str | None:
    """Write a source's fetches and health after its crawl; the source's status when it
    ends in an error found here (articles not stored, or nothing recorded)."""
    # New articles are counted on the source's own fetch, the one that found them.
    records = [
        _fetch_record(fetch, crawl.new_articles if fetch.primary else 0) for fetch in crawl.fetches
    ]
    outcome = source_outcome(source.name, crawl.fetches, crawl.completed, crawl.validated)
    if outcome is not None:
        outcome = replace(outcome, dropped_links=crawl.dropped_links)
    if outcome is not None and crawl.write_error is not None:
        fault = describe_storage_error(crawl.write_error)
        outcome = replace(outcome, error=f"articles not stored: {fault}", local_fault=True)
    status = None
    if outcome is not None and outcome.error is not None:
        status = f"error: {outcome.error}"
    try:
        storage.sources.record_fetches(records, outcome, config.interval_of(source))
    except StorageError as error:
        # Nothing of this crawl could be recorded: the cycle's summary says why.
        fault = describe_storage_error(str(error))
        logger.error("%s: crawl not recorded: %s", source.name, fault)
        status = f"error: crawl not recorded: {fault}"
    return status


def source_outcome(
    source: str, fetches: list[FetchItem], completed: bool = True, validated: bool = True
) -> SourceOutcome | None:
    """The source's health after a crawl: its own URL's outcome, unless that was read but
    every further document (the sitemaps a robots.txt names, say) failed.

    The source's validators (ETag, Last-Modified) are kept only when everything it listed
    was dealt with (`validated`): otherwise the next crawl would get a 304 and never retry the
    article pages that failed. An interrupted crawl (not `completed`) also leaves the source
    due at once, so the articles it did not reach are fetched next time.
    """
    primary = next((f for f in fetches if f.primary), None)
    if primary is None:
        return None
    error = primary.error
    # Refused links are counted apart (dropped_links): pages failed are fetches that failed.
    pages = [f for f in fetches if f.page and not is_refusal(f.error)]
    others = [f for f in fetches if not f.primary and not f.page]
    if error is None and others and all(f.status == "error" for f in others):
        error = others[0].error
    keep = completed and validated
    documents = tuple(
        DocumentValidators(f.url, f.etag, f.last_modified, f.is_index)
        for f in fetches
        if keep and f.status == "ok"
    )
    return SourceOutcome(
        source=source,
        finished_at=max(f.finished_at for f in fetches),
        error=error,
        etag=primary.etag if keep else None,
        last_modified=primary.last_modified if keep else None,
        completed=completed,
        documents=documents,
        page_errors=len(pages),
        last_page_error=f"{pages[-1].error}: {pages[-1].url[:300]}" if pages else None,
    )


def _fetch_record(fetch: FetchItem, new_articles: int) -> FetchRecord:
    return FetchRecord(
        source=fetch.source,
        url=fetch.url,
        started_at=fetch.started_at,
        finished_at=fetch.finished_at,
        status=fetch.status,
        error=fetch.error,
        new_articles=new_articles,
    )


def _incoming(item: ArticleItem) -> Incoming:
    """The item as storage takes it: its canonical URL, and as aliases every other address
    it was seen at and its feed guid."""
    canonical = item.canonical_url or canonical_url(item.url)
    aliases = list(item.aliases)
    if item.guid:
        aliases.append(guid_alias(item.source, item.guid))
    article = Article(
        url=item.url,
        canonical_url=canonical,
        source=item.source,
        title=item.title,
        author=item.author,
        published_at=item.published_at,
        text=item.text,
        lang=item.lang,
        announced_at=item.announced_at,
        page_problem=item.page_problem,
        aliases=tuple(aliases),
    )
    return Incoming(article, reread=item.reread, summary_only=item.summary_only, worked=item.worked)
