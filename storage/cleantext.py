"""Text as it may be stored and shown: no control characters, nothing XML forbids, and,
for a terminal (scheduler.output.terminal_safe), no character that moves the cursor or turns
the line around.

Strangers write the titles and texts newswatch stores; a NUL, a U+FFFE or a lone surrogate
in one would make every XML digest invalid, and an escape sequence or a right-to-left
override (U+202E) would rewrite what an analyst reads in the terminal.
"""

import re

# What XML 1.0 forbids: C0 controls but tab and line ends, lone surrogates, U+FFFE, U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What stored text never holds: the above, DEL and the C1 controls as well.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def without_controls(text: str) -> str:
    """Stored text: control characters (NUL included) and non-characters removed; tabs and
    line ends kept."""
    return _CONTROL.sub("", text)


def xml_safe(text: str) -> str:
    """Only characters an XML 1.0 document may hold."""
    return XML_ILLEGAL.sub("", text)


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of a summary that may hold HTML (feed content is untrusted markup)."""
    if not fragment or not fragment.strip():
        return None
    # Imported here: every command imports storage, and only feeds and markup need lxml.
    from lxml import html as lxml_html

    try:
        text = lxml_html.fromstring(fragment).text_content()  # type: ignore[attr-defined]
    except (ValueError, lxml_html.etree.ParserError):
        text = fragment
    cleaned = " ".join(without_controls(text).split())
    return cleaned or None


# A tag or a character reference: what says a text is markup, not plain text.
_MARKUP = re.compile(r"<[A-Za-z/!]|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);")


def plain_text(text: str | None) -> str | None:
    """Text with any markup read the way the crawl reads a feed's summary (html_to_text);
    plain text is returned as it is."""
    if text and _MARKUP.search(text):
        return html_to_text(text)
    return text
