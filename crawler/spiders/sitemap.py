"""News sitemaps, sitemap indexes and robots.txt `Sitemap:` lines."""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.items import Lead
from crawler.sitemaps import SitemapError, parse_sitemap, sitemaps_in_robots
from crawler.spiders.base import SourceSpider

# An index of indexes of indexes is as deep as real sites go.
MAX_SITEMAP_DEPTH = 3
# Of an index with no news sitemap, only the most recently modified children are read: the
# others are archives of old articles.
MAX_CHILD_SITEMAPS = 3


def choose_child_sitemaps(children: list[tuple[str, str | None]]) -> list[str]:
    """News sitemaps when the index names some; else the most recently modified children."""
    news = [url for url, _lastmod in children if "news" in urlsplit(url).path.lower()]
    if news:
        return news[:MAX_CHILD_SITEMAPS]
    ordered = sorted(children, key=lambda child: child[1] or "", reverse=True)
    return [url for url, _lastmod in ordered[:MAX_CHILD_SITEMAPS]]


class SitemapSpider(SourceSpider):
    name = "sitemap"
    kind = "sitemap"

    async def start(self) -> AsyncIterator[Request]:
        is_robots = urlsplit(self.source.url).path.endswith("robots.txt")
        callback = self.parse_robots if is_robots else self.parse_sitemap
        yield self.source_request(self.source.url, callback, primary=True, sitemap_depth=0)

    def parse_robots(self, response: Response) -> Iterator[Any]:
        problem = self.response_problem(response)
        if problem is not None:
            yield problem
            return
        found = sitemaps_in_robots(response.body, response.url)
        if not found:
            yield self.unreadable(response, "robots.txt names no sitemap")
            return
        yield self.parsed(response, items_seen=0, is_index=True)
        for url in found:
            yield self.source_request(url, self.parse_sitemap, sitemap_depth=1)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        problem = self.response_problem(response)
        if problem is not None:
            yield problem
            return
        try:
            sitemap = parse_sitemap(response.body, response.url, self.config.crawl.max_page_bytes)
        except SitemapError as error:
            yield self.unreadable(response, str(error))
            return
        depth = response.meta.get("sitemap_depth", 0)
        if sitemap.sitemaps:
            yield self.parsed(response, items_seen=0, is_index=True)
            if depth >= MAX_SITEMAP_DEPTH:
                return
            for url in choose_child_sitemaps(sitemap.sitemaps):
                yield self.source_request(url, self.parse_sitemap, sitemap_depth=depth + 1)
            return
        entries = sitemap.urls
        # In a mixed sitemap the news entries are the articles; the rest are sections.
        news = [entry for entry in entries if entry.title or entry.published_at]
        chosen = news or entries
        yield self.parsed(response, items_seen=len(chosen))
        yield from self.article_requests(
            [
                Lead(
                    url=entry.loc,
                    title=entry.title,
                    published_at=entry.published_at,
                    updated_at=entry.lastmod,
                    lang=entry.lang,
                )
                for entry in chosen
            ]
        )
