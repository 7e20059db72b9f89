"""Sources to and from OPML, the subscription lists feed readers exchange.

Reading is listparser's (it copes with the OPML that readers write, nested folders and the
`category` attribute included, and flags broken files). Folders become the source's `tags`,
each folder level a tag. Writing is OPML 2.0: each source an `<outline type="rss">` with its
`xmlUrl`, inside a folder outline named after its first tag; all its tags are also in the
`category` attribute. What only newswatch knows (the kind of a sitemap or site source, its
interval, paused state, follow patterns, pagination depth) goes into attributes of the
newswatch namespace, which other readers ignore and an import here reads back.
"""

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import listparser

from config.edit import SourceEntry, entry_problems
from config.loader import format_duration
from config.schema import SOURCE_KINDS, SourceConfig

NAMESPACE = "urn:newswatch:opml"
PREFIX = "newswatch"


class OpmlError(Exception):
    """A file with no usable subscription list in it (the message is the cause)."""


@dataclass
class OpmlImport:
    """The sources an OPML file holds that are not configured yet, and what was left out."""

    entries: list[SourceEntry] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url or title, why)
    warning: str | None = None  # the file had errors but could be read


def read_opml(data: bytes, configured: Sequence[SourceConfig]) -> OpmlImport:
    """The sources in an OPML file, checked, named uniquely, without those configured."""
    parsed = listparser.parse(data)  # bytes: listparser fetches a str that is a URL
    if parsed.bozo and not parsed.feeds:
        raise OpmlError(f"not a readable OPML file: {parsed.bozo_exception}")
    if not parsed.feeds and not parsed.get("version"):
        raise OpmlError("not an OPML file (no <opml> with outlines of feeds)")
    result = OpmlImport()
    if parsed.bozo:
        result.warning = f"the file has errors, read what could be: {parsed.bozo_exception}"
    ours = _newswatch_attributes(data)
    urls = {source.url: source.name for source in configured}
    names = {source.name for source in configured}
    for feed in parsed.feeds:
        url = (feed.get("url") or "").strip()
        if url in urls:
            result.skipped.append((url, f"already configured as {urls[url]!r}"))
            continue
        title = " ".join((feed.get("title") or "").split()) or urlsplit(url).hostname or url
        entry = _entry(_unique(title, names), url, _tags(feed.get("categories", [])), ours.get(url))
        problems = entry_problems(entry)
        if problems:
            result.skipped.append((url or title, "; ".join(problems)))
            continue
        urls[url] = entry.name
        names.add(entry.name)
        result.entries.append(entry)
    return result


def write_opml(sources: Iterable[SourceConfig], title: str, created: datetime) -> bytes:
    """An OPML 2.0 document of these sources, grouped in folders by their first tag."""
    root = ElementTree.Element("opml", {"version": "2.0", f"xmlns:{PREFIX}": NAMESPACE})
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(created)
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, ElementTree.Element] = {}
    for source in sources:
        parent = body
        if source.tags:
            folder = source.tags[0]
            if folder not in folders:
                folders[folder] = ElementTree.SubElement(
                    body, "outline", {"text": folder, "title": folder}
                )
            parent = folders[folder]
        ElementTree.SubElement(parent, "outline", _outline(source))
    ElementTree.indent(root)
    written: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return written + b"\n"


def _outline(source: SourceConfig) -> dict[str, str]:
    attributes = {"type": "rss", "text": source.name, "title": source.name, "xmlUrl": source.url}
    usable_tags = [tag for tag in source.tags if "," not in tag and "/" not in tag]
    if len(usable_tags) > 1:
        # OPML's category: comma-separated, slash-delimited paths.
        attributes["category"] = ",".join(f"/{tag}" for tag in usable_tags)
    ours: dict[str, Any] = {}
    if source.kind != "feed":
        ours["kind"] = source.kind
    if source.interval is not None:
        ours["interval"] = format_duration(source.interval)
    if source.paused:
        ours["paused"] = "true"
    if source.follow:
        ours["follow"] = json.dumps(list(source.follow), ensure_ascii=False)
    if source.kind == "site":
        ours["max_pages"] = str(source.max_pages)
    attributes.update({f"{PREFIX}:{key}": value for key, value in ours.items()})
    return attributes


def _entry(name: str, url: str, tags: tuple[str, ...], ours: dict[str, str] | None) -> SourceEntry:
    ours = ours or {}
    kind = ours.get("kind", "feed")
    follow: tuple[str, ...] = ()
    try:
        loaded = json.loads(ours.get("follow", "[]"))
        follow = tuple(str(item) for item in loaded) if isinstance(loaded, list) else ()
    except ValueError:
        pass
    max_pages = ours.get("max_pages", "")
    return SourceEntry(
        name=name,
        kind=kind if kind in SOURCE_KINDS else "feed",
        url=url,
        interval=ours.get("interval"),
        follow=follow,
        max_pages=int(max_pages) if max_pages.isdigit() else None,
        tags=tags,
        paused=ours.get("paused") == "true",
    )


def _tags(categories: list[list[str]]) -> tuple[str, ...]:
    """Each folder level, once, in the order met ("News/Caucasus" gives News and Caucasus)."""
    tags = [" ".join(part.split()) for path in categories for part in path]
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    number = 2
    while f"{name} ({number})" in taken:
        number += 1
    return f"{name} ({number})"


def _newswatch_attributes(data: bytes) -> dict[str, dict[str, str]]:
    """xmlUrl → the newswatch attributes of its outline. Only files newswatch wrote have
    them; a file the strict parser cannot read (another reader's, broken) has none."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return {}
    prefix = f"{{{NAMESPACE}}}"
    found = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        ours = {
            key[len(prefix) :]: value
            for key, value in outline.attrib.items()
            if key.startswith(prefix)
        }
        if url and ours:
            found[url] = ours
    return found
