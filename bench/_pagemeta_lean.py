"""bench only, NOT used by newswatch (bench/extraction_metadata.py): title, author and date of
an article page from its already parsed tree, and extract_article without trafilatura's
metadata pass. On the 181 real pages it keeps text F1 and dates but loses 56 authors.

trafilatura's metadata pass costs about a quarter of its extraction (bench/README.md,
"Crawl throughput"), for fields newswatch does not keep (site name, categories, tags,
description...). These small functions read the three fields newswatch keeps. Every value
comes from the page and is hostile: lengths are capped, JSON-LD may be broken or carry any
type, and nothing here raises on bad input.
"""

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from crawler.cleaning import one_line
from crawler.extract import (
    DATE_PARAMS,
    Extracted,
    assemble,
    canonical_link,
    declared_language,
    load_page,
    trafilatura_fields,
)

logger = logging.getLogger(__name__)

MAX_TITLE = 500  # characters kept of a title; longer is not a headline
MAX_AUTHOR = 200
MAX_JSON_LD = 200_000  # characters of one JSON-LD block parsed; larger ones are skipped
# A <title> usually ends with the outlet's name: "Headline | Outlet", "Headline - Outlet".
# Only the title element is cut, and only on a spaced separator, so that hyphenated
# headlines stay whole; og:title and JSON-LD headline are the article's own and kept as given.
TITLE_SITE_SUFFIX = re.compile(r"^(.+?)\s+[|–—-]\s+[^|–—]{1,80}$")


def _clean(value: object, limit: int) -> str | None:
    """A page's string as one line (crawler.cleaning.one_line), at most `limit` characters,
    or None when it is not a non-empty string."""
    if not isinstance(value, str):
        return None
    line = one_line(value) or ""
    return line[:limit].strip() or None


def _meta(tree: etree._Element, *keys: str) -> Iterator[str]:
    """content of <meta name=KEY> or <meta property=KEY>, in the order of keys."""
    for key in keys:
        for meta in tree.iterfind(f".//meta[@name='{key}']"):
            yield meta.get("content") or ""
        for meta in tree.iterfind(f".//meta[@property='{key}']"):
            yield meta.get("content") or ""


def json_ld_objects(tree: etree._Element) -> list[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD blocks (@graph flattened); broken blocks skipped."""
    found: list[dict[str, Any]] = []
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        source = script.text or ""
        if len(source) > MAX_JSON_LD:
            continue
        try:
            data = json.loads(source)
        except (ValueError, RecursionError):
            continue
        pending = data if isinstance(data, list) else [data]
        for item in pending[:50]:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            if isinstance(graph, list):
                found.extend(part for part in graph[:50] if isinstance(part, dict))
            found.append(item)
    return found


ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "blogposting",
    "analysisnewsarticle",
    "webpage",
    "report",
    "liveblogposting",
}


def _is_article(item: dict[str, Any]) -> bool:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.lower() in ARTICLE_TYPES for k in kinds)


def page_title(tree: etree._Element, ld: list[dict[str, Any]]) -> str | None:
    """og:title, else a JSON-LD article's headline, else <title> without the outlet's name,
    else the first <h1>."""
    for content in _meta(tree, "og:title", "twitter:title"):
        if title := _clean(content, MAX_TITLE):
            return title
    for item in ld:
        if _is_article(item) and (title := _clean(item.get("headline"), MAX_TITLE)):
            return title
    element = tree.find(".//title")
    if element is not None and (title := _clean(element.text_content(), MAX_TITLE)):
        suffixed = TITLE_SITE_SUFFIX.match(title)
        return suffixed.group(1).strip() if suffixed else title
    for h1 in tree.iterfind(".//h1"):
        if title := _clean(h1.text_content(), MAX_TITLE):
            return title
    return None


def _person_names(value: object) -> Iterator[str]:
    """Names in a JSON-LD author: a string, an object with "name", or a list of them."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str):
            yield name
    elif isinstance(value, list):
        for part in value[:20]:
            if isinstance(part, (str, dict)):
                yield from _person_names(part)


def page_author(tree: etree._Element, ld: list[dict[str, Any]]) -> str | None:
    """A JSON-LD article's author(s), else <meta name=author> or article:author (not a URL).
    Several authors are joined with "; " as trafilatura does."""
    for item in ld:
        if not _is_article(item):
            continue
        names = [n for n in (_clean(v, MAX_AUTHOR) for v in _person_names(item.get("author"))) if n]
        if names:
            return _clean("; ".join(dict.fromkeys(names)), MAX_AUTHOR)
    for content in _meta(tree, "author", "article:author", "dc.creator", "byl"):
        author = _clean(content, MAX_AUTHOR)
        if author and not author.startswith(("http://", "https://", "/")):
            return author
    return None


def page_date(tree: etree._Element, url: str, params: dict[str, Any]) -> str | None:
    """htmldate's publication date (the same library and settings trafilatura's pass uses)."""
    from htmldate import find_date  # trafilatura already depends on it

    try:
        return find_date(tree, url=url, **params)
    except (ValueError, TypeError, etree.LxmlError) as error:
        logger.info("date search failed for %s: %s", url, error)
        return None


def lean_extract_article(body: bytes, url: str) -> Extracted:
    """crawler.extract.extract_article with trafilatura giving the text only; title,
    author and date come from the parsed tree (its metadata pass costs a quarter of the
    extraction, for fields newswatch does not keep)."""
    tree = load_page(body, url)
    if tree is None:
        return Extracted(None, None, None, None, None, None)
    declared_lang, canonical = declared_language(tree), canonical_link(tree)
    ld = json_ld_objects(tree)
    title, author = page_title(tree, ld), page_author(tree, ld)
    # Before the text: trafilatura cleans a copy, but the date is read from the page as sent.
    date = page_date(tree, url, DATE_PARAMS)
    found = trafilatura_fields(tree, url, with_metadata=False) or {}
    return assemble(title, found.get("text"), author, date, declared_lang, canonical)
