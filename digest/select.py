"""What a digest shows, decided from plain rows: which stories, in what order, grouped how.

Nothing here reads the database or renders anything. Every string that came from a feed is
cleaned here once (control and bidi-override characters dropped, whitespace collapsed) and
every link is checked here once (only http and https survive); the renderers then escape
for their own format.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from relevance.countries import country_of
from relevance.reasons import supporting_terms
from storage.models import json_list
from storage.timeutil import from_iso

Row = Mapping[str, Any]

SNIPPET_CHARS = 280
UNTITLED = "(untitled)"
# The strongest terms shown beside an entry: more reads as noise (the JSON keeps them all).
MAX_TAGS = 4
ACROSS_THE_REGION = "Across the region"
SEED_THREAD_GROUP = "The story you follow"
# Query parameters that only track the reader (campaign tags, click ids): dropped from links.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "_hs")
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "dclid", "yclid", "msclkid", "igshid", "ocid"})

# C0/C1 controls could drive a terminal (ANSI escapes) or hide text; bidi overrides and
# isolates can make a title display as something else than it says.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")


def clean_line(value: str | None) -> str:
    """An untrusted string as one clean line of text ("" for None)."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value)
    text = _INVISIBLE.sub("", text)
    return _SPACE.sub(" ", text).strip()


def safe_link(url: str | None) -> str | None:
    """The URL if it may be rendered as a link (absolute http or https), else None."""
    if not url:
        return None
    candidate = url.strip()
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return without_tracking(candidate)


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING_NAMES or name.startswith(_TRACKING_PREFIXES)


def without_tracking(url: str) -> str:
    """The URL without its tracking query parameters (utm_source, fbclid, …). The rest of
    the query stays byte for byte (its separators, its encoding: a cp1251 search term is not
    re-encoded), and a URL without any tracking parameter is returned as it was."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    # "a=1&b=2;c=3" → ["a=1", "&", "b=2", ";", "c=3"]: each segment after its separator.
    tokens = re.split(r"([&;])", parts.query)
    query, dropped = "", False
    for index in range(0, len(tokens), 2):
        segment = tokens[index]
        if _is_tracking(unquote(segment.split("=", 1)[0])):
            dropped = True
            continue
        query += (tokens[index - 1] if query else "") + segment
    return urlunsplit(parts._replace(query=query)) if dropped else url


def make_snippet(text: str | None, limit: int = SNIPPET_CHARS) -> str:
    """The start of an article's text, cut at a word boundary."""
    line = clean_line(text)
    if len(line) <= limit:
        return line
    cut = line[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + " …"


def parse_moment(value: str | None) -> datetime | None:
    """A stored timestamp as an aware datetime, or None if absent or unreadable."""
    if not value:
        return None
    try:
        return from_iso(value)
    except ValueError:
        return None


def _matched(value: Any) -> tuple[str, ...]:
    """The terms that made an article relevant, strongest first, cleaned for display, each
    once."""
    terms = (clean_line(term) for term in supporting_terms(json_list(value)))
    return tuple(dict.fromkeys(term for term in terms if term))


@dataclass(frozen=True)
class Carrier:
    """Another outlet that carried a story (a syndicated copy)."""

    id: int
    source: str
    url: str | None
    published_at: str | None
    first_seen_at: str | None


@dataclass(frozen=True)
class StoryNote:
    """What a digest says about an entry's story (storage/stories.py): all its outlets and
    languages so far, and whether the reader has seen it or its thread in an earlier
    digest."""

    id: int
    thread_id: int
    articles: int
    outlets: int
    languages: tuple[str, ...]
    update: bool  # new on a story (or thread) an earlier digest showed: "a story you follow"
    seed_thread: bool  # on the seed article's thread

    @property
    def reach(self) -> str:
        """ "3 outlets, 2 languages", or "4 reports from 3 outlets, 2 languages" when an
        outlet reported it more than once (else "1 outlet" would read as one report)."""
        outlets = f"{self.outlets} outlet{'' if self.outlets == 1 else 's'}"
        if self.articles > self.outlets:
            outlets = f"{self.articles} reports from {outlets}"
        count = len(self.languages)
        return f"{outlets}, {count} language{'' if count == 1 else 's'}"


UPDATE_NOTE = "new on a story you follow"


@dataclass(frozen=True)
class Entry:
    """One story: its most relevant new article, with the copies folded under it and the
    story's other new reports (other outlets' own words, any language)."""

    id: int
    title: str
    url: str | None  # only an http(s) URL, else None (then shown as text, never linked)
    canonical_url: str
    source: str
    author: str
    published_at: str | None
    first_seen_at: str | None
    updated_at: str | None
    relevance: float | None
    relevant: bool
    matched: tuple[str, ...]
    snippet: str
    lang: str
    copies: tuple[Carrier, ...] = ()
    story_id: int | None = None
    story: StoryNote | None = None
    reports: tuple["Entry", ...] = ()  # the story's other new articles, best first
    country: str | None = None  # the country of the region it is about (None: region-wide)
    page_problem: str = ""  # why its page gave no text (the source's summary was stored)

    @property
    def has_reach(self) -> bool:
        """Whether its story has more than this one report to tell of."""
        return self.story is not None and (self.story.articles > 1 or self.story.outlets > 1)

    @property
    def tags(self) -> tuple[str, ...]:
        """The strongest terms, for display."""
        return self.matched[:MAX_TAGS]

    @property
    def on_seed_thread(self) -> bool:
        return self.is_update and self.story is not None and self.story.seed_thread

    @property
    def group(self) -> str:
        """The heading the entry is listed under."""
        if self.on_seed_thread:
            return SEED_THREAD_GROUP
        return self.country or ACROSS_THE_REGION

    @property
    def carriers(self) -> tuple[Carrier, ...]:
        """One copy per other outlet, in the order the outlets carried the story."""
        first: dict[str, Carrier] = {}
        for copy in self.copies:
            if copy.source != self.source:
                first.setdefault(copy.source, copy)
        return tuple(first.values())

    @property
    def carried_by(self) -> tuple[str, ...]:
        return tuple(copy.source for copy in self.carriers)

    @property
    def is_update(self) -> bool:
        return self.story is not None and self.story.update

    @property
    def reported_by(self) -> tuple[str, ...]:
        """The other new reports of the story, as "Outlet (lang)"."""
        return tuple(
            f"{report.source} ({report.lang})" if report.lang else report.source
            for report in self.reports
        )


@dataclass(frozen=True)
class SourceState:
    name: str
    url: str | None
    polled: bool
    consecutive_errors: int
    last_error: str
    last_ok_at: str | None


@dataclass(frozen=True)
class Digest:
    since: datetime
    until: datetime
    generated_at: datetime
    entries: tuple[Entry, ...]
    reference: Entry | None  # the seed; its `copies` are the outlets new in this period
    recarried: tuple[Entry, ...]  # earlier stories; `copies` are the outlets new in the period
    sources: tuple[SourceState, ...]
    weekly: tuple[tuple[date, int], ...]
    include_all: bool = False
    threshold: float | None = None

    @property
    def articles(self) -> tuple[Entry, ...]:
        """Every new article listed: each entry and its story's other reports."""
        return tuple(a for e in self.entries for a in (e, *e.reports))

    @property
    def relevant_count(self) -> int:
        return sum(1 for a in self.articles if a.relevant)

    @property
    def below_threshold_count(self) -> int:
        return sum(1 for a in self.articles if not a.relevant)

    @property
    def story_count(self) -> int:
        return len(self.entries)

    @property
    def copy_count(self) -> int:
        return sum(len(a.copies) for a in self.articles)

    @property
    def polled_count(self) -> int:
        return sum(1 for s in self.sources if s.polled)

    @property
    def failing(self) -> tuple[SourceState, ...]:
        return tuple(s for s in self.sources if s.consecutive_errors > 0)

    @property
    def is_empty(self) -> bool:
        return not self.entries and not self.recarried and not self.reference_news

    @property
    def reference_news(self) -> bool:
        return self.reference is not None and bool(self.reference.copies)

    @property
    def groups(self) -> tuple[tuple[str, tuple[Entry, ...]], ...]:
        """The entries under their headings: the seed's thread first, then each country in
        the order of its best entry, then what is region-wide; each keeps the rank order."""
        grouped: dict[str, list[Entry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.group, []).append(entry)
        order = sorted(
            grouped,
            key=lambda name: (name != SEED_THREAD_GROUP, name == ACROSS_THE_REGION),
        )
        return tuple((name, tuple(grouped[name])) for name in order)


def carrier_from_row(row: Row) -> Carrier:
    return Carrier(
        id=row["id"],
        source=clean_line(row.get("source")) or "unknown outlet",
        url=safe_link(row.get("url")),
        published_at=row.get("published_at"),
        first_seen_at=row.get("first_seen_at"),
    )


def entry_from_row(row: Row, copies: Iterable[Row] = ()) -> Entry:
    relevance = row.get("relevance")
    return Entry(
        id=row["id"],
        title=clean_line(row.get("title")) or UNTITLED,
        url=safe_link(row.get("url")) or safe_link(row.get("canonical_url")),
        canonical_url=row.get("canonical_url") or row.get("url") or "",
        source=clean_line(row.get("source")) or "unknown outlet",
        author=clean_line(row.get("author")),
        published_at=row.get("published_at"),
        first_seen_at=row.get("first_seen_at"),
        updated_at=row.get("updated_at"),
        relevance=float(relevance) if relevance is not None else None,
        relevant=bool(row.get("relevant")),
        matched=_matched(row.get("matched")),
        snippet=make_snippet(row.get("text")),
        lang=clean_line(row.get("lang")),
        copies=tuple(carrier_from_row(c) for c in copies),
        story_id=row.get("story_id"),
        country=country_of(json_list(row.get("matched")), row.get("lang")),
        page_problem=clean_line(row.get("page_problem")),
    )


def _when(entry: Entry) -> datetime:
    return (
        parse_moment(entry.published_at)
        or parse_moment(entry.first_seen_at)
        or datetime.min.replace(tzinfo=UTC)
    )


def rank(entries: Iterable[Entry]) -> list[Entry]:
    """Relevant before below-threshold, then by relevance, then newest first, then by id."""
    return sorted(
        entries,
        key=lambda e: (e.relevant, e.relevance or 0.0, _when(e), -e.id),
        reverse=True,
    )


def story_note(row: Row) -> StoryNote:
    languages = row.get("languages") or []
    return StoryNote(
        id=int(row["id"]),
        thread_id=int(row.get("thread_id") or row["id"]),
        articles=int(row.get("article_count") or 0),
        outlets=int(row.get("outlet_count") or 0),
        languages=tuple(clean_line(str(lang)) for lang in languages if lang),
        update=bool(row.get("update")),
        seed_thread=bool(row.get("seed_thread")),
    )


def group_stories(ranked: Iterable[Entry], stories: Mapping[int, Row]) -> list[Entry]:
    """One entry per story, in the place of its best-ranked new article: its best-ranked
    article whose page was read (a feed's summary stored because the page failed does not
    lead over the full report by a hair of relevance), the story's other new articles folded
    under it as reports. Updates on the seed's thread (the matter the reader follows first)
    come first; the rest keep their rank."""
    places: list[Entry | int] = []  # an entry alone, or a story's id
    members: dict[int, list[Entry]] = {}
    for entry in ranked:
        story = entry.story_id
        if story is None or story not in stories:
            places.append(entry)
        elif story in members:
            members[story].append(entry)
        else:
            members[story] = [entry]
            places.append(story)
    grouped = []
    for place in places:
        if isinstance(place, Entry):
            grouped.append(place)
            continue
        entries = members[place]
        lead = next((e for e in entries if not e.page_problem), entries[0])
        reports = tuple(e for e in entries if e is not lead)
        grouped.append(replace(lead, story=story_note(stories[place]), reports=reports))
    return sorted(grouped, key=lambda e: not (e.is_update and e.story and e.story.seed_thread))


def group_copies(copies: Iterable[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for row in copies:
        if row.get("duplicate_of") is not None:
            grouped.setdefault(row["duplicate_of"], []).append(row)
    return grouped


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def fill_weeks(counts: Iterable[tuple[str, int]], start: date, end: date) -> list[tuple[date, int]]:
    """One (Monday, count) per week from start's week to end's week, zero where none."""
    known = {date.fromisoformat(week): count for week, count in counts}
    weeks = []
    week = monday(start)
    last = monday(end)
    while week <= last:
        weeks.append((week, known.get(week, 0)))
        week += timedelta(weeks=1)
    return weeks


def source_state(row: Row) -> SourceState:
    return SourceState(
        name=clean_line(row.get("name")),
        url=safe_link(row.get("url")),
        polled=bool(row.get("polled")),
        consecutive_errors=int(row.get("consecutive_errors") or 0),
        last_error=clean_line(row.get("last_error")),
        last_ok_at=row.get("last_ok_at"),
    )


def build_digest(
    *,
    since: datetime,
    until: datetime,
    generated_at: datetime,
    articles: Iterable[Row],
    copies: Iterable[Row],
    seed: Row | None,
    late_copies: Iterable[Row],
    late_originals: Iterable[Row],
    health: Iterable[Row],
    weekly: Iterable[tuple[str, int]],
    include_all: bool = False,
    threshold: float | None = None,
    stories: Mapping[int, Row] | None = None,
) -> Digest:
    """Assemble a digest from the rows storage returned for one period (`stories`: the
    story rows of its articles, by id, as storage.stories.for_digest gives them)."""
    by_original = group_copies(copies)
    ranked = rank(entry_from_row(row, by_original.get(row["id"], ())) for row in articles)
    entries = group_stories(ranked, stories or {})

    late = group_copies(late_copies)
    reference = None
    if seed is not None:
        reference = entry_from_row(seed, late.pop(seed["id"], ()))
    recarried = rank(
        entry_from_row(row, late[row["id"]])
        for row in late_originals
        if row["id"] in late and (include_all or row.get("relevant"))
    )

    # The chart spans the weeks that have data, through the digest's own: no run of empty
    # weeks before the first article.
    weekly = list(weekly)
    first_week = date.fromisoformat(weekly[0][0]) if weekly else since.date()
    chart_start = min(first_week, since.date())
    return Digest(
        since=since,
        until=until,
        generated_at=generated_at,
        entries=tuple(entries),
        reference=reference,
        recarried=tuple(recarried),
        sources=tuple(source_state(row) for row in health),
        weekly=tuple(fill_weeks(weekly, chart_start, (until - timedelta(seconds=1)).date())),
        include_all=include_all,
        threshold=threshold,
    )
