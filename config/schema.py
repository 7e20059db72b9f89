"""The configuration's shape: one frozen dataclass per section, with each key's check.

Here, once, are the registries other packages implement: the source kinds (a spider each,
crawler/cycle.py) and the digest formats (a renderer each, digest/render.py); a test ties
each registry to its implementations.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from config.cron import is_valid_cron

SOURCE_KINDS = ("feed", "sitemap", "site")
DIGEST_FORMATS = ("text", "markdown", "html", "json", "atom")


def _check(test: Callable[[Any], bool], expected: str) -> dict[str, Any]:
    return {"check": test, "expected": expected}


def _positive(value: Any) -> bool:
    if isinstance(value, timedelta):
        return value > timedelta(0)
    return bool(value > 0)


def _http_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^/\s]+", value))


def _regexes(values: tuple[str, ...]) -> bool:
    try:
        for value in values:
            re.compile(value)
    except re.error:
        return False
    return True


@dataclass(frozen=True)
class StorageConfig:
    path: Path = Path("newswatch.db")


@dataclass(frozen=True)
class CrawlConfig:
    interval: timedelta = field(
        default=timedelta(hours=1), metadata=_check(_positive, "a duration > 0")
    )
    download_delay: float = field(
        default=1.0, metadata=_check(lambda v: v >= 0, "a number of seconds >= 0")
    )
    obey_robots: bool = True
    timeout: float = field(default=30.0, metadata=_check(_positive, "a number of seconds > 0"))
    max_page_bytes: int = field(
        default=5_000_000, metadata=_check(_positive, "a number of bytes > 0")
    )
    user_agent: str = field(
        default="newswatch/0.1 (regional defense news monitor; +https://github.com/newswatch)",
        metadata=_check(lambda v: bool(v.strip()), "a non-empty string"),
    )
    concurrent_per_host: int = field(default=2, metadata=_check(_positive, "an integer > 0"))
    retry_times: int = field(default=2, metadata=_check(lambda v: v >= 0, "an integer >= 0"))
    max_redirects: int = field(default=5, metadata=_check(lambda v: v >= 0, "an integer >= 0"))
    max_articles_per_source: int = field(default=200, metadata=_check(_positive, "an integer > 0"))
    parallel_sources: int = field(default=8, metadata=_check(_positive, "an integer > 0"))
    # Processes that extract article pages beside the crawl process (0: the crawl process
    # extracts them itself). Unset: one where the crawl may use two CPUs or more
    # (crawler.workers.worker_count).
    workers: int | None = field(default=None, metadata=_check(lambda v: v >= 0, "an integer >= 0"))
    # Links to loopback, private, link-local and other internal addresses are refused (the
    # hosts of configured sources excepted); true turns that check off.
    allow_private_links: bool = False


@dataclass(frozen=True)
class SourceConfig:
    name: str = field(metadata=_check(lambda v: bool(v.strip()), "a non-empty name"))
    kind: str = field(
        metadata=_check(lambda v: v in SOURCE_KINDS, "one of " + ", ".join(SOURCE_KINDS))
    )
    url: str = field(metadata=_check(_http_url, "an http:// or https:// URL"))
    interval: timedelta | None = field(default=None, metadata=_check(_positive, "a duration > 0"))
    follow: tuple[str, ...] = field(
        default=(), metadata=_check(_regexes, "a list of valid regular expressions")
    )
    max_pages: int = field(default=3, metadata=_check(_positive, "an integer > 0"))
    # A paused source stays configured (and keeps its history) but is not crawled when due.
    paused: bool = False
    # Labels of the user's own (an OPML import's folders become tags).
    tags: tuple[str, ...] = field(
        default=(),
        metadata=_check(lambda v: all(t.strip() for t in v), "a list of non-empty names"),
    )


@dataclass(frozen=True)
class ProfileConfig:
    threshold: float = field(default=0.5, metadata=_check(lambda v: 0 <= v <= 1, "0 to 1"))
    references: tuple[Path, ...] = ()
    # A profile file of the shipped layout, merged over the shipped profile.
    file: Path | None = None


@dataclass(frozen=True)
class EmailConfig:
    host: str = "localhost"
    port: int = field(default=25, metadata=_check(lambda v: 0 < v < 65536, "a port 1-65535"))
    sender: str = "newswatch@localhost"
    recipients: tuple[str, ...] = ()
    starttls: bool = False
    username: str | None = None
    password_env: str = "NEWSWATCH_SMTP_PASSWORD"


@dataclass(frozen=True)
class DigestConfig:
    schedule: str = field(
        default="0 7 * * *", metadata=_check(is_valid_cron, "a cron expression of five fields")
    )
    output_dir: Path = Path("digests")
    formats: tuple[str, ...] = field(
        default=("html", "markdown"),
        metadata=_check(
            lambda v: all(f in DIGEST_FORMATS for f in v),
            "a list of: " + ", ".join(DIGEST_FORMATS),
        ),
    )
    email: EmailConfig | None = None


@dataclass(frozen=True)
class DaemonConfig:
    # Defaults: next to the database (newswatch.pid, newswatch.log).
    pid_file: Path | None = None
    log_file: Path | None = None
    keep_fetches: timedelta = field(
        default=timedelta(days=90), metadata=_check(_positive, "a duration > 0")
    )


@dataclass(frozen=True)
class LeftOutSource:
    """A [[sources]] entry that did not load. One bad line must not cost the other sources:
    this one is not crawled (its stored history is kept), the others load and crawl."""

    name: str | None  # as written, when it is a string
    problems: tuple[str, ...]  # each naming the file, the entry and the cause

    @property
    def warning(self) -> str:
        return "; ".join(self.problems) + " (this source is left out until that is fixed)"


@dataclass(frozen=True)
class Config:
    storage: StorageConfig = StorageConfig()
    crawl: CrawlConfig = CrawlConfig()
    sources: tuple[SourceConfig, ...] = ()
    profile: ProfileConfig = ProfileConfig()
    digest: DigestConfig = DigestConfig()
    daemon: DaemonConfig = DaemonConfig()
    file: Path | None = None  # where it was loaded from; None for the built-in defaults
    # Sources of the file that did not load (the others did); not part of the value.
    left_out: tuple[LeftOutSource, ...] = field(default=(), compare=False)

    def __deepcopy__(self, memo: dict[int, object]) -> "Config":
        # Frozen all the way down: a copy is the same value. Scrapy deep-copies its settings,
        # which carry the Config, for every crawler: with hundreds of sources that was a
        # fifth of an unchanged re-crawl's CPU.
        return self

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    @property
    def warnings(self) -> list[str]:
        """One line for each source left out: the file, the source and the cause."""
        return [source.warning for source in self.left_out]

    def left_out_warnings(self, names: Iterable[str]) -> list[str]:
        """The warnings of those of the named sources that a bad line left out."""
        wanted = set(names)
        return [source.warning for source in self.left_out if source.name in wanted]

    def interval_of(self, source: SourceConfig) -> timedelta:
        return source.interval or self.crawl.interval

    @property
    def pid_path(self) -> Path:
        return self.daemon.pid_file or self.storage.path.with_suffix(".pid")

    @property
    def log_path(self) -> Path:
        return self.daemon.log_file or self.storage.path.with_suffix(".log")

    @property
    def state_path(self) -> Path:
        """Where the daemon tells `newswatch status` how it is doing."""
        return self.pid_path.with_suffix(".state.json")
