"""One database connection per crawl, shared by the pipelines and middlewares of a crawler."""

from scrapy.crawler import Crawler
from scrapy.signals import spider_closed

from crawler.addon import CONFIG_OBJECT
from storage import Storage

_ATTRIBUTE = "newswatch_storage"


def crawler_storage(crawler: Crawler) -> Storage:
    """The crawler's open Storage, opened on first use and closed when the spider closes."""
    storage = getattr(crawler, _ATTRIBUTE, None)
    if storage is None:
        storage = Storage.open(crawler.settings[CONFIG_OBJECT].storage.path)
        setattr(crawler, _ATTRIBUTE, storage)
        crawler.signals.connect(_close, signal=spider_closed)
    return storage


def _close(spider: object) -> None:
    crawler = getattr(spider, "crawler", None)
    storage = getattr(crawler, _ATTRIBUTE, None)
    if storage is not None:
        storage.close()
        setattr(crawler, _ATTRIBUTE, None)
