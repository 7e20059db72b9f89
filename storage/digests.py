"""The `digests` table (every digest produced, and its mail) and the reads a digest needs.

A digest covers a half-open period [since, until) of `articles.first_seen_at`; timestamps are
stored ISO strings, so comparing them as text compares the moments.
"""

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from storage.copies import VERBATIM_COPIES
from storage.db import in_chunks, write_transaction
from storage.errors import wraps_errors
from storage.sqlite_import import Database
from storage.timeutil import utc_now

# The article columns a digest shows; the text is cut short because only a snippet is shown.
_ARTICLE_COLUMNS = """
    a.id, a.url, a.canonical_url, a.source, a.title, a.author, a.published_at,
    a.first_seen_at, a.updated_at, a.lang, a.relevance, a.relevant, a.matched, a.is_seed,
    a.duplicate_of, a.story_id, a.page_problem, substr(a.text, 1, 1500) AS text
"""

# A verbatim copy (storage.copies.VERBATIM_COPIES) as a copy row of the article's group:
# what that outlet carried, when newswatch first saw it there. Its `id` is the stored
# article's.
_ALIAS_COPY_ROWS = f"""
    SELECT o.id, x.url, x.url AS canonical_url, x.source, o.title, o.author, o.published_at,
           x.added_at AS first_seen_at, o.updated_at, o.lang, o.relevance, o.relevant,
           o.matched, o.is_seed, coalesce(o.duplicate_of, o.id) AS duplicate_of, o.story_id,
           o.page_problem, substr(o.text, 1, 1500) AS text
    {VERBATIM_COPIES}
"""


class Digests:
    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path

    # -- the record of digests -------------------------------------------------------------

    @wraps_errors
    def record(
        self,
        since: str,
        until: str,
        article_count: int,
        formats: list[str],
        path: str | None,
        *,
        created_at: str | None = None,
        mail_message: bytes | None = None,
        chained: bool = True,
    ) -> int:
        """Record a digest; a `mail_message` is kept as pending until `mail_sent`. A digest
        that is not `chained` (a report for a chosen period) does not move covered_until."""
        with write_transaction(self.db):
            return self._insert(
                since, until, article_count, formats, path, created_at, mail_message, chained
            )

    @wraps_errors
    def record_following(self, previous_until: str | None, **digest: Any) -> int | None:
        """Record a digest (the arguments of `record`) only if the latest recorded one still
        ends at `previous_until`.

        Two runs that both started from the same last digest (two daemons, a daemon and a
        cron job) cannot both record a digest for the period after it: the check and the
        insert share one write transaction. Returns None when another run got there first.
        """
        with write_transaction(self.db):
            if self._covered_until() != previous_until:
                return None
            return self.record(**digest)

    def _insert(
        self,
        since: str,
        until: str,
        article_count: int,
        formats: list[str],
        path: str | None,
        created_at: str | None,
        mail_message: bytes | None,
        chained: bool,
    ) -> int:
        cursor = self.db.execute(
            """
            INSERT INTO digests (created_at, since, until, article_count, formats, path,
                                 mail_status, mail_message, chained)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                created_at or utc_now(),
                since,
                until,
                article_count,
                json.dumps(formats),
                path,
                "pending" if mail_message is not None else None,
                mail_message,
                int(chained),
            ],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _covered_until(self) -> str | None:
        row = self.db.execute("SELECT max(until) FROM digests WHERE chained = 1").fetchone()
        until: str | None = row[0]
        return until

    @wraps_errors
    def covered_until(self) -> str | None:
        """The end of the latest recorded digest: the next digest starts there."""
        return self._covered_until()

    @wraps_errors
    def last(self) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM digests ORDER BY until DESC, id DESC LIMIT 1"))
        return rows[0] if rows else None

    @wraps_errors
    def get(self, digest_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM digests WHERE id = ?", [digest_id]))
        return rows[0] if rows else None

    @wraps_errors
    def pending_mails(self) -> list[dict[str, Any]]:
        """Digests whose mail has not been accepted by the server yet, oldest first."""
        return list(
            self.db.query(
                """
                SELECT id, since, until, mail_attempts, mail_error, mail_message
                FROM digests WHERE mail_status = 'pending' ORDER BY id
                """
            )
        )

    @wraps_errors
    def mail_sent(self, digest_id: int, at: str | None = None) -> None:
        # The composed message is dropped once delivered: it was only kept for retries.
        with write_transaction(self.db):
            self.db.execute(
                """
                UPDATE digests SET mail_status = 'sent', mailed_at = ?, mail_error = NULL,
                                   mail_message = NULL, mail_attempts = mail_attempts + 1
                WHERE id = ?
                """,
                [at or utc_now(), digest_id],
            )

    @wraps_errors
    def mail_failed(self, digest_id: int, error: str) -> None:
        with write_transaction(self.db):
            self.db.execute(
                """
                UPDATE digests SET mail_error = ?, mail_attempts = mail_attempts + 1
                WHERE id = ?
                """,
                [error, digest_id],
            )

    # -- what a digest shows ---------------------------------------------------------------

    @wraps_errors
    def new_articles(
        self, since: str, until: str, include_irrelevant: bool = False
    ) -> list[dict[str, Any]]:
        """Original articles (not copies, not the seed) first seen in [since, until)."""
        relevant = "" if include_irrelevant else "AND a.relevant = 1"
        return list(
            self.db.query(
                f"""
                SELECT {_ARTICLE_COLUMNS} FROM articles a
                WHERE a.first_seen_at >= ? AND a.first_seen_at < ?
                  AND a.duplicate_of IS NULL AND a.is_seed = 0 {relevant}
                ORDER BY a.id
                """,
                [since, until],
            )
        )

    @wraps_errors
    def copies_of(self, original_ids: Iterable[int], until: str) -> list[dict[str, Any]]:
        """The syndicated copies of these articles first seen before `until`: near copies,
        stored as rows of their own, and verbatim ones, stored as another outlet's address
        of the article or of one of its copies."""
        rows: list[dict[str, Any]] = []
        for chunk, marks in in_chunks(original_ids):
            rows.extend(
                self.db.query(
                    f"""
                    SELECT * FROM (
                        SELECT {_ARTICLE_COLUMNS} FROM articles a
                        WHERE a.duplicate_of IN ({marks}) AND a.first_seen_at < ?
                        UNION ALL
                        {_ALIAS_COPY_ROWS}
                          AND coalesce(o.duplicate_of, o.id) IN ({marks}) AND x.added_at < ?
                    ) ORDER BY first_seen_at, id, url
                    """,
                    [*chunk, until, *chunk, until],
                )
            )
        return rows

    @wraps_errors
    def new_copies_of_earlier(self, since: str, until: str) -> list[dict[str, Any]]:
        """Copies first seen in [since, until) of articles seen before it (or of the seed),
        near and verbatim (see copies_of).

        The original already appeared in an earlier digest, but that another outlet has now
        carried it is news of its own.
        """
        return list(
            self.db.query(
                f"""
                SELECT * FROM (
                    SELECT {_ARTICLE_COLUMNS} FROM articles a
                    JOIN articles r ON r.id = a.duplicate_of
                    WHERE a.first_seen_at >= :since AND a.first_seen_at < :until
                      AND (r.first_seen_at < :since OR r.is_seed = 1)
                    UNION ALL
                    {_ALIAS_COPY_ROWS}
                      AND x.added_at >= :since AND x.added_at < :until
                      AND EXISTS (SELECT 1 FROM articles r
                                  WHERE r.id = coalesce(o.duplicate_of, o.id)
                                    AND (r.first_seen_at < :since OR r.is_seed = 1))
                ) ORDER BY first_seen_at, id, url
                """,
                {"since": since, "until": until},
            )
        )

    @wraps_errors
    def articles_by_id(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for chunk, marks in in_chunks(ids):
            rows.extend(
                self.db.query(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id IN ({marks})", chunk
                )
            )
        return rows

    @wraps_errors
    def source_health(self, since: str, until: str) -> list[dict[str, Any]]:
        """Every known source with its current health and whether it was polled in the period.

        A source counts as polled if a fetch of it started in the period (the `fetches`
        history) or its last fetch falls in it (history may have been pruned).
        """
        return list(
            self.db.query(
                """
                SELECT s.name, s.kind, s.url, s.last_fetch_at, s.last_ok_at,
                       coalesce(s.consecutive_errors, 0) AS consecutive_errors, s.last_error,
                       ((s.last_fetch_at >= :since AND s.last_fetch_at < :until)
                        OR EXISTS (SELECT 1 FROM fetches f
                                   WHERE f.source = s.name
                                     AND f.started_at >= :since AND f.started_at < :until)
                       ) AS polled
                FROM sources s ORDER BY s.name
                """,
                {"since": since, "until": until},
            )
        )

    @wraps_errors
    def weekly_counts(self, start: str, until: str) -> list[tuple[str, int]]:
        """Relevant original articles per week (Monday's date) by when newswatch first saw
        them, from `start` to before `until`: what each digest's header counts, so the two
        agree. The seed and copies are not counted."""
        rows = self.db.execute(
            """
            SELECT date(first_seen_at, 'weekday 0', '-6 days') AS week, count(*)
            FROM articles
            WHERE relevant = 1 AND is_seed = 0 AND duplicate_of IS NULL
              AND first_seen_at >= ? AND first_seen_at < ?
            GROUP BY week HAVING week IS NOT NULL ORDER BY week
            """,
            [start, until],
        ).fetchall()
        return [(week, count) for week, count in rows]
