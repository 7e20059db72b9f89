"""Producing a digest: choose the period, gather it, render it, write it, record it, mail it.

The CLI (`newswatch digest`) and the daemon both come here; the daemon calls
`run_scheduled_digest`, which never makes two digests for one period.
"""

import base64
import logging
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import digest.mail as mailer
from config import Config, EmailConfig
from digest.chart import weekly_chart
from digest.render import FORMATS, render, render_html, render_text, subject
from digest.select import Digest, build_digest, parse_moment
from storage import Storage
from storage.cleantext import xml_safe
from storage.timeutil import to_iso

logger = logging.getLogger(__name__)

FIRST_PERIOD = timedelta(hours=24)  # a first digest, with none before it, looks back this far
FEED_WINDOW = timedelta(days=14)  # the Atom file keeps the stories of the last two weeks
FEED_MAX_ENTRIES = 200
# The chart looks back this far at most; it starts at its first week with data.
CHART_REACH = timedelta(weeks=26)
EXTENSIONS = {"text": "txt", "markdown": "md", "html": "html", "json": "json", "atom": "atom"}
STDOUT = "-"


class DigestError(Exception):
    """A digest that cannot be made as asked; the message says why in one line."""


@dataclass(frozen=True)
class MailReport:
    digest_id: int
    error: str | None  # None: accepted by the server
    retry: bool  # a digest from an earlier run whose mail had failed


@dataclass
class DigestResult:
    digest: Digest
    digest_id: int | None  # None for a dry run
    rendered: dict[str, str]
    files: list[Path] = field(default_factory=list)
    mail: list[MailReport] = field(default_factory=list)
    pending_mail: int = 0  # mails still unsent after this run (retried at the next one)

    @property
    def mail_errors(self) -> list[str]:
        return [report.error for report in self.mail if report.error]


def is_digested(storage: Storage, until: datetime) -> bool:
    """Whether recorded digests already cover everything before `until`."""
    covered = parse_moment(storage.digests.covered_until())
    return covered is not None and covered >= until


def collect_digest(
    config: Config,
    storage: Storage,
    since: datetime,
    until: datetime,
    generated_at: datetime,
    include_all: bool = False,
    max_entries: int | None = None,
) -> Digest:
    """Read what the period holds and assemble the digest (no rendering)."""
    start, end = to_iso(since), to_iso(until)
    digests = storage.digests
    articles = digests.new_articles(start, end, include_irrelevant=include_all)
    if max_entries is not None:
        articles = sorted(articles, key=lambda row: row["first_seen_at"], reverse=True)
        articles = articles[:max_entries]
    copies = digests.copies_of([row["id"] for row in articles], end)
    late = digests.new_copies_of_earlier(start, end)
    late_originals = digests.articles_by_id({row["duplicate_of"] for row in late})
    seed = storage.articles.seed()
    seed_row = digests.articles_by_id([seed.id])[0] if seed and seed.id is not None else None
    chart_start = to_iso(min(since, until - CHART_REACH))
    return build_digest(
        since=since,
        until=until,
        generated_at=generated_at,
        articles=articles,
        copies=copies,
        seed=seed_row,
        late_copies=late,
        late_originals=[row for row in late_originals if not row["is_seed"]],
        health=digests.source_health(start, end),
        weekly=digests.weekly_counts(chart_start, end),
        include_all=include_all,
        threshold=config.profile.threshold,
        stories=storage.stories.for_digest(
            (row["story_id"] for row in articles if row.get("story_id") is not None), start
        ),
    )


# A clock a little ahead of ours is not "the future".
FUTURE_TOLERANCE = timedelta(minutes=1)


def resolve_period(
    storage: Storage, now: datetime, since: datetime | None, until: datetime | None
) -> tuple[datetime, datetime, str | None, bool]:
    """(since, until, the previous digest's end, whether `since` followed it)."""
    end = until or now
    if end > now + FUTURE_TOLERANCE:
        raise DigestError(f"--until {to_iso(end)} is in the future: nothing can be new there yet")
    if since is not None:
        if since >= end:
            raise DigestError(f"--since {to_iso(since)} is not before --until {to_iso(end)}")
        return since, end, None, False
    previous = storage.digests.covered_until()
    start = parse_moment(previous) if previous else None
    if start is None:
        start = end - FIRST_PERIOD
    elif start >= end:
        raise DigestError(f"already digested up to {previous}: nothing after the last digest")
    return start, end, previous, True


def chart_png(digest: Digest) -> bytes:
    return weekly_chart(digest.weekly, highlight_from=digest.since.date())


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def file_name(fmt: str, until: datetime) -> str:
    """Dated names sort by date; the Atom feed keeps one name, rewritten each time."""
    if fmt == "atom":
        return "digest.atom"
    # Seconds too: two digests made within one minute must not overwrite each other.
    return f"digest-{until.astimezone(UTC):%Y-%m-%dT%H%M%SZ}.{EXTENSIONS[fmt]}"


def _write_atomically(path: Path, text: str) -> None:
    # A feed reader or a person may open the file at any moment: never show half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        # mkstemp makes the file private (0600); a digest is for readers (a web server, a feed
        # reader, colleagues): keep a rewritten file's mode, else make it world-readable.
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _targets(
    output: Path | str | None, formats: Sequence[str], default_dir: Path, until: datetime
) -> dict[str, Path]:
    target = Path(output) if output is not None else default_dir
    is_dir = (
        output is None
        or target.is_dir()
        or str(output).endswith(("/", os.sep))
        or (not target.suffix)
    )
    if not is_dir:
        if len(formats) != 1:
            raise DigestError(
                f"--output {target}: a file takes one format, got {', '.join(formats)}; "
                "give a directory instead"
            )
        return {formats[0]: target}
    return {fmt: target / file_name(fmt, until) for fmt in formats}


def write_outputs(rendered: Mapping[str, str], targets: Mapping[str, Path]) -> list[Path]:
    written = []
    for fmt, path in targets.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, rendered[fmt])
        except OSError as error:
            raise DigestError(f"{path}: cannot write the {fmt} digest: {error}") from error
        written.append(path)
    return written


def _check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise DigestError(
            f"unknown digest format {', '.join(unknown)} (expected: {', '.join(FORMATS)})"
        )
    return tuple(dict.fromkeys(formats))


def run_digest(
    config: Config,
    storage: Storage,
    now: datetime,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    formats: Sequence[str] | None = None,
    output: Path | str | None = None,
    mail: bool = False,
    dry_run: bool = False,
    include_all: bool = False,
    chained: bool = True,
    stdout: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> DigestResult:
    """Make one digest.

    `since` None means "since the last recorded digest" (or the last 24 hours for the first);
    `until` None means `now`. `output` None writes dated files under `digest.output_dir`
    (a dry run prints to stdout instead), "-" prints to `stdout`, a directory or a file
    path writes there. `mail` sends it to `[digest.email]` after retrying earlier mails that
    failed. A dry run renders and writes but records nothing and mails nothing. `chained`
    False makes a digest "since the last one" a report: recorded, but the next digest (and
    the daemon's) still starts where the last chained one ended.
    Raises DigestError (and StorageError) for what cannot be done as asked.
    """
    if output is None and dry_run:
        output = STDOUT
    to_stdout = output is not None and str(output) == STDOUT
    if formats:
        chosen = _check_formats(formats)
    else:
        chosen = ("text",) if to_stdout else _check_formats(config.digest.formats)
    if to_stdout and len(chosen) != 1:
        raise DigestError(f"--output -: stdout takes one format, got {', '.join(chosen)}")
    email = config.digest.email
    if mail and not dry_run:
        if email is None:
            where = config.file or "the configuration"
            raise DigestError(f"--mail: {where} has no [digest.email] section")
        if not email.recipients:
            raise DigestError("--mail: [digest.email] recipients is empty")

    start, end, previous, following = resolve_period(storage, now, since, until)
    following = following and chained
    targets = {} if to_stdout else _targets(output, chosen, config.digest.output_dir, end)
    digest = collect_digest(config, storage, start, end, now, include_all)
    png = chart_png(digest) if "html" in chosen or (mail and not dry_run) else None

    rendered = {}
    for fmt in chosen:
        if fmt == "atom":
            feed = collect_digest(
                config, storage, end - FEED_WINDOW, end, now, include_all, FEED_MAX_ENTRIES
            )
            rendered[fmt] = render(fmt, feed)
        else:
            rendered[fmt] = render(fmt, digest, data_uri(png) if png else None)
    result = DigestResult(digest=digest, digest_id=None, rendered=rendered)
    if to_stdout:
        (stdout or sys.stdout).write(rendered[chosen[0]])
    else:
        result.files = write_outputs(rendered, targets)
    if dry_run:
        return result

    raw_mail = None
    if mail and email is not None:
        cid = mailer.chart_content_id()
        message = mailer.compose(
            subject=subject(digest),
            text=rendered.get("text") or xml_safe(render_text(digest)),
            html=xml_safe(render_html(digest, f"cid:{cid}")),
            sender=email.sender,
            recipients=email.recipients,
            when=now,
            chart_png=png,
            chart_cid=cid,
        )
        raw_mail = mailer.to_bytes(message)
    path = _recorded_path(to_stdout, result.files)
    record: dict[str, Any] = dict(
        since=to_iso(start),
        until=to_iso(end),
        article_count=digest.relevant_count,
        formats=list(chosen),
        path=path,
        created_at=to_iso(now),
        mail_message=raw_mail,
    )
    if following:
        digest_id = storage.digests.record_following(previous, **record)
        if digest_id is None:
            raise DigestError(
                f"another run recorded a digest after {previous or 'none'} meanwhile; "
                "this one was not recorded"
            )
    else:
        # A digest for a period of the user's choosing is a report: recorded, but it does not
        # move the mark the next "since the last digest" (and the daemon's schedule) starts at.
        digest_id = storage.digests.record(**record, chained=False)
    result.digest_id = digest_id
    if mail and email is not None:
        result.mail = send_pending(storage, email, env)
    result.pending_mail = len(storage.digests.pending_mails())
    return result


def _recorded_path(to_stdout: bool, files: Sequence[Path]) -> str | None:
    if to_stdout:
        return STDOUT
    if len(files) == 1:
        return str(files[0])
    return str(files[0].parent) if files else None


def send_pending(
    storage: Storage, email: EmailConfig, env: Mapping[str, str] | None = None
) -> list[MailReport]:
    """Send every digest mail not yet accepted, oldest first; record each outcome."""
    pending = storage.digests.pending_mails()
    newest = max((row["id"] for row in pending), default=None)
    outcomes = mailer.send_all([(row["id"], row["mail_message"]) for row in pending], email, env)
    reports = []
    for outcome in outcomes:
        if outcome.error is None:
            storage.digests.mail_sent(outcome.key)
        else:
            storage.digests.mail_failed(outcome.key, outcome.error)
            logger.warning("digest #%s: %s (retried at the next run)", outcome.key, outcome.error)
        reports.append(MailReport(outcome.key, outcome.error, retry=outcome.key != newest))
    return reports


def run_scheduled_digest(
    config: Config,
    storage: Storage,
    scheduled_at: datetime,
    now: datetime | None = None,
    env: Mapping[str, str] | None = None,
) -> DigestResult | None:
    """The daemon's digest for the period ending at `scheduled_at` (the job's fire time).

    Covers the time since the last recorded digest, writes the configured formats under
    `digest.output_dir` and mails it when `[digest.email]` is configured. Returns None, doing
    nothing, when that period is already digested (a re-fired or duplicated job, a second
    daemon): the period's end is the fire time, so one period never gets two digests.
    """
    if is_digested(storage, scheduled_at):
        return None
    try:
        return run_digest(
            config,
            storage,
            now or scheduled_at,
            until=scheduled_at,
            mail=config.digest.email is not None,
            env=env,
        )
    except DigestError:
        if is_digested(storage, scheduled_at):
            return None
        raise
