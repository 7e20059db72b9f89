"""Listing pages of news sites: the article links they hold and the next page."""

import re
from dataclasses import dataclass

from lxml import html as lxml_html

from crawler.urls import absolute_url, is_fetchable

# Words a "next page" link says in the languages newswatch follows.
_NEXT_WORDS = re.compile(
    r"^\s*(next|older|more|›|»|→|следующая|далее|ещё|еще|növbəti|sonraki|keyingi|келесі|"
    r"кийинки|навбатӣ|daha|>>|>)\s*(page|»|›|→)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Listing:
    article_links: list[str]
    next_page: str | None


def parse_listing(html: str, url: str, follow: tuple[str, ...]) -> Listing:
    """Links matching any `follow` pattern are articles; everything else is navigation.

    Takes the page decoded already (Scrapy knows the charset from the headers and meta tags).
    """
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return Listing([], None)
    patterns = [re.compile(pattern) for pattern in follow]
    articles: dict[str, None] = {}  # in page order, each once (a list's `in` is quadratic)
    for anchor in tree.iterfind(".//a[@href]"):
        link = absolute_url(url, anchor.get("href", ""))
        if link not in articles and is_fetchable(link) and any(p.search(link) for p in patterns):
            articles[link] = None
    return Listing(list(articles), _next_page(tree, url))


def _next_page(tree: lxml_html.HtmlElement, url: str) -> str | None:
    link = _next_link(tree, url)
    return link if link is not None and is_fetchable(link) else None


def _next_link(tree: lxml_html.HtmlElement, url: str) -> str | None:
    for element in tree.iterfind(".//*[@rel]"):
        if element.tag in ("a", "link") and "next" in element.get("rel", "").split():
            href = element.get("href")
            if href:
                return absolute_url(url, href)
    for anchor in tree.iterfind(".//a[@href]"):
        label = anchor.text_content() or anchor.get("aria-label") or ""
        classes = anchor.get("class", "")
        if _NEXT_WORDS.match(label) or re.search(r"\bnext\b", classes):
            return absolute_url(url, anchor.get("href", ""))
    return None
