"""Digests group by story: one entry per story with its reach ("3 outlets, 3 languages"),
updates on stories an earlier digest showed marked, and the seed's thread first — in every
format, each parsed back. A real database; invented articles with their matched concepts
given as relevance writes them."""

import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import feedparser
import jsonschema
import pytest
from markdown_it import MarkdownIt

from config import Config, parse_config_text
from digest.render import render
from digest.run import collect_digest
from digest.select import Digest, StoryNote
from storage import Article, Storage
from tests.test_digest import assert_inert, parse_html

EARLIER = (datetime(2024, 7, 13, tzinfo=UTC), datetime(2024, 7, 14, 7, tzinfo=UTC))
PERIOD = (datetime(2024, 7, 14, 7, tzinfo=UTC), datetime(2024, 7, 15, 7, tzinfo=UTC))

BOATS = ("place:Kazakhstan", "place:Aktau", "actor:coast guard", "weapon:patrol boats")
CLASH = (
    "place:Kyrgyzstan",
    "place:Tajikistan",
    "place:Batken",
    "actor:border guards",
    "conflict:border clash",
)


def item(
    n: int,
    source: str,
    lang: str,
    when: str,
    title: str,
    text: str,
    matched: tuple[str, ...],
    relevance: float,
) -> Article:
    url = f"https://{source.lower().replace(' ', '')}.example/{n}"
    return Article(
        url=url,
        canonical_url=url,
        source=source,
        title=title,
        text=text,
        lang=lang,
        published_at=when,
        first_seen_at=when,
        matched=matched,
        relevance=relevance,
        relevant=relevance >= 0.5,
    )


ARTICLES = {
    "boats": item(
        1,
        "Caspian Dispatch",
        "en",
        "2024-07-13T12:00:00Z",
        "Coast guard receives two patrol boats at Aktau",
        "The coast guard of Kazakhstan took delivery of two patrol boats, the Berkut and the "
        "Sunkar, at the shipyard in Aktau. Each boat carries a crew of 11 and can reach 45 "
        "knots, the border service said.",
        BOATS,
        0.8,
    ),
    "boats_ru": item(
        2,
        "Kazinform",
        "ru",
        "2024-07-14T09:00:00Z",
        "Береговая охрана получила катера «Беркут» и «Сункар»",
        "Береговая охрана Казахстана получила в Актау два патрульных катера, «Беркут» и "
        "«Сункар». Экипаж каждого катера 11 человек, скорость до 45 узлов, сообщила "
        "пограничная служба.",
        BOATS,
        0.75,
    ),
    "clash_en": item(
        3,
        "AzerNews",
        "en",
        "2024-07-14T08:00:00Z",
        "Border guards exchange fire near Kok-Tash",
        "Border guards of Kyrgyzstan and Tajikistan exchanged fire near Kok-Tash in the "
        "Batken region, the Kyrgyz border service said. 14 servicemen were wounded in the "
        "shooting near the Kok-Tash crossing.",
        CLASH,
        0.9,
    ),
    "clash_ru": item(
        4,
        "Kazinform",
        "ru",
        "2024-07-14T10:00:00Z",
        "Перестрелка пограничников у Кок-Таш",
        "Пограничники Кыргызстана и Таджикистана открыли огонь у села Кок-Таш в Баткенской "
        "области. Ранены 14 военнослужащих, сообщила пограничная служба Кыргызстана у "
        "пункта пропуска Кок-Таш.",
        CLASH,
        0.85,
    ),
    "clash_az": item(
        5,
        "Trend",
        "az",
        "2024-07-14T11:00:00Z",
        "Qırğızıstan və Tacikistan sərhədçiləri arasında atışma",
        "Qırğızıstan və Tacikistan sərhədçiləri Batken bölgəsindəki Kök-Taş kəndi yaxınlığında "
        "atışmaya çıxıb. 14 hərbçi yaralanıb, Qırğızıstanın sərhəd xidməti Kök-Taş keçid "
        "məntəqəsi barədə bildirib.",
        CLASH,
        0.8,
    ),
    "helicopters": item(
        6,
        "Eurasianet",
        "en",
        "2024-07-14T12:00:00Z",
        "Uzbekistan buys transport helicopters from Turkey",
        "Uzbekistan signed a contract for 24 transport helicopters built in Turkey, the "
        "defence ministry in Tashkent said.",
        ("place:Uzbekistan", "foreign-weak:Turkey", "weak:helicopters", "place:Tashkent"),
        0.7,
    ),
    "unity": item(
        7,
        "Steppe Herald",
        "en",
        "2024-07-14T13:00:00Z",
        "Unity-2024 exercise opens at Oymasha",
        "The joint exercise Unity-2024 opened at the Oymasha range in Kazakhstan with troops "
        "from Azerbaijan, Kyrgyzstan and Uzbekistan.",
        ("exercise-alias:Unity", "site:Oymasha", "place:Kazakhstan", "place:Azerbaijan"),
        0.6,
    ),
}


def config(tmp: Path) -> Config:
    return parse_config_text(
        f'[storage]\npath = "{tmp / "news.db"}"\n[profile]\nthreshold = 0.5\n', "t.toml", base=tmp
    )


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory) -> tuple[Digest, dict[str, int]]:
    tmp = tmp_path_factory.mktemp("digest-stories")
    cfg = config(tmp)
    with Storage.open(cfg.storage.path) as storage:
        storage.prepare(cfg)
        ids = {name: storage.articles.add(article) for name, article in ARTICLES.items()}
        since, until = EARLIER
        storage.digests.record(
            since.isoformat()[:19] + "Z", until.isoformat()[:19] + "Z", 1, [], None
        )
        made = collect_digest(cfg, storage, *PERIOD, PERIOD[1])
    return made, {name: number for name, number in ids.items() if number is not None}


def test_one_entry_per_story_with_its_other_reports(digest: tuple[Digest, dict[str, int]]) -> None:
    made, ids = digest
    assert len(made.entries) == 4  # Unity, the clash, the boats, the helicopters
    assert made.relevant_count == 6 and made.story_count == 4
    clash = next(e for e in made.entries if e.id == ids["clash_en"])  # the most relevant report
    assert [r.id for r in clash.reports] == [ids["clash_ru"], ids["clash_az"]]
    assert clash.story is not None and clash.story.reach == "3 outlets, 3 languages"
    assert clash.reported_by == ("Kazinform (ru)", "Trend (az)")
    assert not clash.is_update  # nothing of it was in an earlier digest


def test_a_story_an_earlier_digest_showed_is_an_update(
    digest: tuple[Digest, dict[str, int]],
) -> None:
    made, ids = digest
    boats = next(e for e in made.entries if e.id == ids["boats_ru"])
    assert boats.is_update and boats.story is not None and not boats.story.seed_thread
    helicopters = next(e for e in made.entries if e.id == ids["helicopters"])
    assert not helicopters.is_update


def test_the_seeds_thread_comes_first(digest: tuple[Digest, dict[str, int]]) -> None:
    made, ids = digest
    first = made.entries[0]
    assert first.id == ids["unity"]  # the least relevant, but on the seed's thread
    assert first.story is not None and first.story.seed_thread and first.is_update
    rest = [e.relevance for e in made.entries[1:]]
    assert rest == sorted(rest, reverse=True)


def test_text_and_markdown_say_it(digest: tuple[Digest, dict[str, int]]) -> None:
    made, _ids = digest
    text = " ".join(render("text", made).split())
    assert "6 new relevant articles in 4 stories" in text
    first_entry = text[text.index("1. [0.60] [en] Unity-2024") : text.index("2. [")]
    assert "Update: new on a story you follow (the seed's thread)" in first_entry
    story = text[text.index("2. [0.90] [en] Border guards") : text.index("3. [")]
    assert "Story: 3 outlets, 3 languages (en, ru, az)" in story
    # Plain text links nothing: each other report is named with its title and address,
    # under the story's entry, not as an entry of its own.
    assert (
        "Also reported by Kazinform (ru): Перестрелка пограничников у Кок-Таш "
        "https://kazinform.example/4 Also reported by Trend (az): "
    ) in story
    assert story.rstrip().endswith("https://trend.example/5 KAZAKHSTAN")
    assert "[ru] Перестрелка пограничников" not in text
    markdown = render("markdown", made)
    html = MarkdownIt("commonmark").render(markdown)
    parsed = parse_html(html)
    assert_inert(parsed)
    flat = " ".join("".join(parsed.text).split())
    assert "Also reported by: Kazinform (ru), Trend (az)" in flat
    assert "Update: new on a story you follow" in flat


def test_html_json_and_atom_say_it_and_parse(digest: tuple[Digest, dict[str, int]]) -> None:
    made, ids = digest
    parsed = parse_html(render("html", made))
    assert_inert(parsed)
    flat = " ".join("".join(parsed.text).split())
    assert "Story: 3 outlets, 3 languages (en, ru, az)" in flat
    assert "Also reported by Kazinform (ru), Trend (az)" in flat
    assert "https://kazinform.example/4" in parsed.hrefs()
    data = json.loads(render("json", made))
    schema = json.loads(
        resources.files("digest").joinpath("schema", "digest-v2.schema.json").read_text()
    )
    jsonschema.validate(data, schema)
    assert data["version"] == 2 and data["counts"]["stories"] == 4
    first = data["articles"][0]
    assert first["story"]["seed_thread"] is True and first["story"]["update"] is True
    clash = next(a for a in data["articles"] if a["id"] == ids["clash_en"])
    assert clash["story"]["outlets"] == 3 and clash["story"]["languages"] == ["en", "ru", "az"]
    assert [r["id"] for r in clash["reports"]] == [ids["clash_ru"], ids["clash_az"]]
    feed = feedparser.parse(render("atom", made))
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 4
    contents = " ".join(entry.content[0].value for entry in feed.entries)
    assert "Story: 3 outlets, 3 languages" in contents
    assert "Update: new on a story you follow" in contents


def test_a_story_one_outlet_reported_twice_says_so() -> None:
    def note(articles: int, outlets: int, languages: tuple[str, ...]) -> StoryNote:
        return StoryNote(1, 1, articles, outlets, languages, update=False, seed_thread=False)

    assert note(3, 3, ("en", "ru")).reach == "3 outlets, 2 languages"
    assert note(2, 1, ("en",)).reach == "2 reports from 1 outlet, 1 language"
    assert note(4, 3, ("en", "ru", "az")).reach == "4 reports from 3 outlets, 3 languages"


def test_a_story_is_led_by_a_read_page_not_a_summary_stored_for_a_failed_one() -> None:
    from digest.select import Entry, group_stories, rank

    def entry(number: int, relevance: float, page_problem: str = "") -> Entry:
        return Entry(
            id=number,
            title=f"Report {number}",
            url=f"http://a{number}.test/",
            canonical_url=f"http://a{number}.test/",
            source=f"Outlet {number}",
            author="",
            published_at="2026-12-04T09:00:00Z",
            first_seen_at="2026-12-04T09:05:00Z",
            updated_at=None,
            relevance=relevance,
            relevant=True,
            matched=(),
            snippet="",
            lang="az",
            story_id=7 if number < 3 else None,
            page_problem=page_problem,
        )

    summary_only = entry(1, 0.9978, "page not fetched yet (timeout after 5 s)")
    full, alone = entry(2, 0.9963), entry(3, 0.99)
    story = {7: {"id": 7, "article_count": 2, "outlet_count": 2, "languages": ["az"]}}
    grouped = group_stories(rank([summary_only, full, alone]), story)
    assert [e.id for e in grouped] == [2, 3]  # the story keeps its best article's place
    assert [r.id for r in grouped[0].reports] == [1]
