"""RSS 0.9x/1.0/2.0, RDF and Atom feeds, parsed by feedparser from the bytes as downloaded."""

import calendar
import logging
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import feedparser
from lxml import html as lxml_html

from crawler.feedlinks import html_page_message, looks_like_html
from crawler.urls import absolute_url

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


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of a summary that may hold HTML (feed content is untrusted markup)."""
    if not fragment or not fragment.strip():
        return None
    try:
        text = lxml_html.fromstring(fragment).text_content()
    except (ValueError, lxml_html.etree.ParserError):
        text = fragment
    cleaned = " ".join(text.split())
    return cleaned or None


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> list[FeedEntry]:
    """Entries of a feed; raises FeedError when nothing usable could be parsed.

    Bytes go in, never a URL or a string: feedparser would fetch a URL itself, and decoding
    is left to it so the encoding the feed declares (XML prolog or HTTP header) is honoured.
    """
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    feed_lang = (parsed.feed.get("language") or "").split("-")[0].lower() or None
    entries = [_entry(raw, url, feed_lang) for raw in parsed.entries]
    entries = _without_shared_guids([entry for entry in entries if entry is not None])
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
    return entries


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
    lang = (raw.get("language") or "").split("-")[0].lower() or feed_lang
    # dict.get, not raw.get: feedparser answers a missing "updated" with the publication date
    # (a deprecated fallback), which would read as an edit announced by the feed.
    published = dict.get(raw, "published_parsed")
    updated = dict.get(raw, "updated_parsed")
    return FeedEntry(
        link=absolute_url(feed_url, link),
        title=html_to_text(raw.get("title")),
        summary=html_to_text(summary),
        author=(raw.get("author") or "").strip() or None,
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
