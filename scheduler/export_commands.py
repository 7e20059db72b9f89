"""`newswatch export` (articles as CSV, JSON or JSON Lines) and `newswatch show ID` (one
article: its text, its earlier versions, its copies and addresses)."""

import csv
import difflib
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click

from scheduler.context import AppContext, echo
from scheduler.digest_command import IsoMoment
from scheduler.output import echo_json
from storage import Article, CopyEntry
from storage.timeutil import to_iso

# The columns of an export, in order. `story` is the article's story (stories.id).
FIELDS = (
    "id",
    "title",
    "source",
    "url",
    "canonical_url",
    "published_at",
    "first_seen_at",
    "updated_at",
    "lang",
    "author",
    "relevance",
    "relevant",
    "matched",
    "is_seed",
    "duplicate_of",
    "original_url",
    "copies",
    "addresses",
    "versions",
    "story",
    "text",
)
FORMATS = ("csv", "json", "jsonl")


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True, help="Format."
)
@click.option("--since", type=IsoMoment(), help="First seen at or after (ISO; UTC if no zone).")
@click.option("--until", type=IsoMoment(), help="First seen before (ISO; UTC if no zone).")
@click.option("--relevant", "relevant_only", is_flag=True, help="Only relevant articles.")
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this source.")
@click.option("--no-text", is_flag=True, help="Leave out the articles' texts.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.pass_obj
def export(
    app: AppContext,
    fmt: str,
    since: datetime | None,
    until: datetime | None,
    relevant_only: bool,
    sources: tuple[str, ...],
    no_text: bool,
    output: Path | None,
) -> None:
    """Export stored articles, one a row, oldest first, with their links.

    Each row carries duplicate_of and original_url (the original it copies), copies (ids
    of its copies), addresses (its further URLs), versions (how many earlier texts) and
    story. In CSV, lists are space-separated (matched: "; "); in JSON they are lists.
    Periods are by first_seen_at, when newswatch stored the article.

    Example:

        newswatch export --format csv --relevant --since 2026-11-01 --output nov.csv
    """
    fields = [name for name in FIELDS if not (no_text and name == "text")]
    with app.reader() as storage, _opened(output) as out:
        rows = storage.articles.export(
            since=to_iso(since) if since else None,
            until=to_iso(until) if until else None,
            relevant_only=relevant_only,
            sources=sources,
        )
        written = WRITERS[fmt](({name: row[name] for name in fields} for row in rows), fields, out)
    if output is not None:
        echo(f"exported {written} articles to {output}", err=True)


@contextmanager
def _opened(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            yield handle
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write: {error}") from error


def _write_csv(rows: Iterable[dict[str, Any]], fields: list[str], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({name: _cell(name, value) for name, value in row.items()})
        count += 1
    return count


def _cell(name: str, value: Any) -> Any:
    if isinstance(value, list):
        return ("; " if name == "matched" else " ").join(str(item) for item in value)
    if isinstance(value, bool):
        return int(value)
    return value


def _write_json(rows: Iterable[dict[str, Any]], fields: list[str], out: TextIO) -> int:
    """A JSON array, written as the rows come (an export can be larger than memory)."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _write_jsonl(rows: Iterable[dict[str, Any]], fields: list[str], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


WRITERS = {"csv": _write_csv, "json": _write_json, "jsonl": _write_jsonl}


@click.command()
@click.argument("article_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_obj
def show(app: AppContext, article_id: int, as_json: bool) -> None:
    """Print one article: its facts and text, its earlier versions (each with what changed),
    and its copies and further addresses.

    Example:

        newswatch show 42
    """
    with app.reader() as storage:
        article = storage.articles.get(article_id)
        if article is None:
            raise click.ClickException(f"no article #{article_id}")
        versions = storage.articles.versions(article_id)
        group = storage.copies.group_of(article_id)
    if as_json:
        facts = {key: value for key, value in asdict(article).items() if key != "aliases"}
        # group: the original, its copies and every further address (as `duplicates` lists)
        echo_json({**facts, "versions": versions, "group": [asdict(entry) for entry in group]})
        return
    _print_article(article)
    _print_group(article, group)
    echo("")
    echo(article.text or "(no text)")
    _print_versions(article, versions)


def _print_article(article: Article) -> None:
    echo(f"#{article.id}  {article.title or '(untitled)'}")
    facts = [
        ("source", article.source),
        ("url", article.url),
        ("stored as", article.canonical_url if article.canonical_url != article.url else None),
        ("author", article.author),
        ("published", article.published_at),
        ("first seen", article.first_seen_at),
        ("updated", article.updated_at if article.updated_at != article.first_seen_at else None),
        ("language", article.lang),
        ("relevance", _relevance(article)),
        ("matched", ", ".join(article.matched) or None),
        ("text", f"the source's summary: {article.page_problem}" if article.page_problem else None),
    ]
    for label, value in facts:
        if value:
            echo(f"{label + ':':<12}{value}")


def _relevance(article: Article) -> str | None:
    if article.relevance is None:
        return None
    verdict = "relevant" if article.relevant else "not relevant"
    return f"{article.relevance:.2f} ({verdict})"


def _print_group(article: Article, group: list[CopyEntry]) -> None:
    for entry in group:
        if entry.article_id == article.id and entry.role != "address":
            continue
        if entry.role == "original":
            label = "copy of"
            text = f"#{entry.article_id} {entry.outlet}: {entry.title or entry.url}"
        elif entry.role == "copy":
            label = "copied by"
            text = f"#{entry.article_id} {entry.outlet}: {entry.url}"
        elif entry.article_id == article.id:
            label = "address"
            text = f"{entry.url} ({entry.outlet})"
        else:
            continue  # another member's address: `newswatch duplicates ID` lists them all
        echo(f"{label + ':':<12}{text}")


def _print_versions(article: Article, versions: list[dict[str, Any]]) -> None:
    if not versions:
        return
    echo("")
    echo(f"earlier versions: {len(versions)} (oldest first; each with what changed next)")
    following = [*versions[1:], {"title": article.title, "text": article.text, "fetched_at": None}]
    for number, (version, later) in enumerate(zip(versions, following, strict=True), start=1):
        echo("")
        echo(f"-- version {number}, as of {version['fetched_at']}: {version['title']}")
        after = f"version {number + 1}" if later["fetched_at"] else "current"
        changes = difflib.unified_diff(
            _lines(version),
            _lines(later),
            fromfile=f"version {number}",
            tofile=after,
            lineterm="",
            n=0,
        )
        for line in changes:
            echo(f"   {line}")


def _lines(version: dict[str, Any]) -> list[str]:
    return [f"title: {version['title']}", *(version["text"] or "").splitlines()]
