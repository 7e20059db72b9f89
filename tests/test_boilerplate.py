"""An outlet's recurring legal or credit footer is not article text."""

from dataclasses import replace
from pathlib import Path

from crawler.boilerplate import edge_keys, paragraph_key, without_recurring_edges
from storage import Storage
from tests.crawling import read_rows, run_cycle, write_config
from tests.outlets.articles import FixtureArticle
from tests.outlets.server import OutletServer, Reply, article_page, rss_feed

NOTICE = (
    "Legal notice: Shore Gazette republishes agency material under licence; reproduction "
    "of this article requires the written consent of the editors."
)
CREDIT = "Photo: Shore Gazette archive."


def paragraphs(*middle: str) -> list[str]:
    return ["Lead paragraph of the story.", *middle, NOTICE, CREDIT]


def test_recurring_edges_go_and_the_middle_stays() -> None:
    seen = {paragraph_key(NOTICE): 3, paragraph_key(CREDIT): 5, paragraph_key("Shared."): 9}
    text = paragraphs("Shared.", "Another fact.")
    assert without_recurring_edges(text, seen) == text[:3]  # "Shared." is in the middle
    assert without_recurring_edges(text, {paragraph_key(NOTICE): 2}) == text  # seen too rarely
    only = [NOTICE, CREDIT]
    assert without_recurring_edges(only, seen) == only  # never emptied


def test_keys_ignore_case_and_punctuation_but_not_words() -> None:
    assert paragraph_key("Legal notice: X.") == paragraph_key("legal NOTICE x")
    assert paragraph_key("Legal notice: X.") != paragraph_key("Legal notice: Y.")
    assert len(edge_keys(paragraphs("a", "b", "c", "d", "e"))) == 6  # 2 at the head, 4 at the tail


def test_counts_are_kept_per_source(tmp_path: Path) -> None:
    with Storage.open(tmp_path / "x.db") as storage:
        key = paragraph_key(NOTICE)
        storage.paragraphs.record("Shore Gazette", [[key], [key, 7]])
        storage.paragraphs.record("Shore Gazette", [[key]])
        assert storage.paragraphs.counts("Shore Gazette", [key, 7, 8]) == {key: 3, 7: 1}
        assert storage.paragraphs.counts("Other", [key]) == {}


STORY = FixtureArticle(
    slug="story",
    title="Coastal radar post opens",
    author="Nigar Huseynova",
    date="2026-11-20T08:00:00Z",
    lang="en",
    paragraphs=(),
)


def story(number: int) -> FixtureArticle:
    return replace(
        STORY,
        slug=f"story-{number}",
        title=f"Coastal radar post number {number} opens on the shore",
        date=f"2026-11-{10 + number:02d}T08:00:00Z",
        paragraphs=(
            f"A coastal radar post, the {number}th this year, opened near Alat on Monday, "
            "the border service said, adding that it watches the approaches to the port.",
            f"Post {number} is staffed by a crew of twelve and linked to the naval command "
            "centre in Baku, according to the statement released in the morning.",
            NOTICE,
        ),
    )


def test_a_footer_recurring_across_an_outlets_pages_is_not_stored(tmp_path: Path) -> None:
    published: list[FixtureArticle] = [story(n) for n in range(1, 5)]
    with OutletServer() as server:
        for n in range(1, 8):
            server.web.routes[f"/shore/{n}"] = lambda n=n: Reply(
                200, article_page(story(n), "Shore Gazette").encode()
            )
        server.web.routes["/shore/rss.xml"] = lambda: Reply(
            200,
            rss_feed(
                "Shore Gazette",
                [{"title": a.title, "link": server.url(f"/shore/{a.slug[6:]}")} for a in published],
            ).encode(),
            "application/rss+xml",
            cacheable=False,
        )
        config = write_config(
            tmp_path / "newswatch.toml",
            [{"name": "Shore Gazette", "kind": "feed", "url": server.url("/shore/rss.xml")}],
        )
        first = run_cycle(config, "--all")
        assert first.source("Shore Gazette")["new_articles"] == 4, first.stderr[-2000:]
        published += [story(5), story(6), story(7)]
        second = run_cycle(config, "--all")
        assert second.source("Shore Gazette")["new_articles"] == 3, second.stderr[-2000:]
    rows = {
        row["title"]: row["text"]
        for row in read_rows(tmp_path / "crawl.db", "SELECT title, text FROM articles")
    }
    for number in (5, 6, 7):  # four earlier articles ended with the notice
        text = rows[story(number).title]
        assert NOTICE not in text
        assert story(number).paragraphs[1] in text  # the news itself stays
