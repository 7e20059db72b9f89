"""The one error root of the storage layer."""


class StorageError(Exception):
    """A database could not be opened, read or written; the message names the file."""


class SearchQueryError(StorageError):
    """A full-text search query that SQLite could not parse."""
