"""The keys a word is matched and searched by, across the region's languages and scripts.

The ground floor beside `config`: relevance matches profile terms by these keys, and storage
indexes articles by them for search, so both meet words the same way.

A token gets several keys, and a profile term matches when one of its keys equals (or, for a
prefix term, starts) the same kind of key of the token:

- ``plain``: case- and diacritic-folded, the region's letters mapped to their base letter
  (ə→e, ı/İ→i, ğ→g, ş→s, қ→к, ғ→г, ң→н, ү/ұ→у, ө→о, һ→х, ә→а, і→и), then Cyrillic written
  in Latin, so "Қазақстан" and "Qazaqstan" meet;
- ``en``/``tr``/``ru``: the Snowball stem (PyStemmer) of the word, so "учениях" meets
  "учения" and "tatbikatında" meets "tatbikat";
- ``name``: the plain key with the consonants that transliterations disagree on collapsed
  (kh/gh/x/q/g/h → k, sh → s, y → i…), so "Garabagh", "Karabakh", "Qarabağ" and "Карабах"
  share one key. Only place and organisation names use it: for ordinary words it would merge
  too much (Kazakh "күн", day, with English "gun").
"""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex
import Stemmer

# Uzbek Latin writes o‘ and g‘ with a turned comma or an apostrophe inside the word; those
# belong to the letter. Anywhere else an apostrophe separates a Turkish proper noun from its
# case ending ("Kazakistan'da"), so it splits the token.
_UZBEK_APOSTROPHE = regex.compile(r"(?<=[oOgG])['ʻʼ‘’`](?=\p{L})")
_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+")

# Letters that Unicode decomposition does not reduce, or that must not be reduced (й).
_LETTER_MAP = {
    "ı": "i",
    "ə": "e",
    "ø": "o",
    "ß": "ss",
    "æ": "ae",
    "đ": "d",
    "ł": "l",
    # Cyrillic letters of Kazakh, Kyrgyz, Uzbek and Tajik, mapped to the nearest Russian one.
    "ә": "а",
    "ғ": "г",
    "қ": "к",
    "ң": "н",
    "ө": "о",
    "ұ": "у",
    "ү": "у",
    "һ": "х",
    "ҳ": "х",
    "і": "и",
    "ў": "у",
    "ҷ": "ж",
    "ё": "е",
}

# Decomposition would turn й into и with a breve; Russian stemming needs й kept.
_KEEP = {"й"}

_CYRILLIC_TO_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ы": "y",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # The hard and soft signs carry no sound of their own; they go after stemming.
    "ъ": "",
    "ь": "",
}

# Applied in order to a plain key to build a name key.
_NAME_DIGRAPHS = (("kh", "k"), ("gh", "k"), ("zh", "j"), ("dj", "j"), ("sh", "s"), ("ch", "c"))
_NAME_LETTERS = str.maketrans({"q": "k", "x": "k", "g": "k", "h": "k", "y": "i", "w": "v"})

_STEMMERS = {
    name: Stemmer.Stemmer(lang)
    for name, lang in (("en", "english"), ("tr", "turkish"), ("ru", "russian"))
}

# A stem shorter than this says too little ("ordu" → "or" in the Turkish stemmer).
MIN_STEM = 3


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _LETTER_MAP:
        return _LETTER_MAP[char]
    if char in _KEEP or char.isascii():
        return char
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def casefold(word: str) -> str:
    """Lower-case without the Turkish İ trap: Python lowers İ to "i" plus a combining dot."""
    return word.replace("İ", "i").lower()


def fold(word: str) -> str:
    """Case, diacritics and the region's letters removed; the script is kept."""
    return "".join(_fold_char(c) for c in casefold(word))


def is_cyrillic(word: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in word)


def to_latin(folded: str) -> str:
    """A folded Cyrillic word in Latin letters (one fixed scheme for every language)."""
    return "".join(_CYRILLIC_TO_LATIN.get(c, c) for c in folded)


def name_key(plain: str) -> str:
    """Collapse the consonants that transliterations of one name disagree on, then doubles."""
    for old, new in _NAME_DIGRAPHS:
        plain = plain.replace(old, new)
    plain = plain.translate(_NAME_LETTERS)
    out: list[str] = []
    for c in plain:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def tokenize(text: str) -> list[str]:
    """Words and numbers of a text, as written (hyphenated words become separate tokens)."""
    return list(_tokens(text))


# Scoring and the search keys read one article's title and text in turn (0.4 ms for 9 KB of
# text): the last few texts' tokens are kept. A str caches its hash, so a hit costs little.
@lru_cache(maxsize=8)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(_UZBEK_APOSTROPHE.sub("", text)))


@dataclass(frozen=True)
class Keys:
    """Every key one token is matched by; stem keys are empty when the stemmer does not apply."""

    plain: str
    name: str
    en: str = ""
    tr: str = ""
    ru: str = ""
    # The plain key again, only for a word written in Cyrillic: a term spelt in Cyrillic
    # compares with it, so "=генерал" does not meet the English "general".
    cyrillic: str = ""
    # The word in lower case with its letters as written (no folding): where folding makes
    # two words one, as Tajik "низоми" (system of) and "низомӣ" (military).
    spelled: str = ""


def _stem(stemmer: str, word: str) -> str:
    stem = _STEMMERS[stemmer].stemWord(word)
    return stem if len(stem) >= MIN_STEM else ""


def word_keys(token: str) -> Keys:
    """All keys of one token. Which stemmers run depends on the script, not on a language tag,
    so a mislabelled feed does not change the result."""
    folded = fold(token)
    # Only a capitalised word is compared by the loose name key: in lower case the Azerbaijani
    # "görə" (according to) would be the name "Kore" (Korea), the Kazakh "қаза" (death) Gaza.
    capitalised = token[:1].isupper()
    if is_cyrillic(folded):
        plain = to_latin(folded)
        name = name_key(plain) if capitalised else ""
        return Keys(
            plain=plain,
            name=name,
            ru=to_latin(_stem("ru", folded)),
            cyrillic=plain,
            spelled=casefold(token),
        )
    # The Turkish stemmer checks vowel harmony, so it sees the word before ö/ü/ı are folded
    # (ə is close enough to e for that check, and Turkish has no ə).
    turkish = casefold(token).replace("ə", "e")
    return Keys(
        plain=folded,
        name=name_key(folded) if capitalised else "",
        en=_stem("en", folded),
        tr=fold(_stem("tr", turkish)),
        spelled=casefold(token),
    )
