"""What spiders yield: articles to store, and a record of each source fetch; and the lead
an article request carries."""

from dataclasses import dataclass, field

from storage.models import Worked


@dataclass(frozen=True)
class Lead:
    """What a source says about an article before its page is fetched: a feed entry, a
    sitemap URL or a listing page's link. Where the page gives less, these fill in."""

    url: str
    title: str | None = None
    summary: str | None = None
    author: str | None = None
    published_at: str | None = None
    updated_at: str | None = None
    lang: str | None = None
    guid: str | None = None  # the feed entry's id (RSS guid, Atom id), unique within the source

    @property
    def announced_at(self) -> str | None:
        """The source's own time for the article: when it says it last changed."""
        return self.updated_at or self.published_at


@dataclass
class ArticleItem:
    """An article found on a source, as extracted (pipelines fill in the rest)."""

    source: str
    url: str
    title: str | None = None
    text: str | None = None
    author: str | None = None
    published_at: str | None = None
    lang: str | None = None
    summary_only: bool = False
    page_problem: str | None = None  # why the page gave no text (then summary_only)
    reread: bool = False  # a stored article fetched again: its source announced a change
    guid: str | None = None  # the feed entry's id (RSS guid, Atom id), unique within the source
    announced_at: str | None = None  # the source's time for it (Lead.announced_at)
    canonical_link: str | None = None  # the page's rel=canonical or og:url, made absolute
    worked: Worked | None = None  # computed ahead by a page worker (crawl.workers)
    # Filled in by the pipelines:
    canonical_url: str | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass
class FetchItem:
    """The outcome of fetching a source's feed, sitemap or listing page."""

    source: str
    url: str
    started_at: str
    finished_at: str
    status: str  # "ok", "not-modified" or "error"
    error: str | None = None
    items_seen: int = 0
    etag: str | None = None
    last_modified: str | None = None
    primary: bool = False  # the source's own URL (its outcome is the source's health)
    is_index: bool = False  # it only points to other documents (robots.txt, a sitemap index)
    page: bool = False  # an article page that failed or was refused (not the source's health)
