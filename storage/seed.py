"""The user's seed article: the reference document newswatch tracks coverage against.

It ships verbatim as package data (storage/seeds/). The file opens with header lines
(a "date … (MENAFN- …)" credit line and the byline) that are not part of the article;
they are dropped from the stored text.
"""

import re
from dataclasses import dataclass
from importlib import resources

SEED_FILE = "000_fb1ccfd96c159988.txt"

_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b.*$", re.IGNORECASE)


@dataclass(frozen=True)
class SeedFacts:
    title: str
    author: str
    published_at: str
    source: str
    url: str
    aliases: tuple[str, ...]
    lang: str


SEED_FACTS = SeedFacts(
    title=(
        "Azerbaijan Prioritises Expanding Relations With Central Asian Countries At Strategic Level"
    ),
    author="Qabil Ashirov",
    published_at="2024-04-08T00:00:00Z",
    source="AzerNews (via MENAFN)",
    url=(
        "https://menafn.com/1108072835/"
        "Azerbaijan-Prioritises-Expanding-Relations-With-Central-Asian-Countries-At-Strategic-Level"
    ),
    aliases=("https://www.azernews.az/nation/224378.html",),
    lang="en",
)


def read_seed_document() -> str:
    """The seed file exactly as the user supplied it."""
    return resources.files("storage").joinpath("seeds", SEED_FILE).read_text(encoding="utf-8")


def seed_body(document: str, author: str) -> str:
    """The article text of the seed document: header lines dropped, paragraphs kept.

    The header is everything up to and including the byline (a line equal to the author's
    name) when it comes right after the "date …" credit line.
    """
    lines = document.splitlines()
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first < len(lines) and _DATE_LINE.match(lines[first]):
        first += 1
        while first < len(lines) and not lines[first].strip():
            first += 1
        if first < len(lines) and lines[first].strip() == author:
            first += 1
    paragraphs = [line.strip() for line in lines[first:] if line.strip()]
    return "\n\n".join(paragraphs)
