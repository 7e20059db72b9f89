"""Duplicates without a crawl: the pure near-duplicate core, and storage applying it to a real
database file (exact duplicates, copies across outlets, the seed, versions, the index)."""

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import Article, Storage, guid_alias
from storage.migrations import migrations
from storage.neardup import (
    BANDS,
    COPY_SIMILARITY,
    Candidate,
    band_keys,
    choose_original,
    fingerprint,
    outlet_of,
    rank,
    ranks_before,
    same_short_article,
    similarity,
)
from tests.outlets.articles import FixtureArticle, valley_articles
from tests.outlets.syndication import (
    PATROL_BOATS,
    PATROL_BOATS_AGGREGATED,
    PATROL_BOATS_RIVAL,
    glue_words,
    patrol_boats_edited,
    seed_copy_text,
)


def text_of(article: FixtureArticle) -> str:
    return "\n".join(article.paragraphs)


def similarity_of(a: str, b: str) -> float:
    fa, fb = fingerprint(a), fingerprint(b)
    assert fa is not None and fb is not None
    return similarity(fa.signature, fb.signature)


_FIXTURE_TEXT = "the fixture's own text"


def article(
    fixture: FixtureArticle, url: str, source: str, text: str | None = _FIXTURE_TEXT, **more
) -> Article:
    return Article(
        url=url,
        canonical_url=url,
        source=source,
        title=fixture.title,
        author=fixture.author,
        published_at=fixture.date,
        text=text_of(fixture) if text is _FIXTURE_TEXT else text,
        **more,
    )


ORIGINAL_URL = "https://shirvanpost.az/news/coast-guard-patrol-boats"
COPY_URL = "https://lankaranwire.az/lw-20261124-patrol"
RIVAL_URL = "https://ganjacourier.az/2026/12/01/patrol-boats"


def original() -> Article:
    return article(PATROL_BOATS, ORIGINAL_URL, "Shirvan Post")


def aggregated() -> Article:
    return article(PATROL_BOATS_AGGREGATED, COPY_URL, "Lankaran Wire")


def rival() -> Article:
    return article(PATROL_BOATS_RIVAL, RIVAL_URL, "Ganja Courier")


def row(storage: Storage, article_id: int) -> dict:
    return next(storage.db.query("SELECT * FROM articles WHERE id = ?", [article_id]))


# -- the pure core -----------------------------------------------------------------------


def test_glued_words_do_not_change_the_fingerprint() -> None:
    text = text_of(PATROL_BOATS)
    assert glue_words(text) != text
    assert fingerprint(glue_words(text)) == fingerprint(text)


def test_a_republished_copy_is_similar_and_a_rival_story_is_not() -> None:
    text = text_of(PATROL_BOATS)
    assert similarity_of(text, text_of(PATROL_BOATS_AGGREGATED)) >= COPY_SIMILARITY + 0.15
    assert similarity_of(text, text_of(patrol_boats_edited())) >= COPY_SIMILARITY + 0.15
    assert similarity_of(text, text_of(PATROL_BOATS_RIVAL)) <= 0.15


def test_short_texts_get_no_fingerprint() -> None:
    assert fingerprint(None) is None
    assert fingerprint("Grain exports rose. " * 5) is None
    assert fingerprint("Grain exports rose. " * 20) is not None


def test_band_keys_are_stable_signed_64_bit_integers() -> None:
    found = fingerprint(text_of(PATROL_BOATS))
    assert found is not None
    keys = band_keys(found.signature)
    assert keys == found.bands() and len(set(keys)) == BANDS
    assert all(-(2**63) <= key < 2**63 for key in keys)


def candidate(article_id: int, sim: float, site: str, original: int | None = None, **rk):
    original = original or article_id
    return Candidate(
        article_id=article_id,
        similarity=sim,
        site=site,
        is_seed=rk.get("is_seed", False),
        original_id=original,
        original_rank=rank(
            rk.get("original_is_seed", False), rk.get("published", "2026-12-01"), None, original
        ),
        source=rk.get("source"),
    )


def test_choose_original_picks_the_earliest_group_of_similar_candidates() -> None:
    found = choose_original(
        "lankaranwire.az",
        [
            candidate(7, 0.9, "shirvanpost.az", published="2026-12-02"),
            candidate(3, 0.6, "ganjacourier.az", published="2026-12-01"),
            candidate(9, 0.2, "caspian.az", published="2026-11-01"),  # not similar enough
        ],
    )
    assert found is not None
    assert (found.original_id, found.copy_of, found.similarity) == (3, 3, 0.6)


def test_choose_original_joins_the_group_not_the_copy() -> None:
    found = choose_original("c.az", [candidate(5, 0.8, "b.az", original=2)])
    assert found is not None and (found.original_id, found.copy_of) == (2, 5)


def test_the_same_outlet_is_never_its_own_copy_but_the_seed_always_counts() -> None:
    assert choose_original("shirvanpost.az", [candidate(7, 0.95, "shirvanpost.az")]) is None
    seed = candidate(1, 0.9, "menafn.com", is_seed=True, original_is_seed=True)
    found = choose_original("menafn.com", [seed])
    assert found is not None and found.original_id == 1


def test_two_sources_on_one_host_are_two_outlets() -> None:
    # A syndication hub serving two outlets' feeds: another source is another outlet.
    wire = candidate(7, 0.8, "hub.example", source="Caspian Wire")
    found = choose_original("hub.example", [wire], source="Steppe Daily")
    assert found is not None and found.original_id == 7
    # The same source on the same site is its own template or page, never a copy.
    assert choose_original("hub.example", [wire], source="Caspian Wire") is None
    # One source listing two hosts still has two outlets.
    other = candidate(8, 0.8, "other.example", source="Caspian Wire")
    assert choose_original("hub.example", [other], source="Caspian Wire") is not None


def test_on_one_page_date_the_earlier_announced_article_ranks_first() -> None:
    wire = rank(False, "2026-12-04T09:00:00Z", None, 9, announced_at="2026-12-04T09:00:00Z")
    reprint = rank(False, "2026-12-04T09:00:00Z", None, 2, announced_at="2026-12-05T06:00:00Z")
    assert wire < reprint
    stored_reprint = reprint
    assert ranks_before(
        "2026-12-04T09:00:00Z", None, stored_reprint, announced_at="2026-12-04T09:00:00Z"
    )
    # The page date still comes first; without an announced time a tie stays with the
    # stored article.
    assert not ranks_before(
        "2026-12-04T10:00:00Z", None, stored_reprint, announced_at="2026-12-01T00:00:00Z"
    )
    assert not ranks_before(
        "2026-12-04T09:00:00Z", None, rank(False, "2026-12-04T09:00:00Z", None, 2)
    )


def test_a_short_text_is_the_same_article_only_with_enough_words_and_its_headline() -> None:
    text = "Armenia and Georgia held border talks in Tbilisi on Tuesday."
    title = "Border talks in Tbilisi"
    assert same_short_article(title, text, "Border talks in  TBILISI!")
    assert not same_short_article(title, text, "Another headline")
    assert not same_short_article(None, text, None)  # no headline says nothing
    assert not same_short_article("Photo of the day", "Photo: press service.", "Photo of the day")


def test_the_seed_ranks_first_then_the_earliest_published() -> None:
    assert rank(True, "2030-01-01T00:00:00Z", None, 9) < rank(False, "2000-01-01", None, 1)
    assert rank(False, "2026-12-01T09:00:00Z", None, 9) < rank(
        False, "2026-12-01T15:20:00Z", None, 1
    )
    assert rank(False, None, "2026-12-01", 1) < rank(False, None, "2026-12-02", 1)


def test_outlet_of_ignores_mobile_amp_and_www_hosts() -> None:
    assert outlet_of("https://m.example.az/a") == outlet_of("https://www.example.az/b")
    assert outlet_of("https://amp.example.az/a") == "example.az"
    assert outlet_of("https://en.example.az/a") == "en.example.az"


# -- storage -----------------------------------------------------------------------------


def test_a_copy_on_another_outlet_is_stored_and_points_at_the_original(storage: Storage) -> None:
    (first, copy, other) = storage.articles.store_many([original(), aggregated(), rival()])
    assert first.outcome == "new" and other.outcome == "new"
    assert copy.outcome == "copy" and copy.duplicate_of == first.article_id
    assert copy.similarity is not None and copy.similarity >= COPY_SIMILARITY
    assert row(storage, copy.article_id)["duplicate_of"] == first.article_id
    assert row(storage, other.article_id)["duplicate_of"] is None
    assert storage.articles.stats()["duplicates"] == 1


def test_copies_crawled_one_at_a_time_find_each_other_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.db"
    with Storage.open(path) as storage:
        first = storage.articles.add(original())
    with Storage.open(path) as storage:  # a new process: the index is in the file
        (copy,) = storage.articles.store_many([aggregated()])
    assert copy.outcome == "copy" and copy.duplicate_of == first


def test_every_copy_points_at_the_original_not_at_another_copy(storage: Storage) -> None:
    first = storage.articles.add(original())
    storage.articles.add(aggregated())
    third = article(
        PATROL_BOATS_AGGREGATED,
        "https://caspiantoday.az/patrol",
        "Caspian Today",
        text=text_of(PATROL_BOATS_AGGREGATED).replace("Lankaran Wire", "Caspian Today"),
    )
    (stored,) = storage.articles.store_many([third])
    assert stored.outcome == "copy" and stored.duplicate_of == first


def test_an_original_stored_after_its_copy_becomes_the_groups_original(storage: Storage) -> None:
    copy_id = storage.articles.add(aggregated())  # published 15:20
    other = article(
        PATROL_BOATS_AGGREGATED,
        "https://caspiantoday.az/patrol",
        "Caspian Today",
        text=text_of(PATROL_BOATS_AGGREGATED).replace("Lankaran Wire", "Caspian Today"),
    )
    other_id = storage.articles.add(other)
    assert row(storage, other_id)["duplicate_of"] == copy_id
    (first,) = storage.articles.store_many([original()])  # published 09:00, crawled last
    assert first.outcome == "earlier-original" and first.is_new_row
    assert row(storage, first.article_id)["duplicate_of"] is None
    assert row(storage, copy_id)["duplicate_of"] == first.article_id
    assert row(storage, other_id)["duplicate_of"] == first.article_id


def test_the_same_outlets_look_alike_articles_are_not_copies(storage: Storage) -> None:
    # The Valley Times writes every story from one template: similar, but not copies.
    stored = storage.articles.store_many(
        article(a, f"https://valley.example/{a.slug}", "Valley Times", text=text_of(a) * 2)
        for a in valley_articles()
    )
    assert [s.outcome for s in stored] == ["new"] * len(stored)


def test_a_copy_of_the_seed_points_at_the_seed(storage: Storage) -> None:
    seed_id, _ = storage.ensure_seed()
    indexed = storage.db.execute(
        "SELECT count(*) FROM article_fingerprints WHERE article_id = ?", [seed_id]
    ).fetchone()[0]
    assert indexed == 1
    copy = Article(
        url="https://regionaldigest.example/2024/04/09/azerbaijan-central-asia",
        canonical_url="https://regionaldigest.example/2024/04/09/azerbaijan-central-asia",
        source="Regional Digest",
        title="Azerbaijan prioritises relations with Central Asia",
        published_at="2024-04-07T22:00:00Z",  # even when dated before it: the seed stays
        text=seed_copy_text(),
    )
    (stored,) = storage.articles.store_many([copy])
    assert stored.outcome == "copy" and stored.duplicate_of == seed_id
    assert row(storage, seed_id)["duplicate_of"] is None


def test_the_seeds_original_address_is_known_as_the_seed(storage: Storage) -> None:
    seed_id, _ = storage.ensure_seed()
    azernews = "https://www.azernews.az/nation/224378.html"
    assert storage.articles.id_for_url(azernews) == seed_id
    (stored,) = storage.articles.store_many(
        [Article(url=azernews, canonical_url=azernews, source="AzerNews", text=seed_copy_text())]
    )
    assert (stored.outcome, stored.article_id) == ("known", seed_id)


def test_the_same_text_at_another_address_is_an_alias_with_its_source(storage: Storage) -> None:
    first = storage.articles.add(original())
    mirror = article(
        PATROL_BOATS,
        "https://mirror.example/patrol",
        "Mirror",
        text=glue_words(text_of(PATROL_BOATS)),
    )
    (stored,) = storage.articles.store_many([mirror])
    assert (stored.outcome, stored.article_id) == ("same-text", first)
    assert storage.articles.count() == 1
    (alias,) = storage.db.query("SELECT * FROM article_aliases WHERE url = ?", [mirror.url])
    assert alias["article_id"] == first and alias["source"] == "Mirror"


def test_the_same_text_published_earlier_elsewhere_is_the_original(storage: Storage) -> None:
    # Crawled second but published first: the other outlet's article is the original, a row
    # of its own, and the one stored first becomes its copy (crawl order does not decide).
    later = replace(
        article(PATROL_BOATS, COPY_URL, "Lankaran Wire"), published_at="2026-11-24T11:00:00Z"
    )
    first_stored = storage.articles.add(later)
    assert first_stored is not None
    (stored,) = storage.articles.store_many([original()])  # published 09:00
    assert stored.outcome == "earlier-original" and stored.is_new_row
    assert row(storage, first_stored)["duplicate_of"] == stored.article_id
    assert row(storage, stored.article_id)["duplicate_of"] is None
    # A third outlet's verbatim copy, published after both, is an address in that group.
    third = replace(
        article(PATROL_BOATS, RIVAL_URL, "Ganja Courier"), published_at="2026-11-25T08:00:00Z"
    )
    (copied,) = storage.articles.store_many([third])
    assert copied.outcome == "same-text" and storage.articles.count() == 2


def test_the_same_text_at_an_earlier_address_of_one_outlet_stays_an_address(
    storage: Storage,
) -> None:
    later = replace(original(), published_at="2026-11-24T11:00:00Z")
    first = storage.articles.add(later)
    amp = article(PATROL_BOATS, "https://shirvanpost.az/amp/patrol", "Shirvan Post")  # 09:00
    (stored,) = storage.articles.store_many([amp])
    assert (stored.outcome, stored.article_id) == ("same-text", first)


SHORT_TEXT = (
    "Zarafshon daryosi ustida yangi ko'prik qurilishi boshlandi. Ko'prik 2027 yilning "
    "kuzida foydalanishga topshiriladi."
)


def short(url: str, source: str, title: str | None, text: str) -> Article:
    return Article(url=url, canonical_url=url, source=source, title=title, text=text)


def test_a_short_text_on_another_outlet_under_its_headline_is_an_alias(storage: Storage) -> None:
    title = "Samarqandda yangi ko'prik qurilmoqda"
    first = storage.articles.add(short("https://vodiy.example/1", "Vodiy", title, SHORT_TEXT))
    assert fingerprint(SHORT_TEXT) is None  # too short for near-duplicates
    (stored,) = storage.articles.store_many(
        [short("https://tezkor.example/a", "Tezkor", title, glue_words(SHORT_TEXT, every=20))]
    )
    assert (stored.outcome, stored.article_id) == ("same-text", first)
    assert storage.articles.count() == 1
    (alias,) = storage.db.query("SELECT * FROM article_aliases WHERE url LIKE '%tezkor%'")
    assert alias["article_id"] == first and alias["source"] == "Tezkor"


@pytest.mark.parametrize(
    ("title", "other_title", "text"),
    [
        # A teaser shared by unrelated items: enough words, other headlines.
        (
            "Shipyard launches a survey vessel",
            "Parliament debates the border treaty",
            "Continue reading the full story on our website, with photos and video.",
        ),
        # A caption under the same stock headline: too few words to tell.
        ("Photo of the day", "Photo of the day", "Photo: press service."),
        # No headlines at all.
        (None, None, SHORT_TEXT),
    ],
)
def test_short_texts_equal_by_chance_stay_two_articles(
    storage: Storage, title: str | None, other_title: str | None, text: str
) -> None:
    stored = storage.articles.store_many(
        [
            short("https://a.example/1", "A", title, text),
            short("https://b.example/2", "B", other_title, text),
        ]
    )
    assert [s.outcome for s in stored] == ["new", "new"]
    assert storage.articles.count() == 2
    assert not list(storage.db.query("SELECT * FROM article_aliases"))


def test_a_reprint_by_another_source_on_the_same_host_is_a_copy(storage: Storage) -> None:
    wire = article(PATROL_BOATS, "https://hub.example/wire/patrol", "Caspian Wire")
    reprint = article(PATROL_BOATS_AGGREGATED, "https://hub.example/steppe/patrol", "Steppe Daily")
    first, copy = storage.articles.store_many([wire, reprint])
    assert copy.outcome == "copy" and copy.duplicate_of == first.article_id


def test_the_wire_stored_after_its_reprint_on_one_page_date_becomes_the_original(
    storage: Storage,
) -> None:
    # The reprint keeps the wire's page date; its feed listed it a day later.
    reprint = replace(
        aggregated(), published_at=PATROL_BOATS.date, announced_at="2026-11-25T06:00:00Z"
    )
    reprint_id = storage.articles.add(reprint)
    (wire,) = storage.articles.store_many([replace(original(), announced_at=PATROL_BOATS.date)])
    assert wire.outcome == "earlier-original"
    assert row(storage, reprint_id)["duplicate_of"] == wire.article_id


def test_the_same_guid_within_a_source_is_the_same_article(storage: Storage) -> None:
    guid = guid_alias("Shirvan Post", "urn:shirvanpost:1207")
    first = storage.articles.add(
        article(PATROL_BOATS, ORIGINAL_URL, "Shirvan Post", aliases=(guid,))
    )
    moved = article(
        PATROL_BOATS, "https://shirvanpost.az/2026/12/patrol", "Shirvan Post", aliases=(guid,)
    )
    (stored,) = storage.articles.store_many([moved])
    assert (stored.outcome, stored.article_id) == ("known", first)
    assert storage.articles.id_for_url("https://shirvanpost.az/2026/12/patrol") == first
    # Another source's entry 1207 is another article.
    assert guid_alias("Ganja Courier", "urn:shirvanpost:1207") != guid


def test_an_edited_article_keeps_one_row_and_its_earlier_text(storage: Storage) -> None:
    first = storage.articles.add(original())
    assert first is not None
    edited = text_of(patrol_boats_edited())
    assert storage.articles.update_content(first, PATROL_BOATS.title, edited, "new-hash")
    assert storage.articles.count() == 1
    (version,) = storage.articles.versions(first)
    assert version["text"] == text_of(PATROL_BOATS)
    # The index now holds the edited text: a copy of the edit still finds it.
    (copy,) = storage.articles.store_many(
        [article(PATROL_BOATS, COPY_URL, "Lankaran Wire", text="Via Shirvan Post.\n" + edited)]
    )
    assert copy.duplicate_of == first
    rows = storage.db.execute("SELECT count(*) FROM article_bands WHERE article_id = ?", [first])
    assert rows.fetchone()[0] == BANDS


def test_group_of_lists_the_original_its_copies_and_addresses(storage: Storage) -> None:
    first = storage.articles.add(original())
    copy = storage.articles.add(aggregated())
    storage.articles.add_alias(ORIGINAL_URL + "/amp", first, "Shirvan Post")
    storage.articles.add_alias(guid_alias("Shirvan Post", "x"), first, "Shirvan Post")
    entries = storage.copies.group_of(copy)
    assert [(e.article_id, e.role) for e in entries] == [
        (first, "original"),
        (copy, "copy"),
        (first, "address"),
    ]
    assert entries[0].outlet == "Shirvan Post" and entries[1].outlet == "Lankaran Wire"
    assert entries[1].similarity is not None and entries[1].similarity >= COPY_SIMILARITY
    assert storage.copies.group_of(first) == entries
    assert storage.copies.group_of(12345) == []


def test_an_older_database_gets_its_articles_indexed_by_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    db = Database(sqlite3.connect(path))
    migrations.apply(db, stop_before="m005_near_duplicates")
    db["articles"].insert(
        {
            "url": ORIGINAL_URL,
            "canonical_url": ORIGINAL_URL,
            "source": "Shirvan Post",
            "text": text_of(PATROL_BOATS),
            "published_at": PATROL_BOATS.date,
            "first_seen_at": "2026-12-01T10:00:00Z",
        }
    )
    db.conn.commit()
    db.close()
    with Storage.open(path) as storage:
        (copy,) = storage.articles.store_many([aggregated()])
        assert copy.outcome == "copy" and copy.duplicate_of == 1


@pytest.mark.parametrize("text", [None, "Too short to tell."])
def test_articles_without_enough_text_are_stored_unindexed(storage: Storage, text) -> None:
    (stored,) = storage.articles.store_many([article(PATROL_BOATS, RIVAL_URL, "G", text=text)])
    assert stored.outcome == "new"
    assert storage.db.execute("SELECT count(*) FROM article_bands").fetchone()[0] == 0


def test_an_unstored_article_ranks_before_an_original_only_when_published_earlier() -> None:
    original = rank(False, "2026-11-24T09:00:00Z", None, 3)
    assert ranks_before("2026-11-24T08:00:00Z", "2026-11-27T00:00:00Z", original)
    assert not ranks_before("2026-11-24T09:00:00Z", "2026-11-27T00:00:00Z", original)  # a tie
    assert not ranks_before(None, "2026-11-27T00:00:00Z", original)  # undated: first seen
    assert not ranks_before("2000-01-01", None, rank(True, "2024-04-08", None, 1))  # the seed


def test_signatures_are_datasketchs_affine32_minhash_byte_for_byte() -> None:
    # Databases from earlier releases hold datasketch's signatures: ours must be the same.
    from datasketch import LeanMinHash, MinHash

    from storage.minhash import shingle_hashes
    from storage.neardup import MINHASH_SCHEME, MINHASH_SEED, NUM_PERM

    texts = [text_of(PATROL_BOATS), text_of(PATROL_BOATS_AGGREGATED), seed_copy_text()]
    texts += [" ".join(f"word{n * k}" for n in range(300)) for k in range(1, 6)]
    signatures = []
    for text in texts:
        theirs = MinHash(
            num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME, hashfunc=lambda v: v
        )
        theirs.update_batch(shingle_hashes(text).tolist())
        ours = fingerprint(text)
        assert ours is not None
        assert ours.signature == theirs.hashvalues.astype("<u4").tobytes()
        signatures.append((ours.signature, theirs))
    (a, left), (b, right) = signatures[0], signatures[1]
    assert similarity(a, b) == LeanMinHash(left).jaccard(LeanMinHash(right))
