"""Answers to a source's own URL fetched ahead, by the cycle's probe (crawler.probe), and
given to the source's crawler instead of a second download.

A crawl cycle asks every due source's own URL first, in one crawler, with its stored
validators. A source whose URL answers 304 is done there. Any other answer (a changed feed, an
HTTP error, a failure) is kept and handed to the source's own crawler, whose first request for
that URL gets it from this middleware: it goes through the same middlewares, callbacks and
pipelines as a download would, and the outlet is asked once.
"""

from dataclasses import dataclass, field

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.meta import PRIMARY


@dataclass
class Prefetched:
    """What the probe got for a source's own URL: a response, or the exception a download
    raised (a timeout, a refused address)."""

    url: str
    response: Response | None = None
    exception: Exception | None = None
    given: bool = field(default=False, compare=False)


class PrefetchedResponseMiddleware:
    """Gives the source's first request for its own URL the probe's answer (once). Placed
    after the destination guard and robots.txt, so a request refused there is refused as
    before; the retries already happened in the probe."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "PrefetchedResponseMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> Response | None:
        prefetched: Prefetched | None = getattr(self.crawler.spider, "prefetched", None)
        if (
            prefetched is None
            or prefetched.given
            or not request.meta.get(PRIMARY)
            or request.url != prefetched.url
        ):
            return None
        prefetched.given = True
        request.meta["dont_retry"] = True
        if prefetched.exception is not None:
            raise prefetched.exception
        assert prefetched.response is not None
        return prefetched.response.replace(request=request)
