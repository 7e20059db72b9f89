"""Shared fixtures: a real database file in a temp dir, a config pointing at it."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Storage

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test (with the reason) when shared/ is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus is not laid beside this checkout")
    return path


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    with Storage.open(tmp_path / "newswatch.db") as opened:
        yield opened


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A minimal configuration with no sources, and its database created in tmp_path (as
    `newswatch init` does: commands other than init never create one)."""
    path = tmp_path / "newswatch.toml"
    path.write_text('[storage]\npath = "test.db"\n', encoding="utf-8")
    with Storage.open(tmp_path / "test.db") as created:
        created.ensure_seed()
    return path
