"""`newswatch sources …`: list the sources, and add, remove, pause, resume, rename, import
and export them. Every change is an edit of the configuration file in place (config/edit.py):
the file stays the one source of truth, its comments and layout kept."""

import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from config import SOURCE_KINDS, Config, SourceConfig, format_duration, parse_duration
from config.edit import (
    ConfigEditError,
    SourceEntry,
    add_sources,
    entry_problems,
    remove_source,
    rename_source,
    set_paused,
)
from scheduler.context import AppContext, ConfigProblem, echo
from scheduler.output import counted, echo_json, shorten, table

JSON_HELP = "Print JSON instead of a table."


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """The configured sources: without a subcommand, list them with their health.

    The subcommands change the configuration file in place, keeping its comments and
    layout; the daemon's next crawl cycle reads the change.

    Example:

        newswatch sources --json
    """
    if ctx.invoked_subcommand is None:
        _list(ctx.obj, as_json)


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def list_sources(app: AppContext, as_json: bool) -> None:
    """List the configured sources with their health: articles stored, last success, errors
    in a row, last error, next fetch (or "paused").

    Example:

        newswatch sources list
    """
    _list(app, as_json)


def _list(app: AppContext, as_json: bool) -> None:
    config = app.config
    with app.reader() as storage:
        health = {row["name"]: row for row in storage.sources.all()}
        counts = {row["source"]: row["articles"] for row in storage.articles.stats()["per_source"]}
    listed = [
        _listed(config, source, health.get(source.name, {}), counts) for source in config.sources
    ]
    if as_json:
        echo_json(listed)
        return
    if not listed:
        echo("no sources configured: add one with `newswatch sources add URL`")
        return
    rows = [
        [
            item["name"],
            item["kind"],
            item["articles"],
            item["last_ok_at"] or "never",
            item["consecutive_errors"],
            shorten(_last_problem(health.get(item["name"], {})), 60),
            "paused" if item["paused"] else item["next_fetch_at"] or "now",
        ]
        for item in listed
    ]
    headers = ["source", "kind", "articles", "last ok", "errors", "last error", "next fetch"]
    echo(table(rows, headers))


def _last_problem(row: dict[str, Any]) -> str:
    """The source's last error; else, when its own document was fine, what went wrong
    below it (pages that failed or were refused, links dropped) in its last crawl."""
    if row.get("last_error"):
        return row["last_error"]
    notes = []
    if row.get("page_errors"):
        failed = counted(row["page_errors"], "page")
        notes.append(f"{failed} failed, last: {row.get('last_page_error')}")
    if row.get("dropped_links"):
        notes.append(f"{row['dropped_links']} links refused (internal or malformed; see fetches)")
    return "; ".join(notes)


def _listed(
    config: Config, source: SourceConfig, row: dict[str, Any], counts: dict[str, int]
) -> dict[str, Any]:
    return {
        "name": source.name,
        "kind": source.kind,
        "url": source.url,
        "interval_seconds": int(config.interval_of(source).total_seconds()),
        "paused": source.paused,
        "tags": list(source.tags),
        "articles": counts.get(source.name, 0),
        "last_ok_at": row.get("last_ok_at"),
        "consecutive_errors": row.get("consecutive_errors") or 0,
        "last_error": row.get("last_error"),
        "page_errors": row.get("page_errors") or 0,
        "last_page_error": row.get("last_page_error"),
        "dropped_links": row.get("dropped_links") or 0,
        "next_fetch_at": row.get("next_fetch_at"),
    }


def _web_address(given: str) -> str:
    """The address as a URL to fetch: "example.com/rss" is taken as https://example.com/rss
    (said so); a local file or an address without a host is refused with what to do."""
    text = given.strip()
    if "://" not in text:
        if text.startswith(("/", "./", "../", "~")) or Path(text).exists():
            raise click.ClickException(
                f"{given}: a local file cannot be a source; newswatch fetches sources over "
                "http(s) (serve the file, e.g. `python3 -m http.server`; OPML subscription "
                "lists go through `newswatch sources import`)"
            )
        if "." in text.split("/", 1)[0] and " " not in text:
            echo(f"taking {given} as https://{text}", err=True)
            return f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() in ("http", "https") and not parts.hostname:
        raise click.ClickException(f"{given}: the address has no host name")
    if parts.scheme.lower() not in ("http", "https"):
        raise click.ClickException(
            f"{given}: not an http(s) address; newswatch fetches sources over http(s) only"
        )
    return text


@sources.command("add")
@click.argument("url")
@click.option("--name", help="Its name (default: the feed's title, else the host name).")
@click.option(
    "--kind",
    type=click.Choice(SOURCE_KINDS),
    help="Look only for this kind; `site` takes the URL as a listing page (with --follow).",
)
@click.option("--interval", metavar="DURATION", help='Its own interval, e.g. "30m" or "6h".')
@click.option(
    "--follow", multiple=True, metavar="REGEX", help="For --kind site: article URLs match this."
)
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeatable).")
@click.pass_obj
def add(
    app: AppContext,
    url: str,
    name: str | None,
    kind: str | None,
    interval: str | None,
    follow: tuple[str, ...],
    tags: tuple[str, ...],
) -> None:
    """Find the feed behind URL, fetch it once to show it parses, and add it.

    URL may be a feed, a news sitemap, a robots.txt or a site's home page: for a page, the
    feeds it names (<link rel="alternate">) are tried first, then usual addresses such as
    /feed, /rss.xml and /sitemap_news.xml, then the Sitemap: lines of robots.txt. Only
    http(s) is fetched, with the crawl's timeout and size limit.

    Example:

        newswatch sources add https://eurasianet.org/ --interval 2h --tag "Central Asia"
    """
    path = _config_file(app)
    config = app.config
    _check_options(kind, interval, follow)
    url = _web_address(url)
    _refuse_configured(config, url)
    from crawler.destinations import DestinationPolicy
    from crawler.discover import FetchError, check_listing, discover, make_fetcher

    # The address typed is the user's choice; what its pages point to is a stranger's.
    policy = DestinationPolicy.from_config(config).trusting(url)
    fetch = make_fetcher(config.crawl, policy)
    if kind == "site":
        try:
            found = check_listing(url, fetch, follow)
        except (FetchError, ValueError) as error:
            raise click.ClickException(f"{url}: {error}") from error
        others = []
    else:
        discovery = discover(url, fetch, config.crawl.max_page_bytes, kind)
        if discovery.found is None:
            raise click.ClickException(_nothing_found(url, kind, discovery.tried))
        found, others = discovery.found, discovery.others
    _show_found(found, others)
    _refuse_configured(config, found.url)
    entry = SourceEntry(
        name=name or name_from_title(found.title) or urlsplit(found.url).hostname or found.url,
        kind=found.kind,
        url=found.url,
        interval=interval,
        follow=follow,
        tags=tags,
    )
    if any(source.name == entry.name for source in config.sources):
        raise click.UsageError(
            f"a source named {entry.name!r} is already configured: give another with --name"
        )
    problems = entry_problems(entry)
    if problems:
        raise click.UsageError("; ".join(problems))
    _edited(add_sources, path, [entry])
    every = interval or format_duration(config.crawl.interval)
    echo(f"added source {entry.name!r} ({entry.kind}, every {every}) to {path}")


def _refuse_configured(config: Config, url: str) -> None:
    for source in config.sources:
        if source.url == url:
            raise click.ClickException(f"{url} is already configured as {source.name!r}")


def _check_options(kind: str | None, interval: str | None, follow: tuple[str, ...]) -> None:
    """Usage errors are reported before anything is fetched."""
    if interval is not None and parse_duration(interval) is None:
        raise click.BadParameter(f'{interval!r} is not a duration such as "30m" or "6h"')
    if follow and kind != "site":
        raise click.UsageError("--follow is for --kind site")
    if kind == "site" and not follow:
        raise click.UsageError("--kind site needs --follow REGEX (the article URLs' pattern)")


def _nothing_found(url: str, kind: str | None, tried: list[tuple[str, str]]) -> str:
    what = f"no {kind}" if kind else "no feed or sitemap"
    lines = [f"{what} found at or behind {url}; tried:"]
    lines += [f"  {candidate}: {why}" for candidate, why in tried]
    return "\n".join(lines)


def _show_found(found: Any, others: list[Any]) -> None:
    title = f' "{found.title}"' if found.title else ""
    counted = {"feed": "items", "site": "article links"}.get(found.kind, "pages")
    if found.format == "sitemap index":
        counted = "sitemaps"
    echo(f"found: {found.format}{title}, {found.count} {counted}")
    echo(f"  at {found.url}")
    echo(f"  via {found.via}")
    for entry in found.entries:
        date = (entry.date or "")[:10] or "undated   "
        echo(f"  {date}  {shorten(entry.title or entry.url, 90)}")
    for link in others:
        label = f' "{link.title}"' if link.title else ""
        echo(f"  the page also offers: {link.url} ({link.kind}{label})")


@sources.command("remove")
@click.argument("name")
@click.pass_obj
def remove(app: AppContext, name: str) -> None:
    """Remove a source from the configuration (its table and the comments just above it).

    Its articles and fetch history stay in the database.

    Example:

        newswatch sources remove "Trend"
    """
    path = _config_file(app)
    _edited(remove_source, path, name)
    echo(f"removed source {name!r} from {path}; its articles stay in the database")


@sources.command("pause")
@click.argument("name")
@click.pass_obj
def pause(app: AppContext, name: str) -> None:
    """Stop crawling a source when it is due (`paused = true` in its table); `crawl --source
    NAME` still crawls it.

    Example:

        newswatch sources pause "Kloop"
    """
    _set_paused(app, name, True)


@sources.command("resume")
@click.argument("name")
@click.pass_obj
def resume(app: AppContext, name: str) -> None:
    """Crawl a paused source again when it is due.

    Example:

        newswatch sources resume "Kloop"
    """
    _set_paused(app, name, False)


def _set_paused(app: AppContext, name: str, paused: bool) -> None:
    path = _config_file(app)
    state = "paused" if paused else "active"
    try:
        already = app.config.source(name).paused == paused
    except KeyError:
        already = False  # the edit names the configured sources in its error
    if already:
        echo(f"source {name!r} is already {state}")
        return
    _edited(set_paused, path, name, paused)
    echo(f"source {name!r} is now {state} ({path})")


@sources.command("rename")
@click.argument("old")
@click.argument("new")
@click.pass_obj
def rename(app: AppContext, old: str, new: str) -> None:
    """Rename a source, keeping its history: its articles, fetches and health move to the
    new name with it (database and configuration changed together).

    Example:

        newswatch sources rename "Trend" "Trend (English)"
    """
    path = _config_file(app)
    config = app.config
    names = [source.name for source in config.sources]
    if old not in names:
        raise click.UsageError(f"no source named {old!r} (configured: {', '.join(names)})")
    if new in names:
        raise click.UsageError(f"a source named {new!r} is already configured")
    if not new.strip():
        raise click.UsageError("the new name is empty")
    # The file is written while the database's write lock is held: a crawl starting
    # meanwhile sees both under the old name or both under the new one.
    with app.storage() as storage, storage.transaction():
        moved = storage.sources.rename(old, new)
        _edited(rename_source, path, old, new)
    echo(
        f"renamed {old!r} to {new!r} in {path}; moved with it: {moved['articles']} articles, "
        f"{moved['fetches']} fetch records"
        + (", its health and validators" if moved["sources"] else "")
    )


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_opml(app: AppContext, file: Path) -> None:
    """Add the feeds of an OPML file (another reader's export, or newswatch's own).

    Folders become the sources' tags; feeds already configured (same URL) are left out, and
    a name already taken gets a number. Nothing is fetched.

    Example:

        newswatch sources import subscriptions.opml
    """
    from config.opml import OpmlError, read_opml

    path = _config_file(app)
    try:
        found = read_opml(file.read_bytes(), app.config.sources)
    except OSError as error:
        raise click.ClickException(f"{file}: cannot read: {error}") from error
    except OpmlError as error:
        raise click.ClickException(f"{file}: {error}") from error
    if found.warning:
        echo(f"{file}: {found.warning}", err=True)
    for what, why in found.skipped:
        echo(f"left out {what}: {why}")
    if found.entries:
        _edited(add_sources, path, found.entries)
    kinds: dict[str, int] = {}
    for entry in found.entries:
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    detail = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    echo(
        f"imported {len(found.entries)} sources{f' ({detail})' if detail else ''} into {path}"
        f"; left out {len(found.skipped)}"
    )


@sources.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.option(
    "--feeds-only", is_flag=True, help="Leave out sitemap and site sources (other readers)."
)
@click.pass_obj
def export_opml(app: AppContext, output: Path | None, feeds_only: bool) -> None:
    """Write the sources as OPML 2.0, which feed readers import; folders are the first tag.

    Example:

        newswatch sources export --output newswatch.opml
    """
    from config.opml import write_opml

    chosen = [s for s in app.config.sources if s.kind == "feed" or not feeds_only]
    document = write_opml(chosen, "newswatch sources", datetime.now(UTC))
    if output is None:
        stdout = sys.stdout.buffer
        stdout.write(document)
        stdout.flush()
        return
    try:
        output.write_bytes(document)
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write: {error}") from error
    echo(f"wrote {len(chosen)} sources to {output}", err=True)


def _config_file(app: AppContext) -> Path:
    """The file the sources are edited in (the built-in defaults cannot be edited)."""
    file = app.config.file
    if file is None:
        raise ConfigProblem(
            "no configuration file to edit (newswatch runs on its built-in defaults here): "
            "`newswatch init` writes one, or give --config PATH"
        )
    return file


def _edited(edit: Any, *args: Any) -> None:
    try:
        edit(*args)
    except ConfigEditError as error:
        raise click.ClickException(str(error)) from error


# A source named after its feed's title gets at most this many characters.
MAX_NAME_CHARS = 100
# Format characters that are spelling, not layout: Persian writes with the zero-width
# non-joiner ("می‌خواهم").
JOINERS = frozenset("\u200c\u200d")


def name_from_title(title: str | None) -> str | None:
    """A feed's title as a source name: one line, without control or format characters
    (a right-to-left override in a stranger's title would reorder the line it is written on
    in newswatch.toml), at most MAX_NAME_CHARS."""
    if not title:
        return None
    kept = "".join(
        " " if char.isspace() else char
        for char in title
        if char.isspace() or char in JOINERS or unicodedata.category(char) not in ("Cc", "Cf")
    )
    name = " ".join(kept.split())[:MAX_NAME_CHARS].strip()
    return name or None
