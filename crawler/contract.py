"""The contract between a crawl cycle child (`python -m crawler.cycle`) and whoever runs it
(the CLI, the daemon): its exit codes, the progress lines it prints on stdout as it goes
(`{"progress": …}`, one when a source is done and one a second while pages come in), and
the JSON summary on its last line of stdout.

Scrapy-free, so the scheduler can read a cycle's outcome without importing the crawler.
"""

import json
from dataclasses import dataclass, field
from enum import IntEnum


class CycleExit(IntEnum):
    OK = 0  # the cycle ran, even if some sources failed
    CRASHED = 1
    CONFIG_UNUSABLE = 2
    UNKNOWN_SOURCE = 3
    DATABASE_UNUSABLE = 4


EXIT_MEANING: dict[int, str] = {
    CycleExit.CRASHED: "crawl cycle crashed (see the log)",
    CycleExit.CONFIG_UNUSABLE: "configuration unusable",
    CycleExit.UNKNOWN_SOURCE: "unknown source",
    CycleExit.DATABASE_UNUSABLE: "database unusable",
}


@dataclass(frozen=True)
class SourceResult:
    """How one source's crawl went."""

    source: str
    kind: str
    status: str  # "ok", "not-modified", "not fetched" or "error: <cause>"
    items_seen: int = 0
    new_articles: int = 0
    updated_articles: int = 0  # stored articles whose text changed (kept as versions)
    article_errors: int = 0
    already_stored: int = 0
    dropped_links: int = 0  # links refused (unsound, or to an internal address)

    @property
    def failed(self) -> bool:
        return self.status.startswith("error")


@dataclass(frozen=True)
class CycleSummary:
    started_at: str
    sources: list[SourceResult] = field(default_factory=list)
    # When each configured source falls due next (None: now).
    next_due: dict[str, str | None] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {**vars(self), "sources": [vars(source) for source in self.sources]}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> "CycleSummary":
        """Raises ValueError (json.JSONDecodeError included) on a line that is not one."""
        data = json.loads(line)
        try:
            return cls(
                started_at=data["started_at"],
                sources=[SourceResult(**source) for source in data["sources"]],
                next_due=data.get("next_due", {}),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a crawl cycle summary: {error}") from error


@dataclass(frozen=True)
class Progress:
    """How far a running cycle is; `finished` is the source whose crawl just ended."""

    sources_done: int
    sources_total: int
    pages: int
    new_articles: int
    finished: SourceResult | None = None

    def to_json(self) -> str:
        # Flat fields, copied by hand: asdict's deep copy was a third of printing a line, and
        # a cycle prints one per source.
        finished = vars(self.finished) if self.finished is not None else None
        return json.dumps({"progress": {**vars(self), "finished": finished}}, ensure_ascii=False)

    @classmethod
    def from_line(cls, line: str) -> "Progress | None":
        """The progress a line reports, or None for any other line."""
        if not line.startswith('{"progress"'):
            return None
        try:
            data = json.loads(line)["progress"]
            finished = data.pop("finished")
            return cls(**data, finished=SourceResult(**finished) if finished else None)
        except (ValueError, KeyError, TypeError):
            return None
