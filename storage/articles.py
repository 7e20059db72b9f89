"""The `articles` table, its URL aliases and its full-text index."""

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.copies import find_candidates, index_article, regroup, unindex_article
from storage.db import in_chunks, write_transaction
from storage.errors import SearchQueryError, wrapped_errors, wraps_errors
from storage.models import Article, SearchHit, Stored
from storage.neardup import (
    Fingerprint,
    Match,
    choose_original,
    fingerprint,
    outlet_of,
    ranks_before,
)
from storage.timeutil import utc_now

# Characters and words that make a query use FTS5 syntax on purpose.
_FTS_SYNTAX = re.compile(r'["()*:^+]|\b(AND|OR|NOT|NEAR)\b')


def plain_query(query: str) -> str:
    """A query typed as words, in FTS5 terms: each word quoted (so "Tyub-Karagan" or "S-400"
    work as typed), and a word with a leading minus excluded ("Aktau -drill")."""
    wanted, unwanted = [], []
    for word in query.split():
        excluded = word.startswith("-") and len(word) > 1
        quoted = '"' + word.lstrip("-" if excluded else "").replace('"', "") + '"'
        (unwanted if excluded else wanted).append(quoted)
    if not wanted:
        raise SearchQueryError(f"search query {query!r} has no word to look for")
    return " ".join(wanted) + "".join(f" NOT {word}" for word in unwanted)


class Articles:
    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path

    @wraps_errors
    def add(self, article: Article) -> int | None:
        """Store a new article; return its id, or None if it is already stored."""
        ids = self.add_many([article])
        return ids[0]

    @wraps_errors
    def add_many(self, articles: Iterable[Article]) -> list[int | None]:
        """Store articles in one transaction; None marks one that was already stored (at one
        of its addresses, or with the same text)."""
        return [
            stored.article_id if stored.is_new_row else None for stored in self.store_many(articles)
        ]

    @wraps_errors
    def store_many(self, articles: Iterable[Article]) -> list[Stored]:
        """Store articles in one transaction, each once, and say what became of each.

        An article is not stored again when one of its addresses (canonical URL, alias,
        guid alias) is known, or when another article has the same normalised text; its
        other addresses become that article's aliases. Otherwise it gets a row, indexed for
        near-duplicates, with `duplicate_of` set when it is a copy of a stored article from
        another outlet (or of the seed). The duplicate decision is taken inside the write
        transaction, so two crawls storing copies of one story at once still group them.
        """
        # Fingerprints are the costly part: computed before the write lock is taken.
        prepared = [(article, fingerprint(article.text)) for article in articles]
        with write_transaction(self.db):
            # Stamped under the lock: see Storage.settled_now.
            now = utc_now()
            return [self._store(article, found, now) for article, found in prepared]

    def _store(self, article: Article, found: Fingerprint | None, now: str) -> Stored:
        addresses = list(dict.fromkeys([article.canonical_url, *article.aliases]))
        known = self.known_urls(addresses)
        if known:
            existing = known.get(article.canonical_url) or next(iter(known.values()))
            self._add_aliases(addresses, existing, article.source, now)
            return Stored(existing, "known")
        row = article.to_row()
        row["first_seen_at"] = row["first_seen_at"] or now
        row["updated_at"] = row["updated_at"] or row["first_seen_at"]
        # Same text elsewhere is the same article; too short a text (a feed summary, a
        # caption) says too little to tell, like for near-duplicates.
        if found is not None and row["content_hash"] and not article.is_seed:
            same = self.id_for_content_hash(row["content_hash"])
            if same is not None:
                self._add_aliases(addresses, same, article.source, now)
                return Stored(same, "same-text")
        match = self._copied_group(article, found)
        earlier = match is not None and ranks_before(
            article.published_at, row["first_seen_at"], match.original_rank
        )
        if match is not None and not earlier:
            row["duplicate_of"] = match.original_id
        try:
            cursor = self.db.execute(
                f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                list(row.values()),
            )
        except sqlite3.IntegrityError:  # stored under this URL meanwhile
            return Stored(self.known_urls([article.canonical_url])[article.canonical_url], "known")
        article_id = cursor.lastrowid
        assert article_id is not None
        index_article(self.db, article_id, found)
        self._add_aliases(addresses[1:], article_id, article.source, now)
        if match is None:
            return Stored(article_id, "new")
        if earlier:
            # Published before the group's original: it is the original, stored late.
            regroup(self.db, match.original_id, article_id)
            return Stored(article_id, "new", similarity=match.similarity)
        return Stored(article_id, "copy", match.original_id, match.similarity)

    def _copied_group(self, article: Article, found: Fingerprint | None) -> Match | None:
        """The group of stored articles this one is a copy of, if any (the seed and articles
        already placed by their caller are not looked up)."""
        if found is None or article.duplicate_of is not None or article.is_seed:
            return None
        return choose_original(outlet_of(article.canonical_url), find_candidates(self.db, found))

    def _add_aliases(
        self, urls: Iterable[str], article_id: int, source: str | None, now: str
    ) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO article_aliases (url, article_id, added_at, source) "
            "VALUES (?, ?, ?, ?)",
            [(url, article_id, now, source) for url in urls],
        )

    @wraps_errors
    def add_alias(self, url: str, article_id: int, source: str | None = None) -> None:
        with write_transaction(self.db):
            self._add_aliases([url], article_id, source, utc_now())

    @wraps_errors
    def update_content(
        self,
        article_id: int,
        title: str | None,
        text: str | None,
        digest: str | None,
        score: tuple[float | None, bool, tuple[str, ...]] | None = None,
    ) -> bool:
        """Replace an article's title and text after an edit at its URL, keeping the earlier
        version in `article_versions`, and index the new text for near-duplicates (the
        article stays in its group). `score` (relevance, relevant, matched) is the edited
        text's. Returns False when nothing changed."""
        found = fingerprint(text)
        with write_transaction(self.db):
            rows = list(
                self.db.query(
                    "SELECT title, text, content_hash, updated_at FROM articles WHERE id = ?",
                    [article_id],
                )
            )
            if not rows:
                return False
            now = utc_now()
            self._mark_fetched(article_id, now)
            old = rows[0]
            if old["content_hash"] == digest and old["title"] == title:
                return False
            self.db.execute(
                """
                INSERT INTO article_versions (article_id, fetched_at, title, text, content_hash)
                VALUES (?, ?, ?, ?, ?)
                """,
                [article_id, old["updated_at"], old["title"], old["text"], old["content_hash"]],
            )
            self.db.execute(
                "UPDATE articles SET title = ?, text = ?, content_hash = ?, updated_at = ? "
                "WHERE id = ?",
                [title, text, digest, now, article_id],
            )
            if score is not None:
                self._write_scores([(article_id, *score)])
            unindex_article(self.db, article_id)
            index_article(self.db, article_id, found)
        return True

    @wraps_errors
    def mark_fetched(self, article_id: int) -> None:
        """The page was downloaded again without an edit to keep."""
        with write_transaction(self.db):
            self._mark_fetched(article_id, utc_now())

    def _mark_fetched(self, article_id: int, now: str) -> None:
        self.db.execute("UPDATE articles SET last_fetched_at = ? WHERE id = ?", [now, article_id])

    @wraps_errors
    def versions(self, article_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT * FROM article_versions WHERE article_id = ? ORDER BY id", [article_id]
            )
        )

    @wraps_errors
    def get(self, article_id: int) -> Article | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
        return Article.from_row(rows[0]) if rows else None

    @wraps_errors
    def id_for_url(self, url: str) -> int | None:
        """The id of the article stored at this URL, canonical or alias."""
        found = self.known_urls([url])
        return found.get(url)

    @wraps_errors
    def known_urls(self, urls: Iterable[str]) -> dict[str, int]:
        """Which of these URLs are already stored (as canonical URL or alias), with their ids."""
        known: dict[str, int] = {}
        for chunk, marks in in_chunks(dict.fromkeys(urls)):
            sql = (
                f"SELECT canonical_url AS url, id FROM articles WHERE canonical_url IN ({marks}) "
                f"UNION ALL SELECT url, article_id FROM article_aliases WHERE url IN ({marks})"
            )
            for row in self.db.query(sql, chunk + chunk):
                known.setdefault(row["url"], row["id"])
        return known

    @wraps_errors
    def update_times(self, urls: Iterable[str]) -> dict[str, str]:
        """For those of these URLs already stored (canonical or alias): when last updated or
        downloaded, whichever is later."""
        known = self.known_urls(urls)
        times: dict[int, str] = {}
        for chunk, marks in in_chunks(sorted(set(known.values()))):
            sql = (
                "SELECT id, max(coalesce(last_fetched_at, ''), updated_at) AS at "
                f"FROM articles WHERE id IN ({marks})"
            )
            times.update((row["id"], row["at"]) for row in self.db.query(sql, chunk))
        return {url: times[article_id] for url, article_id in known.items()}

    @wraps_errors
    def id_for_content_hash(self, digest: str) -> int | None:
        rows = list(
            self.db.query(
                "SELECT id FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1", [digest]
            )
        )
        return rows[0]["id"] if rows else None

    @wraps_errors
    def for_scoring(self, after_id: int, limit: int) -> list[dict[str, Any]]:
        """The next `limit` articles after `after_id` (the seed excepted), for rescoring."""
        return list(
            self.db.query(
                "SELECT id, title, text, lang, relevance, relevant FROM articles "
                "WHERE id > ? AND is_seed = 0 ORDER BY id LIMIT ?",
                [after_id, limit],
            )
        )

    @wraps_errors
    def update_scores(self, scores: Iterable[tuple[int, float, bool, tuple[str, ...]]]) -> None:
        """Store (id, relevance, relevant, matched) for each article, in one transaction."""
        with write_transaction(self.db):
            self._write_scores(scores)

    def _write_scores(
        self, scores: Iterable[tuple[int, float | None, bool, tuple[str, ...]]]
    ) -> None:
        self.db.conn.executemany(
            "UPDATE articles SET relevance = ?, relevant = ?, matched = ? WHERE id = ?",
            [
                (relevance, int(relevant), json.dumps(list(matched), ensure_ascii=False), id_)
                for id_, relevance, relevant, matched in scores
            ],
        )

    @wraps_errors
    def seed(self) -> Article | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE is_seed = 1 ORDER BY id LIMIT 1"))
        return Article.from_row(rows[0]) if rows else None

    @wraps_errors
    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    @wraps_errors
    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over title and text, best match first.

        A query without FTS5 syntax is searched term by term, each term quoted, so that
        "Tyub-Karagan" or "S-400" work as typed; a query that uses the syntax and is
        malformed raises SearchQueryError.
        """
        if not query.strip():
            raise SearchQueryError("search query is empty")
        match = query if _FTS_SYNTAX.search(query) else plain_query(query)
        sql = """
            SELECT articles.id, articles.title, articles.source, articles.url,
                   articles.published_at,
                   snippet(articles_fts, 1, '[', ']', ' … ', 12) AS snippet,
                   articles_fts.rank AS rank
            FROM articles_fts JOIN articles ON articles.rowid = articles_fts.rowid
            WHERE articles_fts MATCH ?
            ORDER BY articles_fts.rank
            LIMIT ?
        """
        try:
            rows = list(self.db.query(sql, [match, limit]))
        except sqlite3.OperationalError as error:
            # The query is the only input here, so any error but the database's own
            # (locked, missing table, I/O) is the query's fault.
            if not any(word in str(error) for word in ("locked", "no such table", "disk", "I/O")):
                raise SearchQueryError(f"search query {query!r} is not valid: {error}") from error
            raise
        return [SearchHit(**row) for row in rows]

    def export(
        self,
        since: str | None = None,
        until: str | None = None,
        relevant_only: bool = False,
        sources: Sequence[str] = (),
        batch: int = 500,
    ) -> Iterator[dict[str, Any]]:
        """Articles first seen in [since, until), oldest id first, each with its links: the
        original it copies (`duplicate_of`, `original_url`), its copies' ids, its further
        addresses, its number of earlier versions and its story. Read in batches, so a large
        export never holds every text in memory."""
        where: list[str] = ["a.id > :after"]
        params: dict[str, Any] = {"batch": batch}
        if since is not None:
            where.append("a.first_seen_at >= :since")
            params["since"] = since
        if until is not None:
            where.append("a.first_seen_at < :until")
            params["until"] = until
        if relevant_only:
            where.append("a.relevant = 1")
        if sources:
            names = {f"source{n}": name for n, name in enumerate(sources)}
            where.append(f"a.source IN ({', '.join(':' + key for key in names)})")
            params.update(names)
        sql = f"""
            SELECT a.id, a.title, a.source, a.url, a.canonical_url, a.published_at,
                   a.first_seen_at, a.updated_at, a.lang, a.author, a.relevance, a.relevant,
                   a.matched, a.is_seed, a.duplicate_of, o.url AS original_url,
                   {self._story_column()} AS story,
                   (SELECT json_group_array(id) FROM
                       (SELECT c.id FROM articles c WHERE c.duplicate_of = a.id ORDER BY c.id)
                   ) AS copies,
                   (SELECT json_group_array(url) FROM
                       (SELECT x.url FROM article_aliases x WHERE x.article_id = a.id
                        AND (x.url LIKE 'http://%' OR x.url LIKE 'https://%')
                        ORDER BY x.added_at, x.url)
                   ) AS addresses,
                   (SELECT count(*) FROM article_versions v WHERE v.article_id = a.id)
                       AS versions,
                   a.text
            FROM articles a LEFT JOIN articles o ON o.id = a.duplicate_of
            WHERE {" AND ".join(where)}
            ORDER BY a.id
            LIMIT :batch
        """
        after = 0
        while True:
            with wrapped_errors(self.path):
                rows = list(self.db.query(sql, {**params, "after": after}))
            for row in rows:
                yield _exported(row)
            if len(rows) < batch:
                return
            after = rows[-1]["id"]

    def _story_column(self) -> str:
        # The seam for stories (issue 11): once articles have a story_id, exports carry it.
        has_story = "story_id" in self.db["articles"].columns_dict
        return "a.story_id" if has_story else "NULL"

    @wraps_errors
    def stats(self) -> dict[str, Any]:
        totals = next(
            self.db.query(
                """
                SELECT count(*) AS articles,
                       coalesce(sum(relevant), 0) AS relevant,
                       count(duplicate_of) AS duplicates,
                       coalesce(sum(is_seed), 0) AS seeds,
                       min(first_seen_at) AS first_seen,
                       max(first_seen_at) AS last_seen
                FROM articles
                """
            )
        )
        per_source = list(
            self.db.query(
                """
                SELECT source, count(*) AS articles,
                       coalesce(sum(relevant), 0) AS relevant,
                       count(duplicate_of) AS duplicates,
                       min(first_seen_at) AS first_seen,
                       max(first_seen_at) AS last_seen
                FROM articles GROUP BY source ORDER BY articles DESC, source
                """
            )
        )
        return {**totals, "per_source": per_source}


def _exported(row: dict[str, Any]) -> dict[str, Any]:
    """An export row in plain values: lists decoded, flags as booleans."""
    return {
        **row,
        "relevant": bool(row["relevant"]),
        "is_seed": bool(row["is_seed"]),
        "matched": json.loads(row["matched"] or "[]"),
        "copies": json.loads(row["copies"] or "[]"),
        "addresses": json.loads(row["addresses"] or "[]"),
    }
