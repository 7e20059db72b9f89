"""What the commands print: shortened cells, JSON."""

import json
from typing import Any

import click


def shorten(text: str, width: int) -> str:
    """The text cut to `width` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def echo_json(value: Any) -> None:
    """Print a value as indented JSON (non-ASCII text as it is)."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def counted(number: int, one: str, many: str | None = None) -> str:
    """ "1 source", "3 sources", "2 stories"."""
    return f"{number} {one if number == 1 else (many or one + 's')}"
