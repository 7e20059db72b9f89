"""Near-duplicates, the pure part: a text's fingerprint, its LSH band keys, and which stored
article a new one is a copy of. No SQL here; `storage.copies` stores and queries.

A syndicated copy differs from its original by glued words ("werepart"), another header or
footer, a credit line and small edits. The text is reduced to lowercase letters and digits
(the same reduction as the content hash, so glued words cost nothing) and cut into
overlapping character shingles; the MinHash signature of that set estimates the Jaccard
similarity of two texts, and LSH bands of the signature find the few stored articles worth
comparing without looking at the others.

The signature is datasketch 2's "affine32" MinHash (the values databases from earlier
releases store), computed here in numpy alone: importing datasketch pulls in scipy, half a
second and 80 MiB in every process that stores an article. tests/test_duplicates.py checks
the signatures against datasketch's own, byte for byte.

Changing any parameter here changes every signature and band key: stored ones would no longer
meet new ones, so such a change needs a migration that indexes the articles again.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from storage.models import normalise_for_hash

# Characters per shingle (of the reduced text). Nine spans about two words: short enough that
# one edited word spoils few shingles, long enough that unrelated texts on the same subject
# (same names, same stock phrases) share few.
SHINGLE_CHARS = 9
BANDS = 42
ROWS = 3
NUM_PERM = BANDS * ROWS
# With 42 bands of 3 rows, a pair at Jaccard 0.3 shares a band with probability 0.68, at 0.4
# 0.94, at 0.5 0.996; at 0.05 (unrelated articles on one subject) 0.005, at 0.02 (unrelated
# articles) 0.0003: at 100,000 stored articles a lookup meets a few dozen strangers, which
# the signature comparison turns away. 4 rows would meet none but miss a third of the
# copies at 0.3.
MINHASH_SEED = 1
# datasketch's name for the scheme (its default since 2.0), which these signatures follow.
MINHASH_SCHEME = "affine32"
# A signature is NUM_PERM little-endian uint32 (storage/minhash.py computes it).
SIGNATURE_ITEM_BYTES = 4
# Estimated Jaccard similarity from which a candidate counts as the same story. Copies with a
# new header, footer and credit line and an edited sentence measure 0.5–0.95, heavily edited
# short ones down to 0.3; separately written articles on the same event 0.03–0.1, with the
# same quoted statement and names (bench/duplicates_bench.py; the test fixtures: 0.07).
COPY_SIMILARITY = 0.3
# Texts shorter than this (reduced characters) are not fingerprinted: a feed summary or a
# caption says too little to tell a copy from a look-alike.
MIN_CHARS = 200
# A text too short to fingerprint is still the same article as a stored one with the same
# normalised text when it has at least this many words AND the same headline. The text
# alone is not enough: a caption ("Photo: press service"), a teaser ("Read more on our
# site") or a daily template line recur under different headlines, and taking one for
# another would store no row for a real article. One sentence of news has about ten words.
MIN_SHORT_TEXT_WORDS = 8


_NOT_YET_STORED = 2**63 - 1  # an article being stored has no id yet: it ranks after ties

# Host labels that mark another rendering of one site (mobile, AMP), not another outlet.
_VARIANT_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")


# How an article ranks as its group's original: see rank().
Rank = tuple[int, str, str, int]
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Fingerprint:
    """A text's MinHash signature (NUM_PERM little-endian uint32) and its shingle count."""

    signature: bytes
    shingles: int

    def bands(self) -> list[int]:
        return band_keys(self.signature)


@dataclass(frozen=True)
class Candidate:
    """A stored article that shares an LSH band with the new one, as the decision needs it."""

    article_id: int
    similarity: float  # estimated Jaccard similarity to the new article
    site: str  # outlet_of(its canonical URL)
    is_seed: bool
    original_id: int  # the original of its group (itself when it is one)
    original_rank: Rank  # rank() of that original
    source: str | None = None  # the configured source that stored it


@dataclass(frozen=True)
class Match:
    original_id: int  # the group's original: what the new article's duplicate_of points at
    copy_of: int  # the stored article the new one resembles most
    similarity: float
    original_rank: Rank


def fingerprint(text: str | None) -> Fingerprint | None:
    """The text's fingerprint, or None when it is too short to compare."""
    # numpy is imported with the first fingerprint, not with storage: a crawl cycle that
    # stores nothing makes none.
    from storage import minhash

    signed = minhash.signature(text)
    return None if signed is None else Fingerprint(signature=signed[0], shingles=signed[1])


def band_keys(signature: bytes) -> list[int]:
    """One signed 64-bit key per LSH band: the band's number and its rows, hashed.

    The number is part of the key so that one indexed column holds every band.
    """
    keys = []
    width = ROWS * SIGNATURE_ITEM_BYTES
    for band in range(BANDS):
        chunk = signature[band * width : (band + 1) * width]
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures: the share of the
    permutations whose minimum they share. (In plain Python: NUM_PERM comparisons cost less
    than numpy's import in a process that compares but computes no signature.)"""
    left, right = memoryview(a).cast("I"), memoryview(b).cast("I")
    same = sum(x == y for x, y in zip(left, right, strict=True))
    return same / len(left)


def rank(
    is_seed: bool,
    published_at: str | None,
    first_seen_at: str | None,
    article_id: int,
    announced_at: str | None = None,
) -> Rank:
    """Sort key of an article as an original: the seed first, then the earliest published
    (first seen when undated); on the same date, the one its source announced first (a feed's
    pubDate: a reprint keeps its original's page date but is listed later); then the lowest
    id. Without an announced time the date itself stands in, so it decides nothing."""
    dated = published_at or first_seen_at or ""
    return (0 if is_seed else 1, dated, announced_at or dated, article_id)


def ranks_before(
    published_at: str | None,
    first_seen_at: str | None,
    original: Rank,
    announced_at: str | None = None,
) -> bool:
    """Whether an article not stored yet ranks before a group's original: it was published
    earlier, or on the same date announced earlier (a full tie goes to the stored one), so
    it is the original, found late."""
    return rank(False, published_at, first_seen_at, _NOT_YET_STORED, announced_at) < original


def outlet_of(url: str) -> str:
    """The outlet (site) a URL belongs to: its host without www., m., mobile. or amp."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""
    for prefix in _VARIANT_HOST_PREFIXES:
        host = host.removeprefix(prefix)
    return host


def same_outlet(site: str, source: str | None, other_site: str, other_source: str | None) -> bool:
    """Whether two articles, each from a site (its outlet_of) and a configured source (its
    name), come from the same outlet.

    An outlet is one site as one configured source sees it: two sources on one host (an
    aggregator or syndication hub carrying several outlets' feeds) are two outlets, as are
    two hosts listed by one source. An outlet's own AMP, print or moved pages come from its
    own source and its own site, so they stay its own. Unknown source names (None) compare
    by site alone.
    """
    if not site or site != other_site:
        return False
    return source is None or other_source is None or source == other_source


def choose_original(
    site: str, candidates: Iterable[Candidate], source: str | None = None
) -> Match | None:
    """The group a new article from `site` (and configured source `source`) joins, or None
    when it copies nothing stored.

    A candidate counts when similar enough and from another outlet (see same_outlet): one
    outlet's articles at different addresses are its own template (weather, exchange rates,
    "officials told us") or the same page, which addresses and the content hash already
    catch. The seed is compared whatever the outlet. Of the groups that qualify, the one
    whose original ranks first is joined.
    """
    qualified = [
        c
        for c in candidates
        if c.similarity >= COPY_SIMILARITY
        and (c.is_seed or not same_outlet(site, source, c.site, c.source))
    ]
    if not qualified:
        return None
    best = min(qualified, key=lambda c: (c.original_rank, -c.similarity, c.article_id))
    return Match(
        original_id=best.original_id,
        copy_of=best.article_id,
        similarity=best.similarity,
        original_rank=best.original_rank,
    )


def word_count(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


def same_short_article(title: str | None, text: str | None, stored_title: str | None) -> bool:
    """Whether a text too short to fingerprint, equal (normalised) to a stored article's,
    is that article: it must have MIN_SHORT_TEXT_WORDS words and the same, non-empty,
    normalised headline."""
    if word_count(text) < MIN_SHORT_TEXT_WORDS:
        return False
    headline = normalise_for_hash(title or "")
    return bool(headline) and headline == normalise_for_hash(stored_title or "")
