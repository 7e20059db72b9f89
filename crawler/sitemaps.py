"""News sitemaps, sitemap indexes (plain or gzipped) and `Sitemap:` lines in robots.txt."""

import io
import logging
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from crawler.documents import HostileDocument, safe_xml_bytes
from crawler.urls import absolute_url, is_fetchable

logger = logging.getLogger(__name__)


class SitemapError(Exception):
    """A sitemap that could not be read (the message is the cause)."""


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None = None
    title: str | None = None
    published_at: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Sitemap:
    """Either a list of pages (`urls`) or an index of further sitemaps (`sitemaps`, as
    (url, lastmod) pairs)."""

    urls: list[SitemapEntry]
    sitemaps: list[tuple[str, str | None]]


def sitemaps_in_robots(body: bytes, base: str) -> list[str]:
    """The URLs on `Sitemap:` lines of a robots.txt (unusable ones left out)."""
    found = []
    for line in body.decode("utf-8", errors="replace").splitlines():
        key, _, value = line.partition(":")
        link = absolute_url(base, value.strip())
        if key.strip().lower() == "sitemap" and value.strip() and is_fetchable(link):
            found.append(link)
    return found


def decompress(body: bytes, max_bytes: int) -> bytes:
    """Gunzip a body when it is gzipped, refusing to inflate past max_bytes (gzip bombs)."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, max_bytes + 1)
    except zlib.error as error:
        raise SitemapError(f"corrupt gzip data: {error}") from error
    if len(data) > max_bytes:
        raise SitemapError(f"sitemap exceeded {max_bytes} bytes once decompressed")
    return data


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _iso(value: str | None) -> str | None:
    """W3C datetime (a date, or a date and time with zone) as a stored UTC timestamp."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):  # not a date, or one past what a datetime holds
        return None


def parse_sitemap(body: bytes, url: str, max_bytes: int) -> Sitemap:
    """Parse a urlset or sitemapindex document, gzipped or not."""
    try:
        safe = safe_xml_bytes(decompress(body, max_bytes), None, "sitemap")
    except HostileDocument as error:
        raise SitemapError(str(error)) from None
    if safe.misdeclared:
        logger.warning("sitemap %s: %s", url, safe.misdeclared)
    data = safe.data
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, recover=False, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.parse(io.BytesIO(data), parser).getroot()
    except etree.XMLSyntaxError as error:
        raise SitemapError(f"malformed XML at line {error.lineno}: {error.msg}") from error
    except (ValueError, etree.LxmlError) as error:
        raise SitemapError(f"unreadable sitemap: {error}") from error
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children = [node for node in root if _local(node.tag) == "sitemap"]
        return Sitemap(
            urls=[],
            sitemaps=[
                (absolute_url(url, loc), _iso(_text(node, "lastmod")))
                for node in children
                if (loc := _text(node, "loc")) and is_fetchable(absolute_url(url, loc))
            ],
        )
    if kind != "urlset":
        raise SitemapError(f"not a sitemap (root element <{kind}>)")
    return Sitemap(
        urls=[
            _url_entry(node, url)
            for node in root
            if _local(node.tag) == "url" and _text(node, "loc")
        ],
        sitemaps=[],
    )


def _text(node: etree._Element, field: str) -> str | None:
    for child in node:
        if _local(child.tag) == field and child.text and child.text.strip():
            return child.text.strip()
    return None


def _url_entry(node: etree._Element, base: str) -> SitemapEntry:
    title = published = lang = None
    for child in node:
        if _local(child.tag) == "news":
            title = _text(child, "title")
            published = _iso(_text(child, "publication_date"))
            for publication in child:
                if _local(publication.tag) == "publication":
                    lang = _text(publication, "language")
    return SitemapEntry(
        loc=absolute_url(base, _text(node, "loc") or ""),
        lastmod=_iso(_text(node, "lastmod")),
        title=title,
        published_at=published,
        lang=(lang or "").split("-")[0].lower() or None,
    )
