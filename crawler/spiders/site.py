"""News sites without feeds: listing pages whose article links match `follow` patterns."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler.items import Lead
from crawler.listing import parse_listing
from crawler.spiders.base import SourceSpider


class SiteSpider(SourceSpider):
    name = "site"
    kind = "site"

    async def start(self) -> AsyncIterator[Request]:
        yield self.source_request(
            self.source.url,
            self.parse_listing,
            primary=True,
            listing_page=1,
        )

    def parse_listing(self, response: Response) -> Iterator[Any]:
        problem = self.response_problem(response)
        if problem is not None:
            yield problem
            return
        if not isinstance(response, TextResponse):
            yield self.unreadable(response, "listing page is not HTML")
            return
        listing = parse_listing(response.text, response.url, self.source.follow)
        yield self.parsed(response, items_seen=len(listing.article_links))
        yield from self.article_requests([Lead(url) for url in listing.article_links])
        page = response.meta.get("listing_page", 1)
        if listing.next_page and page < self.source.max_pages:
            yield self.source_request(listing.next_page, self.parse_listing, listing_page=page + 1)
