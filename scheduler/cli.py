"""The `newswatch` command line: one click group, one function per command."""

import importlib
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

import click

from config import (
    CONFIG_ENV,
    DEFAULT_FILE_NAME,
    default_config_text,
    find_config_file,
)
from crawler.contract import CycleExit, Progress
from scheduler.context import AppContext, ConfigProblem, domain_errors, echo
from scheduler.jobs import run_crawl_cycle
from scheduler.output import counted, echo_json, shorten, table

logger = logging.getLogger(__name__)

# Crawl child exits that are the user's to fix, shown as a usage error (exit 2).
USAGE_EXITS = (CycleExit.CONFIG_UNUSABLE, CycleExit.UNKNOWN_SOURCE)


def configure_logging(verbosity: int) -> None:
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


# Options of the whole program, which a user may well type after the command.
GLOBAL_OPTIONS = ("--config", "-v", "--verbose", "-vv")


# The commands of other modules, imported only when run (or asked for their own help): the
# daemon, digest and stories modules load APScheduler, Jinja, the relevance model and more,
# which `newswatch crawl` or `newswatch --help` must not pay for. Each entry is the module
# and function, and the first paragraph of its help for `newswatch --help`
# (tests/test_cli_help.py checks it against the command's own help).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "digest": (
        "scheduler.digest_command:digest",
        "Write the digest: relevant articles first seen in a period, most relevant first.",
    ),
    "rescore": (
        "scheduler.relevance_commands:rescore",
        "Score every stored article again with the current watch profile and threshold.",
    ),
    "explain": (
        "scheduler.relevance_commands:explain_article",
        "Show why an article scores as it does: each term, group and rule, and the seed "
        "similarity, under the current profile.",
    ),
    "run": (
        "scheduler.daemon_commands:run",
        "Run the daemon in the foreground: crawl cycles, digests and maintenance on schedule, "
        "until SIGTERM or Ctrl-C. This is what a systemd service runs.",
    ),
    "start": ("scheduler.daemon_commands:start", "Start the daemon in the background."),
    "stop": (
        "scheduler.daemon_commands:stop",
        "Stop the daemon: SIGTERM, then wait while it ends the running crawl cleanly.",
    ),
    "status": (
        "scheduler.daemon_commands:status",
        "Say whether the daemon runs: its PID and uptime, the next run of each job, the last "
        "cycle's summary and the sources in error.",
    ),
    "duplicates": (
        "scheduler.duplicates_command:duplicates",
        "List an article's copies: its original, every outlet's copy, and further addresses.",
    ),
    "sources": (
        "scheduler.sources_commands:sources",
        "The configured sources: without a subcommand, list them with their health.",
    ),
    "export": (
        "scheduler.export_commands:export",
        "Export stored articles, one a row, oldest first, with their links.",
    ),
    "browse": (
        "scheduler.browse_command:browse",
        "Browse the database in Datasette: search, facets, canned queries, while crawls go on.",
    ),
    "show": (
        "scheduler.export_commands:show",
        "Print one article: its facts and text, its earlier versions (each with what changed), "
        "and its copies and further addresses.",
    ),
    "timeline": (
        "scheduler.stories_commands:timeline",
        "Follow a thread over time: each of its stories in date order, with its date, "
        "headline, outlets and languages, and the articles per week as a chart (PNG).",
    ),
    "stories": (
        "scheduler.stories_commands:stories",
        "List stories, latest first, with their articles, outlets and languages.",
    ),
    "story": (
        "scheduler.stories_commands:story",
        "List a story's articles, first seen first: outlet, language, and whether it is a "
        "copy of another outlet's article.",
    ),
}


class NewswatchGroup(click.Group):
    """The program's group: commands of LAZY_COMMANDS imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module_name, function_name = LAZY_COMMANDS[cmd_name][0].split(":")
            command = getattr(importlib.import_module(module_name), function_name)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of --help, without importing the lazy commands' modules."""
        shown = [
            (name, self.commands.get(name) or click.Command(name, help=LAZY_COMMANDS[name][1]))
            for name in self.list_commands(ctx)
        ]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _command in shown)
        rows = [(name, command.get_short_help_str(limit)) for name, command in shown]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as error:
            if error.option_name not in GLOBAL_OPTIONS:
                raise
            where = (
                f"{error.option_name} goes before the command: "
                f"newswatch {error.option_name} … {ctx.invoked_subcommand or 'COMMAND'} …"
            )
            raise click.UsageError(where, ctx=error.ctx) from error


@click.group(cls=NewswatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_option",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Configuration file (default: ${CONFIG_ENV}, else ./{DEFAULT_FILE_NAME}, "
    "else the built-in defaults).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="newswatch")
@click.pass_context
def cli(ctx: click.Context, config_option: Path | None, verbose: int) -> None:
    """newswatch: watch regional-defense news outlets, keep every article in one SQLite file.

    Example:

        newswatch init && newswatch stats
    """
    configure_logging(verbose)
    ctx.obj = AppContext(config_option)


@cli.command()
@click.pass_obj
def init(app: AppContext) -> None:
    """Write a commented default config (if none exists) and create the database with the seed.

    Running it again changes nothing that is already there.

    Example:

        newswatch init
    """
    path, _named = find_config_file(app.config_option)
    if path is None:
        path = Path.cwd() / DEFAULT_FILE_NAME
    if not path.exists():
        try:
            path.write_text(default_config_text(), encoding="utf-8")
        except OSError as error:
            raise click.ClickException(f"{path}: cannot write the config: {error}") from error
        echo(f"wrote default configuration to {path}")
        app.config_option = path
    else:
        echo(f"configuration: {path} (kept as it is)")
    from storage import Storage  # here: `newswatch crawl` need not load storage

    config = app.config
    existed = config.storage.path.exists()
    with domain_errors(), Storage.open(config.storage.path) as storage:
        seed_id, stored = storage.prepare(config)
        echo(f"database: {config.storage.path} ({'opened' if existed else 'created'})")
        state = "stored" if stored else "already stored"
        echo(f"seed article: {state} as #{seed_id}")
        echo(f"sources: {len(config.sources)} configured")


@cli.command()
@click.option("--all", "run_all", is_flag=True, help="Crawl every source, due or not.")
@click.option(
    "--source", "names", multiple=True, metavar="NAME", help="Crawl this source now (repeatable)."
)
@click.pass_context
def crawl(ctx: click.Context, run_all: bool, names: tuple[str, ...]) -> None:
    """Run one crawl cycle over the sources that are due, and print what it found.

    A source is due when its interval has passed since its last fetch (longer after
    errors). The cycle runs in a child process; the exit code is 0 even when some sources
    failed, and non-zero only when nothing could run.

    Example:

        newswatch crawl --source "AzerNews"
    """
    app: AppContext = ctx.obj
    config = app.config  # report a bad configuration here, before starting a child
    app.existing_database()
    verbosity = ctx.find_root().params.get("verbose", 0)
    log_level = {0: "WARNING", 1: "INFO"}.get(verbosity, "DEBUG")
    # On a terminal, one line that updates as the cycle goes; nothing when piped or logged.
    progress = ProgressLine(sys.stderr) if sys.stderr.isatty() else None
    outcome = run_crawl_cycle(
        config.file, list(names), run_all, log_level, progress.show if progress else None
    )
    if progress is not None:
        progress.clear()
    if outcome.error is not None:
        # As elsewhere: 2 for a configuration or usage problem, 1 for the database or a crash.
        if outcome.returncode in USAGE_EXITS:
            raise ConfigProblem(outcome.error)
        raise click.ClickException(outcome.error)
    if not outcome.sources:
        echo(_nothing_due(outcome.next_due))
        return
    rows = [
        [
            s.source,
            s.kind,
            shorten(s.status, 60),
            s.items_seen,
            s.new_articles,
            s.updated_articles,
            s.article_errors,
            s.dropped_links,
        ]
        for s in outcome.sources
    ]
    headers = ["source", "kind", "status", "seen", "new", "updated", "pages failed", "refused"]
    echo(table(rows, headers))
    failed = len(outcome.failed_sources)
    updated = f", {outcome.updated_articles} updated" if outcome.updated_articles else ""
    echo(
        f"\n{counted(outcome.new_articles, 'new article')}{updated} from "
        f"{counted(len(outcome.sources), 'source')}"
        + (f"; {failed} failed (see `newswatch sources`)" if failed else "")
    )


class ProgressLine:
    """A crawl's progress as one terminal line, rewritten in place."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def show(self, progress: Progress) -> None:
        line = (
            f"crawling: {progress.sources_done}/{progress.sources_total} sources done, "
            f"{progress.pages} pages fetched, {progress.new_articles} new articles"
        )
        self.stream.write("\r\x1b[K" + line)
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


def _nothing_due(next_due: dict[str, str | None]) -> str:
    upcoming = sorted((at, name) for name, at in next_due.items() if at)
    if not next_due:
        return "no sources configured: add [[sources]] to the configuration file"
    if not upcoming:
        return "no source is due"
    at, name = upcoming[0]
    return f"no source is due; next: {name} at {at} (use --all to crawl now)"


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_obj
def stats(app: AppContext, as_json: bool) -> None:
    """Count the stored articles: in all, relevant, duplicates, and per source. A verbatim
    copy (the very text of another outlet's article) is stored once, as that outlet's address
    of the article, and counted apart.

    Example:

        newswatch stats --json
    """
    with app.reader() as storage:
        totals = storage.articles.stats()
        seed = storage.articles.seed()
    if as_json:
        seed_info = {"id": seed.id, "title": seed.title} if seed is not None else None
        echo_json({**totals, "seed": seed_info})
        return
    echo(f"articles:   {totals['articles']}")
    echo(f"relevant:   {totals['relevant']}")
    echo(f"duplicates: {totals['duplicates']}")
    echo(f"verbatim copies: {totals['verbatim_copies']} (another outlet's address of an article)")
    if seed is not None:
        echo(f"seed:       #{seed.id} {seed.title}")
    echo(f"first seen: {totals['first_seen'] or '-'}")
    echo(f"last seen:  {totals['last_seen'] or '-'}")
    echo("")
    rows = [
        [
            r["source"],
            r["articles"],
            r["relevant"],
            r["duplicates"],
            r["verbatim_copies"],
            r["first_seen"],
            r["last_seen"],
        ]
        for r in totals["per_source"]
    ]
    headers = [
        "source",
        "articles",
        "relevant",
        "duplicates",
        "verbatim copies",
        "first seen",
        "last seen",
    ]
    echo(table(rows, headers))


@cli.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, help="Most results to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list of hits).")
@click.pass_obj
def search(app: AppContext, query: str, limit: int, as_json: bool) -> None:
    """Full-text search over the stored articles' titles and texts, best match first.

    Plain words are matched as typed (diacritics and case ignored) and -word leaves out
    articles with that word; a name the relevance profile knows (a place, an actor, an
    exercise) also finds the articles that name it in any language or script. FTS5 syntax
    such as "exact phrase", OR, NOT and prefix* works too.

    Example:

        newswatch search "Oymasha"
    """
    from relevance import ProfileError, concepts_named, profile_for
    from storage import SearchQueryError
    from storage.search import typed_words

    with app.reader() as storage:
        try:
            # A name the relevance profile knows also finds the articles it was matched in,
            # in every language and script ("Kazakhstan": Қазақстан, Казахстан, Qazaxıstan).
            concepts = {}
            if query.strip():  # storage says what is wrong with an empty query
                try:
                    profile = profile_for(app.config.profile)
                    words = typed_words(query)
                    concepts = {word: concepts_named(profile, word) for word, _ in words}
                except ProfileError:
                    pass
            hits = storage.articles.search(query, limit=limit, concepts=concepts)
        except SearchQueryError as error:
            raise click.ClickException(str(error)) from error
    if as_json:
        echo_json([asdict(hit) for hit in hits])
        return
    if not hits:
        echo(f"no article matches {query!r}")
        return
    for hit in hits:
        date = (hit.published_at or "")[:10] or "undated"
        echo(f"#{hit.id}  {date}  {hit.source}  {hit.title or '(untitled)'}")
        echo(f"    {hit.url}")
        echo(f"    {' '.join(hit.snippet.split())}")


def main() -> None:
    cli(prog_name="newswatch")
