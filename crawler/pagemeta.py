"""Title, author and publication date of an article page, read from its parsed tree.

trafilatura's metadata pass costs about a quarter of its extraction (bench/README.md,
"Crawl throughput") for fields newswatch does not keep (site name, categories, tags,
description...). These readers take the three fields newswatch keeps from where pages put
them: meta tags, JSON-LD (schema.org) and the byline markup of the page's body.

Every value comes from the page and is hostile: strings are cut before any regular
expression sees them, names are bounded in number and length and kept on one line, JSON-LD
may be broken, huge or of any shape, and nothing here raises on bad input.
"""

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from crawler.cleaning import one_line

logger = logging.getLogger(__name__)

MAX_TITLE = 500  # characters kept of a title; longer is not a headline
MAX_AUTHOR = 200  # characters of the stored author field (several names joined)
MAX_NAME = 60  # characters of one name; longer is prose, not a name
MAX_NAME_WORDS = 5  # "Mary Clare Jalonick" has 3; a sentence has more
MAX_NAMES = 6  # names kept of one byline
MAX_BYLINE = 300  # characters of a byline element's text; longer is a biography
MAX_JSON_LD = 200_000  # characters of one JSON-LD block parsed; larger ones are skipped
MAX_JSON_ITEMS = 50  # objects taken of one block or @graph

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "webpage",
    "report",
    "scholarlyarticle",
}
SITE_TYPES = {"organization", "newsmediaorganization", "website"}


# --- JSON-LD -----------------------------------------------------------------------------


def json_ld_objects(tree: etree._Element) -> list[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD blocks (@graph flattened); broken blocks skipped."""
    found: list[dict[str, Any]] = []
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        source = script.text or ""
        if len(source) > MAX_JSON_LD:
            continue
        try:
            # strict=False: raw line breaks inside strings are common and harmless.
            data = json.loads(source, strict=False)
        except (ValueError, RecursionError):
            continue
        pending = data if isinstance(data, list) else [data]
        for item in pending[:MAX_JSON_ITEMS]:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            if isinstance(graph, list):
                found.extend(part for part in graph[:MAX_JSON_ITEMS] if isinstance(part, dict))
            found.append(item)
    return found


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds[:10] if isinstance(k, str)}


def _is_article(item: dict[str, Any]) -> bool:
    return bool(_types(item) & ARTICLE_TYPES)


# --- strings -----------------------------------------------------------------------------


def _clean(value: object, limit: int) -> str | None:
    """A page's string as one line (crawler.cleaning.one_line), at most `limit` characters,
    or None when it is not a non-empty string."""
    if not isinstance(value, str):
        return None
    line = one_line(value) or ""
    return line[:limit].strip() or None


def meta_tags(tree: etree._Element) -> dict[str, list[str]]:
    """content of every <meta name=…> and <meta property=…>, by the name in lower case."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("name") or meta.get("property")
        content = meta.get("content")
        if key and content and len(found) < 500:
            found.setdefault(key.strip().lower()[:100], []).append(content)
    return found


def _meta(metas: dict[str, list[str]], keys: Iterable[str]) -> Iterator[str]:
    """The meta contents for the keys, in the order of keys."""
    for key in keys:
        yield from metas.get(key, ())


@dataclass
class Page:
    """A page's parsed parts the readers share: its tree, meta tags, JSON-LD objects and
    the outlet's names (site_names)."""

    tree: etree._Element
    metas: dict[str, list[str]]
    ld: list[dict[str, Any]]
    sites: set[str]


def read_page(tree: etree._Element, url: str) -> Page:
    metas, ld = meta_tags(tree), json_ld_objects(tree)
    return Page(tree, metas, ld, site_names(metas, ld, url))


# --- title -------------------------------------------------------------------------------


def site_names(metas: dict[str, list[str]], ld: list[dict[str, Any]], url: str) -> set[str]:
    """The outlet's names as the page gives them (og:site_name, application-name, JSON-LD
    organisations and web sites), its host name and the host's first label
    ("thespacereview" of www.thespacereview.com), squashed (see squashed)."""
    names = {_clean(v, 100) for v in _meta(metas, ("og:site_name", "application-name"))}
    for item in ld:
        if _types(item) & SITE_TYPES:
            names.add(_clean(item.get("name"), 100))
        publisher = item.get("publisher")
        if isinstance(publisher, dict):
            names.add(_clean(publisher.get("name"), 100))
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    names.update((host, host.partition(".")[0]))
    return {squashed(name) for name in names if name} - {""}


def squashed(value: str) -> str:
    """Letters and digits only, lower case: "The Space Review" and "thespacereview" meet."""
    return "".join(ch for ch in value.lower() if ch.isalnum())


# "Outlet: Headline", "Outlet | Headline" and "Headline - Outlet", "Headline | Outlet".
TITLE_SITE_PREFIX = re.compile(r"^(.{1,80}?)\s*[|:–—-]\s+(.+)$")
# The last spaced separator: "Karabakh - a year later - Outlet" keeps its own dash, and a
# hyphenated headline ("Armenia-Azerbaijan talks") has none.
TITLE_SITE_TAIL = re.compile(r"^(.+)\s[|–—-]\s(.{1,80})$")


def without_site_name(title: str, sites: set[str]) -> str:
    """A title without a leading or trailing outlet name (site_names); the title as given
    when there is none."""
    if (tail := TITLE_SITE_TAIL.match(title)) and squashed(tail.group(2)) in sites:
        return tail.group(1).strip()
    if (head := TITLE_SITE_PREFIX.match(title)) and squashed(head.group(1)) in sites:
        return head.group(2).strip()
    return title


def page_title(page: Page) -> str | None:
    """og:title, else a JSON-LD article's headline, else <title> without the outlet's name,
    else the first <h1>; a leading or trailing outlet name (site_names) is cut."""
    tree, ld, sites = page.tree, page.ld, page.sites
    for content in _meta(page.metas, ("og:title", "twitter:title")):
        if title := _clean(content, MAX_TITLE):
            return without_site_name(title, sites)
    for item in ld:
        if _is_article(item) and (title := _clean(item.get("headline"), MAX_TITLE)):
            return without_site_name(title, sites)
    element = tree.find(".//title")
    if element is not None and (title := _clean(_text(element, MAX_TITLE), MAX_TITLE)):
        # A <title> usually ends with the outlet's name ("Headline | Outlet"), whatever the
        # name: its tail is cut even when the page does not name its outlet elsewhere.
        tail = TITLE_SITE_TAIL.match(title)
        return tail.group(1).strip() if tail else without_site_name(title, sites)
    for h1 in tree.iterfind(".//h1"):
        if title := _clean(_text(h1, MAX_TITLE), MAX_TITLE):
            return title
    return None


# --- author ------------------------------------------------------------------------------

# What a byline says besides names. "By", "Text:", "Posted by" and their kin open it.
BYLINE_PREFIX = re.compile(
    r"^(?:(?:written|posted|words|reported|story|text|photos?)\s+)?"
    r"(?:by|von|por|par|door|av|от|автор|текст|müəllif|yazar|yazan|հեղինակ|ავტორი)"
    r"(?=[\s:.]|$)[\s:.]*"
    r"|^(?:text|текст|photos?|фото)\s*:\s*",
    re.IGNORECASE,
)
# Names are separated by punctuation or a spaced dash, or joined by "and" in the region's
# and Western languages.
NAME_SEPARATORS = re.compile(r"[,;|/&•·]|\s[-–—]\s|\s(?:and|und|et|и|və|ve|y|e)\s", re.IGNORECASE)
# Parenthesised remarks, e-mail addresses, @handles and links are never a name.
NOT_NAME_PARTS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\S*@\S*|\b(?:https?://|www\.)\S*", re.IGNORECASE)
# A name ends where a date or a time begins ("Jane Roe Nov 18, 2019", "Jane Roe 5 min read").
FIRST_DIGIT = re.compile(r"\d")
NOT_NAME_WORDS = {
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun",
    "june", "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october",
    "nov", "november", "dec", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    "published", "updated", "posted", "on", "at", "am", "pm", "et", "gmt", "utc",
    "min", "read", "ago", "hours", "hour", "day", "days", "view", "more", "articles",
    "posts", "follow", "all", "profile", "see",
}  # fmt: skip
# Words of a role, a desk or a credit line ("AP Auto Writer", "Staff writer", "Detroit News
# wire services"): such a part is a credit, kept only when the byline names no person.
ROLE_WORDS = {
    "writer", "reporter", "correspondent", "editor", "editors", "staff", "contributor",
    "columnist", "journalist", "photographer", "wire", "services", "desk", "newsroom",
    "team", "redaction", "redaktion", "redacción", "редакция", "корреспондент", "редактор",
    "обозреватель", "muxbir", "müxbir", "redaktor", "muhabir", "reports", "agency", "press",
}  # fmt: skip
# Words that make a part a sentence ("Jane Roe is a reporter for ..."), not a name.
SENTENCE_WORDS = {"is", "was", "has", "are", "our", "your", "about"}
# Placeholders of a publishing system's accounts.
PLACEHOLDERS = {"admin", "administrator", "guest", "anonymous", "гость", "unknown", "user"}
HOST_NAME = re.compile(r"\b[\w-]+\.(?:com|net|org|co|uk|ru|az|am|ge|kz|info|news|tv)\b", re.I)

# Body elements that hold a byline: the specific markers first (schema.org author, rel=author,
# the byline meta of a few publishing systems), then class and id names.
AUTHOR_MARKED = etree.XPath(
    "//*[@rel='author' or contains(@itemprop, 'author')]"
    "[not(self::link or self::input or self::img or self::script or self::style)]"
)
# Class and id names are matched on "uthor" and "yline" (author, Author, byline, ByLine) in
# XPath, which is cheap, and then checked in lower case in Python (_classed_as_author).
AUTHOR_CLASSED = etree.XPath(
    "//*[contains(@class, 'uthor') or contains(@class, 'yline') or contains(@id, 'uthor')"
    " or contains(@id, 'yline')]"
    "[not(self::meta or self::link or self::input or self::img or self::script"
    " or self::style or self::body or self::html or self::article)]"
)
# Class and id words that mean an element's names are not the article's byline: its own
# (a biography, an avatar, a description) or an ancestor's (comments, lists of other
# articles, side bars). <body> and <html> are not asked: publishing systems put words such
# as "has-sidebar" or "comments-open" on them for every page.
NOT_BYLINE_OWN = re.compile(
    r"bio\b|bio[-_]|avatar|image|img|photo|gear|desc|excerpt|about|intro|button|share",
    re.IGNORECASE,
)
NOT_BYLINE_AROUND = re.compile(
    r"comment|reply|respond|related|recommend|popular|sidebar|widget|trending|most-read"
    r"|newsletter|footer-links",
    re.IGNORECASE,
)
JSON_LD_PERSON_KEYS = ("givenName", "additionalName", "familyName")


def byline_names(value: object) -> list[str]:
    """The names in a byline string ("By JANE ROE and John Doe, AP Writer, Nov 18, 2019" →
    ["JANE ROE", "John Doe"]); [] when it holds none. A credit line with no person in it
    ("By Jerusalem Post Staff", "PTI") is kept as the page gives it; beside a person's name
    it is dropped ("Jane Roe, Staff writer", "Jane Roe, CNN")."""
    line = _clean(value, MAX_BYLINE + 1)
    if line is None or len(line) > MAX_BYLINE:
        return []
    line = NOT_NAME_PARTS.sub(" ", line)
    if any(word in SENTENCE_WORDS for word in line.lower().split()):
        return []  # "Jane Roe is a reporter for …": a biography, not a byline
    persons: list[str] = []
    credits: list[str] = []
    for part in NAME_SEPARATORS.split(BYLINE_PREFIX.sub("", line.strip())):
        name = _name(part)
        if name is None:
            continue
        words = {word.lower().strip(".,:") for word in name.split()}
        is_credit = bool(words & ROLE_WORDS) or (" " not in name and name.isupper())
        found = credits if is_credit else persons
        if name not in found:
            found.append(name)
    return (persons or credits)[:MAX_NAMES]


def _name(part: str) -> str | None:
    """One name (or credit) of a byline's part, or None when the part is a date, an outlet's
    web address, a placeholder, a login name or too long for a name."""
    part = BYLINE_PREFIX.sub("", part.strip())
    part = FIRST_DIGIT.split(part, maxsplit=1)[0]
    words = part.replace("\u00a0", " ").strip(" .:-–—'\"").split()
    while words and words[-1].lower().strip(".,") in NOT_NAME_WORDS:
        words.pop()
    while words and words[0].lower().strip(".,") in NOT_NAME_WORDS:
        words.pop(0)
    if not words or len(words) > MAX_NAME_WORDS or HOST_NAME.search(part):
        return None
    name = " ".join(words)
    if len(name) > MAX_NAME or not any(ch.isalpha() for ch in name):
        return None
    if len(words) == 1 and _login_name(name):
        return None
    return name


def _login_name(word: str) -> bool:
    """A single word that reads as an account, not a person: a placeholder ("admin",
    "jdadmin"), a word with underscores or dots ("kei_eno"), or lower case only in a script
    that has capitals ("kevin-r", "вера"). Capitals only stay: agencies sign so ("PTI")."""
    lowered = word.lower()
    if lowered in PLACEHOLDERS or "admin" in lowered or any(ch in word for ch in "_."):
        return True
    return word.islower()


def _joined(names: list[str]) -> str | None:
    """Names joined with "; " as trafilatura does, bounded."""
    return _clean("; ".join(names), MAX_AUTHOR) if names else None


def _json_ld_names(value: object, by_id: dict[str, dict[str, Any]]) -> list[str]:
    """Names of a JSON-LD author: a string, a Person (or a reference to one by @id), or a
    list of them; organisations are not authors (they are the outlet)."""
    entries = value[:MAX_NAMES] if isinstance(value, list) else [value]
    names: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            names.extend(byline_names(entry))
            continue
        if not isinstance(entry, dict):
            continue
        reference = entry.get("@id")
        if len(entry) == 1 and isinstance(reference, str) and reference in by_id:
            entry = by_id[reference]
        types = _types(entry)
        if types and "person" not in types:
            continue
        name = entry.get("name")
        if isinstance(name, list):
            name = "; ".join(n for n in name[:MAX_NAMES] if isinstance(n, str))
        if not isinstance(name, str):
            parts = [entry.get(key) for key in JSON_LD_PERSON_KEYS]
            name = " ".join(p for p in parts if isinstance(p, str))
        names.extend(byline_names(name))
    return list(dict.fromkeys(names))[:MAX_NAMES]


def json_ld_author(ld: list[dict[str, Any]]) -> list[str]:
    """The first JSON-LD article's author names."""
    by_id = {item["@id"]: item for item in ld if isinstance(item.get("@id"), str)}
    for item in ld:
        if _is_article(item) and (names := _json_ld_names(item.get("author"), by_id)):
            return names
    return []


META_AUTHOR_KEYS = (
    "author",
    "article:author",
    "og:article:author",
    "article_author",
    "dc.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
    "citation_author",
)


def meta_author(metas: dict[str, list[str]]) -> list[str]:
    """Names of the first <meta> author tag that holds any (a link to a profile is not a
    name). A single word is passed over: there it is mostly a login or the outlet's code."""
    for content in _meta(metas, META_AUTHOR_KEYS):
        names = byline_names(content)
        if names and not (len(names) == 1 and " " not in names[0]):
            return names
    return []


def _in_other_matter(element: etree._Element) -> bool:
    """Whether the element is a biography, an avatar and the like, or sits in comments, a
    list of other articles or a side bar (NOT_BYLINE_OWN, NOT_BYLINE_AROUND)."""
    if NOT_BYLINE_OWN.search(_marks(element)):
        return True
    node: etree._Element | None = element
    depth = 0
    while node is not None and node.tag not in ("body", "html") and depth < 40:
        if NOT_BYLINE_AROUND.search(_marks(node)):
            return True
        node, depth = node.getparent(), depth + 1
    return False


def _marks(element: etree._Element) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"[:500]


def _element_byline(element: etree._Element) -> list[str]:
    if element.tag == "meta":
        return byline_names(element.get("content"))
    named = element.find(".//*[@itemprop='name']")
    text = _text(named if named is not None else element, MAX_BYLINE)
    # Longer than a byline: a biography or an article (byline_names refuses it).
    return byline_names(text)


def _text(element: etree._Element, limit: int) -> str:
    """The element's text, pieces joined with spaces, read up to a little over `limit`
    characters, white space around pieces not counted (a page's element may hold megabytes;
    markup indents its text with hundreds of tabs)."""
    pieces, size = [], 0
    for piece in element.itertext():
        pieces.append(str(piece))
        size += len(piece.strip())
        if size > limit:
            break
    return " ".join(pieces)


def body_author(tree: etree._Element) -> list[str]:
    """Names in the body's byline markup: schema.org author and rel=author elements first,
    then elements whose class or id says author or byline; of nested ones the innermost."""
    marked = _elements(AUTHOR_MARKED, tree)
    classed = [
        element for element in _elements(AUTHOR_CLASSED, tree) if _classed_as_author(element)
    ]
    for found in (marked, classed):
        holders = _ancestors(found)
        usable = [e for e in found if e not in holders and not _in_other_matter(e)]
        for element in usable:
            if names := _element_byline(element):
                # "By <a rel=author>A</a> and <a rel=author>B</a>": the byline's other
                # names are the first one's siblings.
                parent = element.getparent()
                for sibling in usable:
                    if sibling is not element and sibling.getparent() is parent:
                        names.extend(n for n in _element_byline(sibling) if n not in names)
                return names[:MAX_NAMES]
    return []


def _elements(expression: etree.XPath, tree: etree._Element) -> list[etree._Element]:
    found = expression(tree)
    if not isinstance(found, list):
        return []
    return [e for e in found if isinstance(e, etree._Element) and isinstance(e.tag, str)]


def _classed_as_author(element: etree._Element) -> bool:
    marks = _marks(element).lower()
    return "author" in marks or "byline" in marks


def _ancestors(elements: list[etree._Element]) -> set[etree._Element]:
    """Every ancestor of the elements (an element holding another candidate is skipped for it)."""
    seen: set[etree._Element] = set()
    for element in elements:
        node = element.getparent()
        while node is not None and node not in seen:
            seen.add(node)
            node = node.getparent()
    return seen


def page_author(page: Page) -> str | None:
    """The page's author(s): a JSON-LD article's persons, else a meta author tag, else the
    body's byline; several are joined with "; ". A name that is the outlet's own
    (site_names) is no author: the next source is asked."""
    readers = (
        lambda: json_ld_author(page.ld),
        lambda: meta_author(page.metas),
        lambda: body_author(page.tree),
    )
    for reader in readers:
        names = [name for name in reader() if squashed(name) not in page.sites]
        if names:
            return _joined(names)
    return None


# --- date --------------------------------------------------------------------------------


def page_date(tree: etree._Element, url: str, params: dict[str, Any]) -> str | None:
    """htmldate's publication date (the same library and settings trafilatura's pass uses)."""
    from htmldate import find_date  # trafilatura depends on it; loaded on first use

    try:
        return find_date(tree, url=url, **params)
    except (ValueError, TypeError, etree.LxmlError) as error:
        logger.info("date search failed for %s: %s", url[:200], error)
        return None
