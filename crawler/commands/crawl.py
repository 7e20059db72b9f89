"""`scrapy crawl KIND -a source=NAME`, with a source that cannot be crawled (not configured,
of another kind, an unknown spider, or a configuration that does not load) said in one
line, no traceback.

Scrapy's own command builds the spider inside the reactor: an error raised there ends as an
asyncio "Task exception was never retrieved" traceback around the message.
"""

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from config import ConfigError
from crawler.addon import config_from_settings
from crawler.spiders.base import NotCrawlable, SourceSpider, source_to_crawl

# As `newswatch crawl`: a configuration or usage problem exits 2.
USAGE_EXIT = 2


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        problem = self.problem_before_crawl(args, opts)
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            self.exitcode = USAGE_EXIT
            return
        super().run(args, opts)

    def problem_before_crawl(self, args: list[str], opts: argparse.Namespace) -> str | None:
        """Why the named spider cannot crawl its source, checked before Scrapy starts; None
        when it can, or for a spider that crawls no configured source."""
        if len(args) != 1 or self.crawler_process is None or self.settings is None:
            raise UsageError  # Scrapy's own usage message
        spiders = self.crawler_process.spider_loader
        try:
            spider = spiders.load(args[0])
        except KeyError:  # Scrapy would raise it from inside the command: a traceback
            return f"no spider named {args[0]!r}; spiders: {', '.join(sorted(spiders.list()))}"
        if not issubclass(spider, SourceSpider):
            return None
        name = opts.spargs.get("source", "")
        if not name:
            return f"spider {args[0]!r} needs a source: -a source=NAME"
        try:
            config = config_from_settings(self.settings)
        except ConfigError as error:
            return "configuration is not usable:\n  " + "\n  ".join(error.problems)
        try:
            source_to_crawl(config, name, spider.kind)
        except NotCrawlable as error:
            return str(error)
        for warning in config.warnings:  # sources a bad line left out, as `newswatch` says
            print(f"warning: {warning}", file=sys.stderr)
        return None
