"""The feeds an HTML page names: `<link rel="alternate">` of RSS or Atom type.

Used when a page given as a feed turns out to be HTML (the crawl's error then names the
page's feeds instead of an XML parser's complaint) and by `newswatch sources add`.
"""

import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from crawler.urls import absolute_url, is_fetchable

# Media types of feeds that the feed spider reads (feedparser: RSS, RDF and Atom).
FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/rdf+xml": "RDF",
}
# The first bytes of an HTML document (after a byte-order mark, blanks and comments).
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b",
    re.IGNORECASE | re.DOTALL,
)
# How many of a page's feeds an error message names.
FEEDS_IN_MESSAGE = 3


@dataclass(frozen=True)
class FeedLink:
    url: str
    kind: str  # "RSS", "Atom" or "RDF"
    title: str | None


def looks_like_html(body: bytes, content_type: str | None = None) -> bool:
    """Whether a response is an HTML page (by its media type or its first bytes)."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared in ("text/html", "application/xhtml+xml"):
        return True
    return bool(_HTML_START.match(body[:4096]))


def feed_links(body: bytes, page_url: str) -> list[FeedLink]:
    """The RSS, RDF and Atom feeds an HTML page announces, in page order, absolute, each once."""
    try:
        tree = lxml_html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    base = page_url
    for href in _nodes(tree.xpath("//base/@href"))[:1]:
        base = absolute_url(page_url, str(href))
    found: dict[str, FeedLink] = {}
    for link in _nodes(tree.xpath("//link[@href]")):
        if not isinstance(link, etree._Element):
            continue
        rel = (link.get("rel") or "").lower().split()
        media = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rel or media not in FEED_TYPES:
            continue
        url = absolute_url(base, link.get("href") or "")
        if is_fetchable(url) and url not in found:
            title = " ".join((link.get("title") or "").split()) or None
            found[url] = FeedLink(url, FEED_TYPES[media], title)
    return list(found.values())


def html_page_message(body: bytes, page_url: str) -> str:
    """What to tell a person whose feed URL answers with an HTML page."""
    links = feed_links(body, page_url)
    if not links:
        return (
            "this is an HTML page, not a feed, and it names no feed (no <link "
            'rel="alternate"> of RSS or Atom type); `newswatch sources add URL` looks further'
        )
    named = ", ".join(link.url for link in links[:FEEDS_IN_MESSAGE])
    more = f" and {len(links) - FEEDS_IN_MESSAGE} more" if len(links) > FEEDS_IN_MESSAGE else ""
    return f"this is an HTML page; its feeds are: {named}{more}"


def _nodes(result: object) -> list[object]:
    """An XPath result as a list (it is one for node-set expressions like these)."""
    return list(result) if isinstance(result, list) else []
