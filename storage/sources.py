"""The `sources` table (one row per configured source, with its health) and `fetches`."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from storage.db import write_transaction
from storage.errors import wraps_errors
from storage.models import FetchRecord, SourceOutcome, guid_alias
from storage.sqlite_import import Database
from storage.timeutil import from_iso, to_iso

# A failing source waits interval * 2**(errors-1), capped: a dead outlet is retried
# about daily instead of at every cycle.
MAX_BACKOFF = timedelta(days=1)
# A source counts as due this share of its interval early (see Sources.due).
DUE_SLACK = 0.1


def next_fetch_after(
    finished_at: datetime, interval: timedelta, consecutive_errors: int
) -> datetime:
    """When a source is due again, given how many times in a row it has failed."""
    if consecutive_errors <= 0:
        return finished_at + interval
    backoff: timedelta = interval * (2 ** min(consecutive_errors - 1, 16))
    return finished_at + min(backoff, max(MAX_BACKOFF, interval))


class Sources:
    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path

    @wraps_errors
    def sync(self, configured: Iterable[tuple[str, str, str]], keep: Iterable[str] = ()) -> None:
        """Make sure each configured (name, kind, url) has a row; keep its health history,
        and the rows of the sources named in `keep` as they are.

        A source whose URL or kind changed starts afresh: its validators and back-off no
        longer apply.
        """
        configured = list(configured)
        with write_transaction(self.db):
            # A source removed from the configuration leaves `sources` (its fetches stay as
            # history): it is neither crawled, nor listed, nor reported in error any more.
            names = [name for name, _kind, _url in configured] + list(keep)
            marks = ", ".join("?" for _ in names)
            self.db.execute(f"DELETE FROM sources WHERE name NOT IN ({marks})", names)
            for name, kind, url in configured:
                self.db.execute(
                    """
                    INSERT INTO sources (name, kind, url, consecutive_errors)
                    VALUES (?, ?, ?, 0)
                    ON CONFLICT(name) DO UPDATE SET
                        etag = CASE WHEN url = excluded.url THEN etag END,
                        last_modified = CASE WHEN url = excluded.url THEN last_modified END,
                        next_fetch_at = CASE WHEN url = excluded.url AND kind = excluded.kind
                                        THEN next_fetch_at END,
                        kind = excluded.kind,
                        url = excluded.url
                    """,
                    [name, kind, url],
                )

    @wraps_errors
    def rename(self, old: str, new: str) -> dict[str, int]:
        """Carry a source's history over to a new name: its `sources` row (health and
        validators), its articles, its fetches, the addresses it saw and its feed guids
        (recorded as guid:<source>:<guid>). Returns how many rows of each moved."""
        old_guid, new_guid = guid_alias(old, ""), guid_alias(new, "")
        with write_transaction(self.db):
            # A row under the new name can only be a fresh one that a sync with the new
            # configuration made before this ran: the old row's history wins.
            if self.db.execute("SELECT 1 FROM sources WHERE name = ?", [old]).fetchone():
                self.db.execute("DELETE FROM sources WHERE name = ?", [new])
            moved = {
                "sources": self.db.execute(
                    "UPDATE sources SET name = ? WHERE name = ?", [new, old]
                ).rowcount,
                "articles": self.db.execute(
                    "UPDATE articles SET source = ? WHERE source = ?", [new, old]
                ).rowcount,
                "fetches": self.db.execute(
                    "UPDATE fetches SET source = ? WHERE source = ?", [new, old]
                ).rowcount,
                "addresses": self.db.execute(
                    "UPDATE article_aliases SET source = ? WHERE source = ?", [new, old]
                ).rowcount,
                # OR IGNORE: a guid seen under both names already is kept once.
                "guids": self.db.execute(
                    """
                    UPDATE OR IGNORE article_aliases SET url = ? || substr(url, ?)
                    WHERE substr(url, 1, ?) = ?
                    """,
                    [new_guid, len(old_guid) + 1, len(old_guid), old_guid],
                ).rowcount,
            }
        return moved

    @wraps_errors
    def all(self) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM sources ORDER BY name"))

    @wraps_errors
    def get(self, name: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM sources WHERE name = ?", [name]))
        return rows[0] if rows else None

    @wraps_errors
    def never_fetched(self, names: Iterable[str]) -> list[str]:
        """Those of these sources never fetched: their first crawl reads all they list."""
        fetched = {
            name
            for (name,) in self.db.execute(
                "SELECT name FROM sources WHERE last_fetch_at IS NOT NULL AND last_fetch_at != ''"
            ).fetchall()
        }
        return [name for name in names if name not in fetched]

    @wraps_errors
    def due(self, intervals: dict[str, timedelta], now: datetime) -> list[str]:
        """Those sources (name: interval) whose next fetch time has come, or comes within a
        tenth of their interval. The slack matters: a source fetched a few seconds after a
        cycle started is due a few seconds after the next cycle starts, and without it would
        wait a whole extra interval (polled at half its rate)."""
        rows = {row["name"]: row for row in self.all()}
        due = []
        for name, interval in intervals.items():
            next_at = _next_fetch(rows.get(name, {}), interval)
            if next_at is None or next_at <= now + interval * DUE_SLACK:
                due.append(name)
        return due

    @wraps_errors
    def next_due(self, intervals: dict[str, timedelta]) -> dict[str, str | None]:
        """When each of these sources (name: interval) is next due (None: now), as `due`
        decides it."""
        rows = {row["name"]: row for row in self.all()}
        due_at = {name: _next_fetch(rows.get(name, {}), i) for name, i in intervals.items()}
        return {name: to_iso(at) if at else None for name, at in due_at.items()}

    @wraps_errors
    def validators(self, source: str, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) to ask this document of the source again with; none for a
        document that only points to others (robots.txt, a sitemap index)."""
        row = self.db.execute(
            "SELECT etag, last_modified FROM source_documents "
            "WHERE source = ? AND url = ? AND NOT is_index",
            [source, url],
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    @wraps_errors
    def record_fetches(
        self, fetches: Iterable[FetchRecord], outcome: SourceOutcome | None, interval: timedelta
    ) -> None:
        """Write the `fetches` rows of one crawl of a source and, with them, its health."""
        with write_transaction(self.db):
            for fetch in fetches:
                self.db.execute(
                    """
                    INSERT INTO fetches (source, url, started_at, finished_at, status, error,
                                         new_articles)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        fetch.source,
                        fetch.url,
                        fetch.started_at,
                        fetch.finished_at,
                        fetch.status,
                        fetch.error,
                        fetch.new_articles,
                    ],
                )
            if outcome is not None:
                self._record_outcome(outcome, interval)
                self._record_documents(outcome)

    def _record_documents(self, outcome: SourceOutcome) -> None:
        self.db.conn.executemany(
            """
            INSERT INTO source_documents (source, url, etag, last_modified, is_index)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (source, url) DO UPDATE SET
                etag = excluded.etag, last_modified = excluded.last_modified,
                is_index = excluded.is_index
            """,
            [
                (outcome.source, d.url, d.etag, d.last_modified, int(d.is_index))
                for d in outcome.documents
            ],
        )

    def _record_outcome(self, outcome: SourceOutcome, interval: timedelta) -> None:
        row = self.db.execute(
            "SELECT consecutive_errors FROM sources WHERE name = ?", [outcome.source]
        ).fetchone()
        if row is None:
            return  # no longer configured: the fetch rows are history enough
        self.db.execute(
            "UPDATE sources SET page_errors = ?, last_page_error = ?, dropped_links = ? "
            "WHERE name = ?",
            [outcome.page_errors, outcome.last_page_error, outcome.dropped_links, outcome.source],
        )
        finished = from_iso(outcome.finished_at)
        if outcome.local_fault:
            # Not the source's fault: no error counted, no back-off, due again at once.
            self.db.execute(
                "UPDATE sources SET last_fetch_at = ?, last_error = ?, next_fetch_at = ? "
                "WHERE name = ?",
                [outcome.finished_at, outcome.error, outcome.finished_at, outcome.source],
            )
            return
        if outcome.error is not None:
            errors = (row[0] or 0) + 1
            self.db.execute(
                """
                UPDATE sources SET last_fetch_at = ?, consecutive_errors = ?, last_error = ?,
                                   next_fetch_at = ?
                WHERE name = ?
                """,
                [
                    outcome.finished_at,
                    errors,
                    outcome.error,
                    to_iso(next_fetch_after(finished, interval, errors)),
                    outcome.source,
                ],
            )
            return
        self.db.execute(
            """
            UPDATE sources SET last_fetch_at = ?, last_ok_at = ?, consecutive_errors = 0,
                               last_error = NULL, next_fetch_at = ?,
                               etag = coalesce(?, etag),
                               last_modified = coalesce(?, last_modified)
            WHERE name = ?
            """,
            [
                outcome.finished_at,
                outcome.finished_at,
                to_iso(next_fetch_after(finished, interval, 0) if outcome.completed else finished),
                outcome.etag,
                outcome.last_modified,
                outcome.source,
            ],
        )

    @wraps_errors
    def prune_fetches(self, older_than: datetime) -> int:
        with write_transaction(self.db):
            cursor = self.db.execute(
                "DELETE FROM fetches WHERE finished_at < ?", [to_iso(older_than)]
            )
        return cursor.rowcount


def _next_fetch(row: dict[str, Any], interval: timedelta) -> datetime | None:
    """When a source is next due: as recorded at its last fetch, or sooner when its
    interval has been shortened since (the recorded time used the old interval). A failing
    source keeps its recorded back-off."""
    recorded = row.get("next_fetch_at")
    if recorded is None:
        return None
    next_at = from_iso(recorded)
    last = row.get("last_fetch_at")
    if last and not row.get("consecutive_errors"):
        next_at = min(next_at, from_iso(last) + interval)
    return next_at
