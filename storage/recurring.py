"""`outlet_paragraphs`: how many articles of each source began or ended with a paragraph
(by a hash of its text). A paragraph that many of an outlet's articles share at their edges
is the outlet's furniture — a legal notice, a credit line, a subscription plea — not news."""

from collections.abc import Iterable

from storage.db import in_chunks, write_transaction
from storage.errors import wraps_errors
from storage.sqlite_import import Database


class RecurringParagraphs:
    def __init__(self, db: Database, path: object) -> None:
        self.db = db
        self.path = path

    @wraps_errors
    def counts(self, source: str, keys: Iterable[int]) -> dict[int, int]:
        """In how many stored articles of `source` each of these paragraph keys was seen."""
        found: dict[int, int] = {}
        for chunk, marks in in_chunks(set(keys)):
            rows = self.db.execute(
                "SELECT key, articles FROM outlet_paragraphs "
                f"WHERE source = ? AND key IN ({marks})",
                [source, *chunk],
            )
            found.update(dict(rows.fetchall()))
        return found

    @wraps_errors
    def record(self, source: str, articles: Iterable[Iterable[int]]) -> None:
        """Count each article's edge paragraphs (keys), one transaction for all."""
        with write_transaction(self.db):
            for keys in articles:
                for key in set(keys):
                    self.db.execute(
                        """
                        INSERT INTO outlet_paragraphs (source, key, articles) VALUES (?, ?, 1)
                        ON CONFLICT(source, key) DO UPDATE SET articles = articles + 1
                        """,
                        [source, key],
                    )
