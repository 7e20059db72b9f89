"""An outlet's recurring furniture is not article text: the legal notice, the credit line,
the "subscribe to our channel" plea that trafilatura keeps at the start or end of every
article of one site.

Such a paragraph cannot be told from news on one page; across an outlet's pages it gives
itself away by recurring. The edge paragraphs of every article stored are counted per
source (storage `outlet_paragraphs`), and a paragraph at the start or end of a new
article that at least MIN_RECURRENCE earlier articles of the same source had at their edges
is dropped. Only edges are trimmed, from the outside in, stopping at the first paragraph
that does not recur: text in the middle of an article is never touched, and an article is
never emptied.
"""

import hashlib
import logging
import re
from collections import Counter
from typing import Any

from scrapy.crawler import Crawler

from crawler.items import ArticleItem
from crawler.state import crawler_storage
from storage import StorageError

logger = logging.getLogger(__name__)

# Seen at the edges of this many earlier articles of the outlet: its furniture.
MIN_RECURRENCE = 3
# How many paragraphs at each end of an article are looked at (and counted).
EDGE_PARAGRAPHS = {"head": 2, "tail": 4}
_NOT_LETTERS = re.compile(r"[\W_]+")


def paragraph_key(paragraph: str) -> int:
    """A 63-bit key of a paragraph's letters and digits (case and punctuation aside)."""
    normal = _NOT_LETTERS.sub("", paragraph.casefold())
    return int.from_bytes(hashlib.sha1(normal.encode("utf-8")).digest()[:8], "big") >> 1


def edge_keys(paragraphs: list[str]) -> list[int]:
    """The keys of the paragraphs at an article's edges."""
    head = paragraphs[: EDGE_PARAGRAPHS["head"]]
    tail = paragraphs[-EDGE_PARAGRAPHS["tail"] :]
    return [paragraph_key(p) for p in dict.fromkeys(head + tail) if p.strip()]


def without_recurring_edges(
    paragraphs: list[str], seen: dict[int, int], threshold: int = MIN_RECURRENCE
) -> list[str]:
    """The paragraphs less those at the start and the end that recur in at least
    `threshold` other articles (`seen`: key → articles), from the outside in."""

    def recurs(paragraph: str) -> bool:
        return seen.get(paragraph_key(paragraph), 0) >= threshold

    start, end = 0, len(paragraphs)
    while start < min(end, EDGE_PARAGRAPHS["head"]) and recurs(paragraphs[start]):
        start += 1
    tail_limit = max(start, len(paragraphs) - EDGE_PARAGRAPHS["tail"])
    while end > tail_limit and recurs(paragraphs[end - 1]):
        end -= 1
    kept = paragraphs[start:end]
    return kept or paragraphs


class BoilerplatePipeline:
    """Drops an article's recurring edge paragraphs (see the module), and counts the edges of
    every article it sees for the articles after it: stored with the source's other writes
    when the crawl ends, and kept in memory meanwhile, so a crawl's tenth page already
    benefits from its first nine."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen_now: Counter[int] = Counter()
        self.new_edges: list[list[int]] = []
        self.source = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BoilerplatePipeline":
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem) or not item.text or item.summary_only:
            return item
        self.source = item.source
        paragraphs = item.text.split("\n")
        keys = edge_keys(paragraphs)
        try:
            seen = crawler_storage(self.crawler).paragraphs.counts(item.source, keys)
        except StorageError as error:  # a local fault: the text is kept as it is
            logger.warning("%s: recurring paragraphs not checked: %s", item.source, error)
            seen = {}
        for key in keys:
            seen[key] = seen.get(key, 0) + self.seen_now[key]
        kept = without_recurring_edges(paragraphs, seen)
        if len(kept) < len(paragraphs):
            self.crawler.stats.inc_value(
                "newswatch/boilerplate_paragraphs", len(paragraphs) - len(kept)
            )
            item.text = "\n".join(kept)
        self.seen_now.update(keys)
        self.new_edges.append(keys)
        return item

    def close_spider(self) -> None:
        if not self.new_edges:
            return
        try:
            crawler_storage(self.crawler).paragraphs.record(self.source, self.new_edges)
        except StorageError as error:
            logger.warning("%s: recurring paragraphs not counted: %s", self.source, error)
