"""What the commands print: shortened cells, JSON, lines safe for a terminal."""

import json
import re
from typing import Any

import click

# What a terminal must see escaped: every control (line ends too), and the marks that
# reorder or hide text (bidi embeddings, overrides and isolates, zero-width characters).
# Here, not in storage.cleantext beside the other cleaners: the CLI escapes every line it
# prints, and `newswatch crawl` must not load storage for that.
_UNSAFE_FOR_TERMINAL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff\ufffe\uffff]"
)


def terminal_safe(text: str) -> str:
    """A line for the terminal: controls and bidi or invisible marks shown as \\uXXXX."""
    return _UNSAFE_FOR_TERMINAL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def shorten(text: str, width: int) -> str:
    """The text cut to `width` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def echo_json(value: Any) -> None:
    """Print a value as indented JSON (non-ASCII text as it is)."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def table(rows: Any, headers: Any, **options: Any) -> str:
    """tabulate's plain table. tabulate loads here, on first use: importing it is 23 ms of
    every command's start, `newswatch crawl` among them, whose cycle starts after it."""
    from tabulate import tabulate

    text: str = tabulate(rows, headers=headers, **options)
    return text


def counted(number: int, one: str, many: str | None = None) -> str:
    """ "1 source", "3 sources", "2 stories"."""
    return f"{number} {one if number == 1 else (many or one + 's')}"
