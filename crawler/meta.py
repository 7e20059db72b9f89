"""The Request.meta keys newswatch sets on requests, read by spiders and middlewares alike."""

from typing import Any

PRIMARY = "newswatch_primary"  # the source's own URL: its outcome is the source's health
LEAD = "newswatch_lead"  # an article page: the Lead the source gave for it
REREAD = "newswatch_reread"  # a stored article fetched again: its source announced a change
SOURCE = "newswatch_source"  # the source a request is for, in a crawl of several (the probe)


def source_of(meta: dict[str, Any], spider: object) -> str:
    """The name of the source a request is for: named in its meta by the probe, which asks
    for several sources' URLs, else its spider's one source."""
    return str(meta.get(SOURCE) or getattr(spider, "source_name", ""))
