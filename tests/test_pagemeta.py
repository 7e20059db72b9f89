"""Title and author read from an article page's tree (crawler/pagemeta.py), on invented
pages with the kinds of bylines real outlets use, and hostile ones."""

import json
import time
from html import escape

import pytest

from crawler.extract import extract_article, load_page
from crawler.pagemeta import (
    MAX_AUTHOR,
    byline_names,
    page_author,
    page_title,
    read_page,
)

URL = "https://www.steppe-herald.test/news/2026/11/ferry-timetable"
BODY = (
    "<p>The ferry between Baku and Turkmenbashi will sail twice a week from December, the "
    "operator said on Tuesday, because fewer lorries cross the Caspian in winter.</p>"
    "<p>Drivers who booked a crossing on a cancelled sailing can move their booking to the "
    "next ferry at no cost, the operator added in a statement.</p>"
)


def page(head: str = "", body: str = "", site: str = "Steppe Herald") -> bytes:
    """An invented article page: `head` goes into <head>, `body` before the article text."""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Ferry sails twice a week in winter | {site}</title>
<meta property="og:site_name" content="{site}">
{head}</head><body><main><article><h1>Ferry sails twice a week in winter</h1>
{body}{BODY}</article></main></body></html>""".encode()


def json_ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def author_of(html: bytes, url: str = URL) -> str | None:
    tree = load_page(html, url)
    assert tree is not None
    return page_author(read_page(tree, url))


def title_of(html: bytes, url: str = URL) -> str | None:
    tree = load_page(html, url)
    assert tree is not None
    return page_title(read_page(tree, url))


# --- JSON-LD -----------------------------------------------------------------------------


def test_json_ld_persons_in_a_list_are_joined() -> None:
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "author": [
            {"@type": "Person", "name": "Leyla Mammadova"},
            {"@type": "Person", "givenName": "Rustam", "familyName": "Aliyev"},
            "Dana Serikova",
        ],
    }
    assert author_of(page(json_ld(article))) == "Leyla Mammadova; Rustam Aliyev; Dana Serikova"


def test_a_person_referred_to_by_id_in_a_graph_is_found() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "@id": "#org", "name": "Steppe Herald"},
            {"@type": "WebPage", "@id": "#page", "name": "Ferry"},
            {"@type": "Article", "@id": "#article", "author": {"@id": "#person-7"}},
            {"@type": ["Person"], "@id": "#person-7", "name": "Aigerim Bekova"},
        ],
    }
    assert author_of(page(json_ld(graph))) == "Aigerim Bekova"


def test_an_organisation_as_author_is_not_an_author() -> None:
    article = {
        "@type": "NewsArticle",
        "author": {"@type": "NewsMediaOrganization", "name": "Steppe Herald Online"},
    }
    byline = '<p class="byline">By <span class="author-name">Timur Akhmetov</span></p>'
    assert author_of(page(json_ld(article), byline)) == "Timur Akhmetov"
    assert author_of(page(json_ld(article))) is None


def test_the_outlet_named_as_a_person_is_not_an_author() -> None:
    article = {"@type": "NewsArticle", "author": {"@type": "Person", "name": "Steppe Herald"}}
    byline = '<p class="byline">By Nigar Huseynova</p>'
    assert author_of(page(json_ld(article), byline)) == "Nigar Huseynova"


def test_broken_huge_and_deep_json_ld_is_passed_over() -> None:
    broken = '<script type="application/ld+json">{"@type": "NewsArticle", "author": </script>'
    huge = json_ld({"@type": "NewsArticle", "author": "x" * 300_000})
    deep = '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
    meta = '<meta name="author" content="Leyla Mammadova">'
    assert author_of(page(broken + huge + deep + meta)) == "Leyla Mammadova"


def test_a_json_ld_string_with_raw_line_breaks_is_read() -> None:
    # Publishing systems often put a description's line break into the JSON as it is.
    source = (
        '{"@type": "NewsArticle", "description": "Two lines\nof description",'
        ' "author": {"@type": "Person", "name": "Rustam Aliyev"}}'
    )
    script = f'<script type="application/ld+json">{source}</script>'
    assert author_of(page(script)) == "Rustam Aliyev"


# --- meta tags ---------------------------------------------------------------------------


def test_meta_author_loses_its_by_and_role() -> None:
    meta = '<meta name="sailthru.author" content="By Paul Ivanov, Staff writer">'
    assert author_of(page(meta)) == "Paul Ivanov"


def test_a_profile_link_or_a_single_login_in_meta_is_not_a_name() -> None:
    head = (
        '<meta property="article:author" content="https://social.test/steppeherald">'
        '<meta name="author" content="shadmin">'
    )
    byline = '<div class="entry-author">Ерлан Сәрсенов</div>'
    assert author_of(page(head, byline)) == "Ерлан Сәрсенов"
    assert author_of(page(head)) is None


# --- body bylines ------------------------------------------------------------------------


def test_a_by_line_with_two_names_a_date_and_reading_time() -> None:
    byline = (
        '<div class="article-byline">By <a rel="author" href="/a/1">Dana Serikova</a> and '
        '<a rel="author" href="/a/2">Rustam Aliyev</a> | Nov 18, 2026 at 9:24 pm • 2 min read'
        "</div>"
    )
    assert author_of(page("", byline)) == "Dana Serikova; Rustam Aliyev"


def test_itemprop_author_with_a_name_inside() -> None:
    byline = (
        '<div itemprop="author" class="meta">by <span itemprop="name">Ирина Волкова</span>'
        " | 18 ноября 2026</div>"
    )
    assert author_of(page("", byline)) == "Ирина Волкова"


@pytest.mark.parametrize(
    ("line", "names"),
    [
        (
            "By LEYLA MAMMADOVA and RUSTAM ALIYEV, Associated Press",
            ["LEYLA MAMMADOVA", "RUSTAM ALIYEV"],
        ),
        ("Posted by Timur Akhmetov on Monday, November 16, 2026", ["Timur Akhmetov"]),
        ("Текст: Ирина Волкова", ["Ирина Волкова"]),
        ("Müəllif: Leyla Məmmədova", ["Leyla Məmmədova"]),
        ("Автор: Алексей Петров — 12.11.2026", ["Алексей Петров"]),
        ("Dana Serikova (Astana) @danaser", ["Dana Serikova"]),
        ("Dana Serikova, Steppe-Herald.com", ["Dana Serikova"]),
        ("Aigerim Bekova, KAZPRESS", ["Aigerim Bekova"]),
        ("By Steppe Herald Staff", ["Steppe Herald Staff"]),
        ("KAZPRESS", ["KAZPRESS"]),
        ("Timur Akhmetov is a reporter for the Steppe Herald.", []),
        ("By admin", []),
        ("nurlan_k", []),
        ("November 18, 2026", []),
        ("", []),
    ],
)
def test_byline_names(line: str, names: list[str]) -> None:
    assert byline_names(line) == names


def test_comment_authors_and_biographies_are_not_the_byline() -> None:
    comments = (
        '<div class="author-bio">Aigerim Bekova writes about energy for the Steppe Herald.</div>'
        '<section id="comments"><div class="comment"><span class="comment-author">Troll King'
        '</span><p>First!</p></div><cite itemprop="author">Another Reader</cite></section>'
    )
    assert author_of(page("", comments)) is None
    byline = '<span class="byline-author">Aigerim Bekova</span>'
    assert author_of(page("", byline + comments)) == "Aigerim Bekova"


def test_of_nested_byline_elements_the_innermost_names_the_author() -> None:
    byline = (
        '<div class="byline-section"><span class="author">Leyla Mammadova</span> Steppe Herald'
        " Published 11:34 PM Nov 19, 2026</div>"
    )
    assert author_of(page("", byline)) == "Leyla Mammadova"


# --- hostile -----------------------------------------------------------------------------


def test_a_megabyte_author_is_refused_quickly() -> None:
    huge = "Name " * 200_000
    head = f'<meta name="author" content="{huge}">' + json_ld(
        {"@type": "NewsArticle", "author": {"@type": "Person", "name": huge}}
    )
    byline = f'<p class="byline">By {huge}</p>'
    started = time.process_time()
    author = author_of(page(head, byline))
    assert author is None
    assert time.process_time() - started < 2.0  # bounded work, not a timing benchmark


def test_an_author_that_is_an_address_is_not_a_name() -> None:
    byline = '<p class="byline">By https://steppe-herald.test/staff/desk</p>'
    assert author_of(page("", byline)) is None
    mail = '<meta name="author" content="desk@steppe-herald.test">'
    assert author_of(page(mail)) is None
    both = '<meta name="author" content="Nigar Huseynova &lt;nigar@steppe-herald.test&gt;">'
    assert author_of(page(both)) == "Nigar Huseynova"


def test_an_author_is_one_bounded_line() -> None:
    names = [
        {"@type": "Person", "name": f"Aigerim {letter}{'bcdefghij' * 4} Bekova"}
        for letter in "ABCDEFGHIJKLMNOPQRST"
    ]
    long_list = json_ld({"@type": "NewsArticle", "author": names})
    author = author_of(page(long_list))
    assert author is not None and len(author) <= MAX_AUTHOR
    broken = json_ld({"@type": "NewsArticle", "author": "Leyla\n\x00Mammadova\t\r\nBakı"})
    assert author_of(page(broken)) == "Leyla Mammadova Bakı"


# --- titles ------------------------------------------------------------------------------


def test_the_outlet_name_is_cut_from_og_title_but_a_hyphenated_headline_stays() -> None:
    og = '<meta property="og:title" content="Ferry sails twice a week - Steppe Herald">'
    assert title_of(page(og)) == "Ferry sails twice a week"
    prefix = '<meta property="og:title" content="Steppe Herald: Ferry sails twice a week">'
    assert title_of(page(prefix)) == "Ferry sails twice a week"
    host = '<meta property="og:title" content="Ferry sails twice a week | Steppe-Herald.test">'
    assert title_of(page(host)) == "Ferry sails twice a week"
    dashes = '<meta property="og:title" content="Baku - Turkmenbashi ferry sails twice a week">'
    assert title_of(page(dashes)) == "Baku - Turkmenbashi ferry sails twice a week"


def test_title_falls_back_to_the_title_element_without_the_outlet() -> None:
    assert title_of(page()) == "Ferry sails twice a week in winter"
    # Only the last part is the outlet's: a headline's own spaced dash stays.
    dashed = page().replace(b"in winter | ", b"- a year later - ")
    assert title_of(dashed) == "Ferry sails twice a week - a year later"


# --- through extract_article -------------------------------------------------------------


def test_extract_article_takes_title_author_and_date_from_the_page() -> None:
    head = (
        '<meta property="og:title" content="Ferry sails twice a week | Steppe Herald">'
        '<meta property="article:published_time" content="2026-11-18T09:30:00+04:00">'
    )
    byline = f'<p class="byline">By <a rel="author">{escape("Nigar Huseynova")}</a></p>'
    extracted = extract_article(page(head, byline), URL)
    assert extracted.title == "Ferry sails twice a week"
    assert extracted.author == "Nigar Huseynova"
    assert extracted.published_at is not None
    assert extracted.published_at.startswith("2026-11-18T05:30:00")
    assert extracted.text is not None and "Turkmenbashi" in extracted.text
