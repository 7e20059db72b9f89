"""The `digests` table: the record of every digest produced."""

import json
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.db import wraps_errors, write_transaction
from storage.timeutil import utc_now


class Digests:
    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path

    @wraps_errors
    def record(
        self, since: str, until: str, article_count: int, formats: list[str], path: str | None
    ) -> int:
        with write_transaction(self.db):
            cursor = self.db.execute(
                """
                INSERT INTO digests (created_at, since, until, article_count, formats, path)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [utc_now(), since, until, article_count, json.dumps(formats), path],
            )
        return cursor.lastrowid

    @wraps_errors
    def last(self) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM digests ORDER BY until DESC, id DESC LIMIT 1"))
        return rows[0] if rows else None
