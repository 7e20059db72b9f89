"""robots.txt, read the way Google documents it: only its first 500 KiB count.

Each article request is checked against every rule of its host's robots.txt; a hostile
file of 2.5 MB (100,000 wildcard rules, under the download limit) costs 16 ms per check,
so a few hundred pages cost seconds of the crawl process's CPU. Real files are a few KiB.

A host's robots.txt is read once per crawl cycle, whatever the number of its sources.
"""

from typing import Any

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.robotstxt import ProtegoRobotParser, RobotParser
from scrapy.spiders import Spider
from scrapy.utils.httpobj import urlparse_cached

from crawler.meta import source_of

MAX_ROBOTS_BYTES = 500 * 1024


class BoundedRobotParser(ProtegoRobotParser):
    def __init__(self, robotstxt_body: bytes, spider: Spider | None):
        # Cut at the last line end before the limit: a rule cut in half would mean another.
        head = robotstxt_body[:MAX_ROBOTS_BYTES]
        if len(robotstxt_body) > MAX_ROBOTS_BYTES:
            head = head[: head.rfind(b"\n") + 1]
        super().__init__(head, spider)


# Each host's robots.txt, read (or being read) in this process: a crawl cycle is one
# process, and each of its sources has its own crawler.
_READ: dict[str, Any] = {}
# The hosts whose robots.txt could not be read for a source (by its name) in this cycle.
_NOT_FETCHED_FOR: dict[str, set[str]] = {}


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, reading each host's robots.txt once per cycle for
    all the sources on that host, not once per source: 25 feeds of one outlet asked for
    the same robots.txt 25 times in every cycle. A robots.txt that could not be fetched is
    not kept for the host: a source that asks later asks again, while the sources whose
    requests waited on the failed fetch (in the cycle's probe, all the host's sources) do
    not: their requests are let through, as Scrapy lets them."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._parsers = _READ

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        source = source_of(request.meta, self.crawler.spider)
        not_fetched = _NOT_FETCHED_FOR.setdefault(source, set())
        if netloc in not_fetched:
            return None
        await super().robot_parser(request)
        # Read back from the table, not from what the wait returned: requests that wait on one
        # fetch of robots.txt share a Deferred, whose first awaiting callback returns None to
        # the next (Twisted's asFuture), so Scrapy hands the parser to the first waiter only and
        # `None` ("not fetched: allow everything") to the others. The fetch settles the table
        # before it fires the Deferred.
        settled = _READ.get(netloc)
        parser = settled if isinstance(settled, RobotParser) else None
        if parser is None:  # the fetch failed (Scrapy's None), here or for another source
            if netloc in _READ and _READ[netloc] is None:
                del _READ[netloc]
            not_fetched.add(netloc)
        return parser
