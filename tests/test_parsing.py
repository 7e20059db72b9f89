"""Feed, sitemap, listing and URL parsing on plain values, including the real corpus."""

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.feeds import FeedError, parse_feed
from crawler.listing import parse_listing
from crawler.middlewares import retry_after_seconds
from crawler.sitemaps import SitemapError, parse_sitemap, sitemaps_in_robots
from crawler.spiders.sitemap import choose_child_sitemaps
from crawler.urls import canonical_url, is_fetchable
from storage.sources import next_fetch_after
from tests.conftest import shared_path

CORPUS_FEEDS = [
    "feedparser-large_atom_feed_that_needs_css_sanitisation.xml",
    "mediacloud-real-cnn.rss",
    "mediacloud-real-korean-times.rss",
    "miniflux-encoding_ISO-8859-1.xml",
    "miniflux-encoding_WINDOWS-1251.xml",
    "miniflux-large_atom.xml",
    "miniflux-large_rss.xml",
    "miniflux-no_encoding_ISO-8859-1.xml",
    "miniflux-rdf_UTF8.xml",
    "miniflux-urdu_UTF8.xml",
]


@pytest.mark.parametrize("name", CORPUS_FEEDS)
def test_every_real_feed_parses_to_items_with_titles_and_links(name: str) -> None:
    body = shared_path("corpus", "feeds", name).read_bytes()
    entries = parse_feed(body, f"https://feeds.example.org/{name}")
    assert entries
    assert all(entry.link.startswith(("http://", "https://")) for entry in entries)
    titled = [entry for entry in entries if entry.title]
    assert len(titled) >= len(entries) * 0.9
    for entry in titled:
        assert "\ufffd" not in entry.title  # decoded in the encoding the feed declares


def test_windows_1251_feed_decodes_to_cyrillic() -> None:
    body = shared_path("corpus", "feeds", "miniflux-encoding_WINDOWS-1251.xml").read_bytes()
    titles = " ".join(entry.title or "" for entry in parse_feed(body, "https://a.example/"))
    assert any("\u0400" <= char <= "\u04ff" for char in titles)


def test_urdu_feed_keeps_its_script() -> None:
    body = shared_path("corpus", "feeds", "miniflux-urdu_UTF8.xml").read_bytes()
    titles = " ".join(entry.title or "" for entry in parse_feed(body, "https://a.example/"))
    assert any("\u0600" <= char <= "\u06ff" for char in titles)


def test_relative_item_links_resolve_against_the_feed() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>One</title><link>/news/1.html</link></item>"
        b"<item><title>Two</title><link>2.html</link></item></channel></rss>"
    )
    entries = parse_feed(body, "https://outlet.example/feeds/main.xml")
    assert [e.link for e in entries] == [
        "https://outlet.example/news/1.html",
        "https://outlet.example/feeds/2.html",
    ]


def test_html_in_titles_and_summaries_becomes_text() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        b"<title>A &lt;b&gt;bold&lt;/b&gt; claim</title><link>http://a.example/1</link>"
        b"<description>&lt;p&gt;First&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;"
        b"</description></item></channel></rss>"
    )
    (entry,) = parse_feed(body, "http://a.example/feed")
    assert entry.title == "A bold claim"
    assert "<" not in (entry.summary or "")


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body>not a feed</body></html>", b'<?xml version="1.0"?><rss><channel><item>'],
)
def test_a_document_that_is_no_feed_raises_with_a_cause(body: bytes) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(body, "http://a.example/feed")
    assert str(caught.value)


def test_billion_laughs_feed_does_not_expand() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<rss version='2.0'><channel><title>&lol3;</title><item><title>&lol3;</title>"
        b"<link>http://a.example/1</link></item></channel></rss>"
    )
    try:
        entries = parse_feed(bomb, "http://a.example/feed")
    except FeedError:
        return
    assert all(len(entry.title or "") < 10_000 for entry in entries)


def test_real_sitemap_index_news_and_latest_sitemaps() -> None:
    folder = shared_path("corpus", "sitemaps", "www.rferl.org")
    index = parse_sitemap(
        (folder / "sitemap.xml").read_bytes(), "https://www.rferl.org/", 5_000_000
    )
    assert len(index.sitemaps) == 14 and not index.urls
    assert choose_child_sitemaps(index.sitemaps) == ["https://www.rferl.org/sitemap_8_news.xml.gz"]
    news = parse_sitemap(
        (folder / "sitemap_8_news.xml.gz").read_bytes(), "https://www.rferl.org/", 5_000_000
    )
    assert news.urls and all(entry.loc.startswith("https://www.rferl.org/") for entry in news.urls)
    assert all(entry.title and entry.published_at for entry in news.urls)
    assert news.urls[0].lang == "en"
    latest = parse_sitemap(
        (folder / "sitemap_8_latest.xml.gz").read_bytes(), "https://www.rferl.org/", 5_000_000
    )
    assert len(latest.urls) > 10 and all(entry.lastmod for entry in latest.urls)


def test_index_without_news_children_takes_the_most_recent() -> None:
    children = [
        ("https://a.example/s1.xml", "2020-01-01T00:00:00Z"),
        ("https://a.example/s3.xml", "2026-01-03T00:00:00Z"),
        ("https://a.example/s2.xml", None),
        ("https://a.example/s4.xml", "2026-01-04T00:00:00Z"),
        ("https://a.example/s5.xml", "2025-01-01T00:00:00Z"),
    ]
    assert choose_child_sitemaps(children) == [
        "https://a.example/s4.xml",
        "https://a.example/s3.xml",
        "https://a.example/s5.xml",
    ]


def test_gzip_bomb_sitemap_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 3_000_000 + b"</urlset>")
    with pytest.raises(SitemapError) as caught:
        parse_sitemap(bomb, "https://a.example/", 1_000_000)
    assert "exceeded 1000000 bytes" in str(caught.value)


def test_sitemap_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://a.example/&x;</loc></url></urlset>"
    ).encode()
    try:
        sitemap = parse_sitemap(body, "https://a.example/", 1_000_000)
    except SitemapError:
        return
    assert all("TOPSECRET" not in entry.loc for entry in sitemap.urls)


def test_robots_txt_sitemap_lines() -> None:
    robots = b"User-agent: *\nDisallow: /x\nSitemap: https://a.example/news.xml\nsitemap: /s.xml\n"
    assert sitemaps_in_robots(robots, "https://a.example/robots.txt") == [
        "https://a.example/news.xml",
        "https://a.example/s.xml",
    ]


def test_listing_keeps_article_links_and_finds_the_next_page() -> None:
    html = """<html><body><a href="/story/1">One</a><a href="/tag/x">Tag</a>
    <a href="/story/2#comments">Two</a><a href="javascript:void(0)">Menu</a>
    <a href="?page=2">Next</a></body></html>"""
    listing = parse_listing(html, "https://a.example/news", ("/story/",))
    assert listing.article_links == [
        "https://a.example/story/1",
        "https://a.example/story/2#comments",
    ]
    assert listing.next_page == "https://a.example/news?page=2"
    russian = '<html><body><a href="/p/2">Далее</a></body></html>'
    assert parse_listing(russian, "https://a.example/", ()).next_page == "https://a.example/p/2"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:text/html,x",
        "javascript:alert(1)",
        "ftp://a.example/x",
        "//a.example/x",
        "/relative",
        "http://",
    ],
)
def test_only_absolute_http_urls_are_fetchable(url: str) -> None:
    assert not is_fetchable(url)


def test_canonical_url_drops_tracking_fragments_and_default_ports() -> None:
    assert (
        canonical_url("HTTPS://News.Example:443/a/1?utm_source=x&id=5&fbclid=abc&UTM_medium=y#top")
        == "https://news.example/a/1?id=5"
    )
    assert canonical_url("http://news.example") == "http://news.example/"
    assert canonical_url("http://news.example:8080/x") == "http://news.example:8080/x"


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(b"7", now) == 7.0
    assert retry_after_seconds(b"Fri, 27 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds(b"soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_back_off_grows_with_consecutive_errors_and_is_capped() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    waits = [next_fetch_after(start, hour, errors) - start for errors in range(0, 8)]
    assert waits[:4] == [hour, hour, 2 * hour, 4 * hour]
    assert waits[-1] == timedelta(days=1)


def test_a_guid_shared_by_several_entries_is_dropped() -> None:
    items = "".join(
        f"<item><title>{n}</title><link>http://a.example/{n}</link>"
        f'<guid isPermaLink="false">{guid}</guid></item>'
        for n, guid in ((1, "same"), (2, "same"), (3, "own"))
    )
    body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    entries = parse_feed(body, "http://a.example/feed")
    assert [entry.guid for entry in entries] == [None, None, "own"]


def test_an_rss_item_with_only_a_publication_date_announces_no_update() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        b"<title>One</title><link>http://a.example/1</link>"
        b"<pubDate>Fri, 20 Nov 2026 08:30:00 GMT</pubDate></item></channel></rss>"
    )
    (entry,) = parse_feed(body, "http://a.example/feed")
    assert entry.published_at == "2026-11-20T08:30:00Z"
    assert entry.updated_at is None
