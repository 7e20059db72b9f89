"""The Datasette behind `newswatch browse`, imported only when it runs (Datasette and
uvicorn are heavy for the other commands)."""

import sqlite3
from pathlib import Path
from typing import Any

import uvicorn
from datasette.app import Datasette
from datasette.database import Database

from storage.browse import browse_metadata

SETTINGS = {
    # The articles table can be large: give facet counts and queries some room.
    "facet_time_limit_ms": 1000,
    "sql_time_limit_ms": 3000,
    "suggest_facets": False,
}


class ReadOnlyDatabase(Database):
    """A database Datasette reads (mode=ro connections, as Datasette opens every mutable
    file) and never writes: the write connection a plugin or a writable query would use is
    refused, so browsing cannot change what the crawler keeps."""

    def connect(self, write: bool = False) -> sqlite3.Connection:
        if write:
            raise sqlite3.OperationalError("newswatch browse is read-only")
        return super().connect(write=False)


def make_datasette(path: Path) -> Datasette:
    """Datasette serving the newswatch database at `path` with newswatch's metadata."""
    name = path.stem
    datasette = Datasette(
        files=[str(path)], metadata=browse_metadata(name), settings=dict(SETTINGS)
    )
    datasette.remove_database(name)
    datasette.add_database(ReadOnlyDatabase(datasette, path=str(path), is_mutable=True), name=name)
    return datasette


def serve(path: Path, port: int, log_level: str = "warning") -> None:
    """Serve until interrupted, on the loopback address only."""
    app: Any = make_datasette(path).app()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level=log_level, lifespan="on")
