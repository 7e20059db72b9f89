"""What becomes of an incoming article: the one place that decides, on plain values.

Two moments, two pure decisions (no SQL, no I/O; tested without a crawl):

- before a page is fetched, `fetch_decision`: what a source lists (a feed entry, a sitemap
  URL, a listing link) against what is stored under its addresses — fetch it as new, read it
  again because the source announces a change, or leave it;
- when the fetched article is stored, `store_decision`: the facts storage gathered in its
  write transaction (an article stored at one of its addresses? the same text elsewhere? a
  near copy on another outlet? the stored version of a re-read page?) make one intent, which
  storage applies in that transaction.

Storage gathers the facts and applies the intents (storage/articles.py); the crawler only
asks.
"""

from dataclasses import dataclass
from enum import StrEnum

from storage.neardup import Match
from storage.timeutil import from_iso

# A re-fetched text shorter than this share of the stored one is not taken as an edit (a
# consent wall, a paywall or an error page in place of the article).
MIN_EDIT_LENGTH_RATIO = 0.5

# Why an article holds only its source's summary when its page failed in a way that may pass
# (a 5xx, a timeout, the network): it is listed now, and its page is tried again each cycle
# its source still lists it, until one reads.
PAGE_PENDING = "page not fetched yet"


def pending_page_problem(cause: str) -> str:
    """The stored page problem of an article whose page is to be tried again."""
    return f"{PAGE_PENDING} ({cause})"


def is_page_pending(page_problem: str | None) -> bool:
    return page_problem is not None and page_problem.startswith(PAGE_PENDING)


class Fetch(StrEnum):
    NEW = "new"  # nothing stored under its addresses
    AGAIN = "again"  # stored, but the source announces a change since
    SKIP = "skip"  # stored, and nothing says it changed


@dataclass(frozen=True)
class StoredLead:
    """What is stored about the article a source's entry points at."""

    article_id: int
    # The source's own time for the version stored: what its feed or sitemap said (updated,
    # else published) when it was stored or last re-read; for articles stored before that was
    # kept, the publication date. Never a local fetch time.
    announced_at: str | None
    # This source's guid aliases for it ("guid:<source>:<guid>").
    guids: frozenset[str] = frozenset()
    # Only the source's summary is stored, its page to be tried again (PAGE_PENDING).
    page_pending: bool = False


def fetch_decision(stored: StoredLead | None, announced_at: str | None, guid: str | None) -> Fetch:
    """Whether to download the page of an entry the source lists (`announced_at`: the
    entry's updated, else published time; `guid`: its guid alias).

    A stored article is read again when the source announces a later time than the one it
    announced for the stored version (an Atom <updated>, a sitemap lastmod, an RSS pubDate
    moved after an edit), or lists it under a guid other than those it gave before (a
    re-issued item). One stored from the source's summary because its page failed for a
    while is read again until its page reads.
    """
    if stored is None:
        return Fetch.NEW
    if stored.page_pending:
        return Fetch.AGAIN
    if _later(announced_at, stored.announced_at):
        return Fetch.AGAIN
    if guid and stored.guids and guid not in stored.guids:
        return Fetch.AGAIN
    return Fetch.SKIP


def _later(value: str | None, than: str | None) -> bool:
    if not value or not than:
        return False
    try:
        return from_iso(value) > from_iso(than)
    except ValueError:
        return False


class Intent(StrEnum):
    NEW = "new"  # a row of its own
    COPY = "copy"  # a row of its own, `duplicate_of` its group's original
    EARLIER_ORIGINAL = "earlier-original"  # a row of its own, the original of a stored group
    KNOWN = "known"  # stored under one of its addresses: its other addresses become aliases
    SAME_TEXT = "same-text"  # another article has the same text: its addresses become aliases
    EDITED = "edited"  # a re-read page whose text or title changed: new text, old one a version
    UNCHANGED = "unchanged"  # a re-read page with the same text and title
    NOT_AN_EDIT = "not-an-edit"  # a re-read page that is no plausible replacement

    @property
    def stores_text(self) -> bool:
        """Whether the article's text is stored (and so needs its relevance)."""
        return self in (Intent.NEW, Intent.COPY, Intent.EARLIER_ORIGINAL, Intent.EDITED)

    @property
    def is_new_row(self) -> bool:
        return self in (Intent.NEW, Intent.COPY, Intent.EARLIER_ORIGINAL)


@dataclass(frozen=True)
class Stored:
    """What storing one article did: the decision's intent, and the row the article is or
    became part of."""

    article_id: int
    outcome: Intent
    duplicate_of: int | None = None
    similarity: float | None = None

    @property
    def is_new_row(self) -> bool:
        return self.outcome.is_new_row


@dataclass(frozen=True)
class StoredText:
    """The stored version of an article being re-read."""

    article_id: int
    title: str | None
    text: str | None
    content_hash: str | None


@dataclass(frozen=True)
class StoreFacts:
    """What storage found about one incoming article, in its write transaction."""

    known_id: int | None = None  # stored under one of its addresses
    reread: bool = False  # fetched again because the source announced a change
    stored: StoredText | None = None  # the stored version, when re-read
    same_text_id: int | None = None  # an article with the same normalised text
    copy_of: Match | None = None  # the group of near copies on other outlets
    published_before_original: bool = False  # earlier than that group's original


@dataclass(frozen=True)
class Decision:
    intent: Intent
    article_id: int | None = None  # the stored article it is, or is an edit or alias of
    duplicate_of: int | None = None  # a copy's group original; the group an earlier original heads
    similarity: float | None = None


def store_decision(
    facts: StoreFacts,
    title: str | None,
    text: str | None,
    content_hash: str | None,
    summary_only: bool,
) -> Decision:
    """What to do with one incoming article, given what is stored."""
    if facts.known_id is not None:
        if not facts.reread or facts.stored is None:
            return Decision(Intent.KNOWN, facts.known_id)
        return _reread(facts.stored, title, text, content_hash, summary_only)
    if facts.same_text_id is not None:
        return Decision(Intent.SAME_TEXT, facts.same_text_id)
    match = facts.copy_of
    if match is None:
        return Decision(Intent.NEW)
    if facts.published_before_original:
        return Decision(
            Intent.EARLIER_ORIGINAL, duplicate_of=match.original_id, similarity=match.similarity
        )
    return Decision(Intent.COPY, duplicate_of=match.original_id, similarity=match.similarity)


def _reread(
    stored: StoredText,
    title: str | None,
    text: str | None,
    content_hash: str | None,
    summary_only: bool,
) -> Decision:
    if not plausible_edit(stored.text, text, summary_only):
        return Decision(Intent.NOT_AN_EDIT, stored.article_id)
    if stored.content_hash == content_hash and stored.title == title:
        return Decision(Intent.UNCHANGED, stored.article_id)
    return Decision(Intent.EDITED, stored.article_id)


def plausible_edit(old_text: str | None, new_text: str | None, summary_only: bool) -> bool:
    """Whether a re-fetched text may replace the stored one: it must be a real page's text
    and keep at least half of the stored length."""
    if summary_only or not new_text:
        return False
    return len(new_text) >= MIN_EDIT_LENGTH_RATIO * len(old_text or "")
