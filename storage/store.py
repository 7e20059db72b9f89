"""`Storage`: one open newswatch database, with one object per table family."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from config import Config
from storage.articles import Articles
from storage.copies import Copies
from storage.db import open_database, open_database_readonly, write_transaction
from storage.digests import Digests
from storage.errors import StorageError, wrapped_errors, wraps_errors
from storage.models import Article
from storage.recurring import RecurringParagraphs
from storage.seed import SEED_FACTS, read_seed_document, seed_body
from storage.sources import Sources
from storage.sqlite_import import Database
from storage.stories import Stories


class Storage:
    """One open newswatch database, with one object per table family."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path
        self.articles = Articles(db, path)
        self.sources = Sources(db, path)
        self.digests = Digests(db, path)
        self.copies = Copies(db, path)
        self.paragraphs = RecurringParagraphs(db, path)
        self.stories = Stories(db, path)

    @classmethod
    def open(cls, path: Path) -> "Storage":
        """Open the database at `path`, creating and upgrading it as needed."""
        return cls(open_database(path), path)

    @classmethod
    def open_readonly(cls, path: Path) -> "Storage":
        """Open an existing database at `path` for reading only (see open_database_readonly);
        any write through it fails with StorageError."""
        return cls(open_database_readonly(path), path)

    @classmethod
    def open_configured(cls, config: Config) -> "Storage":
        """Open the configured database with the seed stored and the sources registered."""
        storage = cls.open(config.storage.path)
        try:
            storage.prepare(config)
        except BaseException:
            storage.close()
            raise
        return storage

    def prepare(self, config: Config) -> tuple[int, bool]:
        """Store the seed and register the configured sources; return ensure_seed()'s answer."""
        seed = self.ensure_seed()
        self.sources.sync(
            ((s.name, s.kind, s.url) for s in config.sources),
            # A source left out for a bad line keeps its health and validators meanwhile.
            keep=[s.name for s in config.left_out if s.name is not None],
        )
        return seed

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction around several calls (each of which would otherwise be
        its own), holding the write lock from the start; inner calls become savepoints."""
        with wrapped_errors(self.path), write_transaction(self.db):
            yield

    def __enter__(self) -> "Storage":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @wraps_errors
    def ensure_seed(self) -> tuple[int, bool]:
        """Store the seed article unless it is there already; return (id, newly stored)."""
        with write_transaction(self.db):
            existing = self.articles.seed()
            if existing is not None and existing.id is not None:
                return existing.id, False
            facts = SEED_FACTS
            text = seed_body(read_seed_document(), facts.author)
            article = Article(
                url=facts.url,
                canonical_url=facts.url,
                source=facts.source,
                title=facts.title,
                author=facts.author,
                published_at=facts.published_at,
                text=text,
                lang=facts.lang,
                relevance=1.0,
                relevant=True,
                matched=("seed",),
                is_seed=True,
                aliases=facts.aliases,
            )
            article_id = self.articles.add(article)
            if article_id is None:
                raise StorageError(
                    f"database {self.path}: an article at the seed's URL {facts.url} is stored "
                    "but not marked as the seed"
                )
            return article_id, True

    @wraps_errors
    def settled_now(self) -> datetime:
        """The current time, once no write is in progress.

        Articles are stamped `first_seen_at` inside their write transaction; taking the
        write lock first means every article stamped before the returned time is committed,
        so a digest ending at it cannot miss one that was being written while it read.
        """
        with write_transaction(self.db):
            return datetime.now(UTC)

    @wraps_errors
    def checkpoint(self) -> None:
        """Fold the WAL into the main file (maintenance; readers may keep it from finishing)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
