"""The SQLite layer of newswatch: the only package that holds SQL.

with Storage.open(Path("newswatch.db")) as storage:
    storage.articles.search("Oymasha")

The names below load on first use (PEP 562): a process that needs only the plain parts
(storage.models, storage.neardup, storage.cleantext; a page worker) does not load
sqlite-utils and the table classes (10 MiB of its memory).
"""

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "Article": "storage.models",
    "CopyEntry": "storage.models",
    "DocumentValidators": "storage.models",
    "FetchRecord": "storage.models",
    "Incoming": "storage.models",
    "SearchHit": "storage.models",
    "SourceOutcome": "storage.models",
    "content_hash": "storage.models",
    "guid_alias": "storage.models",
    "SearchQueryError": "storage.errors",
    "StorageError": "storage.errors",
    "Stored": "storage.decide",
    "Storage": "storage.store",
}

__all__ = [
    "Article",
    "CopyEntry",
    "DocumentValidators",
    "FetchRecord",
    "Incoming",
    "SearchHit",
    "SearchQueryError",
    "SourceOutcome",
    "Storage",
    "StorageError",
    "Stored",
    "content_hash",
    "guid_alias",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'storage' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from storage.decide import Stored
    from storage.errors import SearchQueryError, StorageError
    from storage.models import (
        Article,
        CopyEntry,
        DocumentValidators,
        FetchRecord,
        Incoming,
        SearchHit,
        SourceOutcome,
        content_hash,
        guid_alias,
    )
    from storage.store import Storage
