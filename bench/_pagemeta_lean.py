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

from crawler.pagemeta import page_author, page_date, page_title, read_page


def lean_extract_article(body: bytes, url: str) -> Extracted:
    """crawler.extract.extract_article with trafilatura giving the text only; title,
    author and date come from the parsed tree (its metadata pass costs a quarter of the
    extraction, for fields newswatch does not keep)."""
    tree = load_page(body, url)
    if tree is None:
        return Extracted(None, None, None, None, None, None)
    declared_lang, canonical = declared_language(tree), canonical_link(tree)
    page = read_page(tree, url)
    title, author = page_title(page), page_author(page)
    # Before the text: trafilatura cleans a copy, but the date is read from the page as sent.
    date = page_date(tree, url, DATE_PARAMS)
    found = trafilatura_fields(tree, url, with_metadata=False) or {}
    return assemble(title, found.get("text"), author, date, declared_lang, canonical)
