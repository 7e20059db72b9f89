"""What spiders yield: articles to store, and a record of each source fetch."""

from dataclasses import dataclass, field


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
    changed: bool = False  # the source announced an update of an article already stored
    guid: str | None = None  # the feed entry's id (RSS guid, Atom id), unique within the source
    canonical_link: str | None = None  # the page's rel=canonical or og:url, made absolute
    # Filled in by the pipelines:
    canonical_url: str | None = None
    aliases: list[str] = field(default_factory=list)
    relevance: float | None = None
    relevant: bool = False
    matched: list[str] = field(default_factory=list)


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
    page: bool = False  # an article page that failed or was refused (not the source's health)
