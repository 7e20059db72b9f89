"""`newswatch timeline`, `newswatch stories` and `newswatch story ID`: one event followed
across outlets and languages (a story), and stories on one matter over time (a thread).

They only read: the database is opened read-only. The timeline's chart is a PNG file.
"""

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from digest.chart import weekly_chart
from digest.select import fill_weeks
from scheduler.context import AppContext, echo
from scheduler.digest_command import IsoMoment
from scheduler.output import counted, echo_json, shorten, table
from storage import Storage
from storage.timeutil import to_iso

TITLE_WIDTH = 70


def _day(moment: str | None) -> str:
    return moment[:10] if moment else "undated"


def _outlets(articles: Iterable[Mapping[str, Any]]) -> list[str]:
    """The outlets that carried a story, in the order they first did."""
    return list(dict.fromkeys(str(a["source"]) for a in articles))


def _story_or_fail(storage: Storage, story_id: int) -> dict[str, Any]:
    story = storage.stories.get(story_id)
    if story is None:
        raise click.ClickException(f"no story #{story_id}")
    return story


@click.command()
@click.option(
    "--story",
    "story_id",
    type=int,
    metavar="ID",
    help="Show this story's thread (default: the seed article's).",
)
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the weekly chart here (default: timeline-story-ID.png in digest.output_dir).",
)
@click.option("--no-chart", is_flag=True, help="Do not write the chart.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_obj
def timeline(
    app: AppContext, story_id: int | None, chart_path: Path | None, no_chart: bool, as_json: bool
) -> None:
    """Follow a thread over time: each of its stories in date order, with its date,
    headline, outlets and languages, and the articles per week as a chart (PNG).

    A story is one event as every outlet reported it, in any language; a thread is the
    stories on one matter over time (a planned exercise, its opening, next year's edition).
    Without --story it shows the seed article's thread: the matter you follow first.

    Example:

        newswatch timeline --story 12
    """
    with app.reader() as storage:
        if story_id is None:
            story_id = storage.stories.seed_story()
            if story_id is None:
                raise click.ClickException("no seed article with a story in this database")
        _story_or_fail(storage, story_id)
        stories = storage.stories.thread(story_id)
        articles = storage.stories.articles([s["id"] for s in stories])
        weekly = storage.stories.weekly_counts([s["id"] for s in stories])
    by_story: dict[int, list[dict[str, Any]]] = {s["id"]: [] for s in stories}
    for article in articles:
        by_story[article["story_id"]].append(article)
    written, failure = None, None
    if not no_chart and weekly:
        path = chart_path or app.config.digest.output_dir / f"timeline-story-{stories[0]['id']}.png"
        try:
            written = _write_chart(path, _weeks(weekly))
        except OSError as error:  # the timeline is still shown; the exit code says it
            failure = f"{path}: cannot write the chart: {error}"
    if as_json:
        echo_json(
            {
                "thread": stories[0]["thread_id"],
                "stories": [
                    {**story, "outlets": _outlets(by_story[story["id"]])} for story in stories
                ],
                "weekly": [{"week": week, "articles": count} for week, count in weekly],
                "chart": str(written) if written else None,
            }
        )
        _fail_on(failure)
        return
    first = stories[0]
    # Stories run in the order they began; the thread ends with the latest end of any.
    ends = [story["last_published_at"] for story in stories if story["last_published_at"]]
    echo(
        f"thread #{first['thread_id']}: {counted(len(stories), 'story', 'stories')}, "
        f"{counted(len(articles), 'article')}, "
        f"{_day(first['first_published_at'])} → {_day(max(ends) if ends else None)}"
    )
    for story in stories:
        members = by_story[story["id"]]
        outlets = _outlets(members)
        marker = " *" if story["id"] == story_id else ""
        echo("")
        title = story["title"] or "(untitled)"
        echo(f"{_day(story['first_published_at'])}  #{story['id']}{marker}  {title}")
        echo(
            f"            {counted(story['article_count'], 'article')} · "
            f"{counted(len(outlets), 'outlet')}: {shorten(', '.join(outlets), 90)} · "
            f"{', '.join(story['languages']) or 'language unknown'}"
        )
    echo("")
    if any(story["id"] == story_id for story in stories):
        echo(f"* #{story_id}: the story asked for (by default the seed's)")
    if written:
        echo(f"chart (articles per week): {written}")
    elif not no_chart and failure is None:
        echo("chart: no dated articles to draw")
    _fail_on(failure)


def _fail_on(failure: str | None) -> None:
    if failure is not None:
        raise click.ClickException(failure)


# A chart shows at least this many weeks, so that a thread of one week still has dates
# around it to read.
MIN_CHART_WEEKS = 8


def _weeks(weekly: Sequence[tuple[str, int]]) -> list[tuple[date, int]]:
    """Every week from the thread's first to its last, a week of margin on each side."""
    start = date.fromisoformat(weekly[0][0]) - timedelta(weeks=1)
    end = date.fromisoformat(weekly[-1][0]) + timedelta(weeks=1)
    end = max(end, start + timedelta(weeks=MIN_CHART_WEEKS - 1))
    return fill_weeks(weekly, start, end)


def _write_chart(path: Path, weeks: Sequence[tuple[date, int]]) -> Path:
    """The weekly bar chart as PNG at `path`, written whole or not at all."""
    png = weekly_chart(weeks, highlight_from=weeks[0][0])  # every bar drawn and numbered
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(png)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path.resolve()


@click.command()
@click.option(
    "--since",
    type=IsoMoment(),
    help="Only stories with an article published at or after this (ISO; UTC if no zone).",
)
@click.option(
    "--relevant", "relevant_only", is_flag=True, help="Only stories with a relevant article."
)
@click.option("--limit", default=50, show_default=True, help="Most stories to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_obj
def stories(
    app: AppContext, since: datetime | None, relevant_only: bool, limit: int, as_json: bool
) -> None:
    """List stories, latest first, with their articles, outlets and languages.

    The thread column is the thread's first story (the story itself when it starts one);
    `newswatch timeline --story ID` shows a thread, `newswatch story ID` a story.

    Example:

        newswatch stories --since 2024-07-01 --relevant
    """
    with app.reader() as storage:
        found = storage.stories.listing(
            to_iso(since) if since is not None else None, relevant_only, limit
        )
    if as_json:
        echo_json(found)
        return
    if not found:
        echo("no story matches")
        return
    rows = [
        [
            f"#{s['id']}",
            _day(s["first_published_at"]),
            _day(s["last_published_at"]),
            s["article_count"],
            s["outlet_count"],
            ", ".join(s["languages"]) or "-",
            f"#{s['thread_id']}" + (f" ({s['thread_stories']})" if s["thread_stories"] > 1 else ""),
            shorten(s["title"] or "(untitled)", TITLE_WIDTH),
        ]
        for s in found
    ]
    headers = ["story", "first", "last", "articles", "outlets", "languages", "thread", "title"]
    echo(table(rows, headers, disable_numparse=True))


@click.command()
@click.argument("story_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_obj
def story(app: AppContext, story_id: int, as_json: bool) -> None:
    """List a story's articles, first seen first: outlet, language, and whether it is a
    copy of another outlet's article.

    Example:

        newswatch story 12
    """
    with app.reader() as storage:
        found = _story_or_fail(storage, story_id)
        thread = storage.stories.thread(story_id)
        articles = storage.stories.articles([story_id])
    articles.sort(key=lambda a: (a["first_seen_at"] or "", a["id"]))
    if as_json:
        echo_json({**found, "articles": articles})
        return
    position = next(n for n, s in enumerate(thread, start=1) if s["id"] == story_id)
    echo(f"story #{story_id}: {found['title'] or '(untitled)'}")
    echo(
        f"{_day(found['first_published_at'])} → {_day(found['last_published_at'])} · "
        f"{counted(found['article_count'], 'article')} · "
        f"{counted(found['outlet_count'], 'outlet')} · "
        f"{', '.join(found['languages']) or 'language unknown'} · "
        f"thread #{found['thread_id']} (story {position} of {len(thread)})"
    )
    echo("")
    rows = [
        [
            f"#{a['id']}",
            a["first_seen_at"] or "-",
            _day(a["published_at"]),
            a["source"],
            a["lang"] or "-",
            "seed"
            if a["is_seed"]
            else (f"copy of #{a['duplicate_of']}" if a["duplicate_of"] else ""),
            shorten(a["title"] or "(untitled)", TITLE_WIDTH),
        ]
        for a in articles
    ]
    headers = ["id", "first seen", "published", "outlet", "lang", "seed/copy", "title"]
    echo(table(rows, headers, disable_numparse=True))
