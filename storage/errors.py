"""The one error root of the storage layer, and the wrapping of sqlite3's errors into it."""

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class StorageError(Exception):
    """A database could not be opened, read or written; the message names the file."""


class SearchQueryError(StorageError):
    """A full-text search query that SQLite could not parse."""


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
