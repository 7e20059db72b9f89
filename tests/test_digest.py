"""The digest rendered from a real database in every format, parsed back and checked."""

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import feedparser
import jsonschema
import pytest
from digest_fixtures import JS_URL, NOW, SCRIPT_TITLE, fill, make_config
from markdown_it import MarkdownIt

from digest import collect_digest, run_digest
from digest.render import entry_id, render
from digest.select import make_snippet, safe_link
from storage import Storage

# The order the fixtures must come out in: relevance, highest first.
RANKED = ["top", "cyrillic", "azerbaijani", "caspian", "js_link", "script"]


@pytest.fixture
def filled(tmp_path: Path):
    config = make_config(tmp_path)
    with Storage.open(config.storage.path) as storage:
        ids = fill(storage, config)
        yield config, storage, ids


def rendered(filled, fmt: str, include_all: bool = False) -> str:
    config, storage, _ids = filled
    result = run_digest(
        config,
        storage,
        NOW,
        formats=[fmt],
        output="-",
        dry_run=True,
        include_all=include_all,
        stdout=_Sink(),
    )
    return result.rendered[fmt]


class _Sink:
    def write(self, text: str) -> int:
        return len(text)


def schema() -> dict:
    text = resources.files("digest").joinpath("schema", "digest-v2.schema.json").read_text()
    return json.loads(text)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def hrefs(self) -> list[str]:
        return [a["href"] or "" for tag, a in self.tags if tag == "a" and "href" in a]


def parse_html(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(parsed: Elements) -> None:
    names = {tag for tag, _ in parsed.tags}
    assert "script" not in names
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    for href in parsed.hrefs():
        assert href.startswith(("https://", "http://")), href


def test_json_follows_the_documented_schema_in_rank_order(filled):
    _config, _storage, ids = filled
    data = json.loads(rendered(filled, "json"))
    jsonschema.validate(data, schema())
    assert data["version"] == 2
    assert [a["id"] for a in data["articles"]] == [ids[name] for name in RANKED]
    assert [a["rank"] for a in data["articles"]] == list(range(1, len(RANKED) + 1))
    relevances = [a["relevance"] for a in data["articles"]]
    assert relevances == sorted(relevances, reverse=True)
    assert data["counts"] == {
        "relevant": 6,
        "below_threshold": 0,
        "stories": 6,
        "copies": 2,
        "outlets": 6,
        "outlets_polled": 5,
        "outlets_in_error": 2,
    }
    top = data["articles"][0]
    assert [c["source"] for c in top["copies"]] == ["Trend", "Report.az"]
    assert top["matched"] == ["Oymasha", "Birlik-2024", "Kazakhstan"]
    assert data["articles"][1]["author"] == "Айгерим Садыкова"
    # The seed is the reference, never a new article; its new copy is named there.
    assert data["reference"]["id"] == ids["seed"]
    assert ids["seed"] not in [a["id"] for a in data["articles"]]
    assert [c["source"] for c in data["reference"]["copies"]] == ["Trend"]
    assert [a["id"] for a in data["recarried"]] == [ids["earlier"]]
    assert [s["name"] for s in data["failing_sources"]] == ["Eurasianet", "Kloop"]
    assert data["failing_sources"][1]["last_error"] == "DNS lookup failed: kloop.kg"
    js = next(a for a in data["articles"] if a["id"] == ids["js_link"])
    assert js["url"] is None
    assert data["weekly"][0]["week"] == "2024-04-08"  # the seed's week
    assert sum(w["articles"] for w in data["weekly"]) == 13 + 1 + 6  # history, earlier, new


def test_all_includes_below_threshold_articles_marked(filled):
    _config, _storage, ids = filled
    without = json.loads(rendered(filled, "json"))
    assert ids["below"] not in [a["id"] for a in without["articles"]]
    data = json.loads(rendered(filled, "json", include_all=True))
    jsonschema.validate(data, schema())
    last = data["articles"][-1]
    assert last["id"] == ids["below"] and last["relevant"] is False
    assert data["counts"]["below_threshold"] == 1
    text = rendered(filled, "text", include_all=True)
    assert "Baku hosts regional energy forum [below threshold]" in text


def test_text_lists_stories_by_country_in_rank_order_with_copies_folded(filled):
    text = rendered(filled, "text")
    flat = " ".join(text.split())  # the text is wrapped for a terminal
    # Kazakhstan's stories (its best ranks first) under its heading, then the region-wide.
    positions = [
        flat.index(title)
        for title in (
            "KAZAKHSTAN",
            "1. [0.93] [en] Azerbaijan and Kazakhstan open Birlik-2024 drills at Oymasha",
            "2. [0.67] [en] Caspian naval cooperation",
            "ACROSS THE REGION",
            "3. [0.88] [ru] Казахстан и Азербайджан",
            "4. [0.81] [az] Azərbaycan Ordusunun bölmələri",
        )
    ]
    assert positions == sorted(positions)
    assert max(len(line) for line in text.splitlines()) <= 78
    assert "Also carried by: Trend, Report.az" in flat
    assert "6 new relevant articles (+2 copies)" in flat
    assert "5 of 6 outlets polled · 2 outlets in error" in flat
    assert "Tracking: Azerbaijan Prioritises Expanding Relations" in flat
    assert "Kloop (3 failures in a row, never ok): DNS lookup failed: kloop.kg" in flat
    assert JS_URL not in text
    # Syndicated copies are folded, never listed as stories of their own.
    assert "Birlik-2024 drills begin at Oymasha" not in text


def test_html_parses_and_shows_ranked_linked_stories(filled):
    html = rendered(filled, "html")
    parsed = parse_html(html)
    assert_inert(parsed)
    text = " ".join("".join(parsed.text).split())
    order = [
        text.index(t)
        for t in (
            "Kazakhstan · 2",
            "Oymasha range",
            "Aktau",
            "Across the region · 4",
            "Тюб-Караган",
            "Qazaxıstanda",
        )
    ]
    assert order == sorted(order)
    assert SCRIPT_TITLE in text  # shown as text, not run
    hrefs = parsed.hrefs()
    assert "https://news.example/birlik-opens" in hrefs
    assert "https://news.example/trend-birlik" in hrefs  # a copy, linked under its original
    assert "Also carried by Trend, Report.az" in text
    images = [a for tag, a in parsed.tags if tag == "img"]
    assert len(images) == 1 and (images[0]["src"] or "").startswith("data:image/png;base64,")
    assert "Sources in error" in text and "HTTP 503 Service Unavailable" in text


def test_markdown_renders_to_inert_html(filled):
    markdown = rendered(filled, "markdown")
    html = MarkdownIt("commonmark").render(markdown)
    parsed = parse_html(html)
    assert_inert(parsed)
    text = "".join(parsed.text)
    assert SCRIPT_TITLE in text
    assert "javascript:" not in " ".join(parsed.hrefs())
    assert sum(1 for tag, _ in parsed.tags if tag == "h3") == len(RANKED)
    links = parsed.hrefs()
    assert links.index("https://news.example/birlik-opens") < links.index(
        "https://news.example/tyub-karagan-ru"
    )


def test_atom_is_a_valid_feed_with_stable_ids(filled):
    config, storage, _ids = filled
    atom = rendered(filled, "atom")
    feed = feedparser.parse(atom)
    assert not feed.bozo, feed.get("bozo_exception")
    entries = feed.entries
    # The feed keeps two weeks: the earlier story (five days old) and the first week of
    # history (eight days old) are there too, older history is not.
    assert len(entries) == len(RANKED) + 2
    titles = [e.title for e in entries]
    assert "Regional drills preparation report, week 1" in titles
    assert "Regional drills preparation report, week 2" not in titles
    assert len({e.id for e in entries}) == len(entries)
    assert all(e.id.startswith("tag:newswatch,2024:article:") for e in entries)
    by_title = {e.title: e for e in entries}
    assert by_title[SCRIPT_TITLE].title == SCRIPT_TITLE  # literal text, not markup
    js = by_title["Uzbek and Kyrgyz units join the Caspian exercise"]
    assert not js.get("links")
    top = by_title["Azerbaijan and Kazakhstan open Birlik-2024 drills at Oymasha range"]
    assert top.link == "https://news.example/birlik-opens"
    assert top.id == entry_id("https://news.example/birlik-opens")
    assert [t.term for t in top.tags] == ["Oymasha", "Birlik-2024", "Kazakhstan"]
    root = ET.fromstring(atom.encode("utf-8"))
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "script"]
    assert all(
        el.get("href", "").startswith("https://")
        for el in root.iter("{http://www.w3.org/2005/Atom}link")
    )
    # Rewritten a day later, the same stories keep their ids.
    later = run_digest(
        config,
        storage,
        NOW + timedelta(days=1),
        since=NOW,
        formats=["atom"],
        output="-",
        dry_run=True,
        stdout=_Sink(),
    )
    again = {e.title: e.id for e in feedparser.parse(later.rendered["atom"]).entries}
    assert again[top.title] == top.id


def test_text_drops_terminal_control_characters(tmp_path):
    config = make_config(tmp_path)
    with Storage.open(config.storage.path) as storage:
        fill(storage, config)
        from digest_fixtures import IN_PERIOD, article

        from storage.timeutil import to_iso

        storage.articles.add(
            article(
                "ansi",
                "\x1b[31mRed alert\x1b[0m over \u202eCaspian",
                "Kloop",
                0.9,
                to_iso(IN_PERIOD),
            )
        )
        d = collect_digest(config, storage, NOW - timedelta(days=1), NOW, NOW)
        text = render("text", d)
    assert "\x1b" not in text and "\u202e" not in text
    assert "[31mRed alert[0m over Caspian" in text


def test_empty_period_gives_a_short_nothing_new_digest(filled):
    config, storage, _ids = filled
    since = NOW + timedelta(days=2)
    d = collect_digest(config, storage, since, since + timedelta(days=1), since)
    assert d.is_empty
    text = render("text", d)
    assert "Nothing new since 2024-07-17 07:00 UTC." in text
    assert len(text.splitlines()) < 15
    data = json.loads(render("json", d))
    jsonschema.validate(data, schema())
    assert data["articles"] == [] and data["counts"]["relevant"] == 0
    html = parse_html(render("html", d))
    assert "Nothing new since" in "".join(html.text)
    assert "Nothing new since" in render("markdown", d)
    assert not feedparser.parse(render("atom", d)).bozo


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.org/a?b=c", True),
        ("http://example.org/", True),
        ("HTTPS://example.org/", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("//example.org/no-scheme", False),
        ("https://exa mple.org/", False),
        ("https:///no-host", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_links_survive(url, kept):
    assert (safe_link(url) is not None) == kept


def test_snippet_is_cut_at_a_word():
    text = "word " * 100
    snippet = make_snippet(text, limit=42)
    assert snippet.endswith(" …") and len(snippet) <= 44
    assert "wor …" not in snippet


# Every character XML 1.0 forbids: C0 controls (tab and line ends aside), U+FFFE, U+FFFF and
# lone surrogates.
XML_FORBIDDEN = ([chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\ufffe", "\uffff"]) + [
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
]


def test_every_format_is_valid_whatever_the_stored_titles_hold(tmp_path):
    import json
    import xml.parsers.expat

    from digest_fixtures import IN_PERIOD, article
    from lxml import etree, html

    from storage.timeutil import to_iso

    config = make_config(tmp_path)
    with Storage.open(config.storage.path) as storage:
        fill(storage, config)
        for number, char in enumerate(c for c in XML_FORBIDDEN if not "\ud800" <= c <= "\udfff"):
            storage.articles.add(
                article(
                    f"illegal-{number}",
                    f"Caspian{char} drills update {number}",
                    "Kloop",
                    0.9,
                    to_iso(IN_PERIOD),
                )
            )
        d = collect_digest(config, storage, NOW - timedelta(days=1), NOW, NOW)
    # SQLite cannot hold a lone surrogate (Python refuses to encode it): one can only reach
    # a digest from outside the database, so it is put in the digest itself.
    entries = [
        replace(entry, title=entry.title.replace("Caspian", "Caspian\ud800\udfff"))
        for entry in d.entries
    ]
    d = replace(d, entries=entries)
    outputs = {fmt: render(fmt, d) for fmt in ("atom", "json", "html", "markdown", "text")}
    for fmt, output in outputs.items():
        assert not any(char in output for char in XML_FORBIDDEN), fmt
        output.encode("utf-8")  # writable: no lone surrogate
    atom = outputs["atom"].encode("utf-8")
    parser = xml.parsers.expat.ParserCreate()
    parser.Parse(atom, True)  # strict: raises on any ill-formed byte
    root = etree.fromstring(atom, etree.XMLParser(recover=False))
    titles = [el.text for el in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert (
        sum(1 for t in titles if t and t.startswith("Caspian drills update"))
        == len(XML_FORBIDDEN) - 4
    )
    json.loads(outputs["json"])
    assert html.fromstring(outputs["html"]).find(".//body") is not None


def test_a_verbatim_copy_on_another_outlet_is_carried_by_it(tmp_path: Path) -> None:
    # A copy with the very same text is stored once, as another outlet's address of the
    # article: the digest still names that outlet, in the period it carried the story.
    from datetime import UTC, datetime

    from digest_fixtures import article

    from storage.timeutil import to_iso

    config = make_config(tmp_path)
    body = (
        "Border guards of Kazakhstan and Kyrgyzstan held a joint patrol on the Chu river "
        "on Monday, the first since the two services signed a cooperation plan in spring. "
        "Officers said the patrol will be repeated every month until the end of the year."
    )
    now = datetime.now(UTC)
    with Storage.open(config.storage.path) as storage:
        storage.prepare(config)
        seen = to_iso(now - timedelta(hours=3))
        original = storage.articles.add(
            article(
                "chu-patrol", "Joint patrol on the Chu river", "Kazinform", 0.8, seen, text=body
            )
        )
        earlier = storage.articles.add(
            article(
                "naryn-drill",
                "Naryn mountain drill ends",
                "24.kg",
                0.8,
                to_iso(now - timedelta(days=3)),
                text=body.replace("Chu river", "Naryn valley"),
            )
        )
        copies = [
            article("chu-copy", "Joint patrol on the Chu river", "Kaktus", 0.8, seen, text=body),
            article(
                "naryn-copy",
                "Naryn mountain drill ends",
                "Kaktus",
                0.8,
                seen,
                text=body.replace("Chu river", "Naryn valley"),
            ),
        ]
        assert storage.articles.add_many(copies) == [None, None]  # stored as aliases
        assert original is not None and earlier is not None

        def text_since(since: datetime) -> str:
            result = run_digest(
                config,
                storage,
                # Past the second the copies were stored in (times are kept to the second).
                datetime.now(UTC) + timedelta(seconds=2),
                since=since,
                formats=["text"],
                output="-",
                dry_run=True,
                stdout=_Sink(),
            )
            return " ".join(result.rendered["text"].split())

        text = text_since(now - timedelta(days=1))
    assert "Joint patrol on the Chu river" in text
    assert "Also carried by: Kaktus" in text
    assert "(+1 copies)" in text or "(+1 copy)" in text
    # The earlier story is not new, but that another outlet carried it now is.
    assert "Newly carried by: Kaktus" in text
