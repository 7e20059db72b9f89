"""What relevance reads in a text beyond its words' keys (those are in `textkeys`): whether
it is written in a language of the region, and whether a place is named as a source.
"""

import regex

from textkeys import (
    Keys,
    casefold,
    fold,
    is_cyrillic,
    name_key,
    to_latin,
    tokenize,
    word_keys,
)

__all__ = [
    "ABLATIVE_ENDINGS",
    "BULLETIN_MAX_WORDS",
    "REGIONAL_LANGUAGES",
    "SOURCE_WORDS",
    "Keys",
    "bulletin_lead",
    "casefold",
    "fold",
    "is_ablative",
    "is_cyrillic",
    "name_key",
    "regional_language",
    "to_latin",
    "tokenize",
    "word_keys",
]

# Letters that Russian and Turkish do not use but the region's languages do (Azerbaijani ə;
# Kazakh, Kyrgyz, Tajik and Uzbek Cyrillic). Kazakh і is left out: Ukrainian uses it too.
_REGIONAL_LETTERS = regex.compile("[əƏәӘқҚғҒңҢүҮұҰөӨһҺҷҶӣӢӯӮҳҲўЎ]")
_UZBEK_LATIN = regex.compile(r"[oOgG][ʻ‘’'`](?=\p{Ll})")
# Armenian and Georgian letters: only the region writes them.
_CAUCASIAN_SCRIPTS = regex.compile(r"[\u0531-\u058f\u10a0-\u10ff\u1c90-\u1cbf]")
REGIONAL_LANGUAGES = frozenset({"az", "hy", "ka", "kk", "ky", "tg", "tk", "uz"})


def regional_language(text: str, lang: str | None) -> bool:
    """Whether a text is in a language of the region: by its tag, or by its letters (feeds
    often carry no tag or a wrong one). Two letters are needed so a quoted name is not enough."""
    if lang and lang.split("-")[0].lower() in REGIONAL_LANGUAGES:
        return True
    sample = text[:4000]  # the opening is enough to tell, and keeps long articles cheap
    if len(_CAUCASIAN_SCRIPTS.findall(sample[:400])) >= 8:
        return True
    return len(_REGIONAL_LETTERS.findall(sample)) + len(_UZBEK_LATIN.findall(sample)) >= 2


# A place named as a source ("from Russia") is where something comes from, not who acts.
# Turkic languages mark it with an ablative ending on the name (Ресейден, Rusiyadan,
# Rossiyadan; Turkish splits it off at the apostrophe, Rusya'dan); Russian, English and Tajik
# put a word before it. Compared with plain keys, where Cyrillic is already in Latin letters.
ABLATIVE_ENDINGS = ("dan", "den", "tan", "ten", "nan", "nen")
SOURCE_WORDS = frozenset({"from", "из", "аз"})


def is_ablative(plain: str, stem: str) -> bool:
    """Whether a word whose plain key starts with `stem` carries an ablative ending beyond it.
    Country names in -stan (Kazakhstan, Туркменистан) end like one and are left out."""
    return (
        len(plain) >= len(stem) + 3
        and plain.endswith(ABLATIVE_ENDINGS)
        and not plain.endswith("stan")
    )


# A news bulletin's summary lists its stories one after another, split by ";" or "||"
# ("Today: troops paraded in Dushanbe; a film festival opened in Bishkek and other news").
# Its lead story decides what the item is about: the stories after it are other news.
# (A semicolon ending an HTML entity, "&quot;", or a CSS rule, "10px;", is not one.)
_STORY_BREAK = regex.compile(r"\s*(?:\|\||(?<!&#?\w+);(?=\s))\s*")
# Only a summary is read as a bulletin; in a longer text a semicolon is just punctuation.
BULLETIN_MAX_WORDS = 150
# A story needs a few words (a clause of its own), or the split is a list inside a sentence.
_STORY_MIN_WORDS = 4


def bulletin_lead(text: str | None) -> str | None:
    """The first story of a bulletin-like summary, or None when the text is not one."""
    if not text or len(text.split()) > BULLETIN_MAX_WORDS:
        return None
    stories = [part for part in _STORY_BREAK.split(text) if part.strip()]
    if len(stories) < 2 or not all(len(tokenize(s)) >= _STORY_MIN_WORDS for s in stories):
        return None
    return stories[0]
