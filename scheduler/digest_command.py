"""`newswatch digest`: what is new since the last digest, as files, on stdout or by mail."""

from datetime import UTC, datetime
from typing import Any

import click

from digest import DigestError, DigestResult, run_digest
from digest.render import FORMATS, moment_text
from scheduler.context import AppContext


class IsoMoment(click.ParamType):
    """An ISO 8601 date or date-time; without a zone it is taken as UTC."""

    name = "ISO"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO date or time such as 2024-07-15T07:00Z", param, ctx)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


@click.command()
@click.option(
    "--since-last",
    is_flag=True,
    help="Cover the time since the previous digest (the default; the last 24 h for the first).",
)
@click.option("--since", type=IsoMoment(), help="Start of the period (ISO; UTC if no zone).")
@click.option("--until", type=IsoMoment(), help="End of the period (ISO; default: now).")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Output format, repeatable (default: digest.formats; text for --output -).",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE|DIR|-",
    help="Where to write: a file (one format), a directory (dated names) or - for stdout "
    "(default: digest.output_dir).",
)
@click.option(
    "--mail",
    is_flag=True,
    help="Also mail it to [digest.email] recipients (implies --record).",
)
@click.option(
    "--record",
    is_flag=True,
    help="Move the since-last-digest mark to this digest's end, as the daemon's digest does.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Render only (to stdout unless --output): record nothing, mail nothing.",
)
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Include articles below the relevance threshold, marked as such.",
)
@click.pass_obj
def digest(
    app: AppContext,
    since_last: bool,
    since: datetime | None,
    until: datetime | None,
    formats: tuple[str, ...],
    output: str | None,
    mail: bool,
    record: bool,
    dry_run: bool,
    include_all: bool,
) -> None:
    """Write the digest: relevant articles first seen in a period, most relevant first.

    Syndicated copies are folded under their original; the header counts new articles and
    outlets polled or in error; failing sources are listed at the end. Every digest except a
    dry run is recorded, but only the daemon's scheduled digest, --mail and --record move the
    since-last-digest mark: a digest you print or write to look at is a report, and the next
    mailed digest still covers its period. A mail that cannot be sent is kept and retried by
    the next --mail run.

    Example:

        newswatch digest --format text --output -
    """
    if since_last and since is not None:
        raise click.UsageError("--since-last and --since exclude each other")
    config = app.config
    # A dry run only reads: it works on a database the user may not write.
    with app.reader() if dry_run else app.storage() as storage:
        now = datetime.now(UTC) if dry_run else storage.settled_now()
        try:
            result = run_digest(
                config,
                storage,
                now,
                since=since,
                until=until,
                formats=formats or None,
                output=output,
                mail=mail,
                dry_run=dry_run,
                include_all=include_all,
                chained=record or mail,
            )
        except DigestError as error:
            raise click.ClickException(str(error)) from error
    _report(result, dry_run)


def _report(result: DigestResult, dry_run: bool) -> None:
    """Say what was done on stderr (stdout may be carrying the digest itself)."""
    d = result.digest
    what = f"{d.relevant_count} new relevant, {moment_text(d.since)} → {moment_text(d.until)}"
    label = "dry run" if dry_run else f"digest #{result.digest_id}"
    click.echo(f"{label}: {what}", err=True)
    for path in result.files:
        click.echo(f"wrote {path}", err=True)
    for report in result.mail:
        if report.error is None:
            again = " (retried)" if report.retry else ""
            click.echo(f"mailed digest #{report.digest_id}{again}", err=True)
    if result.mail_errors:
        others = len(result.mail_errors) - 1
        more = f" (and {others} more)" if others else ""
        raise click.ClickException(
            f"{result.mail_errors[0]}{more}; {result.pending_mail} unsent "
            f"{'mail is' if result.pending_mail == 1 else 'mails are'} kept and retried at the "
            "next --mail run"
        )
    if result.pending_mail and not result.mail:
        click.echo(
            f"note: {result.pending_mail} digest mail(s) still unsent; run with --mail to retry",
            err=True,
        )
