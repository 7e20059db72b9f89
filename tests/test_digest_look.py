"""The digest at a glance: stories grouped by country, a capped list in text and Markdown,
the strongest few terms, a language mark on every story, links without tracking parameters,
and a chart over the weeks that hold data, agreeing with the header.

Sixty invented stories in six countries and four languages, over nine weeks, stored in a real
SQLite file; the digest covers whole weeks, so its header and its chart count the same
articles.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from digest_fixtures import (
    COUNTRIES,
    LOOK_START,
    LOOK_STORIES,
    LOOK_TERMS,
    LOOK_UNTIL,
    look_story,
    look_title,
    make_config,
)

from digest import collect_digest, run_digest
from digest.render import FULL_PER_GROUP, MAX_PLAIN_ENTRIES
from digest.select import MAX_TAGS, Digest, safe_link, without_tracking
from storage import Storage


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Storage]]:
    folder: Path = tmp_path_factory.mktemp("look")
    config = make_config(folder)
    with Storage.open(config.storage.path) as storage:
        storage.prepare(config)
        for n in range(LOOK_STORIES):
            assert storage.articles.add(look_story(n)) is not None
        yield config, storage


@pytest.fixture(scope="module")
def made(stored) -> Digest:
    config, storage = stored
    return collect_digest(config, storage, LOOK_START, LOOK_UNTIL, LOOK_UNTIL)


def render(stored, fmt: str) -> str:
    config, storage = stored
    result = run_digest(
        config,
        storage,
        LOOK_UNTIL,
        since=LOOK_START,
        formats=[fmt],
        output="-",
        dry_run=True,
        stdout=_Sink(),
    )
    return result.rendered[fmt]


class _Sink:
    def write(self, text: str) -> int:
        return len(text)


def test_sixty_stories_are_grouped_by_country_best_group_first(made: Digest) -> None:
    assert made.story_count == LOOK_STORIES
    groups = dict(made.groups)
    assert set(groups) == set(COUNTRIES)
    assert all(len(entries) == LOOK_STORIES // len(COUNTRIES) for entries in groups.values())
    # Cities count for their country.
    assert all(e.country == "Kazakhstan" for e in groups["Kazakhstan"])
    assert any("Aktau" in e.title for e in groups["Kazakhstan"])
    # The group of the most relevant story comes first; each group keeps the rank order.
    assert made.groups[0][0] == COUNTRIES[0]
    for _name, entries in made.groups:
        ranks = [e.relevance or 0.0 for e in entries]
        assert ranks == sorted(ranks, reverse=True)


def test_text_and_markdown_list_the_first_stories_and_say_where_the_rest_are(stored) -> None:
    text = render(stored, "text")
    flat = " ".join(text.split())
    assert f"{MAX_PLAIN_ENTRIES}. [" in flat and f"{MAX_PLAIN_ENTRIES + 1}. [" not in flat
    assert f"{LOOK_STORIES - MAX_PLAIN_ENTRIES} more stories in the HTML and JSON digests." in flat
    assert "KAZAKHSTAN" in text and "AZERBAIJAN" in text
    markdown = render(stored, "markdown")
    assert (
        f"{LOOK_STORIES - MAX_PLAIN_ENTRIES} more stories in the HTML and JSON digests" in markdown
    )
    assert "## Kazakhstan" in markdown


def test_terms_are_capped_to_the_strongest_and_languages_marked(stored) -> None:
    text = render(stored, "text")
    flat = " ".join(text.split())
    shown = ["Kazakhstan", "exercise", "army", "artillery"][:MAX_TAGS]
    assert "Matched: " + ", ".join(shown) in flat
    assert "border guards" not in flat and "tanks" not in flat
    assert f"[en] {look_title(0)}" in flat and f"[ru] {look_title(1)}" in flat
    data = json.loads(render(stored, "json"))
    top = data["articles"][0]
    assert len(top["matched"]) == 1 + len(LOOK_TERMS)  # the JSON keeps every term
    assert top["lang"] == "en" and top["country"] == "Kazakhstan"


def test_html_lists_every_story_the_first_of_each_group_in_full(stored) -> None:
    html = render(stored, "html")
    assert html.endswith("</html>\n")  # printed to a terminal, it ends its line
    for n in range(LOOK_STORIES):
        assert look_title(n) in html
    # A story shown in full has its snippet; one past the group's first few, one line.
    full = html.split(look_title(0), 1)[1][:4000]
    assert "Fixture body text for story-0" in full
    past = LOOK_STORIES - 1  # the last, least relevant story of its group
    assert f"Fixture body text for story-{past}," not in html
    assert f"{LOOK_STORIES // len(COUNTRIES) - FULL_PER_GROUP} more stories" in html
    assert ">az</span>" in html and ">kk</span>" in html  # the language badge


def test_links_lose_their_tracking_parameters(stored) -> None:
    for fmt in ("text", "markdown", "html", "json", "atom"):
        out = render(stored, fmt)
        assert "utm_" not in out and "fbclid" not in out, fmt
        assert re.search(r"/news/(\d+)\?id=\1\b", out), fmt
    assert without_tracking("https://a.example/x?id=3&utm_campaign=c") == "https://a.example/x?id=3"
    assert without_tracking("https://a.example/x?b=2&a=1") == "https://a.example/x?b=2&a=1"
    assert safe_link("https://a.example/?gclid=1") == "https://a.example/"


def test_the_chart_spans_the_weeks_with_data_and_agrees_with_the_header(made: Digest) -> None:
    weeks = [week for week, _count in made.weekly]
    assert weeks[0] == LOOK_START.date()  # the first week with data, not the seed's (April)
    assert weeks[-1] == (LOOK_UNTIL - timedelta(days=1)).date() - timedelta(days=6)
    assert len(weeks) == 9
    assert sum(count for _week, count in made.weekly) == made.relevant_count == LOOK_STORIES


def test_the_capped_list_keeps_the_best_ranked_stories(made: Digest) -> None:
    from digest.render import capped

    groups, left_out = capped(made, 7)
    shown = [entry for _name, entries in groups for entry in entries]
    assert left_out == LOOK_STORIES - 7
    assert sorted(e.id for e in shown) == sorted(e.id for e in made.entries[:7])
    assert [name for name, _entries in groups] == [
        name for name, _entries in made.groups if name in {n for n, _e in groups}
    ]


def test_tracking_parameters_go_and_the_rest_of_the_query_stays_byte_for_byte() -> None:
    cases = {
        "https://x.example/a?utm_source=x;id=5": "https://x.example/a?id=5",
        "https://x.example/a?q=%EF%F0%E8%E2&utm_source=x": "https://x.example/a?q=%EF%F0%E8%E2",
        "https://x.example/a?a=1;b=2;utm_x=3;c=4": "https://x.example/a?a=1;b=2;c=4",
        "https://x.example/a?123&fbclid=z": "https://x.example/a?123",
        "https://x.example/a?path=a/b:c%20d": "https://x.example/a?path=a/b:c%20d",
        "https://x.example/a?utm_a=1&utm_b=2#top": "https://x.example/a#top",
    }
    for given, expected in cases.items():
        assert without_tracking(given) == expected, given


def test_a_story_whose_page_gave_no_text_says_so(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    with Storage.open(config.storage.path) as storage:
        storage.prepare(config)
        assert storage.articles.add(replace(look_story(0), page_problem="HTTP 404"))
        assert storage.articles.add(look_story(1))
        rendered = {
            fmt: render((config, storage), fmt) for fmt in ("text", "markdown", "html", "json")
        }
    assert "Feed summary only: HTTP 404" in " ".join(rendered["text"].split())
    assert "Feed summary only: HTTP 404" in rendered["markdown"]
    assert "Feed summary only: HTTP 404" in rendered["html"]
    data = json.loads(rendered["json"])
    assert sorted(str(a["page_problem"]) for a in data["articles"]) == ["HTTP 404", "None"]
