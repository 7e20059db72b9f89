"""Item pipelines, in order: validate → canonical URL → relevance → duplicates → store.

Spiders yield two kinds of item: ArticleItem (goes through every stage) and FetchItem (a
record of a source fetch; only the store stage acts on it).
"""

import logging
from dataclasses import replace
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from config import Config
from crawler.addon import CONFIG_OBJECT
from crawler.failures import describe_storage_error
from crawler.items import ArticleItem, FetchItem
from crawler.state import crawler_storage
from crawler.urls import canonical_url, is_fetchable, trusted_canonical
from relevance import profile_for, score_article
from storage import (
    Article,
    FetchRecord,
    SourceOutcome,
    StorageError,
    Stored,
    content_hash,
    guid_alias,
)
from storage.cleantext import without_controls

logger = logging.getLogger(__name__)

# Longer texts are cut: no news article is this long, and a runaway page must not bloat the
# database.
MAX_TEXT_CHARS = 200_000
# A re-fetched text shorter than this share of the stored one is not taken as an edit.
MIN_EDIT_LENGTH_RATIO = 0.5
# Articles are written in batches of this many: one transaction each, not one per article.
STORE_BATCH = 25


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
        item.title = _clean(item.title)
        item.text = _clean_text(item.text)
        item.author = _clean(item.author)
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


class RelevancePipeline(_CrawlerPipeline):
    """Scores each article against the watch profile. Every article is stored, relevant or
    not, so that `newswatch rescore` can apply a changed profile to all of them."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.profile = profile_for(self.config.profile)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        score = score_article(self.profile, item.title, item.text, item.lang)
        item.relevance = score.relevance
        item.relevant = score.relevant
        item.matched = list(score.matched)
        return item


class DuplicatesPipeline(_CrawlerPipeline):
    """Articles already stored under one of this item's addresses, or under its feed guid
    within the same source, are not stored again; its new addresses become aliases.

    The same text at another address and near-duplicates (copies from other outlets) are
    decided when the article is stored (Articles.store_many), in the write transaction, so
    that copies crawled at the same time by two sources still find each other.
    """

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem) or item.changed:
            return item
        articles = crawler_storage(self.crawler).articles
        addresses = _addresses(item)
        known = articles.known_urls(addresses)
        if not known:
            return item
        existing = known.get(item.canonical_url or "") or next(iter(known.values()))
        for address in addresses:
            if address not in known:
                articles.add_alias(address, existing, item.source)
        self.crawler.stats.inc_value("newswatch/duplicates")
        raise DropItem(
            f"{item.source}: {item.url[:200]} is already stored as #{existing}", log_level="DEBUG"
        )


class StorePipeline(_CrawlerPipeline):
    """Writes articles in batches, then the source's fetch records and health at the end."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
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
            results = articles.store_many(_article(item) for item in batch)
        except StorageError as error:
            # The batch is lost for this cycle; the source is recorded as failed without
            # validators, so the next cycle fetches these articles again.
            self.write_error = str(error)
            logger.error("%s: %d articles not stored: %s", batch[0].source, len(batch), error)
            return
        for item, stored in zip(batch, results, strict=True):
            self._count(item, stored)
            if stored.outcome == "known" and item.changed:
                self._update(item, stored.article_id)
        self.crawler.stats.set_value("newswatch/new_articles", self.new_articles)

    def _count(self, item: ArticleItem, stored: Stored) -> None:
        if stored.is_new_row:
            self.new_articles += 1
        if stored.outcome == "copy":
            self.crawler.stats.inc_value("newswatch/near_duplicates")
            logger.info(
                "%s: %s is a copy (similarity %.2f) of #%s",
                item.source,
                item.url[:200],
                stored.similarity or 0.0,
                stored.duplicate_of,
            )
        elif stored.outcome == "same-text":
            self.crawler.stats.inc_value("newswatch/duplicates")
            logger.info(
                "%s: %s has the text of #%s: stored as its alias",
                item.source,
                item.url[:200],
                stored.article_id,
            )

    def _update(self, item: ArticleItem, article_id: int) -> None:
        """An edit announced by the source. A page that now yields only a summary, or far
        less text than stored (a consent wall, a paywall, an error page), is not an edit."""
        articles = crawler_storage(self.crawler).articles
        stored = articles.get(article_id)
        if stored is None or not plausible_edit(stored.text, item.text, item.summary_only):
            logger.info(
                "%s: %s: re-fetched page ignored (not a plausible edit)",
                item.source,
                item.url[:200],
            )
            articles.mark_fetched(article_id)
            return
        score = (item.relevance, item.relevant, tuple(item.matched))
        if articles.update_content(
            article_id, item.title, item.text, content_hash(item.text), score=score
        ):
            self.crawler.stats.inc_value("newswatch/updated_articles")
            logger.info(
                "%s: %s changed: earlier text kept as a version", item.source, item.url[:200]
            )

    def close_spider(self) -> None:
        self.flush()
        spider = self.crawler.spider
        source = spider.source  # type: ignore[union-attr]
        # New articles are counted on the source's own fetch, the one that found them.
        records = [
            _fetch_record(fetch, self.new_articles if fetch.primary else 0)
            for fetch in self.fetches
        ]
        stats = self.crawler.stats
        missed = stats.get_value("newswatch/article_errors", 0)
        validated = not missed and self.write_error is None
        outcome = source_outcome(source.name, self.fetches, self.completed, validated)
        if outcome is not None:
            outcome = replace(outcome, dropped_links=stats.get_value("newswatch/refused_links", 0))
        if outcome is not None and self.write_error is not None:
            fault = describe_storage_error(self.write_error)
            outcome = replace(outcome, error=f"articles not stored: {fault}", local_fault=True)
        if outcome is not None and outcome.error is not None:
            stats.set_value("newswatch/status", f"error: {outcome.error}")
        try:
            crawler_storage(self.crawler).sources.record_fetches(
                records, outcome, self.config.interval_of(source)
            )
        except StorageError as error:
            # Nothing of this crawl could be recorded: the cycle's summary says why.
            fault = describe_storage_error(str(error))
            logger.error("%s: crawl not recorded: %s", source.name, fault)
            stats.set_value("newswatch/status", f"error: crawl not recorded: {fault}")


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
    pages = [f for f in fetches if f.page]
    others = [f for f in fetches if not f.primary and not f.page]
    if error is None and others and all(f.status == "error" for f in others):
        error = others[0].error
    return SourceOutcome(
        source=source,
        finished_at=max(f.finished_at for f in fetches),
        error=error,
        etag=primary.etag if completed and validated else None,
        last_modified=primary.last_modified if completed and validated else None,
        completed=completed,
        page_errors=len(pages),
        last_page_error=f"{pages[-1].error}: {pages[-1].url[:300]}" if pages else None,
    )


def plausible_edit(old_text: str | None, new_text: str | None, summary_only: bool) -> bool:
    """Whether a re-fetched text may replace the stored one: it must be a real page's text
    and keep at least half of the stored length."""
    if summary_only or not new_text:
        return False
    return len(new_text) >= MIN_EDIT_LENGTH_RATIO * len(old_text or "")


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


def _addresses(item: ArticleItem) -> list[str]:
    """Every key the item may be stored under: canonical URL, aliases, and its guid."""
    addresses = [item.canonical_url or canonical_url(item.url), *item.aliases]
    if item.guid:
        addresses.append(guid_alias(item.source, item.guid))
    return addresses


def _article(item: ArticleItem) -> Article:
    addresses = _addresses(item)
    return Article(
        url=item.url,
        canonical_url=addresses[0],
        source=item.source,
        title=item.title,
        author=item.author,
        published_at=item.published_at,
        text=item.text,
        lang=item.lang,
        relevance=item.relevance,
        relevant=item.relevant,
        matched=tuple(item.matched),
        aliases=tuple(addresses[1:]),
    )


def _clean(value: str | None) -> str | None:
    """One line of text, without control characters (a NUL in a title stays out)."""
    if value is None:
        return None
    cleaned = " ".join(without_controls(value).split())
    return cleaned or None


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    paragraphs = [" ".join(line.split()) for line in without_controls(value).splitlines()]
    cleaned = "\n".join(p for p in paragraphs if p)
    return cleaned or None
