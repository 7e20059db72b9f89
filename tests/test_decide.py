"""The one place that decides what becomes of an incoming article (storage.decide), on plain
values; and that storage scores relevance only for the texts it stores."""

from dataclasses import replace
from pathlib import Path

import pytest

from storage import Article, Incoming, Storage
from storage.decide import (
    Fetch,
    Intent,
    StoredLead,
    StoredText,
    StoreFacts,
    fetch_decision,
    pending_page_problem,
    store_decision,
)
from storage.models import Worked
from storage.neardup import Match
from storage.searchkeys import search_keys

GUID = "guid:Wire:7"
STORED = StoredLead(article_id=1, announced_at="2026-11-20T08:00:00Z", guids=frozenset({GUID}))


@pytest.mark.parametrize(
    ("stored", "announced", "guid", "expected"),
    [
        (None, None, None, Fetch.NEW),
        (STORED, None, None, Fetch.SKIP),  # says nothing of a change
        (STORED, "2026-11-20T08:00:00Z", GUID, Fetch.SKIP),  # the same announcement
        (STORED, "2026-11-20T09:00:00+01:00", GUID, Fetch.SKIP),  # the same moment
        (STORED, "2026-11-19T08:00:00Z", GUID, Fetch.SKIP),  # an earlier one
        (STORED, "2026-11-21T08:00:00Z", GUID, Fetch.AGAIN),  # later, even if long ago
        (STORED, "2026-11-20T08:00:00Z", "guid:Wire:8", Fetch.AGAIN),  # re-issued
        (STORED, "not a date", GUID, Fetch.SKIP),
        # First seen by a source without guids: another source's guid is no re-issue.
        (StoredLead(1, "2026-11-20T08:00:00Z"), "2026-11-20T08:00:00Z", GUID, Fetch.SKIP),
        # Stored before announcements were kept: nothing to compare a date with.
        (StoredLead(1, None), "2026-11-21T08:00:00Z", None, Fetch.SKIP),
        # Stored from the source's summary, its page to be read when it answers.
        (StoredLead(1, "2026-11-20T08:00:00Z", page_pending=True), None, None, Fetch.AGAIN),
    ],
)
def test_fetch_decision(
    stored: StoredLead | None, announced: str | None, guid: str | None, expected: Fetch
) -> None:
    assert fetch_decision(stored, announced, guid) is expected


LONG = "The border service reported the patrol's route and findings in full. " * 10
STORED_TEXT = StoredText(article_id=5, title="Patrol", text=LONG, content_hash="h1")
MATCH = Match(original_id=9, copy_of=10, similarity=0.8, original_rank=(1, "2026", "2026", 9))


@pytest.mark.parametrize(
    ("facts", "title", "text", "digest", "summary_only", "intent", "article_id"),
    [
        (StoreFacts(), "T", LONG, "h", False, Intent.NEW, None),
        (StoreFacts(known_id=5), "T", LONG, "h", False, Intent.KNOWN, 5),
        (StoreFacts(same_text_id=6), "T", LONG, "h", False, Intent.SAME_TEXT, 6),
        (StoreFacts(copy_of=MATCH), "T", LONG, "h", False, Intent.COPY, None),
        (
            StoreFacts(copy_of=MATCH, published_before_original=True),
            "T",
            LONG,
            "h",
            False,
            Intent.EARLIER_ORIGINAL,
            None,
        ),
        (StoreFacts(5, True, STORED_TEXT), "Patrol", LONG + "More.", "h2", False, Intent.EDITED, 5),
        (StoreFacts(5, True, STORED_TEXT), "Patrol (2)", LONG, "h1", False, Intent.EDITED, 5),
        (StoreFacts(5, True, STORED_TEXT), "Patrol", LONG, "h1", False, Intent.UNCHANGED, 5),
        (
            StoreFacts(5, True, STORED_TEXT),
            "Patrol",
            "Accept cookies",
            "h3",
            False,
            Intent.NOT_AN_EDIT,
            5,
        ),
        (StoreFacts(5, True, STORED_TEXT), "Patrol", LONG + ".", "h4", True, Intent.NOT_AN_EDIT, 5),
    ],
)
def test_store_decision(
    facts: StoreFacts,
    title: str,
    text: str,
    digest: str,
    summary_only: bool,
    intent: Intent,
    article_id: int | None,
) -> None:
    decision = store_decision(facts, title, text, digest, summary_only)
    assert (decision.intent, decision.article_id) == (intent, article_id)
    assert decision.intent.stores_text == (
        intent in (Intent.NEW, Intent.COPY, Intent.EARLIER_ORIGINAL, Intent.EDITED)
    )
    if intent is Intent.COPY:
        assert decision.duplicate_of == MATCH.original_id


def incoming(number: int, text: str = LONG, reread: bool = False) -> Incoming:
    url = f"http://wire.test/{number}"
    article = Article(
        url=url, canonical_url=url, source="Wire", title=f"Patrol {number}", text=text
    )
    return Incoming(article, reread=reread)


def test_storage_scores_only_the_texts_it_stores(tmp_path: Path) -> None:
    scored: list[str | None] = []

    def score(article: Article) -> tuple[float, bool, tuple[str, ...]]:
        scored.append(article.title)
        return 0.7, True, ("place:Aktau",)

    with Storage.open(tmp_path / "decide.db") as storage:
        first = storage.articles.store_incoming([incoming(1)], score)
        again = storage.articles.store_incoming([incoming(1), incoming(2, text=LONG + "x")], score)
        edited = storage.articles.store_incoming([incoming(1, LONG + " Corrected.", True)], score)
        same = storage.articles.store_incoming([incoming(1, LONG + " Corrected.", True)], score)
        stored = storage.articles.get(first[0].article_id)
    assert [s.outcome for s in first + again + edited + same] == [
        Intent.NEW,
        Intent.KNOWN,
        Intent.NEW,
        Intent.EDITED,
        Intent.UNCHANGED,
    ]
    # Not for the article already stored, nor for the unchanged re-read.
    assert scored == ["Patrol 1", "Patrol 2", "Patrol 1"]
    assert stored is not None and stored.relevant and stored.matched == ("place:Aktau",)


def test_a_summary_waiting_for_its_page_is_read_again_until_the_page_reads(
    tmp_path: Path,
) -> None:
    summary = Article(
        url="https://wire.example/patrol-1",
        canonical_url="https://wire.example/patrol-1",
        source="Wire",
        title="Patrol 1",
        text="The patrol left at dawn.",
        page_problem=pending_page_problem("HTTP 503"),
    )
    url = summary.url
    with Storage.open(tmp_path / "pending.db") as storage:
        articles = storage.articles
        (first,) = articles.store_incoming([Incoming(summary, summary_only=True)])
        assert articles.stored_leads([url], "Wire")[url].page_pending
        # The page failed for good when read again: the wait ends, the reason stays.
        gone = replace(summary, page_problem="HTTP 404")
        articles.store_incoming([Incoming(gone, reread=True, summary_only=True)])
        assert not articles.stored_leads([url], "Wire")[url].page_pending
        stored = articles.get(first.article_id)
        assert stored is not None and stored.page_problem == "HTTP 404"


def test_storing_takes_what_a_worker_computed_only_for_that_very_text(tmp_path: Path) -> None:
    def worked_for(article: Article, keys: str) -> Worked:
        score = (0.9, True, ("place:Caspian",))
        return Worked(article.title, article.text, None, None, None, score, keys)

    fits = incoming(1)
    other = incoming(2, text="A different report. " * 30)
    arriving = [
        replace(fits, worked=worked_for(fits.article, "computed-ahead")),
        # Computed for a text the pipelines have since trimmed: not taken.
        replace(other, worked=worked_for(replace(other.article, text="A different"), "stale")),
    ]
    with Storage.open(tmp_path / "worked.db") as storage:
        stored = storage.articles.store_incoming(arriving, lambda _article: (0.1, False, ()))
        rows = {
            row["id"]: (row["search_keys"], row["relevance"])
            for row in storage.db.query("SELECT id, search_keys, relevance FROM articles")
        }
    assert [s.outcome for s in stored] == [Intent.NEW, Intent.NEW]
    assert rows[stored[0].article_id] == ("computed-ahead", 0.9)
    keys, relevance = rows[stored[1].article_id]
    assert relevance == 0.1
    assert keys == search_keys(other.article.title, other.article.text)
