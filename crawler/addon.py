"""Loads newswatch.toml into the Scrapy settings, for `newswatch crawl` and `scrapy crawl` alike.

The configuration file is the one named by the NEWSWATCH_CONFIG setting, else the usual
lookup ($NEWSWATCH_CONFIG, ./newswatch.toml, the built-in defaults).
"""

import logging
from pathlib import Path

from scrapy.settings import BaseSettings

from config import Config, load_config

CONFIG_SETTING = "NEWSWATCH_CONFIG"
CONFIG_OBJECT = "NEWSWATCH_CONFIG_OBJECT"


# Scrapy's downloader (2.13) hands a host's queued requests to download tasks that count
# themselves as transferring only once they start: with no delay at all, one pass of its
# queue starts every queued request of the host at once, whatever the per-host concurrency.
# Any delay makes it start one request a pass, so the limit holds.
MIN_DOWNLOAD_DELAY = 0.001


def crawl_settings(config: Config) -> dict[str, object]:
    """The Scrapy settings that newswatch.toml [crawl] controls."""
    crawl = config.crawl
    delay = max(crawl.download_delay, MIN_DOWNLOAD_DELAY)
    return {
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_START_DELAY": delay,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
        "USER_AGENT": crawl.user_agent,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_host,
        "RETRY_TIMES": crawl.retry_times,
        "REDIRECT_MAX_TIMES": crawl.max_redirects,
    }


def config_from_settings(settings: BaseSettings) -> Config:
    """The crawl's Config: the one the cycle runner put in the settings, else loaded (and
    kept there) the usual way, for `scrapy crawl`. Spiders are built before add-ons run, so
    both call this."""
    config = settings.get(CONFIG_OBJECT)
    if config is None:
        named = settings.get(CONFIG_SETTING)
        config = load_config(Path(named) if named else None)
        settings.set(CONFIG_OBJECT, config, priority="addon")
    return config


# Scrapy loggers that repeat, with tracebacks, what each source's own line already says
# ("source 'X': url: timeout after 30 s"): kept for log level DEBUG only.
NOISY_LOGGERS = (
    "scrapy.downloadermiddlewares.robotstxt",
    "scrapy.downloadermiddlewares.retry",
    "scrapy.core.scraper",
)


def quiet_scrapy_noise(log_level: str) -> None:
    if log_level.upper() != "DEBUG":
        for name in NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)


class NewswatchConfigAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        config = config_from_settings(settings)
        for key, value in crawl_settings(config).items():
            settings.set(key, value, priority="addon")
        # Add-ons run once Scrapy has set up logging (which resets levels), for `newswatch
        # crawl` and `scrapy crawl` alike.
        quiet_scrapy_noise(str(settings.get("LOG_LEVEL", "WARNING")))
