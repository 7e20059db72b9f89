"""Article pages: title, text, author, publication date and language. The text comes from
trafilatura, title, author and date from the parsed tree (crawler/pagemeta.py).

Pure work on a page's bytes: it runs in the page worker (crawler/pageworker.py), or in the
crawl process when there is none. trafilatura is imported on first use, so that a crawl
process whose pages all go to a worker, or that extracts nothing (every source answered
304), never loads it.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from crawler.pagebounds import MAX_ELEMENTS, cut_to_first_elements
from crawler.pagemeta import page_author, page_date, page_title, read_page
from relevance.language import identify_language
from storage.timeutil import to_iso

logger = logging.getLogger(__name__)

# A full timestamp where the page gives one (htmldate defaults to the date alone).
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
DATE_PARAMS = {
    "outputformat": DATE_FORMAT,
    "original_date": True,
    "extensive_search": True,
}


# trafilatura's full extraction also runs readability and, for short or unclean results,
# justext, and keeps their text when its own looks deficient: 40% of its cost. On the 181
# real pages of ../shared/corpus/extraction the full text differs from the fast one only
# where the fast one is under 900 characters (6 pages; bench/extraction_settings.py). So the
# fast pass runs first, and the full one only for a text shorter than this.
FULL_EXTRACTION_BELOW = 1000


@dataclass(frozen=True)
class Extracted:
    title: str | None
    text: str | None
    author: str | None
    published_at: str | None  # UTC, as stored
    lang: str | None
    canonical_link: str | None


def extract_article(body: bytes, url: str) -> Extracted:
    """Extract an article page; fields the page does not give are None.

    trafilatura gives the text only: title, author and date are read from the parsed tree
    (crawler/pagemeta.py), which costs a fraction of trafilatura's metadata pass and is as
    right or better on the real corpus (bench/extraction_metadata.py)."""
    tree = load_page(body, url)
    if tree is None:
        return Extracted(None, None, None, None, None, None)
    declared_lang, canonical = declared_language(tree), canonical_link(tree)
    page = read_page(tree, url)
    title, author = page_title(page), page_author(page)
    # Before the text, as trafilatura's own pass did: the date is read from the page as sent.
    date = page_date(tree, url, DATE_PARAMS)
    found = trafilatura_fields(tree, url, with_metadata=False)
    if found is None:
        return Extracted(None, None, None, None, declared_lang, canonical)
    return assemble(title, found.get("text"), author, date, declared_lang, canonical)


def load_page(body: bytes, url: str) -> etree._Element | None:
    """The page's tree, cut to its first MAX_ELEMENTS (crawler/pagebounds.py); None when
    the bytes are no HTML."""
    import trafilatura  # on first use: see the module's docstring

    tree = trafilatura.load_html(body)
    if tree is None:
        return None
    nodes = cut_to_first_elements(tree)
    if nodes > MAX_ELEMENTS:
        logger.warning(
            "%s: the page has %d elements; its text is taken from the first %d",
            url[:200],
            nodes,
            MAX_ELEMENTS,
        )
    return tree


def trafilatura_fields(
    tree: etree._Element, url: str, with_metadata: bool
) -> dict[str, Any] | None:
    """trafilatura's extraction of the page as a dict (text; with metadata also title,
    author, date…), or None when it finds nothing or the markup breaks it. newswatch asks
    for the text only; bench/extraction_metadata.py asks for the metadata pass too, to
    compare."""
    import trafilatura

    def extraction(fast: bool) -> dict[str, Any] | None:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=with_metadata,
            include_comments=False,
            favor_precision=True,
            fast=fast,
            date_extraction_params=DATE_PARAMS if with_metadata else None,
        )
        if document is None:
            return None
        return document if isinstance(document, dict) else document.as_dict()

    try:
        found = extraction(fast=True)
        if found is None or len(found.get("text") or "") < FULL_EXTRACTION_BELOW:
            found = extraction(fast=False)
    except (ValueError, TypeError, etree.LxmlError) as error:  # malformed markup
        logger.info("extraction failed for %s: %s", url, error)
        return None
    return found


def assemble(
    title: str | None,
    text: str | None,
    author: str | None,
    date: str | None,
    declared_lang: str | None,
    canonical: str | None,
) -> Extracted:
    """The page's fields as stored: trimmed, the headline off the text, the date in UTC,
    the language identified with the page's declared one as a prior."""
    title = (title or "").strip() or None
    text = _without_leading_title((text or "").strip(), title) or None
    return Extracted(
        title=title,
        text=text,
        author=(author or "").strip() or None,
        published_at=_utc(date),
        # The page's declared language is a prior; the text decides when it clearly differs.
        lang=identify_language(f"{title or ''}\n{text or ''}", declared_lang),
        canonical_link=canonical,
    )


def _utc(value: str | None) -> str | None:
    """htmldate's "2026-11-19T12:00:00+0400" as a stored UTC timestamp."""
    if not value:
        return None
    try:
        moment = datetime.strptime(value, DATE_FORMAT)
    except ValueError:
        try:
            moment = datetime.strptime(value[:10], "%Y-%m-%d")
        except ValueError:
            return None
    return to_iso(moment)


def _without_leading_title(text: str, title: str | None) -> str:
    """trafilatura keeps the headline as the first line of the text; it is stored apart."""
    first, _, rest = text.partition("\n")
    if title and first.strip() == title:
        return rest.strip()
    return text


def declared_language(tree: etree._Element) -> str | None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    return lang.split("-")[0].split("_")[0].strip().lower() or None


def canonical_link(tree: etree._Element) -> str | None:
    for link in tree.iterfind(".//link[@rel='canonical']"):
        href = (link.get("href") or "").strip()
        if href:
            return href
    for meta in tree.iterfind(".//meta[@property='og:url']"):
        content = (meta.get("content") or "").strip()
        if content:
            return content
    return None
