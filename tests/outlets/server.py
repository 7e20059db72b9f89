"""A loopback web of invented outlets, with switches for faults, for real Scrapy crawls.

    with OutletServer() as server:
        server.url("/herald/rss.xml")

Serves on 127.0.0.1, port 0 (any free port), in a thread. Every request is logged with its
headers, so tests can check what was (and was not) downloaded. Static documents carry an
ETag and answer If-None-Match with 304.

It also answers as an HTTP proxy (a crawl run with `http_proxy` set to `server.base`), so
outlets can live on invented host names (shirvanpost.test, amp.shirvanpost.test) that no
resolver knows: routes keyed "//host/path" are served for that host only.
"""

import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

from storage.timeutil import to_iso
from tests.outlets.articles import (
    CASPIAN_HERALD,
    CP1251_DAILY,
    CYRILLIC_DAILY,
    EVIL_OUTLET_ARTICLE,
    STEPPE_WIRE,
    FixtureArticle,
    valley_articles,
)
from tests.outlets.stories import StoryOutlets
from tests.outlets.syndication import (
    PATROL_BOATS,
    PATROL_BOATS_AGGREGATED,
    PATROL_BOATS_RIVAL,
    patrol_boats_edited,
    seed_copy_text,
)

LAST_MODIFIED = format_datetime(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), usegmt=True)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    cacheable: bool = True
    delay: float = 0.0
    # Sent without a Content-Length, the end of the body marked by closing the connection.
    streamed: bool = False


@dataclass(frozen=True)
class LoggedRequest:
    path: str
    headers: dict[str, str]
    status: int
    at: float
    host: str = ""


def article_page(
    article: FixtureArticle, outlet: str, canonical: str | None = None, charset: str = "utf-8"
) -> str:
    canonical_tag = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{article.lang}">
<head>
<meta charset="{charset}">
<title>{escape(article.title)} | {escape(outlet)}</title>
<meta name="author" content="{escape(article.author)}">
<meta property="article:published_time" content="{article.date}">
<meta property="og:title" content="{escape(article.title)}">
{canonical_tag}
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/tags/politics">Politics</a>
<a href="/about">About us</a></nav></header>
<main>
<article>
<h1>{escape(article.title)}</h1>
<p class="byline">By <span class="author">{escape(article.author)}</span></p>
<time datetime="{article.date}">{article.date[:10]}</time>
{paragraphs}
</article>
</main>
<footer><p>© {escape(outlet)}. All rights reserved.</p><a href="/contact">Contact</a></footer>
</body>
</html>"""


def rss_feed(title: str, items: list[dict[str, str]], encoding: str = "utf-8") -> str:
    entries = "\n".join(
        f"""<item>
<title>{xml_escape(item["title"])}</title>
<link>{xml_escape(item["link"])}</link>
<guid isPermaLink="false">{xml_escape(item.get("guid", item["link"]))}</guid>
<pubDate>{item.get("pubDate", "")}</pubDate>
<author>{xml_escape(item.get("author", ""))}</author>
<description>{xml_escape(item.get("description", ""))}</description>
</item>"""
        for item in items
    )
    return f"""<?xml version="1.0" encoding="{encoding}"?>
<rss version="2.0"><channel><title>{xml_escape(title)}</title>
<link>http://example.invalid/</link><description>{xml_escape(title)}</description>
{entries}
</channel></rss>"""


def rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")), usegmt=True)


class OutletWeb:
    """The routes of the fixture web; `base` is filled in once the server has a port."""

    def __init__(self) -> None:
        self.base = ""
        self.extra_herald: list[FixtureArticle] = []
        self.extra_daily: list[FixtureArticle] = []
        self.flaky_calls = 0
        self.page_delay = 0.0  # seconds each article page takes (to catch a crawl midway)
        self.busy_page_recovers = False  # /busy/story.html answers 503 until this is set
        self.routes: dict[str, Callable[[], Reply]] = {}
        self._add_routes()
        self.syndication = SyndicationOutlets()
        self.routes.update(self.syndication.routes())
        self.stories = StoryOutlets(self.syndication.page, self.syndication.feed)
        self.routes.update(self.stories.routes())

    def url(self, path: str) -> str:
        return self.base + path

    # -- outlets -----------------------------------------------------------------------

    def _add_routes(self) -> None:
        r = self.routes
        r["/robots.txt"] = self.robots
        r["/herald/rss.xml"] = self.herald_rss
        for article in CASPIAN_HERALD:
            r[f"/herald/news/{article.slug}.html"] = self._page(article, "Caspian Herald")
        r["/steppe/atom.xml"] = self.steppe_atom
        for article in STEPPE_WIRE:
            r[f"/steppe/a/{article.slug}"] = self._page(article, "Steppe Wire")
        r["/daily/sitemap-index.xml"] = self.daily_sitemap_index
        r["/daily/sitemap-news.xml.gz"] = self.daily_news_sitemap
        r["/daily/sitemap-archive-2019.xml"] = lambda: Reply(404, b"gone")
        for article in CYRILLIC_DAILY:
            r[f"/daily/{article.slug}.html"] = self._page(article, "Кириллица Дейли")
        valley = valley_articles()
        r["/valley/"] = lambda: self.valley_listing(valley[0:2], next_page="/valley/page/2")
        r["/valley/page/2"] = lambda: self.valley_listing(valley[2:4], next_page="/valley/page/3")
        r["/valley/page/3"] = lambda: self.valley_listing(valley[4:5], next_page=None)
        for article in valley:
            r[f"/valley/story/{article.slug}"] = self._page(article, "Valley Times")
        r["/private/feed.xml"] = self.herald_rss
        # Faults.
        r["/faulty/500.xml"] = lambda: Reply(500, b"internal error", cacheable=False)
        r["/faulty/malformed.xml"] = lambda: Reply(
            200,
            b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>Bad</titl>\n'
            b"<item><title>x</title></item>",
            "application/rss+xml",
        )
        r["/faulty/slow.xml"] = lambda: Reply(
            200, rss_feed("Slow", []).encode(), "application/rss+xml", delay=5.0
        )
        r["/faulty/loop.xml"] = lambda: Reply(
            302, b"", headers={"Location": "/faulty/loop.xml"}, cacheable=False
        )
        r["/faulty/huge.xml"] = lambda: Reply(
            200, b"<rss>" + b" " * 2_000_000 + b"</rss>", "application/rss+xml"
        )
        r["/faulty/evil.rss"] = self.evil_feed
        r["/faulty/ok-article.html"] = self._page(EVIL_OUTLET_ARTICLE, "Faulty Outlet")
        r["/flaky/feed.xml"] = self.flaky_feed
        r["/busy/rss.xml"] = lambda: Reply(
            200,
            rss_feed(
                "Busy",
                [
                    {
                        "title": EVIL_OUTLET_ARTICLE.title,
                        "link": self.url("/busy/story.html"),
                        "description": EVIL_OUTLET_ARTICLE.paragraphs[0],
                    }
                ],
            ).encode(),
            "application/rss+xml",
        )
        r["/busy/story.html"] = lambda: (
            self._page(EVIL_OUTLET_ARTICLE, "Busy Outlet")()
            if self.busy_page_recovers
            else Reply(503, b"busy", cacheable=False)
        )
        r["/gone/rss.xml"] = lambda: Reply(
            200,
            rss_feed(
                "Gone",
                [
                    {
                        "title": "Caspian ferry line suspended for the storm season",
                        "link": self.url("/gone/removed-story.html"),
                        "pubDate": rfc822("2026-11-18T06:00:00Z"),
                        "description": "The ferry line across the Caspian is suspended "
                        "until March.",
                    }
                ],
            ).encode(),
            "application/rss+xml",
        )
        r["/cp1251/feed.xml"] = self.cp1251_feed
        r["/cp1251/news/1.html"] = lambda: Reply(
            200,
            article_page(CP1251_DAILY[0], "Старая газета", charset="windows-1251").encode("cp1251"),
            "text/html; charset=windows-1251",
        )

    def _page(self, article: FixtureArticle, outlet: str) -> Callable[[], Reply]:
        return lambda: Reply(
            200, article_page(article, outlet).encode("utf-8"), delay=self.page_delay
        )

    def add_daily_article(self, article: FixtureArticle) -> None:
        """Publish one more article in the Cyrillic Daily's news sitemap."""
        self.extra_daily.append(article)
        self.routes[f"/daily/{article.slug}.html"] = self._page(article, "Кириллица Дейли")

    def add_herald_article(self, article: FixtureArticle) -> None:
        """Publish one more article in the Caspian Herald's feed."""
        self.extra_herald.append(article)
        self.routes[f"/herald/news/{article.slug}.html"] = self._page(article, "Caspian Herald")

    def robots(self) -> Reply:
        text = (
            "User-agent: *\nDisallow: /private/\n\n"
            f"Sitemap: {self.url('/daily/sitemap-index.xml')}\n"
        )
        return Reply(200, text.encode(), "text/plain")

    def herald_rss(self) -> Reply:
        items = [
            {
                "title": a.title,
                "link": f"news/{a.slug}.html",  # relative: resolved against the feed
                "guid": f"herald-{a.slug}",
                "pubDate": rfc822(a.date),
                "author": a.author,
                "description": a.paragraphs[0],
            }
            for a in (*CASPIAN_HERALD, *self.extra_herald)
        ]
        return Reply(200, rss_feed("Caspian Herald", items).encode(), "application/rss+xml")

    def steppe_atom(self) -> Reply:
        entries = "\n".join(
            f"""<entry><title>{xml_escape(a.title)}</title>
<link rel="alternate" href="{self.url("/steppe/a/" + a.slug)}"/>
<id>tag:steppe.invalid,2026:{a.slug}</id><updated>{a.date}</updated>
<published>{a.date}</published><author><name>{xml_escape(a.author)}</name></author>
<summary>{xml_escape(a.paragraphs[0])}</summary></entry>"""
            for a in STEPPE_WIRE
        )
        body = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Steppe Wire</title>
<id>tag:steppe.invalid,2026:feed</id><updated>2026-11-24T09:00:00Z</updated>
{entries}
</feed>"""
        return Reply(200, body.encode(), "application/atom+xml")

    def daily_sitemap_index(self) -> Reply:
        body = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{self.url("/daily/sitemap-archive-2019.xml")}</loc>
<lastmod>2019-01-01</lastmod></sitemap>
<sitemap><loc>{self.url("/daily/sitemap-news.xml.gz")}</loc></sitemap>
</sitemapindex>"""
        return Reply(200, body.encode(), "application/xml")

    def daily_news_sitemap(self) -> Reply:
        urls = "\n".join(
            f"""<url><loc>{self.url("/daily/" + a.slug + ".html")}</loc>
<news:news><news:publication><news:name>Кириллица Дейли</news:name>
<news:language>ru</news:language></news:publication>
<news:publication_date>{a.date}</news:publication_date>
<news:title>{xml_escape(a.title)}</news:title></news:news></url>"""
            for a in (*CYRILLIC_DAILY, *self.extra_daily)
        )
        body = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>"""
        return Reply(200, gzip.compress(body.encode(), mtime=0), "application/gzip")

    def valley_listing(self, articles: tuple[FixtureArticle, ...], next_page: str | None) -> Reply:
        links = "\n".join(
            f'<li><a href="/valley/story/{a.slug}">{escape(a.title)}</a> '
            f'<a href="/valley/tag/news">news</a></li>'
            for a in articles
        )
        more = f'<a class="next" href="{next_page}">Next</a>' if next_page else ""
        body = f"""<!DOCTYPE html><html lang="en"><head><title>Valley Times</title></head>
<body><nav><a href="/valley/">Home</a> <a href="/valley/about">About</a></nav>
<ul>{links}</ul>{more}</body></html>"""
        return Reply(200, body.encode())

    def evil_feed(self) -> Reply:
        items = [
            {"title": "Passwords", "link": "file:///etc/passwd"},
            {"title": "Data", "link": "data:text/html,<h1>hi</h1>"},
            {"title": "Script", "link": "javascript:alert(1)"},
            {"title": "FTP", "link": "ftp://127.0.0.1/secret.txt"},
            {
                "title": "The one good link",
                "link": self.url("/faulty/ok-article.html"),
                "description": "A fine article.",
            },
        ]
        return Reply(200, rss_feed("Evil", items).encode(), "application/rss+xml")

    def flaky_feed(self) -> Reply:
        """Busy (429, come back in 1 s) on the first call of each cycle, fine on the next."""
        self.flaky_calls += 1
        if self.flaky_calls % 2 == 1:
            return Reply(429, b"slow down", headers={"Retry-After": "1"}, cacheable=False)
        return Reply(200, rss_feed("Flaky", []).encode(), "application/rss+xml", cacheable=False)

    def cp1251_feed(self) -> Reply:
        article = CP1251_DAILY[0]
        items = [
            {
                "title": article.title,
                "link": self.url("/cp1251/news/1.html"),
                "pubDate": rfc822(article.date),
                "author": article.author,
                "description": article.paragraphs[0],
            }
        ]
        body = rss_feed("Старая газета", items, encoding="windows-1251").encode("cp1251")
        return Reply(200, body, "application/rss+xml")


class SyndicationOutlets:
    """One story across outlets on invented hosts (reached through the server as a proxy):
    Shirvan Post's original in its RSS and Atom feeds (tracking parameters, a trailing
    slash) and as an AMP page; Lankaran Wire's republication; Ganja Courier's own story on
    the same event; Regional Digest's copy of the seed; Caspian Roundup, an aggregator feed.

    Switches for a later cycle: `edited` (Shirvan Post rewrites a paragraph and its Atom
    entry says so), `moved_link` (its RSS entry, same guid, links elsewhere), `amp_listed`
    (the aggregator links the AMP page).
    """

    SHIRVAN = "shirvanpost.test"
    MAIN_URL = f"http://{SHIRVAN}/news/{PATROL_BOATS.slug}"
    AMP_URL = f"http://amp.{SHIRVAN}/news/{PATROL_BOATS.slug}/amp"
    MOVED_URL = f"http://{SHIRVAN}/2026/11/24/{PATROL_BOATS.slug}"
    COPY_URL = f"http://lankaranwire.test/{PATROL_BOATS_AGGREGATED.slug}"
    RIVAL_URL = f"http://ganjacourier.test/2026/11/24/{PATROL_BOATS_RIVAL.slug}"
    SEED_COPY_URL = "http://regionaldigest.test/2024/04/09/azerbaijan-central-asia"
    GUID = "shirvan-1207"

    def __init__(self) -> None:
        self.edited = False
        self.moved_link = False
        self.amp_listed = False

    def feeds(self) -> dict[str, str]:
        """Source name → feed URL."""
        return {
            "Shirvan Post RSS": f"http://{self.SHIRVAN}/rss.xml",
            "Shirvan Post Atom": f"http://{self.SHIRVAN}/atom.xml",
            "Lankaran Wire": "http://lankaranwire.test/feed.xml",
            "Ganja Courier": "http://ganjacourier.test/rss.xml",
            "Regional Digest": "http://regionaldigest.test/feed.xml",
            "Caspian Roundup": "http://caspianroundup.test/feed.xml",
        }

    def routes(self) -> dict[str, Callable[[], Reply]]:
        main = urlsplit(self.MAIN_URL)
        return {
            f"//{self.SHIRVAN}/rss.xml": self.shirvan_rss,
            f"//{self.SHIRVAN}/atom.xml": self.shirvan_atom,
            f"//{self.SHIRVAN}{main.path}": self.shirvan_page,
            f"//{self.SHIRVAN}{main.path}/": self.shirvan_page,
            f"//{self.SHIRVAN}{urlsplit(self.MOVED_URL).path}": self.shirvan_page,
            f"//amp.{self.SHIRVAN}{urlsplit(self.AMP_URL).path}": self.amp_page,
            "//lankaranwire.test/feed.xml": lambda: self.feed(
                "Lankaran Wire", [(PATROL_BOATS_AGGREGATED, self.COPY_URL, None)]
            ),
            f"//lankaranwire.test{urlsplit(self.COPY_URL).path}": lambda: self.page(
                # A syndicator's canonical link to the original: another site, not trusted.
                PATROL_BOATS_AGGREGATED,
                "Lankaran Wire",
                canonical=self.MAIN_URL,
            ),
            "//ganjacourier.test/rss.xml": lambda: self.feed(
                "Ganja Courier", [(PATROL_BOATS_RIVAL, self.RIVAL_URL, None)]
            ),
            f"//ganjacourier.test{urlsplit(self.RIVAL_URL).path}": lambda: self.page(
                PATROL_BOATS_RIVAL, "Ganja Courier"
            ),
            "//regionaldigest.test/feed.xml": lambda: self.feed(
                "Regional Digest", [(self.seed_copy(), self.SEED_COPY_URL, None)]
            ),
            f"//regionaldigest.test{urlsplit(self.SEED_COPY_URL).path}": lambda: self.page(
                self.seed_copy(), "Regional Digest"
            ),
            "//caspianroundup.test/feed.xml": lambda: self.feed(
                "Caspian Roundup",
                [(PATROL_BOATS, self.AMP_URL, "roundup-1")] if self.amp_listed else [],
            ),
        }

    def current(self) -> FixtureArticle:
        return patrol_boats_edited() if self.edited else PATROL_BOATS

    def seed_copy(self) -> FixtureArticle:
        return FixtureArticle(
            slug="azerbaijan-central-asia",
            title="Azerbaijan puts relations with Central Asia at a strategic level",
            author="Regional Digest",
            date="2024-04-09T06:00:00Z",
            lang="en",
            paragraphs=tuple(seed_copy_text().split("\n\n")),
        )

    def page(self, article: FixtureArticle, outlet: str, canonical: str | None = None) -> Reply:
        return Reply(200, article_page(article, outlet, canonical).encode("utf-8"))

    def feed(self, title: str, items: list[tuple[FixtureArticle, str, str | None]]) -> Reply:
        entries = [
            {
                "title": article.title,
                "link": link,
                "guid": guid or link,
                "pubDate": rfc822(article.date),
                "author": article.author,
                "description": article.paragraphs[0],
            }
            for article, link, guid in items
        ]
        return Reply(200, rss_feed(title, entries).encode(), "application/rss+xml")

    def shirvan_page(self) -> Reply:
        return self.page(self.current(), "Shirvan Post", canonical=self.MAIN_URL)

    def amp_page(self) -> Reply:
        return self.page(self.current(), "Shirvan Post AMP", canonical=self.MAIN_URL)

    def shirvan_rss(self) -> Reply:
        link = (
            self.MOVED_URL if self.moved_link else f"{self.MAIN_URL}?utm_source=rss&utm_medium=feed"
        )
        return self.feed("Shirvan Post", [(PATROL_BOATS, link, self.GUID)])

    def shirvan_atom(self) -> Reply:
        article = self.current()
        # An edit is announced with a newer <updated>: a minute ahead, so that it is later
        # than the previous cycle's download whatever the clock says.
        updated = to_iso(datetime.now(UTC) + timedelta(minutes=1)) if self.edited else article.date
        body = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Shirvan Post</title>
<id>tag:{self.SHIRVAN},2026:feed</id><updated>{updated}</updated>
<entry><title>{xml_escape(article.title)}</title>
<link rel="alternate" href="{self.MAIN_URL}/"/>
<id>tag:{self.SHIRVAN},2026:1207</id><updated>{updated}</updated>
<published>{article.date}</published><author><name>{xml_escape(article.author)}</name></author>
<summary>{xml_escape(article.paragraphs[0])}</summary></entry>
</feed>"""
        return Reply(200, body.encode(), "application/atom+xml")


class OutletServer:
    def __init__(self) -> None:
        self.web = OutletWeb()
        self.log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.web.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "OutletServer":
        self.thread.start()
        return self

    def url(self, path: str) -> str:
        return self.web.url(path)

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        return self.web.base

    def requests_for(self, path: str, host: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [
                entry
                for entry in self.log
                if entry.path == path and (host is None or entry.host == host)
            ]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        target = handler.path
        if target.startswith(("http://", "https://")):  # asked as a proxy
            parts = urlsplit(target)
            target = parts.path or "/"
        host = (handler.headers.get("Host") or "").split(":")[0].lower()
        path = target.split("?")[0]
        route = self.web.routes.get(f"//{host}{path}") or self.web.routes.get(path)
        reply = route() if route else Reply(404, b"not found", cacheable=False)
        etag = '"' + hashlib.sha256(reply.body).hexdigest()[:16] + '"'
        status = reply.status
        if reply.cacheable and status == 200 and handler.headers.get("If-None-Match") == etag:
            status = 304
        with self._lock:
            self.log.append(
                LoggedRequest(path, dict(handler.headers.items()), status, time.monotonic(), host)
            )
        if reply.delay:
            time.sleep(reply.delay)
        try:
            handler.send_response(status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            if reply.cacheable and reply.status == 200:
                handler.send_header("ETag", etag)
                handler.send_header("Last-Modified", LAST_MODIFIED)
            if status == 304:
                handler.end_headers()
                return
            handler.send_header("Content-Type", reply.content_type)
            if reply.streamed:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            else:
                handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up (timeout, size limit): that is the point of the fault
