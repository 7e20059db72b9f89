"""Opening a newswatch database: WAL, a busy timeout, migrations, and error wrapping."""

import functools
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlite_utils import Database

from storage.errors import StorageError
from storage.migrations import migrations

logger = logging.getLogger(__name__)

# Long enough for a crawl's batched write to finish while the CLI or Datasette also writes.
BUSY_TIMEOUT_MS = 30_000

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def wrapped_errors(path: Path | str) -> Iterator[None]:
    """Turn sqlite3 operational errors into StorageError naming the database file."""
    try:
        yield
    except sqlite3.OperationalError as error:
        raise StorageError(f"database {path}: {error}") from error
    except sqlite3.DatabaseError as error:
        if type(error) is sqlite3.DatabaseError:  # "file is not a database" and the like
            raise StorageError(f"database {path}: {error}") from error
        raise


def wraps_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Decorate a method of an object with a `path` attribute with `wrapped_errors`."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with wrapped_errors(getattr(args[0], "path", "?")):
            return method(*args, **kwargs)

    return wrapper


def open_database(path: Path) -> Database:
    """Open (creating if needed) and upgrade the database at `path`."""
    if path.parent and not path.parent.exists():
        raise StorageError(f"database {path}: folder {path.parent} does not exist")
    with wrapped_errors(path):
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if db.journal_mode != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a crash loses no committed row
        if migrations.pending(db):
            # Under the write lock, checked again: when the daemon's crawl child and a CLI
            # command open an old database at once, one upgrades it and the other waits.
            with write_transaction(db):
                pending = [m.name for m in migrations.pending(db)]
                if pending:
                    logger.info("database %s: applying migrations %s", path, ", ".join(pending))
                    migrations.apply(db)
        return db


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
