"""Pipeline decisions on plain values, and the stored score of an edited article."""

from pathlib import Path

from crawler.items import FetchItem
from crawler.pipelines import source_outcome
from storage import Article, Storage
from storage.decide import plausible_edit

LONG = "A long stored article text about the exercise near Aktau. " * 20


def test_a_consent_wall_or_a_summary_is_not_an_edit() -> None:
    assert not plausible_edit(LONG, "Please enable cookies.", summary_only=False)
    assert not plausible_edit(LONG, LONG, summary_only=True)
    assert not plausible_edit(LONG, None, summary_only=False)
    assert plausible_edit(LONG, LONG + " A corrected paragraph.", summary_only=False)


def fetch(primary: bool, status: str = "ok", error: str | None = None) -> FetchItem:
    return FetchItem(
        source="S",
        url="http://s.test/feed",
        started_at="2026-01-01T00:00:00Z",
        finished_at="2026-01-01T00:00:01Z",
        status=status,
        error=error,
        etag='"abc"',
        last_modified="Thu, 01 Jan 2026 00:00:00 GMT",
        primary=primary,
    )


def test_validators_are_kept_only_when_every_listed_page_was_dealt_with() -> None:
    read = source_outcome("S", [fetch(True)], completed=True, validated=True)
    assert read is not None and read.etag == '"abc"' and read.completed
    missed = source_outcome("S", [fetch(True)], completed=True, validated=False)
    assert missed is not None and missed.etag is None and missed.last_modified is None
    stopped = source_outcome("S", [fetch(True)], completed=False, validated=True)
    assert stopped is not None and stopped.etag is None and not stopped.completed


def test_every_further_document_failing_fails_the_source() -> None:
    outcome = source_outcome("S", [fetch(True), fetch(False, "error", "HTTP 500")])
    assert outcome is not None and outcome.error == "HTTP 500"


def test_an_edit_stores_the_new_score(tmp_path: Path) -> None:
    with Storage.open(tmp_path / "nw.db") as storage:
        article_id = storage.articles.add(
            Article(
                url="http://a.test/1",
                canonical_url="http://a.test/1",
                source="A",
                title="Old",
                text=LONG,
                relevance=0.9,
                relevant=True,
                matched=("x",),
            )
        )
        assert article_id is not None
        changed = storage.articles.update_content(
            article_id, "New", LONG + " More.", "hash", score=(0.2, False, ("y",))
        )
        assert changed
        article = storage.articles.get(article_id)
        assert article is not None
        assert (article.relevance, article.relevant, article.matched) == (0.2, False, ("y",))
        assert [v["title"] for v in storage.articles.versions(article_id)] == ["Old"]
