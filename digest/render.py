"""A digest in each format: plain text, Markdown, HTML, JSON and Atom.

Feed content is untrusted. `select` already dropped control characters and every link that
is not http(s); here each format escapes for itself: Markdown with backslashes, HTML through
Jinja2's autoescaping, Atom through ElementTree, JSON through `json`.
"""

import hashlib
import json
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from config import DIGEST_FORMATS
from digest.select import UPDATE_NOTE, Carrier, Digest, Entry, SourceState, parse_moment
from storage.cleantext import xml_safe
from storage.timeutil import to_iso

JSON_VERSION = 2
# Text and Markdown (a mail's plain part, a terminal) list this many stories; the HTML and
# JSON digests list them all.
MAX_PLAIN_ENTRIES = 25
# The HTML digest shows this many stories of a group in full, the rest as one line each.
FULL_PER_GROUP = 5
# The formats are configuration's registry (digest.formats); RENDERERS implements each.
FORMATS = DIGEST_FORMATS
TITLE = "newswatch digest"
FEED_ID = "tag:newswatch,2024:digest-feed"
ATOM_NS = "http://www.w3.org/2005/Atom"


# -- small shared wording -------------------------------------------------------------------


def day(value: str | None) -> str:
    moment = parse_moment(value)
    return moment.strftime("%Y-%m-%d") if moment else "undated"


def moment_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def relevance_text(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "–"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def period_text(d: Digest) -> str:
    return f"{moment_text(d.since)} → {moment_text(d.until)}"


def headline(d: Digest) -> str:
    """The counts line of the header."""
    parts = [
        plural(d.relevant_count, "new relevant article"),
    ]
    if d.copy_count:
        parts[0] += f" (+{plural(d.copy_count, 'copy', 'copies')})"
    if d.story_count < len(d.articles):
        parts[0] += f" in {plural(d.story_count, 'story', 'stories')}"
    if d.include_all:
        parts.append(f"{d.below_threshold_count} below threshold")
    parts.append(f"{d.polled_count} of {plural(len(d.sources), 'outlet')} polled")
    parts.append(f"{plural(len(d.failing), 'outlet')} in error")
    return " · ".join(parts)


def subject(d: Digest) -> str:
    """A mail subject: the date and what is new."""
    when = d.until.astimezone(UTC).strftime("%d %b %Y")
    if d.is_empty:
        return f"{TITLE} {when}: nothing new"
    return f"{TITLE} {when}: {plural(d.relevant_count, 'new relevant article')}"


def nothing_new(d: Digest) -> str:
    return f"Nothing new since {moment_text(d.since)}."


def story_text(entry: Entry, name_reports: bool = True) -> str:
    """ "Story: 3 outlets, 2 languages (en, ru); also reported by Kazinform (ru)", or ""."""
    if entry.story is None or not entry.has_reach:
        return ""
    languages = ", ".join(entry.story.languages)
    text = f"Story: {entry.story.reach}" + (f" ({languages})" if languages else "")
    if entry.reported_by and name_reports:
        text += "; also reported by " + ", ".join(entry.reported_by)
    return text


def update_text(entry: Entry) -> str:
    """ "Update: new on a story you follow" for an entry on a followed story, else ""."""
    if not entry.is_update:
        return ""
    return f"Update: {UPDATE_NOTE}" + (
        " (the seed's thread)" if entry.story and entry.story.seed_thread else ""
    )


def lang_mark(entry: Entry) -> str:
    """ "[ru] " before a title, "" when the language is unknown."""
    return f"[{entry.lang}] " if entry.lang else ""


def capped(d: Digest, limit: int) -> tuple[list[tuple[str, list[Entry]]], int]:
    """The `limit` best-ranked entries under their headings, and how many were left out (a
    heading's lesser stories give way to another's better ones)."""
    chosen = {id(entry) for entry in d.entries[:limit]}
    kept = [
        (name, [entry for entry in entries if id(entry) in chosen]) for name, entries in d.groups
    ]
    return [(name, entries) for name, entries in kept if entries], max(0, len(d.entries) - limit)


def more_text(left_out: int) -> str:
    return f"{plural(left_out, 'more story', 'more stories')} in the HTML and JSON digests."


def page_note(entry: Entry) -> str:
    """ "Feed summary only: HTTP 404" for an article whose page gave no text, else ""."""
    return f"Feed summary only: {entry.page_problem}" if entry.page_problem else ""


def entry_meta(entry: Entry) -> str:
    parts = [entry.source, day(entry.published_at)]
    if entry.author:
        parts.append(f"by {entry.author}")
    return " · ".join(parts)


def failure_text(source: SourceState) -> str:
    since = f", last ok {day(source.last_ok_at)}" if source.last_ok_at else ", never ok"
    failures = plural(source.consecutive_errors, "failure")
    return f"{source.name} ({failures} in a row{since}): {source.last_error or 'no message'}"


# -- plain text ------------------------------------------------------------------------------


def _wrap(text: str, indent: str, width: int) -> list[str]:
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_on_hyphens=False,  # keep "Tyub-Karagan" and "S-400" whole
    )
    return lines or [indent.rstrip()]


def _text_entry(number: int | None, entry: Entry, width: int, new_copies: bool) -> list[str]:
    marker = "" if entry.relevant else " [below threshold]"
    lead = f"{number}. " if number is not None else "- "
    indent = " " * len(lead)
    title = f"[{relevance_text(entry.relevance)}] {lang_mark(entry)}{entry.title}{marker}"
    lines = _wrap(title, "", width - 4)
    lines = [lead + lines[0]] + [indent + line for line in lines[1:]]
    if update_text(entry):
        lines += _wrap(update_text(entry), indent, width)
    lines += _wrap(entry_meta(entry), indent, width)
    if story_text(entry, name_reports=False):
        lines += _wrap(story_text(entry, name_reports=False), indent, width)
    if page_note(entry):
        lines += _wrap(page_note(entry), indent, width)
    if entry.tags:
        lines += _wrap("Matched: " + ", ".join(entry.tags), indent, width)
    if entry.snippet and not new_copies:
        lines += _wrap(entry.snippet, indent, width)
    lines.append(indent + (entry.url or "(no web link)"))
    if entry.carried_by:
        label = "Newly carried by: " if new_copies else "Also carried by: "
        lines += _wrap(label + ", ".join(entry.carried_by), indent, width)
    for report, outlet in zip(entry.reports, entry.reported_by, strict=True):
        # Plain text links nothing: each other report gets its title and address.
        lines += _wrap(f"Also reported by {outlet}: {report.title}", indent, width)
        lines.append(indent + "  " + (report.url or "(no web link)"))
    return lines


def render_text(d: Digest, width: int = 78) -> str:
    lines = [f"{TITLE.upper()} — {moment_text(d.until)}", f"Period: {period_text(d)}"]
    lines += _wrap(headline(d), "", width)
    if d.reference is not None:
        ref = d.reference
        lines.append("")
        lines += _wrap(f"Tracking: {ref.title} ({entry_meta(ref)})", "", width)
        if ref.carried_by:
            lines += _wrap("Newly carried by: " + ", ".join(ref.carried_by), "  ", width)
    lines.append("")
    if d.is_empty:
        lines += [nothing_new(d), ""]
    groups, left_out = capped(d, MAX_PLAIN_ENTRIES)
    number = 0
    for name, entries in groups:
        lines += [name.upper(), ""]
        for entry in entries:
            number += 1
            lines += [*_text_entry(number, entry, width, new_copies=False), ""]
    if left_out:
        lines += [more_text(left_out), ""]
    if d.recarried:
        lines += ["EARLIER STORIES, NEWLY CARRIED", ""]
        for entry in d.recarried:
            lines += [*_text_entry(None, entry, width, new_copies=True), ""]
    if d.failing:
        lines += ["SOURCES IN ERROR"]
        for source in d.failing:
            lines += _wrap(failure_text(source), "  ", width)
    return "\n".join(lines).strip() + "\n"


# -- Markdown --------------------------------------------------------------------------------

# Characters that may take a meaning inline (emphasis, code, raw HTML, GFM tables and strikes,
# math); a backslash makes each literal. `&` too, so "&lt;" in a title stays text instead of
# becoming an entity. Brackets are escaped, so a "(" can never start a link destination.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&$])")
# What could open a block (a list, a heading, a quote) if it started a line.
_MD_LINE_START = re.compile(r"^(\s*)([-+=#>]|\d+[.)])")


def md_escape(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def md_url(url: str) -> str:
    """An http(s) URL made safe inside `(...)`: no bracket, space or angle can end it."""
    for raw, encoded in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), (" ", "%20")):
        url = url.replace(raw, encoded)
    return url


def md_link(text: str, url: str | None) -> str:
    return f"[{md_escape(text)}]({md_url(url)})" if url else md_escape(text)


def _md_carriers(entry: Entry) -> str:
    return ", ".join(md_link(copy.source, copy.url) for copy in entry.carriers)


def _md_meta(entry: Entry) -> str:
    meta = f"**{relevance_text(entry.relevance)}** · {md_escape(entry_meta(entry))}"
    if not entry.relevant:
        meta += " · *below threshold*"
    if entry.lang:
        meta += f" · {md_escape(entry.lang)}"
    if entry.page_problem:
        meta += f" · *{md_escape(page_note(entry))}*"
    if entry.tags:
        meta += " · matched: " + ", ".join(md_escape(term) for term in entry.tags)
    return meta


def _md_entry(number: int, entry: Entry) -> list[str]:
    lines = [f"### {number}. {md_link(entry.title, entry.url)}", ""]
    if update_text(entry):
        lines += [f"**{md_escape(update_text(entry))}**", ""]
    lines += [_md_meta(entry), ""]
    if entry.story is not None and entry.has_reach:
        languages = ", ".join(entry.story.languages)
        story = f"*Story:* {md_escape(entry.story.reach)}"
        lines += [story + (f" ({md_escape(languages)})" if languages else ""), ""]
    if entry.snippet:
        lines += [f"> {md_escape(entry.snippet)}", ""]
    carriers = _md_carriers(entry)
    if carriers:
        lines += [f"*Also carried by:* {carriers}", ""]
    if entry.reports:
        reports = ", ".join(
            md_link(report.source, report.url)
            + (f" ({md_escape(report.lang)})" if report.lang else "")
            for report in entry.reports
        )
        lines += [f"*Also reported by:* {reports}", ""]
    return lines


def _md_recarried(entry: Entry) -> str:
    carriers = _md_carriers(entry)
    return f"- {md_link(entry.title, entry.url)} — {_md_meta(entry)}; newly carried by {carriers}"


def render_markdown(d: Digest) -> str:
    lines = [
        f"# {TITLE.capitalize()} — {d.until.astimezone(UTC).strftime('%d %B %Y')}",
        "",
        f"*{md_escape(period_text(d))}*",
        "",
        f"**{md_escape(headline(d))}**",
        "",
    ]
    if d.reference is not None:
        ref = d.reference
        lines.append(
            f"Tracking the reference article {md_link(ref.title, ref.url)} "
            f"({md_escape(entry_meta(ref))})."
        )
        carriers = _md_carriers(ref)
        if carriers:
            lines.append(f"Newly carried by {carriers}.")
        lines.append("")
    if d.is_empty:
        lines += [md_escape(nothing_new(d)), ""]
    groups, left_out = capped(d, MAX_PLAIN_ENTRIES)
    number = 0
    for name, entries in groups:
        lines += [f"## {md_escape(name)}", ""]
        for entry in entries:
            number += 1
            lines += _md_entry(number, entry)
    if left_out:
        lines += [f"*{md_escape(more_text(left_out))}*", ""]
    if d.recarried:
        lines += ["## Earlier stories, newly carried", ""]
        lines += [_md_recarried(entry) for entry in d.recarried]
        lines.append("")
    if d.failing:
        lines += ["## Sources in error", ""]
        lines += [f"- {md_escape(failure_text(source))}" for source in d.failing]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- HTML ------------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("digest", "templates"),
        autoescape=True,  # every {{ }} is escaped; the templates never use |safe
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(day=day, relevance=relevance_text, moment=moment_text)
    env.globals.update(
        plural=plural,
        entry_meta=entry_meta,
        failure_text=failure_text,
        update_text=update_text,
        page_note=page_note,
        full_per_group=FULL_PER_GROUP,
    )
    return env


def render_html(d: Digest, chart_src: str | None = None) -> str:
    """The HTML digest; `chart_src` is a data: or cid: URI of the weekly chart, if any."""
    template = _environment().get_template("digest.html.j2")
    html = template.render(
        d=d,
        title=TITLE,
        headline=headline(d),
        period=period_text(d),
        nothing_new=nothing_new(d),
        chart_src=chart_src,
        long_date=d.until.astimezone(UTC).strftime("%A %d %B %Y"),
    )
    return html if html.endswith("\n") else html + "\n"  # a file, or stdout, ends its line


# -- JSON ------------------------------------------------------------------------------------


def _carrier_json(copy: Carrier) -> dict[str, Any]:
    return {
        "id": copy.id,
        "source": copy.source,
        "url": copy.url,
        "published_at": copy.published_at,
        "first_seen_at": copy.first_seen_at,
    }


def _entry_json(entry: Entry, rank: int | None) -> dict[str, Any]:
    return {
        "rank": rank,
        "id": entry.id,
        "title": entry.title,
        "url": entry.url,
        "source": entry.source,
        "author": entry.author or None,
        "published_at": entry.published_at,
        "first_seen_at": entry.first_seen_at,
        "relevance": entry.relevance,
        "relevant": entry.relevant,
        "matched": list(entry.matched),
        "snippet": entry.snippet,
        "lang": entry.lang or None,
        "country": entry.country,
        "page_problem": entry.page_problem or None,
        "copies": [_carrier_json(c) for c in entry.copies],
        "story": _story_json(entry),
        "reports": [_entry_json(report, None) for report in entry.reports],
    }


def _story_json(entry: Entry) -> dict[str, Any] | None:
    story = entry.story
    if story is None:
        return None
    return {
        "id": story.id,
        "thread_id": story.thread_id,
        "articles": story.articles,
        "outlets": story.outlets,
        "languages": list(story.languages),
        "update": story.update,
        "seed_thread": story.seed_thread,
    }


def _week_json(week: tuple[date, int]) -> dict[str, Any]:
    return {"week": week[0].isoformat(), "articles": week[1]}


def digest_json(d: Digest) -> dict[str, Any]:
    """The digest as plain JSON values, in the shape described in digest/README.md."""
    return {
        "version": JSON_VERSION,
        "generator": "newswatch",
        "generated_at": to_iso(d.generated_at),
        "period": {"since": to_iso(d.since), "until": to_iso(d.until)},
        "include_below_threshold": d.include_all,
        "threshold": d.threshold,
        "counts": {
            "relevant": d.relevant_count,
            "below_threshold": d.below_threshold_count,
            "stories": d.story_count,
            "copies": d.copy_count,
            "outlets": len(d.sources),
            "outlets_polled": d.polled_count,
            "outlets_in_error": len(d.failing),
        },
        "reference": _entry_json(d.reference, None) if d.reference else None,
        "articles": [_entry_json(e, n) for n, e in enumerate(d.entries, start=1)],
        "recarried": [_entry_json(e, None) for e in d.recarried],
        "failing_sources": [
            {
                "name": s.name,
                "url": s.url,
                "consecutive_errors": s.consecutive_errors,
                "last_error": s.last_error or None,
                "last_ok_at": s.last_ok_at,
            }
            for s in d.failing
        ],
        "weekly": [_week_json(w) for w in d.weekly],
    }


def render_json(d: Digest) -> str:
    return json.dumps(digest_json(d), ensure_ascii=False, indent=2) + "\n"


# -- Atom ------------------------------------------------------------------------------------


def entry_id(canonical_url: str) -> str:
    """A stable Atom id: the same article keeps it in every rewrite of the feed."""
    digest = hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]
    return f"tag:newswatch,2024:article:{digest}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _atom_time(value: str | None, fallback: datetime) -> str:
    moment = parse_moment(value) or fallback
    return to_iso(moment)


def _atom_entry(feed: ET.Element, entry: Entry, d: Digest) -> None:
    element = _sub(feed, "entry")
    _sub(element, "id", entry_id(entry.canonical_url))
    title = entry.title if entry.relevant else f"{entry.title} [below threshold]"
    _sub(element, "title", title, type="text")
    _sub(element, "updated", _atom_time(entry.first_seen_at, d.until))
    if parse_moment(entry.published_at):
        _sub(element, "published", _atom_time(entry.published_at, d.until))
    if entry.url:
        _sub(element, "link", rel="alternate", type="text/html", href=entry.url)
    author = _sub(element, "author")
    _sub(author, "name", entry.author or entry.source)
    for term in entry.matched:
        _sub(element, "category", term=term)
    _sub(element, "summary", entry.snippet or entry.title, type="text")
    details = [
        f"{entry.source} · {day(entry.published_at)} · relevance {relevance_text(entry.relevance)}"
    ]
    if entry.matched:
        details.append("Matched: " + ", ".join(entry.matched))
    if update_text(entry):
        details.insert(0, update_text(entry))
    if story_text(entry):
        details.append(story_text(entry))
    if entry.snippet:
        details.append(entry.snippet)
    if entry.carried_by:
        details.append("Also carried by: " + ", ".join(entry.carried_by))
    _sub(element, "content", "\n\n".join(details), type="text")


def render_atom(d: Digest) -> str:
    """An Atom feed of the digest's stories, newest digest period last rewritten."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", FEED_ID)
    _sub(feed, "title", "newswatch: regional defense coverage", type="text")
    if d.reference is not None:
        _sub(feed, "subtitle", f"New coverage related to: {d.reference.title}", type="text")
    _sub(feed, "updated", to_iso(d.until))
    _sub(_sub(feed, "author"), "name", "newswatch")
    _sub(feed, "generator", "newswatch")
    for entry in d.entries:
        _atom_entry(feed, entry, d)
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


RENDERERS: dict[str, Callable[[Digest, str | None], str]] = {
    "text": lambda d, _chart: render_text(d),
    "markdown": lambda d, _chart: render_markdown(d),
    "html": render_html,
    "json": lambda d, _chart: render_json(d),
    "atom": lambda d, _chart: render_atom(d),
}


def render(fmt: str, d: Digest, chart_src: str | None = None) -> str:
    """Render one format by name (one of FORMATS); only HTML shows the chart. Whatever a
    stored title holds, the output has no character XML forbids (a U+FFFF in one title
    would make the Atom feed unreadable for as long as the title is in it)."""
    return xml_safe(RENDERERS[fmt](d, chart_src))
