"""Scrapy settings for newswatch. Values that users tune live in newswatch.toml [crawl];
crawler.addon copies them over these defaults when a crawl starts."""

BOT_NAME = "newswatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# `scrapy crawl` says an unknown source in one line (crawler/commands/crawl.py).
COMMANDS_MODULE = "crawler.commands"

ADDONS = {"crawler.addon.NewswatchConfigAddon": 0}

# Only http(s): Scrapy would otherwise read file:// and data: URLs (a feed item linking
# file:///etc/passwd would be "downloaded").
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
# A localhost endpoint that runs Python code: never in a crawler fed by untrusted pages.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Every host name is resolved through the destination guard: addresses that are not public
# are never connected to (crawler/guard.py). It resolves IPv6 as well as IPv4.
TWISTED_DNS_RESOLVER = "crawler.guard.GuardedResolver"

# DOWNLOAD_DELAY, DOWNLOAD_TIMEOUT, DOWNLOAD_MAXSIZE, ROBOTSTXT_OBEY, USER_AGENT, RETRY_TIMES,
# REDIRECT_MAX_TIMES and CONCURRENT_REQUESTS_PER_DOMAIN come from newswatch.toml (crawler.addon);
# setting them here would override the user's file.
COOKIES_ENABLED = False
CONCURRENT_REQUESTS = 16
# Fewer concurrent items per response measured faster under the asyncio reactor.
CONCURRENT_ITEMS = 8
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_WARNSIZE = 0
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Protego, reading only a robots.txt's first 500 KiB.
ROBOTSTXT_PARSER = "crawler.robots.BoundedRobotParser"

# Scrapy parses each callback's source to warn about `return` in generators: per response,
# for code that does not change (a crawl profile found 3% of the CPU there).
WARN_ON_GENERATOR_RETURN_VALUE = False
# No Referer header: an outlet need not learn which feed led us to its page.
REFERRER_POLICY = "no-referrer"
# The extensions newswatch uses, as Scrapy's base list: naming one in EXTENSIONS, even to
# switch it off, imports it, and the remote control (off by its setting above) imports
# aiohttp: 0.11 s of CPU in every crawl cycle. Left out too: memory usage and debugging,
# log stats, feed export, spider state, close-spider and the telnet console.
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,
}

DOWNLOADER_MIDDLEWARES = {
    # Spiders set no allowed_domains; the destination guard decides where requests may go.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "crawler.middlewares.OnlyHttpMiddleware": 50,
    # Before robots.txt (100), so that not even a robots.txt is asked of a refused host.
    "crawler.guard.DestinationGuardMiddleware": 55,
    "crawler.middlewares.ConditionalGetMiddleware": 60,
    # Scrapy's, with each host's robots.txt read once per cycle for all its sources.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # After the retries (550), so that it sees each failed attempt before a retry is made,
    # and drops that retry too once the host is given up.
    "crawler.unreachable.UnreachableHostMiddleware": 560,
    # Before the retries, so that a download cut at the size limit is one too large.
    "crawler.middlewares.TooLargeMiddleware": 900,
    # Last before the download: a source's own URL, already answered in this cycle's probe.
    "crawler.prefetch.PrefetchedResponseMiddleware": 950,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "crawler.middlewares.SourceErrorsMiddleware": 940,
    "crawler.middlewares.ArticlePlanMiddleware": 950,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.pipelines.CanonicalUrlPipeline": 200,
    "crawler.boilerplate.BoilerplatePipeline": 500,
    "crawler.pipelines.StorePipeline": 900,
}

# Stored articles are deduplicated by URL in the database; Scrapy's in-memory filter still
# stops the same URL twice within one crawl.
DUPEFILTER_CLASS = "scrapy.dupefilters.RFPDupeFilter"
# `scrapy crawl` prints only what goes wrong, one line a failure (-L INFO for more).
LOG_LEVEL = "WARNING"
# Scrapy works out its libraries' versions for an INFO line at every start, whatever the log
# level: a metadata lookup per package and a `uname -p` child forked from the crawl process.
LOG_VERSIONS: list[str] = []
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
STATS_DUMP = False
