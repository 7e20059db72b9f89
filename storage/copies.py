"""The near-duplicate index and the groups of copies it makes.

`article_fingerprints` holds each article's MinHash signature; `article_bands` its LSH band
keys (storage/neardup.py computes both). A copy is stored as its own row with `duplicate_of`
pointing at the group's original, so every outlet that carried a story is kept and the story
is counted once. Groups are flat: `duplicate_of` always names the original, never a copy.
"""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from storage.errors import wraps_errors
from storage.models import CopyEntry
from storage.neardup import Candidate, Fingerprint, fingerprint, outlet_of, rank, similarity
from storage.sqlite_import import Database

# The most stored articles compared with a new one, those sharing the most bands first: a
# long series of look-alike articles (an outlet's daily template) must not make one lookup
# read hundreds of signatures.
MAX_CANDIDATES = 50
# A verbatim copy: another outlet's web address `x` of a stored article `o` (the same text is
# stored once, its other addresses as aliases). Guid aliases and the article's own outlet's
# addresses (an old or AMP URL) are not copies. The digest and `stats` read them so.
VERBATIM_COPIES = """
    FROM article_aliases x JOIN articles o ON o.id = x.article_id
    WHERE x.source IS NOT NULL AND x.source != o.source
      AND (x.url LIKE 'http://%' OR x.url LIKE 'https://%')
"""
_BACKFILL_BATCH = 500


def index_article(db: Database, article_id: int, found: Fingerprint | None) -> None:
    """Put an article's fingerprint and band keys in the index (inside the caller's
    transaction); nothing for a text too short to fingerprint."""
    if found is None:
        return
    db.execute(
        "INSERT OR REPLACE INTO article_fingerprints (article_id, shingles, signature) "
        "VALUES (?, ?, ?)",
        [article_id, found.shingles, found.signature],
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO article_bands (band_key, article_id) VALUES (?, ?)",
        [(key, article_id) for key in found.bands()],
    )


def unindex_article(db: Database, article_id: int) -> None:
    """Take an article out of the index, e.g. before indexing its edited text.

    Its band rows are found from its stored signature (the table is keyed by band first,
    so a search by article would read all of it).
    """
    row = db.execute(
        "SELECT shingles, signature FROM article_fingerprints WHERE article_id = ?", [article_id]
    ).fetchone()
    if row is None:
        return
    stored = Fingerprint(signature=row[1], shingles=row[0])
    db.conn.executemany(
        "DELETE FROM article_bands WHERE band_key = ? AND article_id = ?",
        [(key, article_id) for key in stored.bands()],
    )
    db.execute("DELETE FROM article_fingerprints WHERE article_id = ?", [article_id])


def index_stored_articles(db: Database) -> int:
    """Index every article not indexed yet (a database from before the index); return how
    many were fingerprinted."""
    indexed = 0
    last_id = 0
    while True:
        rows = db.execute(
            """
            SELECT id, text FROM articles
            WHERE id > ? AND text IS NOT NULL
              AND id NOT IN (SELECT article_id FROM article_fingerprints)
            ORDER BY id LIMIT ?
            """,
            [last_id, _BACKFILL_BATCH],
        ).fetchall()
        if not rows:
            return indexed
        for article_id, text in rows:
            found = fingerprint(text)
            index_article(db, article_id, found)
            indexed += found is not None
        last_id = rows[-1][0]


def find_candidates(db: Database, found: Fingerprint) -> list[Candidate]:
    """Stored articles sharing at least one LSH band with this fingerprint, with what the
    decision needs: similarity, outlet (site and source), and the rank of their group's
    original."""
    keys = found.bands()
    marks = ", ".join("?" for _ in keys)
    rows = db.execute(
        f"""
        SELECT c.article_id, f.signature, a.canonical_url, a.is_seed,
               o.id, o.is_seed, o.published_at, o.first_seen_at, o.announced_at, a.source
        FROM (
            SELECT article_id, count(*) AS shared FROM article_bands
            WHERE band_key IN ({marks})
            GROUP BY article_id ORDER BY shared DESC, article_id LIMIT ?
        ) c
        JOIN article_fingerprints f ON f.article_id = c.article_id
        JOIN articles a ON a.id = c.article_id
        JOIN articles o ON o.id = coalesce(a.duplicate_of, a.id)
        """,
        [*keys, MAX_CANDIDATES],
    ).fetchall()
    return [
        Candidate(
            article_id=row[0],
            similarity=similarity(found.signature, row[1]),
            site=outlet_of(row[2]),
            is_seed=bool(row[3]),
            original_id=row[4],
            original_rank=rank(bool(row[5]), row[6], row[7], row[4], announced_at=row[8]),
            source=row[9],
        )
        for row in rows
    ]


def regroup(db: Database, old_original: int, new_original: int) -> None:
    """Make `new_original` the original of `old_original`'s group (a copy published earlier
    than the group's original was stored late: it is the original)."""
    db.execute(
        "UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ? OR id = ?",
        [new_original, old_original, old_original],
    )


class Copies:
    """Queries over the groups of copies, for the CLI and the digest."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path

    @wraps_errors
    def group_of(self, article_id: int) -> list[CopyEntry]:
        """The article's group: its original first, then every copy and every further
        address (AMP page, redirect, exact copy), oldest first; empty if there is no
        such article."""
        found = self.db.execute(
            "SELECT coalesce(duplicate_of, id) FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        if found is None:
            return []
        original = found[0]
        members = list(
            self.db.query(
                """
                SELECT a.id, a.source, a.url, a.title, a.first_seen_at, a.published_at,
                       a.duplicate_of, f.signature
                FROM articles a LEFT JOIN article_fingerprints f ON f.article_id = a.id
                WHERE a.id = :original OR a.duplicate_of = :original
                ORDER BY a.duplicate_of IS NOT NULL, a.first_seen_at, a.id
                """,
                {"original": original},
            )
        )
        reference = members[0]["signature"] if members else None
        entries = [_member_entry(row, reference) for row in members]
        entries += self._addresses(row["id"] for row in members)
        return entries

    def _addresses(self, article_ids: Iterable[int]) -> list[CopyEntry]:
        ids = list(article_ids)
        marks = ", ".join("?" for _ in ids)
        rows = self.db.query(
            f"""
            SELECT url, article_id, added_at, source FROM article_aliases
            WHERE article_id IN ({marks}) AND (url LIKE 'http://%' OR url LIKE 'https://%')
            ORDER BY added_at, url
            """,
            ids,
        )
        return [
            CopyEntry(
                article_id=row["article_id"],
                role="address",
                outlet=row["source"] or outlet_of(row["url"]),
                url=row["url"],
                first_seen_at=row["added_at"],
                similarity=None,
            )
            for row in rows
        ]


def _member_entry(row: dict[str, Any], reference: bytes | None) -> CopyEntry:
    is_copy = row["duplicate_of"] is not None
    score = None
    if is_copy and reference is not None and row["signature"] is not None:
        score = similarity(reference, row["signature"])
    return CopyEntry(
        article_id=row["id"],
        role="copy" if is_copy else "original",
        outlet=row["source"],
        url=row["url"],
        first_seen_at=row["first_seen_at"],
        similarity=score,
        title=row["title"],
        published_at=row["published_at"],
    )
