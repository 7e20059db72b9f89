"""The `articles` table, its URL aliases and its full-text index."""

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from storage.copies import (
    VERBATIM_COPIES,
    find_candidates,
    index_article,
    regroup,
    unindex_article,
)
from storage.db import in_chunks, write_transaction
from storage.decide import (
    PAGE_PENDING,
    Decision,
    Intent,
    Stored,
    StoredLead,
    StoredText,
    StoreFacts,
    is_page_pending,
    store_decision,
)
from storage.errors import SearchQueryError, wrapped_errors, wraps_errors
from storage.models import (
    Article,
    Incoming,
    Score,
    SearchHit,
    Worked,
    content_hash,
    guid_alias,
)
from storage.neardup import (
    MIN_SHORT_TEXT_WORDS,
    Fingerprint,
    Match,
    choose_original,
    fingerprint,
    outlet_of,
    ranks_before,
    same_outlet,
    same_short_article,
    word_count,
)
from storage.search import concept_conditions, match_expression
from storage.searchkeys import search_keys
from storage.sqlite_import import Database
from storage.stories import assign_story, retitle_story_of
from storage.timeutil import utc_now

# Stored articles with one short text compared by headline: a teaser repeated under many
# headlines must not make one lookup read them all.
_MAX_SAME_TEXT_ROWS = 50


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
        """Store articles in one transaction, each once, and say what became of each (see
        `store_incoming`)."""
        return self.store_incoming(Incoming(article) for article in articles)

    @wraps_errors
    def store_incoming(
        self, incoming: Iterable[Incoming], score: Callable[[Article], Score] | None = None
    ) -> list[Stored]:
        """Store a batch of crawled articles in one write transaction, each as decided by
        `storage.decide.store_decision` from what is stored: a new row (a near copy of
        another outlet's article gets `duplicate_of`), an alias of a stored article (known
        address, same text), or for a re-read page an edit (the earlier text becomes a
        version), no change, or no plausible edit.

        `score` is called for the articles whose text is stored (new rows and edits), in the
        transaction, so relevance is computed only for them. The decision is taken inside the
        write transaction, so two crawls storing copies of one story at once still group them.
        """
        batch = list(incoming)
        # Fingerprints are the costly part: computed before the write lock is taken, and only
        # for texts that may be stored (not for articles already known at an address).
        known = self.known_urls(url for item in batch for url in _addresses(item.article))
        prepared = [
            (item, None if _is_known(item, known) else _fingerprint(item)) for item in batch
        ]
        with write_transaction(self.db):
            # Stamped under the lock: see Storage.settled_now.
            now = utc_now()
            return [self._store(item, found, now, score) for item, found in prepared]

    def _store(
        self,
        item: Incoming,
        found: Fingerprint | None,
        now: str,
        score: Callable[[Article], Score] | None,
    ) -> Stored:
        article = item.article
        addresses = _addresses(article)
        worked = _worked_text(item)
        digest = article.content_hash or (
            worked.content_hash if worked else content_hash(article.text)
        )
        article = replace(article, content_hash=digest)
        facts = self._facts(item, addresses, digest, found, now)
        decision = store_decision(facts, article.title, article.text, digest, item.summary_only)
        intent = decision.intent
        if intent is Intent.KNOWN or intent is Intent.SAME_TEXT:
            assert decision.article_id is not None
            self._add_aliases(addresses, decision.article_id, article.source, now)
            return Stored(decision.article_id, intent)
        worked = worked if worked is not None and worked.fits(article) else None
        scored = None
        if score is not None and intent.stores_text:
            scored = worked.score if worked and worked.score is not None else score(article)
        if intent.is_new_row:
            return self._insert(article, decision, found, scored, addresses, now, worked)
        assert decision.article_id is not None
        self._reread(article, decision, found, scored, now)
        self._add_aliases(addresses, decision.article_id, article.source, now)
        return Stored(decision.article_id, intent)

    def _facts(
        self,
        item: Incoming,
        addresses: list[str],
        digest: str | None,
        found: Fingerprint | None,
        now: str,
    ) -> StoreFacts:
        """What is stored about this article, read in the write transaction."""
        article = item.article
        known = self.known_urls(addresses)
        if known:
            known_id = known.get(article.canonical_url) or next(iter(known.values()))
            stored = self._stored_text(known_id) if item.reread else None
            return StoreFacts(known_id=known_id, reread=item.reread, stored=stored)
        same = self._same_text_id(article, digest, found)
        match = self._copied_group(article, found)
        earlier = match is not None and ranks_before(
            article.published_at,
            article.first_seen_at or now,
            match.original_rank,
            announced_at=article.announced_at,
        )
        if same is not None and not (earlier and self._other_outlets_group(same, article, match)):
            return StoreFacts(same_text_id=same)
        if match is None:
            return StoreFacts()
        return StoreFacts(copy_of=match, published_before_original=earlier)

    def _other_outlets_group(self, same_id: int, article: Article, match: Match | None) -> bool:
        """Whether the stored article with this one's very text is another outlet's and in
        the group `match` found: then this one, published earlier, is that group's original
        (a row of its own) rather than an address of the later one; crawl order does not
        decide who published first. Another address on one outlet stays an address."""
        if match is None:
            return False
        row = self.db.execute(
            "SELECT coalesce(duplicate_of, id), source, canonical_url FROM articles WHERE id = ?",
            [same_id],
        ).fetchone()
        if row is None or row[0] != match.original_id:
            return False
        _group, source, url = row
        return not same_outlet(
            outlet_of(article.canonical_url), article.source, outlet_of(url), source
        )

    def _same_text_id(
        self, article: Article, digest: str | None, found: Fingerprint | None
    ) -> int | None:
        """The stored article with the same normalised text, on any outlet: the same article
        at another address. A text long enough to fingerprint says so alone; a shorter one
        only with enough words and the same headline (neardup.same_short_article), so that
        a caption or teaser shared by chance never swallows another article."""
        if not digest or article.is_seed:
            return None
        if found is not None:
            return self.id_for_content_hash(digest)
        if word_count(article.text) < MIN_SHORT_TEXT_WORDS:
            return None
        rows = self.db.execute(
            "SELECT id, title FROM articles WHERE content_hash = ? ORDER BY id LIMIT ?",
            [digest, _MAX_SAME_TEXT_ROWS],
        ).fetchall()
        return next(
            (
                article_id
                for article_id, title in rows
                if same_short_article(article.title, article.text, title)
            ),
            None,
        )

    def _stored_text(self, article_id: int) -> StoredText | None:
        rows = list(
            self.db.query(
                "SELECT id, title, text, content_hash FROM articles WHERE id = ?", [article_id]
            )
        )
        if not rows:
            return None
        row = rows[0]
        return StoredText(row["id"], row["title"], row["text"], row["content_hash"])

    def _insert(
        self,
        article: Article,
        decision: Decision,
        found: Fingerprint | None,
        scored: Score | None,
        addresses: list[str],
        now: str,
        worked: Worked | None = None,
    ) -> Stored:
        """`worked`: what a page worker computed for this very article, if anything."""
        row = article.to_row()
        row["search_keys"] = (
            worked.search_keys if worked is not None else search_keys(article.title, article.text)
        )
        row["first_seen_at"] = row["first_seen_at"] or now
        row["updated_at"] = row["updated_at"] or row["first_seen_at"]
        if scored is not None:
            row["relevance"], relevant, matched = scored
            row["relevant"] = int(relevant)
            row["matched"] = json.dumps(list(matched), ensure_ascii=False)
        if decision.intent is Intent.COPY:
            row["duplicate_of"] = decision.duplicate_of
        try:
            cursor = self.db.execute(
                f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                list(row.values()),
            )
        except sqlite3.IntegrityError:  # stored under this URL meanwhile
            existing = self.known_urls([article.canonical_url])[article.canonical_url]
            return Stored(existing, Intent.KNOWN)
        article_id = cursor.lastrowid
        assert article_id is not None
        index_article(self.db, article_id, found)
        assign_story(self.db, article_id, row, same_as=decision.duplicate_of)
        self._add_aliases(addresses[1:], article_id, article.source, now)
        if decision.intent is Intent.EARLIER_ORIGINAL:
            # Published before the group's original: it is the original, stored late.
            assert decision.duplicate_of is not None
            regroup(self.db, decision.duplicate_of, article_id)
            return Stored(article_id, decision.intent, similarity=decision.similarity)
        return Stored(article_id, decision.intent, decision.duplicate_of, decision.similarity)

    def _reread(
        self,
        article: Article,
        decision: Decision,
        found: Fingerprint | None,
        scored: Score | None,
        now: str,
    ) -> None:
        """A page read again: keep an edit (the earlier text as a version), and remember what
        the source announced, so the same announcement does not bring it back."""
        assert decision.article_id is not None
        self.db.execute(
            "UPDATE articles SET last_fetched_at = ?, announced_at = coalesce(?, announced_at) "
            "WHERE id = ?",
            [now, article.announced_at, decision.article_id],
        )
        if decision.intent is Intent.EDITED:
            self._edit(
                decision.article_id,
                article.title,
                article.text,
                article.content_hash,  # computed once, by the caller
                found,
                scored,
                now,
            )
        else:
            # A summary waiting for its page: the page now read, or failed for good, ends
            # the wait, and what is still wrong stays in view.
            self.db.execute(
                "UPDATE articles SET page_problem = ? WHERE id = ? AND page_problem LIKE ?",
                [
                    _problem_after_wait(article, decision.intent),
                    decision.article_id,
                    f"{PAGE_PENDING}%",
                ],
            )

    def _edit(
        self,
        article_id: int,
        title: str | None,
        text: str | None,
        digest: str | None,
        found: Fingerprint | None,
        scored: Score | None,
        now: str,
    ) -> None:
        """Replace an article's title and text, keeping the earlier version, and index the new
        text for near-duplicates (the article stays in its group)."""
        self.db.execute(
            """
            INSERT INTO article_versions (article_id, fetched_at, title, text, content_hash)
            SELECT id, updated_at, title, text, content_hash FROM articles WHERE id = ?
            """,
            [article_id],
        )
        self.db.execute(
            "UPDATE articles SET title = ?, text = ?, content_hash = ?, updated_at = ?, "
            "search_keys = ?, page_problem = NULL WHERE id = ?",
            [title, text, digest, now, search_keys(title, text), article_id],
        )
        if scored is not None:
            self._write_scores([(article_id, *scored)])
        retitle_story_of(self.db, article_id)
        unindex_article(self.db, article_id)
        index_article(self.db, article_id, found)

    def _copied_group(self, article: Article, found: Fingerprint | None) -> Match | None:
        """The group of stored articles this one is a copy of, if any (the seed and articles
        already placed by their caller are not looked up)."""
        if found is None or article.duplicate_of is not None or article.is_seed:
            return None
        return choose_original(
            outlet_of(article.canonical_url), find_candidates(self.db, found), article.source
        )

    def _add_aliases(
        self, urls: Iterable[str], article_id: int, source: str | None, now: str
    ) -> None:
        # An article's own canonical URL is not its alias: the table then holds the same
        # rows whether a page was fetched again or found stored under that URL.
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO article_aliases (url, article_id, added_at, source) "
            "SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS "
            "(SELECT 1 FROM articles WHERE id = ?2 AND canonical_url = ?1)",
            [(url, article_id, now, source) for url in urls],
        )

    @wraps_errors
    def add_alias(self, url: str, article_id: int, source: str | None = None) -> None:
        self.add_aliases({url: article_id}, source)

    @wraps_errors
    def add_aliases(self, article_ids: dict[str, int], source: str | None = None) -> None:
        """Record each address (URL or guid alias) as leading to its stored article; an
        address already recorded keeps the article it leads to."""
        now = utc_now()
        with write_transaction(self.db):
            for url, article_id in article_ids.items():
                self._add_aliases([url], article_id, source, now)

    @wraps_errors
    def update_content(
        self,
        article_id: int,
        title: str | None,
        text: str | None,
        digest: str | None,
        score: Score | None = None,
    ) -> bool:
        """Replace an article's title and text (an edit at its URL), keeping the earlier
        version in `article_versions`; `score` is the edited text's. Returns False when
        there is no such article or nothing changed."""
        found = fingerprint(text)
        with write_transaction(self.db):
            stored = self._stored_text(article_id)
            if stored is None or (stored.content_hash == digest and stored.title == title):
                return False
            self._edit(article_id, title, text, digest, found, score, utc_now())
        return True

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
    def stored_leads(self, urls: Iterable[str], source: str) -> dict[str, StoredLead]:
        """For those of these addresses (URLs, guid aliases) already stored: what the
        decision to fetch the page again needs (storage.decide.fetch_decision)."""
        known = self.known_urls(urls)
        ids = sorted(set(known.values()))
        announced: dict[int, str | None] = {}
        guids: dict[int, set[str]] = {article_id: set() for article_id in ids}
        pending: set[int] = set()
        prefix = guid_alias(source, "")
        for chunk, marks in in_chunks(ids):
            sql = (
                "SELECT id, coalesce(announced_at, published_at) AS at, page_problem "
                f"FROM articles WHERE id IN ({marks})"
            )
            for row in self.db.query(sql, chunk):
                announced[row["id"]] = row["at"]
                if is_page_pending(row["page_problem"]):
                    pending.add(row["id"])
            sql = (
                f"SELECT url, article_id FROM article_aliases WHERE article_id IN ({marks}) "
                "AND substr(url, 1, ?) = ?"
            )
            for row in self.db.query(sql, [*chunk, len(prefix), prefix]):
                guids[row["article_id"]].add(row["url"])
        leads = {
            article_id: StoredLead(
                article_id,
                announced.get(article_id),
                frozenset(guids[article_id]),
                page_pending=article_id in pending,
            )
            for article_id in ids
        }
        return {url: leads[article_id] for url, article_id in known.items()}

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
        count: int = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        return count

    @wraps_errors
    def search(
        self, query: str, limit: int = 20, concepts: Mapping[str, Sequence[str]] | None = None
    ) -> list[SearchHit]:
        """Full-text search over title and text, best match first.

        A query without FTS5 syntax is searched word by word, each as typed (so that
        "Tyub-Karagan" or "S-400" work) or by its keys (storage/search.py: "exercise" finds
        "exercises", "Oymasha" "Оймаша"); a query that uses the syntax and is malformed
        raises SearchQueryError. `concepts` (typed word -> profile concepts it names) also
        finds a word's articles by what relevance matched in them, in any script; those
        found by the text come first.
        """
        if not query.strip():
            raise SearchQueryError("search query is empty")
        by_concept = concept_conditions(query, concepts or {})
        if by_concept is not None:
            return self._search_with_concepts(query, *by_concept, limit)
        match = match_expression(query)
        sql = """
            SELECT articles.id, articles.title, articles.source, articles.url,
                   articles.published_at,
                   coalesce(nullif(snippet(articles_fts, 1, '[', ']', ' … ', 12), ''),
                            snippet(articles_fts, 0, '[', ']', ' … ', 12), '') AS snippet,
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

    def _search_with_concepts(
        self, query: str, where: str, params: list[str], any_word: str, limit: int
    ) -> list[SearchHit]:
        # The text's matches rank and give the snippet; an article found by its concepts
        # alone follows, newest first, with the opening of its text.
        sql = f"""
            SELECT articles.id, articles.title, articles.source, articles.url,
                   articles.published_at,
                   coalesce(found.snippet, substr(coalesce(articles.text, ''), 1, 120))
                       AS snippet,
                   coalesce(found.rank, 0.0) AS rank
            FROM articles LEFT JOIN (
                SELECT rowid,
                       coalesce(nullif(snippet(articles_fts, 1, '[', ']', ' … ', 12), ''),
                                snippet(articles_fts, 0, '[', ']', ' … ', 12), '') AS snippet,
                       rank
                FROM articles_fts WHERE articles_fts MATCH ?
            ) AS found ON found.rowid = articles.rowid
            WHERE {where}
            ORDER BY found.rank IS NULL, found.rank, articles.published_at DESC
            LIMIT ?
        """
        try:
            rows = list(self.db.query(sql, [any_word, *params, limit]))
        except sqlite3.OperationalError as error:
            raise SearchQueryError(f"search query {query!r} is not valid: {error}") from error
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
        per_source = {
            row["source"]: {**row, "verbatim_copies": 0}
            for row in self.db.query(
                """
                SELECT source, count(*) AS articles,
                       coalesce(sum(relevant), 0) AS relevant,
                       count(duplicate_of) AS duplicates,
                       min(first_seen_at) AS first_seen,
                       max(first_seen_at) AS last_seen
                FROM articles GROUP BY source
                """
            )
        }
        # A copy with the very text of another outlet's article is stored once, as that
        # outlet's address of it: counted here, so that the outlet that carried it shows.
        verbatim = self.db.execute(
            f"SELECT x.source, count(*), min(x.added_at), max(x.added_at) {VERBATIM_COPIES} "
            "GROUP BY x.source"
        ).fetchall()
        empty = {"articles": 0, "relevant": 0, "duplicates": 0}
        for source, count, first, last in verbatim:
            row = per_source.setdefault(
                source, {"source": source, **empty, "first_seen": first, "last_seen": last}
            )
            row["verbatim_copies"] = count
        ordered = sorted(per_source.values(), key=lambda r: (-r["articles"], r["source"]))
        total_verbatim = sum(count for _source, count, _first, _last in verbatim)
        return {**totals, "verbatim_copies": total_verbatim, "per_source": ordered}


def _addresses(article: Article) -> list[str]:
    """Every key an article may be stored under: its canonical URL first, then its aliases
    (other URLs, its feed guid)."""
    return list(dict.fromkeys([article.canonical_url, *article.aliases]))


def _worked_text(item: Incoming) -> Worked | None:
    """What a page worker computed for this article's text, if it was this text."""
    worked = item.worked
    return worked if worked is not None and worked.text == item.article.text else None


def _fingerprint(item: Incoming) -> Fingerprint | None:
    worked = _worked_text(item)
    return worked.fingerprint if worked is not None else fingerprint(item.article.text)


def _is_known(item: Incoming, known: dict[str, int]) -> bool:
    """Stored at one of its addresses, and not being re-read: no fingerprint needed."""
    return not item.reread and any(url in known for url in _addresses(item.article))


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


def _problem_after_wait(article: Article, intent: Intent) -> str | None:
    """The page problem of an article that waited for its page, once the page was read
    again without replacing the summary."""
    if article.page_problem or intent is Intent.UNCHANGED:
        return article.page_problem
    return "the page's text was not taken (shorter than the stored summary)"
