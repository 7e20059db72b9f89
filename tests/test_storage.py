import sqlite3
from pathlib import Path

import pytest

from storage import Article, SearchQueryError, Storage, StorageError, content_hash
from storage.migrations import LATEST, migrations
from storage.seed import SEED_FACTS, read_seed_document, seed_body

FIXTURES = Path(__file__).parent / "fixtures"


def make_article(n: int, **changes: object) -> Article:
    values = {
        "url": f"http://outlet.test/news/{n}",
        "canonical_url": f"http://outlet.test/news/{n}",
        "source": "Outlet",
        "title": f"Story {n}",
        "text": f"Body of story number {n} about the Caspian.",
    }
    values.update(changes)
    return Article(**values)  # type: ignore[arg-type]


def test_new_database_has_every_table_and_wal(storage: Storage) -> None:
    names = set(storage.db.table_names())
    assert {"articles", "sources", "fetches", "digests", "article_aliases", "articles_fts"} <= names
    assert storage.db.journal_mode == "wal"
    assert storage.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert [m.name for m in migrations.applied(storage.db)][-1] == LATEST


def test_seed_is_stored_once_with_its_facts(storage: Storage) -> None:
    first_id, stored = storage.ensure_seed()
    again_id, stored_again = storage.ensure_seed()
    assert (stored, stored_again) == (True, False)
    assert first_id == again_id
    assert storage.articles.count() == 1
    seed = storage.articles.get(first_id)
    assert seed is not None
    assert seed.is_seed and seed.title == SEED_FACTS.title
    assert seed.author == "Qabil Ashirov"
    assert seed.published_at.startswith("2024-04-08")
    assert seed.source == "AzerNews (via MENAFN)"
    assert seed.url.startswith("https://menafn.com/1108072835/")
    assert storage.articles.id_for_url("https://www.azernews.az/nation/224378.html") == first_id


def test_seed_text_drops_the_header_lines_and_keeps_the_body() -> None:
    document = read_seed_document()
    text = seed_body(document, SEED_FACTS.author)
    assert text.startswith("After gaining independence, the Central Asian states")
    assert "MENAFN" not in text and "Qabil Ashirov" not in text
    assert "date 2024-04-08" not in text
    assert text.endswith("the expert added.")
    assert "Oymasha" in text


def test_seed_ships_verbatim_with_the_package() -> None:
    shared_seed = Path(__file__).resolve().parents[2] / "shared/seeds/000_fb1ccfd96c159988.txt"
    if not shared_seed.exists():
        pytest.skip("../shared/seeds is absent beside this checkout")
    assert read_seed_document() == shared_seed.read_text(encoding="utf-8")


def test_duplicate_canonical_url_is_not_stored_twice(storage: Storage) -> None:
    ids = storage.articles.add_many([make_article(1), make_article(2), make_article(1)])
    assert ids[0] is not None and ids[1] is not None and ids[2] is None
    assert storage.articles.count() == 2


def test_known_urls_covers_canonical_urls_and_aliases(storage: Storage) -> None:
    article_id = storage.articles.add(make_article(1, aliases=("http://amp.outlet.test/1",)))
    known = storage.articles.known_urls(
        ["http://outlet.test/news/1", "http://amp.outlet.test/1", "http://outlet.test/news/9"]
    )
    assert known == {
        "http://outlet.test/news/1": article_id,
        "http://amp.outlet.test/1": article_id,
    }


def test_content_hash_survives_glued_words_and_punctuation() -> None:
    assert content_hash("They were part of it, then.") == content_hash("They werepart of it then")
    assert content_hash("They were part of it.") != content_hash("They were not part of it.")
    assert content_hash("   ") is None


def test_search_ranks_and_snippets(storage: Storage) -> None:
    storage.ensure_seed()
    storage.articles.add(make_article(1, title="Weather", text="Rain over Baku."))
    hits = storage.articles.search("Oymasha")
    assert [hit.title for hit in hits] == [SEED_FACTS.title]
    assert "[Oymasha]" in hits[0].snippet
    assert storage.articles.search("Tyub-Karagan")  # a hyphen is not FTS syntax to the user


def test_search_folds_diacritics_and_cyrillic_case(storage: Storage) -> None:
    storage.articles.add(make_article(1, title="Qarabağ", text="Учения в Каспийском море."))
    assert storage.articles.search("qarabag")
    assert storage.articles.search("УЧЕНИЯ")


def test_only_a_change_to_an_indexed_column_rewrites_the_search_index(storage: Storage) -> None:
    first = storage.articles.add(make_article(1, text="Patrol boats left Aktau at dawn."))
    assert first is not None
    before = storage.db.conn.total_changes  # counts the rows its triggers write too
    storage.articles.update_scores([(first, 0.9, True, ("place:Aktau",))])
    assert storage.db.conn.total_changes - before == 1  # the row; articles_fts untouched

    assert storage.articles.update_content(first, "Story 1", "Minesweepers left Turkmenbashi.", "x")
    assert storage.articles.search("Turkmenbashi")
    assert not storage.articles.search("Aktau")
    storage.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


@pytest.mark.parametrize("query", ['"unbalanced', "a AND (", "   "])
def test_malformed_search_raises_a_clear_error(storage: Storage, query: str) -> None:
    with pytest.raises(SearchQueryError) as caught:
        storage.articles.search(query)
    assert "query" in str(caught.value)


def test_a_long_reader_does_not_make_a_write_fail(storage: Storage) -> None:
    storage.articles.add(make_article(1))
    reader = sqlite3.connect(str(storage.path))
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM articles").fetchone()  # holds a read snapshot
        storage.articles.add_many([make_article(n) for n in range(2, 50)])
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 49
    finally:
        reader.close()


def test_version_1_database_upgrades_in_place(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    old.write_bytes((FIXTURES / "newswatch-v1.db").read_bytes())
    before = sqlite3.connect(old)
    assert "article_aliases" not in {
        row[0] for row in before.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    before.close()
    with Storage.open(old) as upgraded:
        assert "article_aliases" in upgraded.db.table_names()
        assert [m.name for m in migrations.applied(upgraded.db)][-1] == LATEST
        kept = upgraded.articles.get(1)
        assert kept is not None and kept.title == "A story stored by version 1"
        assert upgraded.articles.search("version")  # the FTS index came along
        upgraded.articles.add_alias("http://old.test/alias", 1)
        assert upgraded.articles.id_for_url("http://old.test/alias") == 1


def test_operational_errors_name_the_file(tmp_path: Path) -> None:
    not_a_db = tmp_path / "garbage.db"
    not_a_db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError) as caught:
        Storage.open(not_a_db)
    assert str(not_a_db) in str(caught.value)
    with pytest.raises(StorageError) as caught:
        Storage.open(tmp_path / "missing-folder" / "x.db")
    assert "missing-folder" in str(caught.value)


def test_a_source_is_due_a_little_early_so_it_keeps_its_rate(storage: Storage) -> None:
    from datetime import UTC, datetime, timedelta

    from storage import FetchRecord, SourceOutcome

    hour = timedelta(hours=1)
    storage.sources.sync([("Feed", "feed", "http://a.test/rss")])
    fetched = datetime(2026, 1, 1, 7, 0, 5, tzinfo=UTC)  # 5 s after the 07:00 tick
    storage.sources.record_fetches(
        [
            FetchRecord(
                "Feed", "http://a.test/rss", "2026-01-01T07:00:01Z", "2026-01-01T07:00:05Z", "ok"
            )
        ],
        SourceOutcome("Feed", finished_at="2026-01-01T07:00:05Z"),
        hour,
    )
    assert storage.sources.due({"Feed": hour}, fetched + timedelta(minutes=30)) == []
    assert storage.sources.due({"Feed": hour}, datetime(2026, 1, 1, 8, 0, tzinfo=UTC)) == ["Feed"]


def test_sources_never_fetched_are_told_apart_from_those_fetched_once(
    storage: Storage,
) -> None:
    from datetime import timedelta

    from storage import FetchRecord, SourceOutcome

    storage.sources.sync([("Old", "feed", "http://a.test/rss"), ("New", "feed", "http://b.test/")])
    # A fetch that failed counts: the source was asked, and its validators are none.
    storage.sources.record_fetches(
        [FetchRecord("Old", "http://a.test/rss", "2026-01-01T07:00:00Z", None, "error")],
        SourceOutcome("Old", finished_at="2026-01-01T07:00:05Z", error="HTTP 500"),
        timedelta(hours=1),
    )
    # "Unsynced" is configured since the table was last brought in line: never fetched.
    assert storage.sources.never_fetched(["Old", "New", "Unsynced"]) == ["New", "Unsynced"]
    assert storage.sources.never_fetched(["Old"]) == []


def test_a_shortened_interval_applies_from_the_last_fetch(storage: Storage) -> None:
    from datetime import UTC, datetime, timedelta

    from storage import FetchRecord, SourceOutcome

    storage.sources.sync(
        [("Feed", "feed", "http://a.test/rss"), ("Down", "feed", "http://b.test/")]
    )
    for name, error in (("Feed", None), ("Down", "HTTP 500")):
        storage.sources.record_fetches(
            [
                FetchRecord(
                    name, "http://x.test/", "2026-01-01T07:00:00Z", "2026-01-01T07:00:05Z", "ok"
                )
            ],
            SourceOutcome(name, finished_at="2026-01-01T07:00:05Z", error=error),
            timedelta(hours=6),
        )
    # The interval was six hours at that fetch; the user has made it ten minutes since.
    later = datetime(2026, 1, 1, 7, 12, tzinfo=UTC)
    ten_minutes = timedelta(minutes=10)
    # A failing source keeps its back-off (twelve hours after one error).
    assert storage.sources.due({"Feed": ten_minutes, "Down": ten_minutes}, later) == ["Feed"]
    # ...and the cycle's summary says so too ("nothing due; next: …").
    assert storage.sources.next_due({"Feed": ten_minutes}) == {"Feed": "2026-01-01T07:10:05Z"}
    lengthened = timedelta(hours=12)  # a longer interval waits for the recorded time
    assert storage.sources.due({"Feed": lengthened}, later) == []


def test_sources_removed_from_the_config_leave_the_table(storage: Storage) -> None:
    storage.sources.sync([("A", "feed", "http://a.test/"), ("B", "feed", "http://b.test/")])
    storage.sources.sync([("B", "feed", "http://b.test/")])
    assert [row["name"] for row in storage.sources.all()] == ["B"]


def test_processes_opening_an_old_database_at_once_upgrade_it_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    old = tmp_path / "old.db"
    old.write_bytes((FIXTURES / "newswatch-v1.db").read_bytes())
    code = (
        "import sys; from pathlib import Path; from storage import Storage; "
        "Storage.open(Path(sys.argv[1])).close()"
    )
    repo = Path(__file__).resolve().parents[1]
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(old)], cwd=repo, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    errors = [opener.communicate(timeout=60)[1] for opener in openers]
    assert [opener.returncode for opener in openers] == [0, 0, 0, 0], errors
    with Storage.open(old) as upgraded:
        assert [m.name for m in migrations.applied(upgraded.db)][-1] == LATEST


def test_a_leading_minus_excludes_a_word(storage: Storage) -> None:
    storage.articles.add(make_article(1, title="Aktau drill", text="Naval drill off Aktau."))
    storage.articles.add(make_article(2, title="Aktau port", text="Grain through Aktau."))
    assert [hit.title for hit in storage.articles.search("Aktau -drill")] == ["Aktau port"]
    with pytest.raises(SearchQueryError):
        storage.articles.search("-drill")


def test_stored_times_sort_as_text_even_for_year_one() -> None:
    from datetime import UTC, datetime

    from storage.timeutil import to_iso

    # A feed may date an item 0001-01-01; glibc's strftime would write "1-01-01".
    assert to_iso(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00Z"
    assert to_iso(datetime(2024, 7, 15, 8, 0, 0, 999_999)) == "2024-07-15T08:00:00Z"
