"""An article's search keys: every word's keys from `textkeys` (folded and in Latin
letters, and its English, Turkish and Russian stems), as one text for the full-text index
(storage.search). A pure function of the title and text, with no database: the page worker
(crawler/pageworker.py) computes it ahead for the crawl process."""

from functools import lru_cache
from itertools import chain

from textkeys import tokenize, word_keys

# News vocabulary repeats: a word's keys are worked out once (stemming three ways costs
# ~1 µs a word, ~5 ms for a 5 KB article uncached).
KEYS_CACHE = 50_000


def keys_of(word: str) -> tuple[str, ...]:
    """A word's search keys: folded (Cyrillic in Latin letters), and its stems."""
    keys = word_keys(word)
    return tuple(dict.fromkeys(key for key in (keys.plain, keys.en, keys.tr, keys.ru) if key))


def search_keys(title: str | None, text: str | None) -> str | None:
    """The keys of an article's words, as one text for the full-text index: each key once,
    and none that is the word itself in lower case (the title and text columns hold it), so
    the index stays small and a crawl writes little more than the text."""
    # Tokens never span the line between title and text: read apart, as scoring reads them.
    words = tokenize(title or "") + tokenize(text or "")
    if not words:
        return None
    keys = chain.from_iterable(map(_indexed_keys, dict.fromkeys(words)))
    return " ".join(dict.fromkeys(keys)) or None


@lru_cache(maxsize=KEYS_CACHE)
def _indexed_keys(word: str) -> tuple[str, ...]:
    """The keys the index needs beside the word itself (cached: see KEYS_CACHE)."""
    lowered = word.lower()
    return tuple(key for key in keys_of(word) if key != lowered)
