"""Stories: the keys an article is reduced to, the pure join and thread decisions, and
storage assigning stories as articles are stored (a real SQLite file; relevance's shipped
profile gives the matched concepts, as the crawl's scorer does)."""

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from config import ProfileConfig
from relevance import profile_for, storage_scorer
from storage import Article, Incoming, Storage
from storage.migrations import LATEST, migrations
from storage.models import Score
from storage.storykeys import consonant_key, name_key, skeleton, story_keys
from storage.storymatch import (
    JOIN_AT,
    Candidate,
    Views,
    choose_story,
    choose_thread,
    copy_joins,
    decay,
    editions_differ,
)

FIXTURES = Path(__file__).parent / "fixtures"


# -- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ("Aktau", "Актау", "Ақтау", "Aqtau"),
        ("Oymasha", "Оймаша", "Oymaşa"),
        ("Birlestik", "Бирлестик", "Бірлестік"),
        ("Kazakhstan", "Казахстан", "Қазақстан", "Qazaqstan", "Казахстана"),
        ("Hasanov", "Гасанов"),
    ],
)
def test_one_name_in_every_script_has_one_name_key(spellings: tuple[str, ...]) -> None:
    assert len({name_key(word) for word in spellings}) == 1


def test_vowels_and_the_azerbaijani_c_do_not_part_a_name() -> None:
    assert consonant_key("Tacikistan", "az") == consonant_key("Tajikistan", "en")
    assert consonant_key("Достук", "ru") == consonant_key("Достық", "kk")
    assert consonant_key("Ak-Sai", "en") == consonant_key("Ақсай", "kk")  # one name, hyphen or not
    assert consonant_key("Özbəkistan", "az") == consonant_key("Uzbekistan", "en")
    assert skeleton("Baku") != skeleton("Batken")


def test_keys_come_from_matched_concepts_names_numbers_and_editions() -> None:
    keys = story_keys(
        "Unity-2024 exercise opens",
        "Troops from Azerbaijan and Kazakhstan opened the exercise «Unity-2024» at the "
        "Oymasha range on Monday, officers of the Mangystau garrison said. Some 1,500 "
        "servicemen take part.",
        ["place:Kazakhstan", "exercise-word:exercise", "seed:0.12", "rule:close", "lang:regional"],
        "2024-07-15T08:00:00Z",
        lang="en",
    )
    weights = keys.weights
    assert weights["c:Kazakhstan"] > weights["c:exercise-word:exercise"]  # a name > a topic
    assert not any(key.startswith(("c:seed", "c:rule", "c:lang")) for key in weights)
    assert "n:oimas" in weights and "n:manki" in weights
    assert "n:kazak" not in weights  # the profile's concept says it once
    assert "n:kazak" in keys.names_view  # but the names view (for concept-less stories) keeps it
    assert "n:troop" not in weights  # a sentence's first word is no name
    assert "#:1500" in weights and "y:2024" in weights
    assert "s:uniti" in weights and keys.editions == {"e:2024"}


def test_numbers_written_three_ways_are_one_number() -> None:
    spelt = [
        story_keys(None, text, [], None).weights
        for text in ("1,500 troops", "1 500 военнослужащих", "1500 hərbçi")
    ]
    assert all("#:1500" in weights for weights in spelt)


def test_a_title_in_title_case_gives_no_names() -> None:
    keys = story_keys("Defence Ministers Discuss Regional Cooperation", None, [], None)
    assert not any(key.startswith("n:") for key in keys.weights)


def test_a_wrong_publication_date_falls_back_to_first_seen() -> None:
    future = story_keys(None, None, [], "2099-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    unreadable = story_keys(None, None, [], "next Tuesday", "2026-01-01T00:00:00Z")
    assert future.day == unreadable.day == story_keys(None, None, [], "2026-01-01").day


# -- decisions --------------------------------------------------------------------------------


def candidate(story_id: int, shared: dict[str, int], **changes: object) -> Candidate:
    values: dict[str, object] = {
        "story_id": story_id,
        "thread_id": story_id,
        "first_day": 100.0,
        "last_day": 100.5,
        "sumsq": 4.0,
        "shared": shared,
    }
    values.update(changes)
    return Candidate(**values)  # type: ignore[arg-type]


VECTOR = {"c:place:Aktau": 1.0, "n:oimas": 1.0, "#:1500": 0.5, "c:actor:army": 0.3}
VIEWS = Views(VECTOR, VECTOR)


def test_the_article_joins_the_story_it_fits_best() -> None:
    near = candidate(1, {"c:place:Aktau": 2, "n:oimas": 2, "#:1500": 1})
    weaker = candidate(2, {"c:place:Aktau": 1, "c:actor:army": 1})
    assert choose_story(VIEWS, 100.2, frozenset(), [weaker, near]).story_id == 1


def test_time_decays_with_a_gaussian_of_three_days() -> None:
    assert decay(0) == 1.0
    assert decay(3) == pytest.approx(0.6065, abs=1e-3)
    # A story of two articles that both say what the article says.
    same = candidate(1, {"c:place:Aktau": 2, "n:oimas": 2, "#:1500": 2}, sumsq=9.0)
    assert choose_story(VIEWS, 101.0, frozenset(), [same]).story_id == 1
    assert choose_story(VIEWS, 104.5, frozenset(), [same]).story_id is None


def test_one_shared_key_is_no_event() -> None:
    only_place = candidate(1, {"c:place:Aktau": 1}, sumsq=1.0)
    assert choose_story(VIEWS, 100.0, frozenset(), [only_place]).story_id is None


def test_another_edition_is_another_story() -> None:
    shared = {"c:place:Aktau": 2, "n:oimas": 2, "#:1500": 2}
    sequel = candidate(1, shared, editions=frozenset({"e:2024"}))
    assert editions_differ(frozenset({"e:2025"}), frozenset({"e:2024"}))
    assert not editions_differ(frozenset({"e:2025", "e:2024"}), frozenset({"e:2024"}))
    assert not editions_differ(frozenset(), frozenset({"e:2024"}))
    assert choose_story(VIEWS, 100.0, frozenset({"e:2025"}), [sequel]).story_id is None
    assert choose_story(VIEWS, 100.0, frozenset({"e:2024"}), [sequel]).story_id == 1


def test_a_story_does_not_creep_along_weeks_of_reports() -> None:
    shared = {"c:place:Aktau": 2, "n:oimas": 2, "#:1500": 2}
    long_running = candidate(1, shared, first_day=90.0, last_day=100.0)
    assert choose_story(VIEWS, 100.5, frozenset(), [long_running]).story_id is None


def test_a_story_without_concepts_is_compared_by_names() -> None:
    names = Views(VECTOR, {"n:aktau": 1.0, "n:oimas": 1.0, "#:1500": 0.5})
    seed_like = candidate(1, {"n:aktau": 1, "n:oimas": 1, "#:1500": 1}, has_concepts=False)
    assert choose_story(names, 100.0, frozenset(), [seed_like]).story_id == 1
    with_concepts = candidate(1, {"n:aktau": 1, "n:oimas": 1, "#:1500": 1})
    assert choose_story(names, 100.0, frozenset(), [with_concepts]).story_id is None


def test_another_edition_of_a_series_continues_its_thread_a_year_later() -> None:
    views = Views({"s:uniti": 2.0, "c:place:Uzbekistan": 1.0}, {"s:uniti": 2.0})
    last_year = candidate(7, {"s:uniti": 3}, first_day=100.0, last_day=103.0, thread_id=2)
    assert choose_thread(views, 470.0, [last_year]).story_id == 7
    unrelated = candidate(8, {"c:place:Uzbekistan": 3}, first_day=100.0, last_day=103.0)
    assert choose_thread(views, 470.0, [unrelated]).story_id is None


def test_a_copy_that_says_something_else_is_not_taken_for_one() -> None:
    original = {"c:place:Aktau": 1.0, "n:oimas": 1.0, "#:1500": 0.5}
    assert copy_joins(dict(original), original, (frozenset(), frozenset()), gap=0.5)
    template = {"c:place:Aktau": 1.0, "n:sarisa": 1.0, "#:900": 0.5}
    assert not copy_joins(template, original, (frozenset(), frozenset()), gap=0.5)
    assert not copy_joins(dict(original), original, (frozenset(), frozenset()), gap=90)
    assert JOIN_AT > 0


# -- storage ----------------------------------------------------------------------------------


def scorer() -> Callable[[Article], Score]:
    """The crawl's scorer: the shipped profile's score and matched concepts."""
    return storage_scorer(profile_for(ProfileConfig()))


def report(n: int, source: str, lang: str, date: str, title: str, text: str) -> Incoming:
    url = f"http://{source.lower().replace(' ', '')}.test/{n}"
    return Incoming(
        Article(
            url=url,
            canonical_url=url,
            source=source,
            title=title,
            text=text,
            lang=lang,
            published_at=date,
        )
    )


OPENING = [
    report(
        1,
        "Steppe Herald",
        "en",
        "2024-07-15T08:00:00Z",
        "Unity-2024 exercise opens at Oymasha",
        "The joint military exercise Unity-2024 opened on Monday at the Oymasha training "
        "ground in the Mangystau region of Kazakhstan, with troops from Azerbaijan, "
        "Kazakhstan, Kyrgyzstan, Tajikistan and Uzbekistan. About 1,500 servicemen and 300 "
        "pieces of equipment take part. Part of the drills will be held on the Tyub-Karagan "
        "peninsula on the Caspian Sea.",
    ),
    report(
        2,
        "Kaspiy Vestnik",
        "ru",
        "2024-07-15T10:30:00Z",
        "На полигоне Оймаша начались учения «Бирлестик-2024»",
        "На полигоне Оймаша в Мангистауской области Казахстана начались совместные учения "
        "«Бирлестик-2024» с участием военнослужащих Азербайджана, Казахстана, Кыргызстана, "
        "Таджикистана и Узбекистана. Задействовано около 1 500 военнослужащих и 300 единиц "
        "техники. Часть эпизодов пройдет на полуострове Тюб-Караган.",
    ),
    report(
        3,
        "Dala Zharshysy",
        "kk",
        "2024-07-15T12:00:00Z",
        "Оймаша полигонында «Бірлестік-2024» жаттығуы басталды",
        "Маңғыстау облысындағы Оймаша полигонында Әзірбайжан, Қазақстан, Қырғызстан, "
        "Тәжікстан және Өзбекстан әскерилерінің қатысуымен «Бірлестік-2024» бірлескен әскери "
        "жаттығуы басталды. Жаттығуға 1 500 әскери қызметші мен 300 техника тартылған. "
        "Жаттығудың бір бөлігі Каспий теңізіндегі Түпқараған түбегінде өтеді.",
    ),
]
CLASH = report(
    4,
    "Steppe Herald",
    "en",
    "2024-07-16T08:00:00Z",
    "Kyrgyz and Tajik border guards exchange fire in Batken",
    "Border guards of Kyrgyzstan and Tajikistan exchanged fire near the village of Kok-Tash "
    "in the Batken region on Tuesday, the Kyrgyz border service said. Four servicemen were "
    "wounded. Both sides accused each other of provoking the incident.",
)
SEQUEL = report(
    5,
    "Steppe Herald",
    "en",
    "2025-07-21T08:00:00Z",
    "Unity-2025 exercise opens in Uzbekistan",
    "The joint military exercise Unity-2025 opened at the Forish training ground in "
    "Uzbekistan with troops from Azerbaijan, Kazakhstan, Kyrgyzstan, Tajikistan and "
    "Uzbekistan, a year after the previous edition was held in Kazakhstan. About 2,000 "
    "servicemen take part, the Uzbek defence ministry said.",
)


def story_of(storage: Storage, article_id: int | None) -> dict[str, object]:
    assert article_id is not None
    row = storage.db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
    story = storage.stories.get(row[0])
    assert story is not None
    return story


def test_reports_in_three_languages_share_a_story_and_a_sequel_shares_its_thread(
    storage: Storage,
) -> None:
    score = scorer()
    stored = storage.articles.store_incoming([*OPENING, CLASH, SEQUEL], score)
    opening = {story_of(storage, s.article_id)["id"] for s in stored[:3]}
    assert len(opening) == 1
    story = story_of(storage, stored[0].article_id)
    assert story["article_count"] == 3 and story["outlet_count"] == 3
    assert sorted(story["languages"]) == ["en", "kk", "ru"]  # type: ignore[arg-type]
    assert story["title"] == "Unity-2024 exercise opens at Oymasha"  # the English headline
    assert story["first_published_at"] == "2024-07-15T08:00:00Z"
    assert story["last_published_at"] == "2024-07-15T12:00:00Z"
    clash = story_of(storage, stored[3].article_id)
    sequel = story_of(storage, stored[4].article_id)
    assert clash["id"] not in opening and clash["thread_id"] != story["thread_id"]
    assert sequel["id"] not in opening and sequel["thread_id"] == story["thread_id"]


def test_every_article_gets_a_story_the_seed_first(storage: Storage) -> None:
    seed_id, _ = storage.ensure_seed()
    seed_story = story_of(storage, seed_id)
    assert seed_story["thread_id"] == seed_story["id"]
    assert seed_story["title"] == storage.articles.seed().title  # type: ignore[union-attr]
    storage.articles.store_incoming([CLASH], scorer())
    missing = storage.db.execute("SELECT count(*) FROM articles WHERE story_id IS NULL")
    assert missing.fetchone()[0] == 0


def test_a_copy_joins_its_originals_story_and_an_edit_keeps_it(storage: Storage) -> None:
    score = scorer()
    (original,) = storage.articles.store_incoming([OPENING[0]], score)
    text = OPENING[0].article.text
    copy = report(
        9,
        "Lankaran Wire",
        "en",
        "2024-07-15T15:00:00Z",
        "Unity-2024 opens",
        f"Lankaran Wire. {text} (Lankaran Wire)",
    )
    (copied,) = storage.articles.store_incoming([copy], score)
    assert copied.duplicate_of == original.article_id
    assert (
        story_of(storage, copied.article_id)["id"] == story_of(storage, original.article_id)["id"]
    )
    before = story_of(storage, original.article_id)
    assert before["article_count"] == 2 and before["outlet_count"] == 2
    assert storage.articles.update_content(
        original.article_id,  # type: ignore[arg-type]
        "Unity-2024 exercise opens at Oymasha (updated)",
        f"{text} The exercise ends on Friday.",
        None,
    )
    after = story_of(storage, original.article_id)
    assert after["id"] == before["id"]
    assert after["title"] == "Unity-2024 exercise opens at Oymasha (updated)"  # retitled


def test_a_version_1_database_upgrades_and_gets_stories(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    old.write_bytes((FIXTURES / "newswatch-v1.db").read_bytes())
    with Storage.open(old) as upgraded:
        assert [m.name for m in migrations.applied(upgraded.db)][-1] == LATEST
        assert "stories" in upgraded.db.table_names()
        story = story_of(upgraded, 1)
        assert story["title"] == "A story stored by version 1"
        assert story["article_count"] == 1 and story["thread_id"] == story["id"]
        upgraded.ensure_seed()  # what opening it configured does next
        rows = upgraded.db.execute("SELECT id, story_id FROM articles ORDER BY id").fetchall()
    assert len(rows) == 2 and all(story_id is not None for _, story_id in rows)
    assert rows[0][1] != rows[1][1]


def test_the_backfill_places_older_articles_oldest_first(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    with Storage.open(path) as storage:
        storage.articles.store_incoming([*OPENING, CLASH], scorer())
    # As a database from before stories: no story ids, no story tables' content.
    raw = sqlite3.connect(path)
    raw.execute("UPDATE articles SET story_id = NULL")
    for table in ("story_keys", "story_norms", "story_key_counts", "stories"):
        raw.execute(f"DELETE FROM {table}")
    raw.execute("DELETE FROM _sqlite_migrations WHERE name = 'm012_stories'")
    for table in ("story_keys", "story_norms", "story_key_counts", "stories"):
        raw.execute(f"DROP TABLE {table}")
    raw.execute("DROP INDEX articles_story_id_source")
    raw.execute("ALTER TABLE articles DROP COLUMN story_id")
    raw.commit()
    raw.close()
    with Storage.open(path) as upgraded:
        stories = [story_of(upgraded, n)["id"] for n in (1, 2, 3, 4)]
    assert stories[0] == stories[1] == stories[2] != stories[3]


def test_an_earlier_original_stored_late_joins_its_copys_story(storage: Storage) -> None:
    score = scorer()
    text = OPENING[0].article.text
    later = report(
        10, "Lankaran Wire", "en", "2024-07-15T15:00:00Z", "Unity-2024 opens",
        f"Lankaran Wire. {text} (Lankaran Wire)",
    )  # fmt: skip
    (copy,) = storage.articles.store_incoming([later], score)
    (original,) = storage.articles.store_incoming([OPENING[0]], score)  # published earlier
    assert original.outcome.value == "earlier-original"
    assert story_of(storage, original.article_id)["id"] == story_of(storage, copy.article_id)["id"]


def test_a_name_is_one_key_whichever_profile_group_found_it() -> None:
    by_name = story_keys("Birlestik-2024 opens", "", ["exercise:Birlestik"], None, lang="en")
    by_alias = story_keys("Unity opens", "", ["exercise-alias:Birlestik"], None, lang="en")
    assert "c:Birlestik" in by_name.weights and "c:Birlestik" in by_alias.weights
    topic = story_keys("Drills", "", ["exercise-word:exercise"], None, lang="en")
    assert "c:exercise-word:exercise" in topic.weights  # a topic word keeps its group


def test_a_hostile_title_of_thousands_of_digits_costs_nothing(storage: Storage) -> None:
    keys = story_keys("Lottery " + "7" * 5000, "1 500 troops", [], None, lang="en")
    assert "#:1500" in keys.weights
    assert not any(key.startswith("#:7") for key in keys.weights)
    odd = report(8, "Steppe Herald", "en", "2024-07-15T09:00:00Z", "Lottery " + "7" * 5000, "x")
    stored = storage.articles.store_incoming([*OPENING, odd, CLASH], scorer())
    assert all(s.article_id is not None for s in stored)  # the batch is not lost


def test_a_wrong_far_future_date_does_not_stretch_a_storys_weeks(storage: Storage) -> None:
    clash = CLASH.article
    far = report(7, "Kaspiy Vestnik", "en", "9999-12-31T00:00:00Z", clash.title, clash.text)
    (stored,) = storage.articles.store_incoming([far], scorer())
    story = story_of(storage, stored.article_id)
    weeks = storage.stories.weekly_counts([story["id"]])  # type: ignore[list-item]
    assert len(weeks) == 1 and not weeks[0][0].startswith("9999")


def test_rarity_counts_every_key_of_a_long_article(storage: Storage) -> None:
    from storage.stories import _key_counts

    storage.db.execute("INSERT INTO story_key_counts VALUES ('', 5)")
    keys = [f"n:k{n:04d}" for n in range(900)]
    storage.db.conn.executemany("INSERT INTO story_key_counts VALUES (?, 3)", [(k,) for k in keys])
    counts = _key_counts(storage.db, reversed(keys))
    assert counts[""] == 5 and all(counts[key] == 3 for key in keys)
