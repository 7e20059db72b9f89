"""Opening a newswatch database: WAL, a busy timeout, migrations, and error wrapping."""

import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storage.copies import index_stored_articles
from storage.errors import StorageError, wrapped_errors
from storage.migrations import migrations
from storage.search import index_stored_articles as index_search_keys
from storage.sqlite_import import Database
from storage.stories import backfill_stories

logger = logging.getLogger(__name__)

# Long enough for a crawl's batched write to finish while the CLI or Datasette also writes.
BUSY_TIMEOUT_MS = 30_000

# Work done once after a migration, with the current code (a migration itself only changes
# the schema, so an old migration never runs code that has changed since it shipped).
BACKFILLS: dict[str, Callable[[Database], object]] = {
    # Articles stored before the near-duplicate index (the seed among them) are indexed, so a
    # copy crawled after the upgrade finds its original. Existing rows are not re-grouped.
    "m005_near_duplicates": index_stored_articles,
    # Every article stored before stories existed gets its story (and thread), oldest first.
    "m012_stories": backfill_stories,
    # Every stored article gets its search keys, so search finds it by them at once.
    "m013_search_keys": index_search_keys,
}


def open_database(path: Path) -> Database:
    """Open (creating if needed) and upgrade the database at `path`."""
    if path.parent and not path.parent.exists():
        raise StorageError(f"database {path}: folder {path.parent} does not exist")
    with wrapped_errors(path):
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _use_wal(db)
        db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a crash loses no committed row
        if migrations.pending(db):
            # Under the write lock, checked again: when the daemon's crawl child and a CLI
            # command open an old database at once, one upgrades it and the other waits.
            with write_transaction(db):
                pending = [m.name for m in migrations.pending(db)]
                if pending:
                    logger.info("database %s: applying migrations %s", path, ", ".join(pending))
                    migrations.apply(db)
                    for name in pending:
                        if name in BACKFILLS:
                            BACKFILLS[name](db)
        return db


def _use_wal(db: Database) -> None:
    """Switch the file to WAL. SQLite answers "database is locked" at once, without waiting
    for the busy timeout, when another process switches or opens it at that moment (several
    processes opening an old rollback-journal database together): tried again until then."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if db.journal_mode != "wal":
                db.enable_wal()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def open_database_readonly(path: Path) -> Database:
    """Open an existing database for reading only: nothing is created, upgraded or written,
    so it works on a file the user may not write (the daemon's, owned by its service user).

    A database with pending migrations is opened writable once to upgrade it; that fails,
    naming the file, when the user may not write it.
    """
    if not path.exists():
        raise StorageError(f"database {path}: no such file")
    with wrapped_errors(path):
        db = _connect_readonly(path)
        if migrations.pending(db):
            db.close()
            logger.info("database %s: older schema, upgrading it before reading", path)
            open_database(path).close()
            db = _connect_readonly(path)
        return db


def _connect_readonly(path: Path) -> Database:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        # A WAL database needs its -shm file; a reader who may not create it (a folder it
        # cannot write) can still read a database nobody is writing, as an immutable file.
        conn.close()
        if Path(f"{path}-wal").exists():
            raise
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return Database(conn)


# Values per IN (…) list: stays under SQLite's limit on bound variables.
IN_CHUNK = 500


def in_chunks(values: Iterable[Any]) -> Iterator[tuple[list[Any], str]]:
    """The values in chunks for `… IN (…)` queries, each with its "?, ?, …" placeholders."""
    items = list(values)
    for start in range(0, len(items), IN_CHUNK):
        chunk = items[start : start + IN_CHUNK]
        yield chunk, ", ".join("?" for _ in chunk)


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front.

    A deferred BEGIN that reads first and writes later fails with "database is locked"
    (no busy wait) when another connection wrote in between; BEGIN IMMEDIATE waits instead.
    Nested calls become savepoints.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    else:
        db.execute("COMMIT")
