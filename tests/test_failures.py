"""Failure causes a person can act on, and local faults that do not count against a source."""

from datetime import timedelta
from pathlib import Path

from scrapy import Request
from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.failures import describe_failure, describe_storage_error
from storage import SourceOutcome, Storage

URL = "http://news.example/a"


def failure_of(error: Exception) -> Failure:
    failure = Failure(error)
    failure.request = Request(URL)  # type: ignore[attr-defined]
    return failure


def describe(error: Exception) -> str:
    return describe_failure(failure_of(error), 30, 5_000_000)


def test_opaque_causes_become_plain_ones() -> None:
    too_large = DownloadCancelledError(
        "Cancelling download of http://x: expected response size (9000000) larger than "
        "download max size (5000000)."
    )
    assert describe(too_large) == "page too large (more than 5,000,000 bytes)"
    bomb = IgnoreRequest(
        "Ignored response <200 http://x> because its body (...) exceeded "
        "DOWNLOAD_MAXSIZE (5000000 B) during decompression."
    )
    assert describe(bomb) == "page too large once decompressed (more than 5,000,000 bytes)"
    to_file = Response(URL, status=302, headers={"Location": "file:///etc/passwd"})
    assert describe(HttpError(to_file, "Ignoring non-200 response")) == (
        "redirect to a non-http address refused"
    )
    gone = Response(URL, status=404)
    assert describe(HttpError(gone, "Ignoring non-200 response")) == "HTTP 404"
    assert describe(CannotResolveHostError("x")) == (
        "host name news.example could not be resolved (DNS)"
    )
    assert describe(ValueError("Port out of range 0-65535")) == (
        "malformed address (port out of range)"
    )


def test_storage_faults_say_they_are_local() -> None:
    assert describe_storage_error("database x.db: database or disk is full") == (
        "database or disk is full (local fault; the source was not backed off)"
    )
    assert describe_storage_error("database x.db: unable to open database file").startswith(
        "cannot open the database file"
    )


def test_a_local_fault_does_not_back_the_source_off(tmp_path: Path) -> None:
    with Storage.open(tmp_path / "x.db") as storage:
        storage.sources.sync([("Herald", "feed", "http://news.example/rss")])
        error = "articles not stored: " + describe_storage_error("database or disk is full")
        storage.sources.record_fetches(
            [],
            SourceOutcome("Herald", "2026-11-24T07:00:00Z", error=error, local_fault=True),
            timedelta(hours=1),
        )
        row = storage.sources.get("Herald")
        assert row is not None
        assert row["consecutive_errors"] == 0
        assert row["last_error"] == error
        assert row["next_fetch_at"] == "2026-11-24T07:00:00Z"  # due again at once
        storage.sources.record_fetches(
            [],
            SourceOutcome("Herald", "2026-11-24T08:00:00Z", error="HTTP 500"),
            timedelta(hours=1),
        )
        row = storage.sources.get("Herald")
        assert row is not None and row["consecutive_errors"] == 1  # a real failure counts
