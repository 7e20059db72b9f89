"""How extracted text is cleaned before it is stored (Scrapy-free: the page worker cleans a
page's text the same way, to compute ahead what storing it needs)."""

from storage.cleantext import without_controls

# Longer texts are cut: no news article is this long, and a runaway page must not bloat the
# database.
MAX_TEXT_CHARS = 200_000


# Titles and authors longer than this are cut, marked with "…": real ones are under 300
# characters, and a feed's megabyte title would fill every digest that lists it.
MAX_LINE_CHARS = 1_000


def one_line(value: str | None) -> str | None:
    """One line of text, without control characters (a NUL in a title stays out), at most
    MAX_LINE_CHARS long."""
    if value is None:
        return None
    cleaned = " ".join(without_controls(value[: MAX_LINE_CHARS * 8]).split())
    if len(cleaned) > MAX_LINE_CHARS:
        cleaned = cleaned[: MAX_LINE_CHARS - 1].rstrip() + "…"
    return cleaned or None


def clean_text(value: str | None) -> str | None:
    """Paragraphs on their own lines, spaces collapsed, no control characters nor empty
    lines."""
    if value is None:
        return None
    paragraphs = [" ".join(line.split()) for line in without_controls(value).splitlines()]
    cleaned = "\n".join(p for p in paragraphs if p)
    return cleaned or None
