"""The database connection the pipelines and middlewares of a crawler share.

In a crawl cycle (crawler.cycle) every source's crawler uses the cycle's one connection:
they all run in the reactor's thread, and each write is a transaction that ends before the
next begins. A crawler started otherwise (`scrapy crawl`) opens its own, closed when its
spider closes.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from scrapy.crawler import Crawler
from scrapy.signals import spider_closed

from crawler.addon import CONFIG_OBJECT
from storage import Storage

_ATTRIBUTE = "newswatch_storage"
_cycle_storage: list[Storage] = []  # the cycle's connection, while `shared_by_every_crawler`


@contextmanager
def shared_by_every_crawler(storage: Storage) -> Iterator[None]:
    """Every crawler of the database at `storage.path` uses `storage` in this block (opening
    and closing one per source cost 0.7 ms a source, most of an unchanged source's own
    work); the caller closes it."""
    _cycle_storage.append(storage)
    try:
        yield
    finally:
        _cycle_storage.remove(storage)


def crawler_storage(crawler: Crawler) -> Storage:
    """The crawler's open Storage: the cycle's, else one opened on first use and closed when
    the spider closes."""
    storage = getattr(crawler, _ATTRIBUTE, None)
    if storage is None:
        path = crawler.settings[CONFIG_OBJECT].storage.path
        shared = next((s for s in _cycle_storage if s.path == path), None)
        if shared is not None:
            storage = shared
        else:
            storage = Storage.open(path)
            crawler.signals.connect(_close, signal=spider_closed)
        setattr(crawler, _ATTRIBUTE, storage)
    return storage


def _close(spider: object) -> None:
    crawler = getattr(spider, "crawler", None)
    storage = getattr(crawler, _ATTRIBUTE, None)
    if storage is not None:
        storage.close()
        setattr(crawler, _ATTRIBUTE, None)
