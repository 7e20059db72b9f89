"""What Datasette shows of the database under `newswatch browse`: table and column
descriptions, full-text search and facets on articles, canned queries (storage/browse.yml).

The queries are SQL, so they live here with the schema they read; a new table or column
gets its description in browse.yml beside its migration. (A story's timeline joins them
once stories exist, issue 11.)
"""

from importlib import resources
from typing import Any

import yaml


def browse_metadata(database_name: str) -> dict[str, Any]:
    """Datasette metadata for the newswatch database served under `database_name`."""
    text = resources.files("storage").joinpath("browse.yml").read_text(encoding="utf-8")
    metadata = yaml.safe_load(text)
    database = metadata.pop("database")
    return {**metadata, "databases": {database_name: database}}
