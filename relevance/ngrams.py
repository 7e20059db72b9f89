"""Hashed word and character n-grams: the words the profile lacks, learned from labelled items.

Every word is reduced to its plain key (case, diacritics and the region's letters folded,
Cyrillic in Latin letters, see text.py), so Uzbek Cyrillic and Latin, Kazakh and Russian
spellings share n-grams. Each word gives itself, its character 3-, 4- and 5-grams (with a
space on each side, so beginnings and endings count) and, with the next word, a word pair.
An n-gram's bucket is its CRC-32 modulo 2**BITS (stable across processes and machines).

The vector is log counts scaled to unit length, so a long text does not weigh more than a
short one: what counts is which n-grams dominate, not how many there are.
"""

import functools
import itertools
import math
import zlib
from collections import Counter
from collections.abc import Iterable

from .text import plain_word

BITS = 18
SIZE = 1 << BITS
CHAR_SIZES = (3, 4, 5)


def bucket(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8")) & (SIZE - 1)


def _word_gram_names(token: str) -> list[str]:
    """The word's own n-grams: itself and its character 3-, 4- and 5-grams."""
    word = plain_word(token)
    grams = [f"w:{word}"]
    padded = f" {word} "
    for size in CHAR_SIZES:
        grams.extend(f"c:{padded[i : i + size]}" for i in range(len(padded) - size + 1))
    return grams


@functools.lru_cache(maxsize=200_000)
def word_buckets(token: str) -> tuple[int, ...]:
    """The buckets of the word's own n-grams (cached: news vocabulary repeats). Only the
    buckets, not the n-grams' strings: a crawl caches tens of thousands of words, and
    the strings took four times the memory."""
    return tuple(map(bucket, _word_gram_names(token)))


def _pairs(tokens: list[str]) -> Iterable[str]:
    words = [plain_word(t) for t in tokens]
    return (f"b:{a}_{b}" for a, b in itertools.pairwise(words))


def vector(title: list[str], body: list[str]) -> dict[int, float]:
    """The unit-length log-count vector of a title's and a text's tokens (bucket -> value)."""
    counts: Counter[int] = Counter()
    for tokens in (title, body):
        counts.update(itertools.chain.from_iterable(map(word_buckets, tokens)))
        counts.update(map(bucket, _pairs(tokens)))
    if not counts:
        return {}
    values = {k: 1.0 + math.log(c) for k, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in values.values()))
    return {k: v / norm for k, v in values.items()}


def names(title: list[str], body: list[str], buckets: set[int]) -> dict[int, str]:
    """An n-gram of the tokens for each of `buckets` (for explain; worked out only then)."""
    found: dict[int, str] = {}
    for tokens in (title, body):
        grams = itertools.chain(
            itertools.chain.from_iterable(map(_word_gram_names, tokens)), _pairs(tokens)
        )
        for gram in grams:
            index = bucket(gram)
            if index in buckets:
                found.setdefault(index, gram)
    return found


def readable(gram: str) -> str:
    """How explain prints an n-gram: "word", "pair words", or "…part…" of a word."""
    kind, _, value = gram.partition(":")
    if kind == "b":
        return value.replace("_", " ")
    if kind == "c":
        return value.replace(" ", "_")
    return value
