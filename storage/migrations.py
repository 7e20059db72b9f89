"""Schema versions. Each migration is applied once, in order, when a database is opened.

Never edit a migration that has shipped: add a new one. A database made by an older
release then upgrades in place the next time newswatch opens it.
"""

from storage.sqlite_import import Database, Migrations, Table

migrations = Migrations("newswatch")

# unicode61 with remove_diacritics 2 lets "Qarabag" find "Qarabağ" and folds case in
# every script the region writes in (Latin, Cyrillic).
FTS_TOKENIZER = "unicode61 remove_diacritics 2"


def _table(db: Database, name: str) -> Table:
    table = db[name]
    assert isinstance(table, Table)
    return table


@migrations(name="m001_initial")
def m001_initial(db: Database) -> None:
    articles = _table(db, "articles")
    articles.create(
        {
            "id": int,
            "url": str,
            "canonical_url": str,
            "title": str,
            "author": str,
            "published_at": str,
            "first_seen_at": str,
            "updated_at": str,
            "text": str,
            "lang": str,
            "source": str,
            "relevance": float,
            "relevant": int,
            "matched": str,
            "is_seed": int,
            "duplicate_of": int,
            "content_hash": str,
        },
        pk="id",
        not_null={"url", "canonical_url", "first_seen_at", "source"},
        defaults={"relevant": 0, "is_seed": 0, "matched": "[]"},
        foreign_keys=[("duplicate_of", "articles", "id")],
    )
    articles.create_index(["canonical_url"], unique=True)
    articles.create_index(["first_seen_at"])
    articles.create_index(["source"])
    articles.create_index(["content_hash"])
    articles.create_index(["duplicate_of"])
    articles.enable_fts(["title", "text"], create_triggers=True, tokenize=FTS_TOKENIZER)

    _table(db, "sources").create(
        {
            "name": str,
            "kind": str,
            "url": str,
            "etag": str,
            "last_modified": str,
            "last_fetch_at": str,
            "last_ok_at": str,
            "consecutive_errors": int,
            "last_error": str,
            "next_fetch_at": str,
        },
        pk="name",
        not_null={"kind", "url"},
        defaults={"consecutive_errors": 0},
    )

    fetches = _table(db, "fetches")
    fetches.create(
        {
            "id": int,
            "source": str,
            "url": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "error": str,
            "new_articles": int,
        },
        pk="id",
        defaults={"new_articles": 0},
    )
    fetches.create_index(["source", "started_at"])

    _table(db, "digests").create(
        {
            "id": int,
            "created_at": str,
            "since": str,
            "until": str,
            "article_count": int,
            "formats": str,
            "path": str,
        },
        pk="id",
    )


@migrations(name="m002_article_aliases")
def m002_article_aliases(db: Database) -> None:
    # Other addresses of a stored article (the original of a syndicated copy, an AMP page,
    # an old URL), so a later visit to any of them is recognised as the same article.
    aliases = _table(db, "article_aliases")
    aliases.create(
        {"url": str, "article_id": int, "added_at": str},
        pk="url",
        not_null={"article_id"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    aliases.create_index(["article_id"])


@migrations(name="m003_article_versions")
def m003_article_versions(db: Database) -> None:
    # An article edited at the same URL keeps one `articles` row; each earlier text lands here.
    versions = _table(db, "article_versions")
    versions.create(
        {
            "id": int,
            "article_id": int,
            "fetched_at": str,
            "title": str,
            "text": str,
            "content_hash": str,
        },
        pk="id",
        not_null={"article_id", "fetched_at"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    versions.create_index(["article_id"])
    # When the page was last downloaded, changed or not: a source that keeps announcing an
    # update we already fetched must not make every cycle download the page again.
    _table(db, "articles").add_column("last_fetched_at", str)


@migrations(name="m004_digest_delivery")
def m004_digest_delivery(db: Database) -> None:
    # A digest's mail is kept, composed, until the server accepts it: a failed send is retried
    # at the next run with the very message that failed, never silently lost.
    digests = _table(db, "digests")
    digests.add_column("mail_status", str)  # NULL: not mailed; "pending"; "sent"
    digests.add_column("mail_attempts", int, not_null_default=0)
    digests.add_column("mail_error", str)
    digests.add_column("mailed_at", str)
    digests.add_column("mail_message", bytes)
    digests.create_index(["until"])


@migrations(name="m005_near_duplicates")
def m005_near_duplicates(db: Database) -> None:
    # The near-duplicate index (storage/copies.py): each article's MinHash signature, and
    # its LSH band keys in one indexed column, so a lookup is a few index probes and the
    # index lives in the database file: nothing to rebuild at start.
    db.execute(
        """
        CREATE TABLE article_fingerprints (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            shingles INTEGER NOT NULL,
            signature BLOB NOT NULL
        )
        """
    )
    # WITHOUT ROWID: the key is the whole row, so the table is its own index.
    db.execute(
        """
        CREATE TABLE article_bands (
            band_key INTEGER NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            PRIMARY KEY (band_key, article_id)
        ) WITHOUT ROWID
        """
    )
    # Which source an address was seen on (an exact copy on another outlet, say).
    _table(db, "article_aliases").add_column("source", str)
    # Articles stored before are indexed by a backfill after migrating (storage/db.py).


@migrations(name="m006_digest_chain")
def m006_digest_chain(db: Database) -> None:
    # Digests "since the last one" form a chain that the next digest (and the daemon's
    # schedule) continues; a report for a chosen period must not move its end.
    _table(db, "digests").add_column("chained", int, not_null_default=1)


@migrations(name="m008_untrusted_input")
def m008_untrusted_input(db: Database) -> None:
    # What went wrong below a source's own document in its last crawl: article pages that
    # failed or were refused (the latest with its URL), and links dropped as unusable.
    sources = _table(db, "sources")
    sources.add_column("page_errors", int, not_null_default=0)
    sources.add_column("last_page_error", str)
    sources.add_column("dropped_links", int, not_null_default=0)
    # Paragraphs at the start or end of an outlet's articles, counted by article: those many
    # articles share are the outlet's boilerplate (crawler/boilerplate.py).
    db.execute(
        """
        CREATE TABLE outlet_paragraphs (
            source TEXT NOT NULL,
            key INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (source, key)
        ) WITHOUT ROWID
        """
    )


@migrations(name="m010_announced_at")
def m010_announced_at(db: Database) -> None:
    # The source's own time for the stored version of an article (its feed entry's or
    # sitemap URL's updated, else published time), so that a later announcement is compared
    # with what the source said before, never with our local fetch time.
    _table(db, "articles").add_column("announced_at", str)


@migrations(name="m011_source_documents")
def m011_source_documents(db: Database) -> None:
    # Validators of every document a source's crawl reads (its feed, a robots.txt's sitemaps,
    # an index's children, listing pages), not only its own URL: each answers 304 by itself,
    # and a document that only points to others (robots.txt, a sitemap index) is always
    # read, so a 304 there cannot hide a changed sitemap behind it.
    db.execute(
        """
        CREATE TABLE source_documents (
            source TEXT NOT NULL,
            url TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            is_index INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (source, url)
        )
        """
    )
    db.execute(
        """
        INSERT INTO source_documents (source, url, etag, last_modified, is_index)
        SELECT name, url, etag, last_modified, url LIKE '%/robots.txt'
        FROM sources WHERE etag IS NOT NULL OR last_modified IS NOT NULL
        """
    )


@migrations(name="m012_stories")
def m012_stories(db: Database) -> None:
    # Stories (one real-world happening, in any language and outlet) and threads (stories
    # on one matter over time): storage/stories.py assigns each stored article to one.
    db.execute(
        """
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            title TEXT,
            first_published_at TEXT,
            last_published_at TEXT,
            article_count INTEGER NOT NULL DEFAULT 0,
            outlet_count INTEGER NOT NULL DEFAULT 0,
            languages TEXT NOT NULL DEFAULT '[]',
            thread_id INTEGER REFERENCES stories(id)
        )
        """
    )
    db.execute("CREATE INDEX stories_thread_id ON stories (thread_id)")
    db.execute("CREATE INDEX stories_last_published_at ON stories (last_published_at)")
    # Plain ALTER TABLE: sqlite-utils would rebuild the whole table to add the reference.
    db.execute("ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories(id)")
    db.execute("CREATE INDEX articles_story_id_source ON articles (story_id, source)")
    # What a story is compared by: per key, how many of its articles have it, and the last
    # day one did (the index finds the stories of recent days that share a key).
    db.execute(
        """
        CREATE TABLE story_keys (
            story_id INTEGER NOT NULL REFERENCES stories(id),
            key TEXT NOT NULL,
            articles INTEGER NOT NULL,
            last_day INTEGER NOT NULL,
            PRIMARY KEY (story_id, key)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX story_keys_key_last_day ON story_keys (key, last_day)")
    # The length of each story's vector, kept as it grows.
    db.execute(
        """
        CREATE TABLE story_norms (
            story_id INTEGER PRIMARY KEY REFERENCES stories(id),
            sumsq REAL NOT NULL
        )
        """
    )
    # How many articles have each key (the key '' counts all articles): its rarity.
    db.execute(
        """
        CREATE TABLE story_key_counts (
            key TEXT PRIMARY KEY,
            articles INTEGER NOT NULL
        ) WITHOUT ROWID
        """
    )
    # Articles stored before get their stories from a backfill after migrating (storage/db.py).


@migrations(name="m013_search_keys")
def m013_search_keys(db: Database) -> None:
    # Every word's keys (storage/search.py), indexed with the title and the text, so search
    # meets words the way relevance does; filled for stored articles by a backfill.
    articles = _table(db, "articles")
    articles.add_column("search_keys", str)
    articles.disable_fts()
    articles.enable_fts(
        ["title", "text", "search_keys"], create_triggers=True, tokenize=FTS_TOKENIZER
    )


@migrations(name="m014_page_problem")
def m014_page_problem(db: Database) -> None:
    # Why an article's page gave no text when the source's summary was stored instead: the
    # digest says "summary only: HTTP 404" beside a link that leads nowhere.
    db.execute("ALTER TABLE articles ADD COLUMN page_problem TEXT")


@migrations(name="m015_fts_on_indexed_columns")
def m015_fts_on_indexed_columns(db: Database) -> None:
    # sqlite-utils' update trigger re-indexes an article's title, text and search keys on
    # any change to its row: setting its story, score or duplicate_of re-tokenized the
    # whole text (0.65 ms an article as it is stored, and a rescoring of every article
    # rebuilt the index). Only a change to an indexed column needs it.
    columns = ("title", "text", "search_keys")  # what articles_fts indexes (m013)
    indexed = ", ".join(f'"{column}"' for column in columns)
    old = ", ".join(f'old."{column}"' for column in columns)
    new = ", ".join(f'new."{column}"' for column in columns)
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(
        f"""
        CREATE TRIGGER articles_au AFTER UPDATE OF {indexed} ON articles BEGIN
          INSERT INTO articles_fts (articles_fts, rowid, {indexed})
            VALUES ('delete', old.rowid, {old});
          INSERT INTO articles_fts (rowid, {indexed}) VALUES (new.rowid, {new});
        END
        """
    )


LATEST = "m015_fts_on_indexed_columns"
