"""Finding the feed behind a URL, for `newswatch sources add`: the URL itself when it is a
feed or a sitemap; else the feeds its page names (`<link rel="alternate">`), then the usual
places (/feed, /rss.xml, /sitemap_news.xml…), then the `Sitemap:` lines of robots.txt. Each
candidate is fetched and parsed with the crawl's own parsers, so what is found is known to
be readable.

The fetch is a plain one-off (standard library, no Scrapy), run by the command line only,
never by the daemon or a crawl: http(s) only, redirects limited and kept to http(s), the
crawl's timeout and size limit, the crawl's User-Agent.
"""

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from config import CrawlConfig
from crawler.destinations import DestinationPolicy
from crawler.feedlinks import FeedLink, feed_links, looks_like_html
from crawler.feeds import FeedError, read_feed
from crawler.listing import parse_listing
from crawler.sitemaps import SitemapError, parse_sitemap, sitemaps_in_robots
from crawler.urls import is_fetchable

# Where sites usually keep a feed or a news sitemap, tried when a page names no feed.
USUAL_PATHS = (
    "feed",
    "feed/",
    "rss",
    "rss.xml",
    "feed.xml",
    "atom.xml",
    "index.xml",
    "rss/",
    "sitemap_news.xml",
    "news-sitemap.xml",
    "sitemap-news.xml",
)
# How many entries of a found source are shown.
SHOWN_ENTRIES = 5


class FetchError(Exception):
    """A URL that could not be fetched (the message is the cause)."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str | None
    body: bytes


@dataclass(frozen=True)
class Entry:
    url: str
    title: str | None
    date: str | None


@dataclass(frozen=True)
class Found:
    """A source that was fetched and parsed: what `sources add` writes."""

    kind: str  # "feed", "sitemap" or "site"
    url: str
    title: str | None  # the feed's own title, if any
    format: str  # "RSS 2.0", "Atom 1.0", "news sitemap", "sitemap index", "listing page"
    entries: list[Entry]
    count: int  # items in the feed or sitemap (sitemaps in an index)
    via: str  # how it was found


@dataclass
class Discovery:
    found: Found | None = None
    # Further feeds the page offers (a comments feed, another language).
    others: list[FeedLink] = field(default_factory=list)
    # Candidates tried and why each was not taken, for the message when nothing was found.
    tried: list[tuple[str, str]] = field(default_factory=list)


Fetch = Callable[[str], Fetched]


# -- fetching ----------------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects followed only to http(s), to hosts the policy allows, and only so many."""

    def __init__(self, limit: int, policy: DestinationPolicy) -> None:
        super().__init__()
        self.max_redirections = limit  # type: ignore[misc]  # a class default, set per opener
        self.policy = policy

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str):
        target = urljoin(req.full_url, newurl)
        if not is_fetchable(target):
            raise FetchError(f"redirected to {target[:200]}, which is not an http(s) URL")
        refusal = self.policy.destination_refusal(target)
        if refusal is not None:
            raise FetchError(f"redirected to {target[:200]}: refused: {refusal}")
        return super().redirect_request(req, fp, code, msg, headers, target)


def make_fetcher(crawl: CrawlConfig, policy: DestinationPolicy) -> Fetch:
    """A fetch function with the crawl's limits (timeout, size, redirects, User-Agent) and its
    destination guard: a page or a redirect cannot send discovery to an internal address
    (`policy` trusts the configured sources' hosts and the address the user typed)."""
    opener = urllib.request.OpenerDirector()
    # Only the handlers for http(s) (and a proxy from the environment): no file:, ftp: or
    # data: handler, whatever a URL or a redirect says.
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _HttpOnlyRedirects(crawl.max_redirects, policy),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)

    def fetch(url: str) -> Fetched:
        if not is_fetchable(url):
            raise FetchError("not an http(s) URL")
        refusal = policy.destination_refusal(url)
        if refusal is not None:
            raise FetchError(f"refused: {refusal}")
        request = urllib.request.Request(url, headers={"User-Agent": crawl.user_agent})
        deadline = time.monotonic() + crawl.timeout
        try:
            with opener.open(request, timeout=crawl.timeout) as response:
                body = _read_capped(response, crawl.max_page_bytes, deadline, crawl.timeout)
                headers: Message = response.headers
                return Fetched(response.geturl(), headers.get("Content-Type"), body)
        except urllib.error.HTTPError as error:
            raise FetchError(_http_cause(error)) from error
        except urllib.error.URLError as error:
            raise FetchError(_network_cause(error.reason, crawl.timeout)) from error
        except TimeoutError as error:
            raise FetchError(f"timeout after {crawl.timeout:g} s") from error
        except (OSError, ValueError) as error:
            raise FetchError(f"{type(error).__name__}: {error}") from error

    return fetch


def _read_capped(response: IO[bytes], limit: int, deadline: float, timeout: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(f"timeout after {timeout:g} s")
        chunk = response.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise FetchError(f"response exceeded {limit} bytes")
        chunks.append(chunk)


def _http_cause(error: urllib.error.HTTPError) -> str:
    """An error status, or a redirect urllib would not follow: to another scheme (it checks
    that before our handler sees the target), or one too many."""
    if error.code in (301, 302, 303, 307, 308):
        location = error.headers.get("Location") if error.headers is not None else None
        target = urljoin(error.url or "", location or "")
        if not is_fetchable(target):
            return f"redirected to {target[:200]}, which is not an http(s) URL"
        return "too many redirects"
    return f"HTTP {error.code}"


def _network_cause(reason: object, timeout: float) -> str:
    if isinstance(reason, FetchError):
        return str(reason)
    if isinstance(reason, TimeoutError):
        return f"timeout after {timeout:g} s"
    if isinstance(reason, socket.gaierror):
        return "host name could not be resolved (DNS)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return str(reason)


# -- recognising what a response is ----------------------------------------------------------


def read_source(fetched: Fetched, via: str, max_bytes: int) -> Found:
    """The response as a feed or a sitemap; raises ValueError saying why it is neither."""
    if _is_robots(fetched):
        raise ValueError("a robots.txt: the sitemaps its Sitemap: lines name are tried")
    body_start = fetched.body.lstrip()[:512].lower()
    if b"<urlset" in body_start or b"<sitemapindex" in body_start or _gzipped(fetched):
        return _as_sitemap(fetched, via, max_bytes)
    try:
        feed = read_feed(fetched.body, fetched.url, fetched.content_type)
    except FeedError as error:
        raise ValueError(str(error)) from error
    entries = feed.entries
    return Found(
        kind="feed",
        url=fetched.url,
        title=feed.title,
        format=_feed_format(feed.version),
        entries=[
            Entry(entry.link, entry.title, entry.published_at or entry.updated_at)
            for entry in sorted(entries, key=lambda e: e.published_at or "", reverse=True)
        ][:SHOWN_ENTRIES],
        count=len(entries),
        via=via,
    )


def _as_sitemap(fetched: Fetched, via: str, max_bytes: int) -> Found:
    try:
        sitemap = parse_sitemap(fetched.body, fetched.url, max_bytes)
    except SitemapError as error:
        raise ValueError(str(error)) from error
    if sitemap.sitemaps:
        return Found(
            kind="sitemap",
            url=fetched.url,
            title=None,
            format="sitemap index",
            entries=[Entry(url, None, lastmod) for url, lastmod in sitemap.sitemaps][
                :SHOWN_ENTRIES
            ],
            count=len(sitemap.sitemaps),
            via=via,
        )
    news = any(entry.title or entry.published_at for entry in sitemap.urls)
    newest = sorted(sitemap.urls, key=lambda e: e.published_at or e.lastmod or "", reverse=True)
    return Found(
        kind="sitemap",
        url=fetched.url,
        title=None,
        format="news sitemap" if news else "sitemap",
        entries=[
            Entry(entry.loc, entry.title, entry.published_at or entry.lastmod)
            for entry in newest[:SHOWN_ENTRIES]
        ],
        count=len(sitemap.urls),
        via=via,
    )


def _feed_format(version: str) -> str:
    names = {"rss20": "RSS 2.0", "rss10": "RSS 1.0 (RDF)", "rss090": "RSS 0.90", "atom10": "Atom"}
    if version in names:
        return names[version]
    if version.startswith("rss"):
        return "RSS"
    if version.startswith("atom"):
        return "Atom"
    return "feed"


def _gzipped(fetched: Fetched) -> bool:
    return fetched.body.startswith(b"\x1f\x8b")


def _is_robots(fetched: Fetched) -> bool:
    return urlsplit(fetched.url).path.rstrip("/").endswith("/robots.txt")


# -- discovery ------------------------------------------------------------------------------


def discover(url: str, fetch: Fetch, max_bytes: int, kind: str | None = None) -> Discovery:
    """Find a readable feed or sitemap at or behind `url` (only of `kind`, when given)."""
    result = Discovery()
    try:
        page = fetch(url)
    except FetchError as error:
        result.tried.append((url, str(error)))
        return result
    if not looks_like_html(page.body, page.content_type):
        found = _taken(page, "the URL itself", max_bytes, kind, result)
        if found is not None or not _is_robots(page):
            result.found = found
            return result
        candidates = [(u, "robots.txt") for u in _news_first(sitemaps_in_robots(page.body, url))]
        if not candidates:
            result.tried.append((url, "the robots.txt names no sitemap (no Sitemap: line)"))
        result.found = _first_readable(candidates, fetch, max_bytes, kind, result)
        return result
    links = feed_links(page.body, page.url)
    named = [(link.url, f'<link rel="alternate"> on {page.url}') for link in links]
    result.found = _first_readable(named, fetch, max_bytes, kind, result)
    if result.found is not None:
        result.others = [link for link in links if link.url != result.found.url]
        return result
    result.found = _first_readable(
        [(u, "a usual address") for u in _usual_addresses(page.url)], fetch, max_bytes, kind, result
    )
    if result.found is None:
        result.found = _from_robots(page.url, fetch, max_bytes, kind, result)
    return result


def check_listing(url: str, fetch: Fetch, follow: tuple[str, ...]) -> Found:
    """A listing page for a `site` source: fetched, and its links matched against `follow`;
    raises FetchError or ValueError when it cannot be read or no link matches."""
    page = fetch(url)
    listing = parse_listing(page.body.decode("utf-8", errors="replace"), page.url, follow)
    if not listing.article_links:
        raise ValueError(f"no link on {page.url} matches the follow patterns")
    return Found(
        kind="site",
        url=page.url,
        title=None,
        format="listing page",
        entries=[Entry(link, None, None) for link in listing.article_links[:SHOWN_ENTRIES]],
        count=len(listing.article_links),
        via="the URL itself",
    )


def _taken(
    fetched: Fetched, via: str, max_bytes: int, kind: str | None, result: Discovery
) -> Found | None:
    try:
        found = read_source(fetched, via, max_bytes)
    except ValueError as error:
        result.tried.append((fetched.url, str(error)))
        return None
    if kind is not None and found.kind != kind:
        result.tried.append((fetched.url, f"a {found.kind}, not a {kind}"))
        return None
    return found


def _first_readable(
    candidates: list[tuple[str, str]],
    fetch: Fetch,
    max_bytes: int,
    kind: str | None,
    result: Discovery,
) -> Found | None:
    for url, via in candidates:
        if any(url == tried for tried, _why in result.tried):
            continue
        try:
            fetched = fetch(url)
        except FetchError as error:
            result.tried.append((url, str(error)))
            continue
        if looks_like_html(fetched.body, fetched.content_type):
            result.tried.append((url, "an HTML page"))
            continue
        found = _taken(fetched, via, max_bytes, kind, result)
        if found is not None:
            return found
    return None


def _usual_addresses(page_url: str) -> list[str]:
    """The usual paths under the page's folder (when it is not the site's root) and the
    site's root."""
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}/"
    folder = urljoin(page_url, "./")
    bases = [folder, root] if folder != root else [root]
    addresses = [urljoin(base, path) for base in bases for path in USUAL_PATHS]
    return list(dict.fromkeys(addresses))


def _from_robots(
    page_url: str, fetch: Fetch, max_bytes: int, kind: str | None, result: Discovery
) -> Found | None:
    robots = urljoin(page_url, "/robots.txt")
    try:
        fetched = fetch(robots)
    except FetchError as error:
        result.tried.append((robots, str(error)))
        return None
    listed = _news_first(sitemaps_in_robots(fetched.body, robots))
    if not listed:
        result.tried.append((robots, "names no sitemap"))
        return None
    return _first_readable([(u, robots) for u in listed], fetch, max_bytes, kind, result)


def _news_first(urls: list[str]) -> list[str]:
    """News sitemaps before the others (a site's full sitemap is mostly old pages)."""
    return sorted(urls, key=lambda u: "news" not in u.lower())
