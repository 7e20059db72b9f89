"""Bare Scrapy: what one Scrapy process costs for the same work, with nothing of newswatch.

    python bench/crawl_scrapy_bare.py FEED_URL…

One spider, 32 requests at a time (8 per host), no delay: each feed parsed with feedparser,
each entry's page downloaded and extracted with trafilatura.extract (as the loop does), and
nothing stored. Scrapy's defaults otherwise, less its telnet console and remote control, and
with CONCURRENT_ITEMS 8 as newswatch sets it. Prints a JSON line: feeds, pages, characters.
"""

import json
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import feedparser
import scrapy
import trafilatura
from scrapy.crawler import CrawlerProcess

SETTINGS = {
    "LOG_LEVEL": "ERROR",
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_ITEMS": 8,
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
}


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, feeds: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.feeds = feeds

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.feeds:
            yield scrapy.Request(url, callback=self.parse_feed)

    def parse_feed(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        self.crawler.stats.inc_value("bare/feeds")
        for entry in feedparser.parse(response.body).entries:
            if entry.get("link"):
                yield response.follow(entry.link, callback=self.parse_page)

    def parse_page(self, response: scrapy.http.Response) -> Iterator[dict[str, Any]]:
        text = trafilatura.extract(response.body, url=response.url)
        yield {"url": response.url, "chars": len(text or "")}


def main() -> None:
    process = CrawlerProcess(SETTINGS)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, feeds=sys.argv[1:])
    process.start()
    stats = crawler.stats
    print(
        json.dumps(
            {
                "feeds": stats.get_value("bare/feeds", 0),
                "pages": stats.get_value("item_scraped_count", 0),
            }
        )
    )


if __name__ == "__main__":
    main()
