"""How extracted text is cleaned before it is stored (Scrapy-free: the page worker cleans a
page's text the same way, to compute ahead what storing it needs)."""

from storage.cleantext import without_controls

# Longer texts are cut: no news article is this long, and a runaway page must not bloat the
# database.
MAX_TEXT_CHARS = 200_000


def one_line(value: str | None) -> str | None:
    """One line of text, without control characters (a NUL in a title stays out)."""
    if value is None:
        return None
    cleaned = " ".join(without_controls(value).split())
    return cleaned or None


def clean_text(value: str | None) -> str | None:
    """Paragraphs on their own lines, spaces collapsed, no control characters nor empty
    lines."""
    if value is None:
        return None
    paragraphs = [" ".join(line.split()) for line in without_controls(value).splitlines()]
    cleaned = "\n".join(p for p in paragraphs if p)
    return cleaned or None
