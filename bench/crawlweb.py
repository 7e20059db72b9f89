"""A generated static news web for the crawl benchmarks: hosts, feeds and article pages.

    web = generate_web(Path("bench/out/web"), WebShape(feeds=200, pages=4000))

Deterministic (seeded): the same shape gives the same bytes. Each host is one outlet with its
own page template (header, navigation, sidebar, footer, scripts) around the article body;
feeds are RSS 2.0, Atom and RDF (RSS 1.0) in turn; a share of the pages are syndicated
copies of another host's article (its own template, a credit line, an edited sentence, a
few glued words), as outlets republish agency copy. The text is invented: words made of
syllables, English function words, and now and then a regional or defence term so that the
relevance profile has something to score.

Layout: one folder per host address (`<root>/127.0.0.11/…`), each with `robots.txt`,
`feeds/<n>.xml` and `news/<yyyy>/<mm>/<slug>.html`.
"""

import itertools
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

SEED = 20261202
FIRST_ADDRESS = 11  # hosts are 127.0.0.11, 127.0.0.12, …
FEED_KINDS = ("rss", "atom", "rdf")
FUNCTION_WORDS = (
    "the the the of of and and in to a a said on for with that was by at from as its it "
    "is were after before also two three new last this which"
).split()
TOPIC_WORDS = (
    "Caspian Baku Aktau Tbilisi Yerevan Tashkent Astana navy naval exercise drill border "
    "ministry defence troops brigade patrol frigate artillery air-defence Karabakh Ganja "
    "Turkmenbashi corvette officers staff"
).split()
SYLLABLES = (
    "ba be bi bo da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro "
    "sa se si so ta te ti to va ve vi vo za ze zi zo an en in on ar er ir or al el il ol"
).split()


@dataclass(frozen=True)
class WebShape:
    feeds: int = 200
    pages: int = 4000
    hosts: int = 8
    copy_share: float = 0.05  # pages that are syndicated copies of another host's article
    min_kb: float = 8.0
    median_kb: float = 24.0
    max_kb: float = 40.0


@dataclass
class Web:
    """What was generated: where, on which addresses, and what the crawl should find."""

    root: Path
    addresses: list[str]
    port: int
    feed_paths: list[tuple[str, str]]  # (address, path) of each feed
    pages: int
    copies: int
    page_bytes: list[int] = field(default_factory=list)
    text_bytes: list[int] = field(default_factory=list)

    def feed_urls(self) -> list[str]:
        return [f"http://{address}:{self.port}{path}" for address, path in self.feed_paths]

    def describe(self) -> str:
        sizes = sorted(self.page_bytes)
        texts = sorted(self.text_bytes)
        return (
            f"{len(self.addresses)} hosts, {len(self.feed_paths)} feeds "
            f"({', '.join(FEED_KINDS)} in turn), {self.pages} article pages "
            f"({self.copies} syndicated copies), page size {sizes[0] / 1024:.0f}–"
            f"{sizes[-1] / 1024:.0f} KB (median {sizes[len(sizes) // 2] / 1024:.1f} KB, "
            f"article text median {texts[len(texts) // 2] / 1024:.1f} KB)"
        )


@dataclass
class Page:
    host: int
    feed: int
    path: str
    title: str
    author: str
    published: datetime
    paragraphs: list[str]
    size: int = 0  # bytes the page should weigh
    copy_of: "Page | None" = None


class Writer:
    """Invented words and sentences from one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        lexicon = {self._word() for _ in range(4000)}
        self.lexicon = sorted(lexicon)
        # Zipf-like weights: a few words are common, most are rare.
        self.cum_weights = list(
            itertools.accumulate(1.0 / (rank + 5) for rank in range(len(self.lexicon)))
        )

    def _word(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(1, 4)))

    def words(self, count: int, topical: bool) -> list[str]:
        chosen = self.rng.choices(self.lexicon, cum_weights=self.cum_weights, k=count)
        for index in range(count):
            roll = self.rng.random()
            if roll < 0.35:
                chosen[index] = self.rng.choice(FUNCTION_WORDS)
            elif topical and roll < 0.41:
                chosen[index] = self.rng.choice(TOPIC_WORDS)
        return chosen

    def sentence(self, topical: bool) -> str:
        words = self.words(self.rng.randint(8, 26), topical)
        if self.rng.random() < 0.3:
            words.insert(self.rng.randint(1, len(words) - 1), f"{self.rng.randint(2, 900)}")
        return " ".join(words).capitalize() + self.rng.choice((".", ".", ".", ",", ";"))[:1]

    def paragraph(self, topical: bool) -> str:
        text = " ".join(self.sentence(topical) for _ in range(self.rng.randint(2, 6)))
        return text[:-1] + "." if text.endswith((",", ";")) else text

    def title(self, topical: bool) -> str:
        return " ".join(self.words(self.rng.randint(5, 11), topical)).capitalize()

    def name(self) -> str:
        return f"{self._word().capitalize()} {self._word().capitalize()}ova"


class HostTemplate:
    """One outlet's page furniture: what trafilatura must strip around the article."""

    def __init__(self, writer: Writer, address: str, index: int) -> None:
        rng = writer.rng
        self.address = address
        self.name = f"{writer._word().capitalize()} {rng.choice(['Herald', 'Times', 'Post'])}"
        self.sections = [writer._word().capitalize() for _ in range(rng.randint(8, 16))]
        self.footer_links = [writer.title(False)[:40] for _ in range(rng.randint(10, 20))]
        self.script = json.dumps(
            {"site": index, "slots": [writer._word() for _ in range(rng.randint(20, 50))]}
        )
        self.style = " ".join(
            f".{writer._word()}{{margin:{rng.randint(0, 9)}px;color:#{rng.randint(0, 4095):03x}}}"
            for _ in range(rng.randint(10, 25))
        )

    def page(self, page: Page, body: str, sidebar: list[Page], base: str, size: int) -> str:
        """The page's HTML, padded to about `size` bytes with a menu of links (a site's
        "all sections" drop-down), which is where real pages keep much of their weight."""
        html = self._page(page, body, sidebar, base, "")
        missing = size - len(html.encode())
        links = []
        while missing > 0:
            topic = self.sections[len(links) % len(self.sections)]
            number = len(links)
            link = f'<li><a href="/section/{topic.lower()}/{number}/">{topic} {number}</a></li>'
            links.append(link)
            missing -= len(link)
        if not links:
            return html
        return self._page(page, body, sidebar, base, f'<ul class="mega-menu">{"".join(links)}</ul>')

    def _page(self, page: Page, body: str, sidebar: list[Page], base: str, menu: str) -> str:
        url = f"{base}{page.path}"
        stamp = page.published.strftime("%Y-%m-%dT%H:%M:%SZ")
        nav = "".join(
            f'<li><a href="/section/{s.lower()}/">{escape(s)}</a></li>' for s in self.sections
        )
        most_read = "".join(f'<li><a href="{p.path}">{escape(p.title)}</a></li>' for p in sidebar)
        tags = "".join(
            f'<li><a href="/tag/{s.lower()}">{escape(s)}</a></li>' for s in self.sections[:5]
        )
        footer = "".join(
            f'<li><a href="/about/{i}">{escape(text)}</a></li>'
            for i, text in enumerate(self.footer_links)
        )
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(page.title)} | {escape(self.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{escape(page.paragraphs[0][:160])}">
<meta name="author" content="{escape(page.author)}">
<meta property="og:title" content="{escape(page.title)}">
<meta property="og:type" content="article">
<meta property="og:url" content="{escape(url)}">
<meta property="og:site_name" content="{escape(self.name)}">
<meta property="article:published_time" content="{stamp}">
<link rel="canonical" href="{escape(url)}">
<link rel="stylesheet" href="/static/site.css">
<style>{self.style}</style>
<script>window.siteConfig = {self.script};</script>
</head>
<body class="article-page">
<div class="cookie-banner"><p>This site uses cookies to measure readership.
<a href="/privacy">Privacy</a> <button>Accept</button></p></div>
<header class="site-header"><a class="logo" href="/">{escape(self.name)}</a>
<nav class="main-nav"><ul>{nav}</ul>{menu}</nav>
<form class="search" action="/search"><input name="q"><button>Search</button></form>
</header>
<div class="breadcrumb"><a href="/">Home</a> &rsaquo; <a href="/section/news/">News</a></div>
<main>
<article class="story">
<h1 class="headline">{escape(page.title)}</h1>
<div class="byline">By <span class="author">{escape(page.author)}</span>
<time datetime="{stamp}">{page.published.strftime("%d %B %Y, %H:%M")}</time></div>
<figure><img src="/img/{page.path.rsplit("/", 1)[-1]}.jpg" alt="">
<figcaption>{escape(page.title[:80])}</figcaption></figure>
<div class="story-body">
{body}
</div>
<ul class="tags">{tags}</ul>
<div class="share"><a href="/share/fb">Share</a> <a href="/share/x">Post</a>
<a href="/share/mail">Mail</a></div>
</article>
<aside class="sidebar"><h2>Most read</h2><ol>{most_read}</ol>
<div class="advert">Advertisement</div></aside>
</main>
<footer class="site-footer"><ul>{footer}</ul>
<p>&copy; 2026 {escape(self.name)}. All rights reserved.
Reproduction without permission is prohibited.</p>
</footer>
<script src="/static/analytics.js" async></script>
</body>
</html>
"""


def generate_web(root: Path, shape: WebShape, port: int, seed: int = SEED) -> Web:
    """Write the web under `root` (which must not exist yet), for a server on `port` of
    each host address (links and canonical URLs are absolute), and describe it."""
    rng = random.Random(seed)
    writer = Writer(rng)
    addresses = [f"127.0.0.{FIRST_ADDRESS + h}" for h in range(shape.hosts)]
    templates = [HostTemplate(writer, address, h) for h, address in enumerate(addresses)]
    pages = _plan_pages(writer, shape)
    web = Web(root, addresses, port, feed_paths=[], pages=len(pages), copies=0)
    for address in addresses:
        (root / address).mkdir(parents=True)
        (root / address / "robots.txt").write_text("User-agent: *\nDisallow: /search\n")
    by_host: dict[int, list[Page]] = {}
    for page in pages:
        by_host.setdefault(page.host, []).append(page)
    for page in pages:
        template = templates[page.host]
        body = _body(writer, page, templates, shape)
        sidebar = rng.sample(by_host[page.host], k=min(10, len(by_host[page.host])))
        base = f"http://{template.address}:{port}"
        html = template.page(page, body, sidebar, base, page.size)
        target = root / template.address / page.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        web.page_bytes.append(len(html.encode()))
        web.text_bytes.append(sum(len(p) for p in page.paragraphs))
        web.copies += page.copy_of is not None
    for feed in range(shape.feeds):
        host = feed % shape.hosts
        entries = [p for p in pages if p.feed == feed]
        path = f"/feeds/{feed}.xml"
        kind = FEED_KINDS[feed % len(FEED_KINDS)]
        text = _feed(kind, f"http://{addresses[host]}:{port}", templates[host], entries, feed)
        (root / addresses[host] / "feeds").mkdir(exist_ok=True)
        (root / addresses[host] / path.lstrip("/")).write_text(text, encoding="utf-8")
        web.feed_paths.append((addresses[host], path))
    return web


def _plan_pages(writer: Writer, shape: WebShape) -> list[Page]:
    """Every page's host, feed, title and text; copies take their original's paragraphs."""
    rng = writer.rng
    start = datetime(2026, 11, 20, tzinfo=UTC)
    pages: list[Page] = []
    for index in range(shape.pages):
        feed = index % shape.feeds
        host = feed % shape.hosts
        topical = rng.random() < 0.3
        target = rng.triangular(shape.min_kb, shape.max_kb, shape.median_kb) * 1024
        # A third or so of a news page is the article's text; the template, scripts and
        # link lists are the rest.
        text_bytes = max(1200.0, target * rng.uniform(0.28, 0.42))
        paragraphs: list[str] = []
        while sum(len(p) + 8 for p in paragraphs) < text_bytes:
            paragraphs.append(writer.paragraph(topical))
        published = start + timedelta(minutes=rng.randint(0, 5 * 24 * 60))
        slug = "-".join(writer.words(4, False)).lower().replace(",", "")
        pages.append(
            Page(
                host=host,
                feed=feed,
                path=f"/news/{published:%Y/%m}/{slug}-{index}.html",
                title=writer.title(topical),
                author=writer.name(),
                published=published,
                paragraphs=paragraphs,
                size=int(target),
            )
        )
    copied = rng.sample(range(len(pages)), round(shape.pages * shape.copy_share))
    chosen = set(copied)
    originals = [page for index, page in enumerate(pages) if index not in chosen]
    for index in copied:
        page = pages[index]
        original = rng.choice(originals)
        while original.host == page.host and shape.hosts > 1:
            original = rng.choice(originals)
        _make_copy(writer, page, original)
    return pages


def _make_copy(writer: Writer, page: Page, original: Page) -> None:
    """A republication: the original's text with a few words glued, one sentence edited,
    published a little later, under this host's own title and template."""
    rng = writer.rng
    paragraphs = list(original.paragraphs)
    edited = rng.randrange(len(paragraphs))
    paragraphs[edited] = paragraphs[edited] + " " + writer.sentence(False)
    glued = rng.randrange(len(paragraphs))
    paragraphs[glued] = paragraphs[glued].replace(" of the ", " ofthe ", 2)
    page.paragraphs = paragraphs
    page.title = original.title
    page.published = original.published + timedelta(minutes=rng.randint(20, 600))
    page.copy_of = original


def _body(writer: Writer, page: Page, templates: list[HostTemplate], shape: WebShape) -> str:
    parts = [f"<p>{escape(p)}</p>" for p in page.paragraphs]
    if page.copy_of is not None:
        credit = templates[page.copy_of.host].name
        parts.insert(0, f'<p class="credit">Republished from {escape(credit)}.</p>')
    if len(parts) > 4:  # an inline box that is not part of the story
        parts.insert(
            len(parts) // 2,
            f'<div class="read-also">Read also: <a href="/news/">{escape(writer.title(False))}'
            "</a></div>",
        )
    return "\n".join(parts)


def _feed(kind: str, base: str, template: HostTemplate, entries: list[Page], number: int) -> str:
    if kind == "rss":
        items = "".join(
            f"<item><title>{escape(p.title)}</title><link>{base}{p.path}</link>"
            f'<guid isPermaLink="true">{base}{p.path}</guid>'
            f"<pubDate>{format_datetime(p.published, usegmt=True)}</pubDate>"
            f"<author>{escape(p.author)}</author>"
            f"<description>{escape(p.paragraphs[0][:300])}</description></item>\n"
            for p in entries
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(template.name)} {number}</title><link>{base}/</link>"
            f"<description>News</description><language>en</language>\n{items}</channel></rss>\n"
        )
    if kind == "atom":
        items = "".join(
            f"<entry><title>{escape(p.title)}</title>"
            f'<link rel="alternate" href="{base}{p.path}"/>'
            f"<id>tag:{template.address},2026:{p.path}</id>"
            f"<published>{p.published:%Y-%m-%dT%H:%M:%SZ}</published>"
            f"<updated>{p.published:%Y-%m-%dT%H:%M:%SZ}</updated>"
            f"<author><name>{escape(p.author)}</name></author>"
            f"<summary>{escape(p.paragraphs[0][:300])}</summary></entry>\n"
            for p in entries
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
            f"<title>{escape(template.name)} {number}</title>"
            f"<id>tag:{template.address},2026:feed{number}</id>"
            f"<updated>2026-11-26T12:00:00Z</updated>\n{items}</feed>\n"
        )
    items = "".join(
        f'<item rdf:about="{base}{p.path}"><title>{escape(p.title)}</title>'
        f"<link>{base}{p.path}</link><dc:date>{p.published:%Y-%m-%dT%H:%M:%SZ}</dc:date>"
        f"<dc:creator>{escape(p.author)}</dc:creator>"
        f"<description>{escape(p.paragraphs[0][:300])}</description></item>\n"
        for p in entries
    )
    listing = "".join(f'<rdf:li rdf:resource="{base}{p.path}"/>' for p in entries)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="{base}/feeds/{number}.xml"><title>{escape(template.name)}</title>'
        f"<link>{base}/</link><description>News</description>"
        f"<items><rdf:Seq>{listing}</rdf:Seq></items></channel>\n{items}</rdf:RDF>\n"
    )
