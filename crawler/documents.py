"""Bytes of a feed or sitemap turned into text that is safe to parse: decoded in the right
encoding, free of characters XML forbids, refused when it declares entities.

Decoding: the byte-order mark, else the XML declaration, then the HTTP header's charset,
then UTF-8 (XML's default), then a guess from the bytes (charset-normalizer). A candidate
that leaves more than a few bytes undecodable is a wrong one (a cp1251 feed declared as
UTF-8); within that tolerance the odd bad byte becomes U+FFFD and the rest of the feed
keeps its letters, instead of the whole feed being read as Latin-1.

Entities: a document that declares any (the "billion laughs", external entities reading
local files) or names an external DTD is refused before any parser sees it, as defusedxml
does. The DTDs of RSS 0.91 and XHTML are known, never loaded, and allowed.
"""

import codecs
import re
import threading
from dataclasses import dataclass

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

from storage.cleantext import XML_ILLEGAL

# A candidate encoding is wrong when it cannot decode more than this many bytes (or this
# share of the document, for large ones).
MAX_BAD_BYTES = 4
MAX_BAD_SHARE = 1 / 500
# A declared single-byte encoding whose text measures this much mess (charset-normalizer's
# measure, over the first MESS_SAMPLE_CHARS) is suspected wrong, and another one that reads
# clean is taken instead.
MESS_SUSPECT = 0.04
MESS_SAMPLE_CHARS = 200_000
# ...and another reading is taken only when it measures at most this share of that mess.
CLEANER_BY = 1 / 3
GUESS_SAMPLE_BYTES = 200_000
_MULTI_BYTE = ("utf-8", "utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,300}?\?>")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]{1,40})", re.IGNORECASE)

# Numeric references, to characters that XML allows or not.
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,24}));")

_ELEMENT_START = re.compile(r"<[^!?/\s]")
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
_EXTERNAL_DTD = re.compile(r"<!DOCTYPE[^\[>]*?\s(?:SYSTEM|PUBLIC)\b([^\[>]*)", re.IGNORECASE)
_KNOWN_DTDS = re.compile(r"//DTD (?:RSS 0\.9\d?|XHTML[^/]*)//", re.IGNORECASE)


class HostileDocument(Exception):
    """A document refused unparsed (the message is the cause)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    # Why the declared encoding was not used although it decodes the bytes, if so.
    misdeclared: str | None = None


def decode_document(body: bytes, content_type: str | None = None) -> Decoded:
    """The document's text and the encoding it was read in."""
    for encoding in _candidates(body, content_type):
        text, bad = _decode_counting(body, encoding)
        if bad <= max(MAX_BAD_BYTES, len(body) * MAX_BAD_SHARE):
            return _unless_misdeclared(body, text, encoding)
    guess = guess_encoding(body)
    if guess is not None:
        return Decoded(_decode_counting(body, guess)[0], guess)
    return Decoded(body.decode("utf-8", errors="replace"), "utf-8")


def _unless_misdeclared(body: bytes, text: str, encoding: str) -> Decoded:
    """The text as declared, unless a single-byte declaration reads as mess and another
    encoding reads clearly cleaner. Single-byte encodings decode any bytes without an error,
    so a wrong one (koi8-r bytes declared windows-1251, cp1251 bytes declared ISO-8859-1)
    shows only in the text: capitals inside words ("лЙТЙММЙГБ"), Russian read as accented
    Latin ("Êàçàõñòàí"). charset-normalizer measures that mess: real feeds and pages read in
    their right encoding measure 0.000-0.002, a koi8-r feed read as windows-1251 about 0.08,
    a cp1251 one read as ISO-8859-1 above 1."""
    if encoding in _MULTI_BYTE or body.isascii():
        return Decoded(text, encoding)
    mess = mess_ratio(text[:MESS_SAMPLE_CHARS], 1.0)
    if mess < MESS_SUSPECT:
        return Decoded(text, encoding)
    # Not swayed by the declaration this time (charset-normalizer tries a declared
    # encoding first, and accepts it below its own, looser, threshold).
    best = from_bytes(body[:GUESS_SAMPLE_BYTES], preemptive_behaviour=False).best()
    if best is None or best.chaos > mess * CLEANER_BY:
        return Decoded(text, encoding)
    read_as = codecs.lookup(best.encoding).name
    guessed, bad = _decode_counting(body, read_as)
    if read_as == encoding or bad:
        return Decoded(text, encoding)
    return Decoded(guessed, read_as, f"declares {encoding} but reads as {read_as}")


# Among guesses that read the bytes equally well, the encodings the web uses most (for the
# region: Cyrillic, Turkish/Azerbaijani) come first: cp1250 and cp1252 both read a French
# feed without a flaw, and only one of them is what the site meant.
_COMMON_ENCODINGS = ("utf_8", "cp1252", "cp1251", "cp1254", "koi8_r", "iso8859_1", "cp1256")


def guess_encoding(body: bytes) -> str | None:
    """charset-normalizer's reading of undeclared bytes, ties going to common encodings."""
    matches = list(from_bytes(body[:GUESS_SAMPLE_BYTES]))
    if not matches:
        return None
    best = matches[0]
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]

    def rank(match: object) -> int:
        names = [getattr(match, "encoding", ""), *getattr(match, "could_be_from_charset", [])]
        ranks = [_COMMON_ENCODINGS.index(n) for n in names if n in _COMMON_ENCODINGS]
        return min(ranks, default=len(_COMMON_ENCODINGS))

    return min(tied, key=rank).encoding


def _candidates(body: bytes, content_type: str | None) -> list[str]:
    found: list[str] = []
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return [encoding]
    declared = _DECLARED.match(body[:300])
    if declared:
        found.append(declared.group(1).decode("ascii"))
    header = _CHARSET.search(content_type or "")
    if header:
        found.append(header.group(1))
    found.append("utf-8")
    usable = []
    for name in found:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        if codec not in usable and not codec.startswith(("utf-16", "utf-32")):
            usable.append(codec)
    return usable


_counter = threading.local()


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _counter.bad = getattr(_counter, "bad", 0) + (error.end - error.start)
    return "\ufffd", error.end


codecs.register_error("newswatch-count", _count_and_replace)


def _decode_counting(body: bytes, encoding: str) -> tuple[str, int]:
    _counter.bad = 0
    try:
        text = body.decode(encoding, errors="newswatch-count")
    except (LookupError, UnicodeError):
        return "", len(body) + 1
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, _counter.bad


def declaration_problem(text: str) -> str | None:
    """Why a document is refused unparsed: it declares entities, or an external DTD."""
    start = _ELEMENT_START.search(text)
    prolog = text[: start.start()] if start else text
    if _ENTITY_DECLARATION.search(prolog):
        return "declares XML entities"
    external = _EXTERNAL_DTD.search(prolog)
    if external and not _KNOWN_DTDS.search(external.group(1)):
        return "declares an external DTD"
    return None


def without_illegal_characters(text: str) -> tuple[str, int]:
    """The text without characters XML forbids, nor numeric references to them
    (&#0;, &#xD800;, &#99999999;); and how many were removed."""
    removed = 0

    def reference(match: re.Match[str]) -> str:
        nonlocal removed
        hexadecimal, decimal = match.groups()
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        if code > 0x10FFFF or XML_ILLEGAL.match(chr(code)):
            removed += 1
            return ""
        return match.group(0)

    text = _CHARACTER_REFERENCE.sub(reference, text)
    cleaned, count = XML_ILLEGAL.subn("", text)
    return cleaned, removed + count


@dataclass(frozen=True)
class SafeXml:
    data: bytes  # UTF-8, declaring UTF-8
    removed: int  # characters XML forbids, removed
    misdeclared: str | None  # see Decoded


def safe_xml_bytes(body: bytes, content_type: str | None, what: str) -> SafeXml:
    """The document as UTF-8 bytes that declare UTF-8, ready for an XML parser, and what
    was mended on the way. Raises HostileDocument for one that declares entities or an
    external DTD (`what`: "feed", "sitemap")."""
    decoded = decode_document(body, content_type)
    problem = declaration_problem(decoded.text)
    if problem is not None:
        raise HostileDocument(f"{what} {problem}: refused")
    text, removed = without_illegal_characters(decoded.text)
    text = _DECLARATION.sub("", text, count=1).lstrip()
    data = ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8")
    return SafeXml(data, removed, decoded.misdeclared)
