"""RSS 0.9x/1.0/2.0, RDF and Atom feeds, parsed by feedparser from the bytes as downloaded."""

import calendar
import logging
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import feedparser

from crawler.documents import HostileDocument, safe_xml_bytes
from crawler.feedlinks import html_page_message, looks_like_html
from crawler.urls import absolute_url
from storage.cleantext import html_to_text, without_controls

logger = logging.getLogger(__name__)


class FeedError(Exception):
    """A feed that could not be read at all (the message is the cause)."""


@dataclass(frozen=True)
class FeedEntry:
    link: str
    title: str | None
    summary: str | None
    author: str | None
    published_at: str | None
    updated_at: str | None
    guid: str | None
    lang: str | None


def _timestamp(parsed: Any) -> str | None:
    if not parsed:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ParsedFeed:
    entries: list[FeedEntry]
    title: str | None  # the feed's own title, on one line
    version: str  # feedparser's name of its format ("rss20", "atom10", …)


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> list[FeedEntry]:
    """Entries of a feed; raises FeedError (only) when nothing usable could be parsed (see
    read_feed)."""
    return read_feed(body, url, content_type).entries


def read_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """A feed's entries, title and format; raises FeedError (only) when nothing usable could
    be parsed.

    Bytes go in, never a URL or a string: feedparser would fetch a URL itself. They are
    decoded here (crawler.documents: BOM, XML declaration, HTTP header, detection), a feed
    declaring entities is refused unparsed, and feedparser reads clean UTF-8. An entry that
    still cannot be read is dropped with a logged reason; the others are kept.
    """
    try:
        safe = safe_xml_bytes(body, content_type, "feed")
    except HostileDocument as error:
        if looks_like_html(body, content_type):  # an HTML page's doctype, not a hostile feed
            raise FeedError(html_page_message(body, url)) from None
        raise FeedError(str(error)) from None
    if safe.removed:
        logger.info("feed %s: %d characters XML does not allow removed", url, safe.removed)
    if safe.misdeclared:
        logger.warning("feed %s: %s", url, safe.misdeclared)
    data = safe.data
    headers = {"content-location": url, "content-type": "application/xml; charset=utf-8"}
    try:
        parsed = feedparser.parse(data, response_headers=headers)
    except Exception as error:  # a parser bug on strangers' data is the feed's problem
        raise FeedError(f"unreadable feed: {type(error).__name__}: {error}") from error
    feed_lang = _language(parsed.feed.get("language"))
    read = [_entry_or_none(raw, url, feed_lang) for raw in parsed.entries]
    entries = _without_shared_guids([entry for entry in read if entry is not None])
    unreadable = (parsed.bozo and not entries) or (not entries and not parsed.get("version"))
    if unreadable and looks_like_html(body, content_type):
        # A home page given as a feed: say so, and which feeds it names, rather than
        # "malformed XML at line 3".
        raise FeedError(html_page_message(body, url))
    if parsed.bozo and not entries:
        raise FeedError(_bozo_message(parsed.bozo_exception))
    if not entries and not parsed.get("version"):
        raise FeedError("not a feed (no RSS, RDF or Atom root element)")
    if parsed.bozo:
        logger.info("feed %s parsed despite an error: %s", url, parsed.bozo_exception)
    title = " ".join(str(parsed.feed.get("title") or "").split()) or None
    return ParsedFeed(entries, title, str(parsed.get("version") or ""))


def _entry_or_none(raw: Any, feed_url: str, feed_lang: str | None) -> "FeedEntry | None":
    try:
        return _entry(raw, feed_url, feed_lang)
    except (ValueError, TypeError, AttributeError, KeyError, UnicodeError) as error:
        logger.warning("feed %s: an entry dropped: %s: %s", feed_url, type(error).__name__, error)
        return None


def _language(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.split("-")[0].strip().lower()[:12] or None


def _without_shared_guids(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Entries whose guid another entry of the feed shares lose it: some CMSs give every
    entry the same id (the feed's URL, "1"), and a guid that names several articles would
    make each later one look stored already."""
    counts = Counter(entry.guid for entry in entries if entry.guid)
    return [
        replace(entry, guid=None) if entry.guid and counts[entry.guid] > 1 else entry
        for entry in entries
    ]


def _bozo_message(error: Exception) -> str:
    line = getattr(error, "getLineNumber", None)
    message = getattr(error, "getMessage", lambda: str(error))()
    if callable(line):
        return f"malformed XML at line {line()}: {message}"
    return f"unreadable feed: {message}"


def _entry(raw: Any, feed_url: str, feed_lang: str | None) -> FeedEntry | None:
    link = raw.get("link") or _first_alternate_link(raw)
    if not link:
        guid = raw.get("id") or ""
        link = guid if raw.get("guidislink") or guid.startswith(("http://", "https://")) else ""
    if not link:
        return None
    summary = raw.get("summary")
    if not summary and raw.get("content"):
        summary = raw["content"][0].get("value")
    lang = _language(raw.get("language")) or feed_lang
    # dict.get, not raw.get: feedparser answers a missing "updated" with the publication date
    # (a deprecated fallback), which would read as an edit announced by the feed.
    published = dict.get(raw, "published_parsed")
    updated = dict.get(raw, "updated_parsed")
    return FeedEntry(
        link=absolute_url(feed_url, link),
        title=html_to_text(raw.get("title")),
        summary=html_to_text(summary),
        author=" ".join(without_controls(raw.get("author") or "").split()) or None,
        published_at=_timestamp(published or updated),
        updated_at=_timestamp(updated),
        guid=raw.get("id"),
        lang=lang,
    )


def _first_alternate_link(raw: Any) -> str | None:
    for link in raw.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None
