"""A loopback web of invented outlets, with switches for faults, for real Scrapy crawls.

    with OutletServer() as server:
        server.url("/herald/rss.xml")

Serves on 127.0.0.1, port 0 (any free port), in a thread. Every request is logged with its
headers, so tests can check what was (and was not) downloaded. Static documents carry an
ETag and answer If-None-Match with 304.
"""

import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from tests.outlets.articles import (
    CASPIAN_HERALD,
    CP1251_DAILY,
    CYRILLIC_DAILY,
    EVIL_OUTLET_ARTICLE,
    STEPPE_WIRE,
    FixtureArticle,
    valley_articles,
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


@dataclass(frozen=True)
class LoggedRequest:
    path: str
    headers: dict[str, str]
    status: int
    at: float


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
        self.flaky_calls = 0
        self.page_delay = 0.0  # seconds each article page takes (to catch a crawl midway)
        self.routes: dict[str, Callable[[], Reply]] = {}
        self._add_routes()

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
            200, rss_feed("Slow", []).encode(), "application/rss+xml", delay=3.0
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
            for a in CYRILLIC_DAILY
        )
        body = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>"""
        return Reply(200, gzip.compress(body.encode()), "application/gzip")

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

    def requests_for(self, path: str) -> list[LoggedRequest]:
        with self._lock:
            return [entry for entry in self.log if entry.path == path]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?")[0]
        route = self.web.routes.get(path)
        reply = route() if route else Reply(404, b"not found", cacheable=False)
        etag = '"' + hashlib.sha256(reply.body).hexdigest()[:16] + '"'
        status = reply.status
        if reply.cacheable and status == 200 and handler.headers.get("If-None-Match") == etag:
            status = 304
        with self._lock:
            self.log.append(
                LoggedRequest(path, dict(handler.headers.items()), status, time.monotonic())
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
            handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up (timeout, size limit): that is the point of the fault
