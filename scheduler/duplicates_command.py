"""`newswatch duplicates ID`: who else carried an article, and at which addresses."""

import click

from scheduler.context import AppContext, echo
from scheduler.output import table
from storage import CopyEntry


@click.command()
@click.argument("article_id", metavar="ID", type=int)
@click.pass_obj
def duplicates(app: AppContext, article_id: int) -> None:
    """List an article's copies: its original, every outlet's copy, and further addresses.

    ID may be the original or any of its copies. A copy is another outlet's republication
    (stored as its own article, counted once); its similarity to the original is the
    estimated share of text they have in common, 0–1. An address is another URL of a stored
    article: an AMP or mobile page, a redirect, the same text at another address.

    Example:

        newswatch duplicates 42
    """
    with app.reader() as storage:
        entries = storage.copies.group_of(article_id)
    if not entries:
        raise click.ClickException(f"no article #{article_id}")
    original = entries[0]
    copies = sum(entry.role == "copy" for entry in entries)
    addresses = sum(entry.role == "address" for entry in entries)
    echo(f"#{original.article_id} {original.title or '(untitled)'}")
    echo(
        f"original: {original.outlet}, published {_day(original.published_at)}; "
        f"{_count(copies, 'copy', 'copies')}, {_count(addresses, 'further address', None)}"
    )
    echo("")
    rows = [_row(entry, entry.article_id == article_id) for entry in entries]
    headers = ["id", "role", "outlet", "first seen", "similarity", "url"]
    echo(table(rows, headers, disable_numparse=True))


def _row(entry: CopyEntry, asked: bool) -> list[str]:
    marker = "*" if asked and entry.role != "address" else ""
    similarity = f"{entry.similarity:.2f}" if entry.similarity is not None else "-"
    return [
        f"#{entry.article_id}{marker}",
        entry.role,
        entry.outlet,
        entry.first_seen_at or "-",
        similarity,
        entry.url,
    ]


def _day(moment: str | None) -> str:
    return moment[:10] if moment else "undated"


def _count(number: int, one: str, many: str | None) -> str:
    return f"{number} {one if number == 1 else (many or one + 'es')}"
