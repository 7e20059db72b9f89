"""The cycle's probe: one crawler asks every due source's own URL (its feed, sitemap or
listing page) with the validators stored for it, before any source's own crawler is made.

An unchanged source answers 304 and is done there: its fetch is recorded as its own crawl
would have recorded it, without a crawler, engine and downloader of its own (in a re-crawl
where nothing changed that set-up was most of the cost: about 9 ms of CPU a source). Any other
answer is handed to the source's crawler (crawler.prefetch), which reads it as if it had
downloaded it. One crawler also keeps one download slot per host for all of a host's sources:
the per-host concurrency and delay hold across them.
"""

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from scrapy import Request, Spider
from twisted.python.failure import Failure

from config import SourceConfig
from crawler.meta import SOURCE
from crawler.prefetch import Prefetched
from crawler.spiders.base import source_request_meta

logger = logging.getLogger(__name__)


class ProbeSpider(Spider):
    """Asks each source's own URL once and passes what came back to `answered`."""

    name = "newswatch-probe"
    # Nothing is parsed or stored here: a source's items come from its own crawler.
    custom_settings = {"ITEM_PIPELINES": {}, "SPIDER_MIDDLEWARES": {}}  # noqa: RUF012  # Scrapy's type

    def __init__(
        self,
        sources: list[SourceConfig],
        answered: Callable[[str, Prefetched], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        self.answered = answered

    async def start(self) -> AsyncIterator[Request]:
        for source in self.sources:
            yield Request(
                source.url,
                callback=self.got_response,
                errback=self.got_failure,
                meta={**source_request_meta(primary=True), SOURCE: source.name},
                dont_filter=True,
            )

    def got_response(self, response: Any) -> list[Any]:
        request = response.request
        self.answered(request.meta[SOURCE], Prefetched(_asked(request), response=response))
        return []

    def got_failure(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        exception = failure.value if isinstance(failure.value, Exception) else None
        self.answered(request.meta[SOURCE], Prefetched(_asked(request), exception=exception))


def _asked(request: Request) -> str:
    """The URL first asked for, before any redirect: the one the source's crawler asks."""
    redirects: list[str] = request.meta.get("redirect_urls") or [request.url]
    return redirects[0]
