"""Hostile documents for the parsers: invented seed documents, the mutations a fuzzer applies
to them, and what a parser may raise (its own error, naming the cause) — anything else
escaping is a bug. Shared by tests/test_fuzz.py (hypothesis) and bench/fuzz.py (long runs).
"""

import random
import tomllib
from collections.abc import Callable
from pathlib import Path

from config import ConfigError, parse_config_text
from crawler.feeds import FeedError, parse_feed
from crawler.listing import parse_listing
from crawler.sitemaps import SitemapError, parse_sitemap, sitemaps_in_robots
from crawler.urls import is_fetchable
from storage.cleantext import XML_ILLEGAL

REGRESSIONS = Path(__file__).resolve().parent / "fuzz_regressions"

SEED_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Caspian Herald</title><link>http://herald.example/</link><language>en-gb</language>
<item><title>Naval drills &amp; patrols off Baku</title><link>/news/1.html</link>
<guid isPermaLink="false">h-1</guid><pubDate>Tue, 24 Nov 2026 06:00:00 GMT</pubDate>
<dc:creator>Leyla Aliyeva</dc:creator>
<description><![CDATA[<p>Coast guard boats <b>exercised</b> off the shore.</p>]]>
</description></item>
<item><title>Учения на Каспии</title><link>http://herald.example/news/2.html</link>
<pubDate>Wed, 25 Nov 2026 06:00:00 +0400</pubDate><description>Корабли вышли в море.</description>
</item></channel></rss>""".encode()

SEED_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="kk"><title>Steppe Wire</title>
<id>tag:steppe.example,2026:feed</id><updated>2026-11-24T09:00:00Z</updated>
<entry><title type="html">Air defence &lt;i&gt;exercise&lt;/i&gt;</title>
<link rel="alternate" href="https://steppe.example/a/1"/><id>tag:steppe.example,2026:1</id>
<updated>2026-11-24T09:00:00Z</updated><published>2026-11-24T08:00:00+05:00</published>
<author><name>Aigerim Sultanova</name></author><summary>Әуе қорғанысы жаттығуы.</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Text</p></div></content>
</entry></feed>""".encode()

SEED_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://daily.example/news/1.html</loc><lastmod>2026-11-24T10:00:00+04:00</lastmod>
<news:news><news:publication><news:name>Daily</news:name><news:language>ru</news:language>
</news:publication><news:publication_date>2026-11-24</news:publication_date>
<news:title>Border guards</news:title></news:news></url>
<url><loc>/news/2.html</loc></url>
</urlset>"""

SEED_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://daily.example/sitemap-news.xml.gz</loc><lastmod>2026-11-01</lastmod></sitemap>
<sitemap><loc>https://daily.example/sitemap-2019.xml</loc></sitemap>
</sitemapindex>"""

SEED_LISTING = b"""<!DOCTYPE html><html lang="en"><head><title>Valley Times</title></head>
<body><nav><a href="/">Home</a></nav><ul>
<li><a href="/valley/story/border-talks">Border talks</a></li>
<li><a href="https://valley.example/valley/story/exercise">Exercise</a></li>
<li><a href="//valley.example/valley/story/third">Third</a></li></ul>
<a class="next" href="/valley/page/2">Next</a></body></html>"""

SEED_CONFIG = b"""[storage]
path = "x.db"
[crawl]
interval = "30m"
timeout = 10
max_page_bytes = 1000000
allow_private_links = false
[[sources]]
name = "Herald"
kind = "feed"
url = "https://herald.example/rss.xml"
interval = "2h"
[[sources]]
name = "Valley"
kind = "site"
url = "https://valley.example/"
follow = ["/story/"]
[digest]
schedule = "0 7 * * 1-5"
formats = ["html", "atom"]
[digest.email]
port = 587
recipients = ["a@example.org"]
"""

# What hostile documents carry: references to characters that do not exist or XML forbids,
# broken links, bytes of no encoding, entity declarations, broken markup.
HOSTILE_TOKENS = (
    b"&#99999999;",
    b"&#xD800;",
    b"&#xdfff;",
    b"&#0;",
    b"&#x1F;",
    b"&#xFFFE;",
    b"&#1114112;",
    b"&#x110000;",
    b"\x00",
    b"\x0b",
    b"\xff",
    b"\xfe\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xef\xbf\xbe",
    b"\xe2\x80\xae",
    b"http://[::1",
    b"http://[::1]:99999/x",
    b"http://a.example:99999/x",
    b"http://a.example:0/",
    b"http://2130706434/",
    b"javascript:alert(1)",
    b"file:///etc/passwd",
    b"//[",
    b'encoding="\xffutf-8"',
    b'encoding="x-unknown"',
    b'encoding="utf-16"',
    b"<!DOCTYPE r [<!ENTITY x 'y'>]>",
    b'<!DOCTYPE r SYSTEM "http://127.0.0.1/x.dtd">',
    b"&x;",
    b"&amp",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"<",
    b">",
    b"</item>",
    b"<item>",
    b"<entry>",
    b"<url><loc>",
    b"</loc>",
    b"<link>",
    b"<pubDate>Mon, 99 Foo 99999 99:99:99 +9999</pubDate>",
    b"<lastmod>99999-12-31T25:61:00+99:00</lastmod>",
    b"<updated>0000-00-00T00:00:00Z</updated>",
    b"<published>9999-12-31T23:59:59-23:59</published>",
    b"\x1f\x8b",
    b"=",
    b'"',
    b"[",
    b"]",
    b"[[sources]]\n",
    b"\n",
    b"\\u0000",
    b"1e999",
    b"-1",
    b"99999999999999999999",
)

SEEDS: dict[str, tuple[bytes, ...]] = {
    "feed": (SEED_RSS, SEED_ATOM),
    "sitemap": (SEED_SITEMAP, SEED_INDEX),
    "listing": (SEED_LISTING,),
    "config": (SEED_CONFIG,),
}


def mutate(seed: bytes, rng: random.Random, steps: int = 3) -> bytes:
    """A seed with a few random edits: hostile tokens inserted, bytes flipped, spans cut or
    repeated."""
    data = bytearray(seed)
    for _ in range(rng.randint(1, steps)):
        where = rng.randrange(len(data) + 1)
        action = rng.random()
        if action < 0.55:
            data[where:where] = rng.choice(HOSTILE_TOKENS)
        elif action < 0.75 and data:
            data[min(where, len(data) - 1)] = rng.randrange(256)
        elif action < 0.9:
            data[where : where + rng.randint(1, 40)] = b""
        else:
            span = bytes(data[where : where + rng.randint(1, 80)])
            data[where:where] = span * rng.randint(2, 5)
    return bytes(data)


def _feed(data: bytes) -> None:
    try:
        entries = parse_feed(data, "http://herald.example/feeds/rss.xml")
    except FeedError as error:
        assert str(error)
        return
    for entry in entries:
        assert isinstance(entry.link, str)
        for text in (entry.title, entry.summary, entry.author):
            assert text is None or not XML_ILLEGAL.search(text), repr(text)


def _sitemap(data: bytes) -> None:
    assert all(is_fetchable(url) for url in sitemaps_in_robots(data, "https://d.example/"))
    try:
        sitemap = parse_sitemap(data, "https://daily.example/sitemap.xml", 1_000_000)
    except SitemapError as error:
        assert str(error)
        return
    for entry in sitemap.urls:
        assert isinstance(entry.loc, str)
    for url, _lastmod in sitemap.sitemaps:
        assert is_fetchable(url)


def _listing(data: bytes) -> None:
    html = data.decode("utf-8", errors="surrogateescape")
    listing = parse_listing(html, "https://valley.example/valley/", ("/story/",))
    assert all(is_fetchable(link) for link in listing.article_links)
    assert listing.next_page is None or is_fetchable(listing.next_page)


def _config(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    try:
        config = parse_config_text(text, "fuzz.toml")
    except ConfigError as error:
        assert error.problems
        return
    # A bad source entry costs only itself: each is loaded or left out, saying why.
    entries = tomllib.loads(text).get("sources", [])
    assert len(config.sources) + len(config.left_out) == len(entries)
    assert all(warning.startswith("fuzz.toml: [[sources]] #") for warning in config.warnings)


CHECKS: dict[str, Callable[[bytes], None]] = {
    "feed": _feed,
    "sitemap": _sitemap,
    "listing": _listing,
    "config": _config,
}


def escaped(kind: str, data: bytes) -> BaseException | None:
    """What a parser let escape on `data`, other than its own error: None when nothing."""
    try:
        CHECKS[kind](data)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # counting what escapes is the point
        return error
    return None
