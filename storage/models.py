"""Plain values passed in and out of storage."""

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=4)  # an article's text is reduced for its content hash and its fingerprint
def normalise_for_hash(text: str) -> str:
    """Text reduced to lowercase letters and digits only.

    Whitespace and punctuation are dropped altogether, so a syndicated copy whose line breaks
    glued words together ("werepart") hashes like the original ("were part").
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_WORD.sub("", folded)


def content_hash(text: str | None) -> str | None:
    """A stable fingerprint of an article's text, or None for an empty text."""
    normalised = normalise_for_hash(text or "")
    if not normalised:
        return None
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def guid_alias(source: str, guid: str) -> str:
    """The alias that records a feed entry's guid: unique within its source only (two feeds
    may both number their entries 1, 2, 3…), so the source is part of it."""
    return f"guid:{source}:{guid.strip()}"


def json_list(value: object) -> list[Any]:
    """A JSON list column (`articles.matched`, `stories.languages`) as a list, however it was
    read (JSON text, or already a list); [] for anything else (a hand-edited row)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return list(value) if isinstance(value, list | tuple) else []


@dataclass(frozen=True)
class Article:
    """An article as stored in the `articles` table."""

    url: str
    canonical_url: str
    source: str
    title: str | None = None
    author: str | None = None
    published_at: str | None = None
    text: str | None = None
    lang: str | None = None
    relevance: float | None = None
    relevant: bool = False
    matched: tuple[str, ...] = ()
    is_seed: bool = False
    duplicate_of: int | None = None
    content_hash: str | None = None
    id: int | None = None
    first_seen_at: str | None = None
    updated_at: str | None = None
    # The source's own updated (else published) time for this version, as its feed or
    # sitemap announced it.
    announced_at: str | None = None
    # Why the page gave no text, when the source's own summary was stored instead ("HTTP
    # 404", "not an HTML page", "no article text on the page"); None when it was read.
    page_problem: str | None = None
    aliases: tuple[str, ...] = field(default=(), compare=False)

    def to_row(self) -> dict[str, Any]:
        row = {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "source": self.source,
            "title": self.title,
            "author": self.author,
            "published_at": self.published_at,
            "text": self.text,
            "lang": self.lang,
            "relevance": self.relevance,
            "relevant": int(self.relevant),
            "matched": json.dumps(list(self.matched), ensure_ascii=False),
            "is_seed": int(self.is_seed),
            "duplicate_of": self.duplicate_of,
            "content_hash": self.content_hash or content_hash(self.text),
            "first_seen_at": self.first_seen_at,
            "updated_at": self.updated_at,
            "announced_at": self.announced_at,
            "page_problem": self.page_problem,
        }
        if self.id is not None:
            row["id"] = self.id
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Article":
        return cls(
            id=row["id"],
            url=row["url"],
            canonical_url=row["canonical_url"],
            source=row["source"],
            title=row["title"],
            author=row["author"],
            published_at=row["published_at"],
            text=row["text"],
            lang=row["lang"],
            relevance=row["relevance"],
            relevant=bool(row["relevant"]),
            matched=tuple(json.loads(row["matched"] or "[]")),
            is_seed=bool(row["is_seed"]),
            duplicate_of=row["duplicate_of"],
            content_hash=row["content_hash"],
            first_seen_at=row["first_seen_at"],
            updated_at=row["updated_at"],
            announced_at=row.get("announced_at"),
            page_problem=row.get("page_problem"),
        )


# (relevance, relevant, matched): an article's score, computed only for texts to be stored.
Score = tuple[float | None, bool, tuple[str, ...]]


@dataclass(frozen=True)
class Worked:
    """What a page worker computed ahead for one title, text and language: each value is a
    pure function of them, so storing uses it only for an article with this very text (and
    title and language, for the score), and computes it again otherwise."""

    title: str | None
    text: str
    lang: str | None
    fingerprint: Any  # storage.neardup.Fingerprint | None
    content_hash: str | None
    score: Score | None
    search_keys: str | None

    def fits(self, article: "Article") -> bool:
        return (self.title, self.text, self.lang) == (article.title, article.text, article.lang)


@dataclass(frozen=True)
class Incoming:
    """An article arriving from a crawl, with what storing it must know beyond its row."""

    article: Article
    # Fetched again because its source announced a change: a candidate edit.
    reread: bool = False
    # Only the source's summary: the page gave no text (never an edit).
    summary_only: bool = False
    # Computed ahead by a page worker (crawl.workers), if it fits the article.
    worked: Worked | None = None


@dataclass(frozen=True)
class CopyEntry:
    """One line of an article's group: the original, a copy, or a further address."""

    article_id: int
    role: str  # "original", "copy" or "address"
    outlet: str
    url: str
    first_seen_at: str | None
    similarity: float | None  # a copy's estimated similarity to the original
    title: str | None = None
    published_at: str | None = None


@dataclass(frozen=True)
class SearchHit:
    id: int
    title: str | None
    source: str
    url: str
    published_at: str | None
    snippet: str
    rank: float


@dataclass(frozen=True)
class FetchRecord:
    """One fetch attempt of a source (its feed, sitemap or listing page)."""

    source: str
    url: str
    started_at: str
    finished_at: str
    status: str  # "ok", "not-modified" or "error"
    error: str | None = None
    new_articles: int = 0


@dataclass(frozen=True)
class DocumentValidators:
    """How to ask a source's document again (If-None-Match, If-Modified-Since), and whether
    it only points to other documents (then it is always read whole)."""

    url: str
    etag: str | None
    last_modified: str | None
    is_index: bool = False


@dataclass(frozen=True)
class SourceOutcome:
    """How one crawl of a source went, as its health columns record it."""

    source: str
    finished_at: str
    error: str | None = None  # None when the source was read (or was not modified)
    etag: str | None = None
    last_modified: str | None = None
    completed: bool = True  # False: the crawl was stopped midway, the source stays due
    # A fault of this machine (disk full, database locked): recorded as the last error, but
    # the source is neither counted as failing nor backed off, and stays due.
    local_fault: bool = False
    # Article pages that failed or were refused, and links dropped before any request.
    page_errors: int = 0
    last_page_error: str | None = None  # "page too large (…): URL"
    dropped_links: int = 0
    # Validators of the documents read, kept only when everything they listed was dealt with.
    documents: tuple[DocumentValidators, ...] = ()
