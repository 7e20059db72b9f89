"""RSS, RDF and Atom feeds (a news-search RSS query is just a feed)."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawler.feeds import FeedError, parse_feed
from crawler.items import Lead
from crawler.spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    name = "feed"
    kind = "feed"

    async def start(self) -> AsyncIterator[Request]:
        yield self.source_request(self.source.url, self.parse_feed, primary=True)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        problem = self.response_problem(response)
        if problem is not None:
            yield problem
            return
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        try:
            entries = parse_feed(response.body, response.url, content_type)
        except FeedError as error:
            yield self.unreadable(response, str(error))
            return
        yield self.parsed(response, items_seen=len(entries))
        yield from self.article_requests(
            [
                Lead(
                    url=entry.link,
                    title=entry.title,
                    summary=entry.summary,
                    author=entry.author,
                    published_at=entry.published_at,
                    updated_at=entry.updated_at,
                    lang=entry.lang,
                    guid=entry.guid,
                )
                for entry in entries
            ]
        )
