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


def bulletin_lead(text: str | None, title: str | None = None) -> str | None:
    """The first story of a bulletin-like summary, or None when the text is not one. Under a
    roundup's title (`is_roundup_title`) the stories may also be split by sentences or
    commas."""
    if not text or len(text.split()) > BULLETIN_MAX_WORDS:
        return None
    stories = [part for part in _STORY_BREAK.split(text) if part.strip()]
    if len(stories) >= 2 and all(len(tokenize(s)) >= _STORY_MIN_WORDS for s in stories):
        return stories[0]
    if title and is_roundup_title(title):
        return _first_clause(text)
    return None


# A roundup is titled by its date and little else: "RFE/RL Video Roundup - Apr. 9", "Новости
# радио «Азаттык», 18 сентября", "AzatNEWS 08.06.2017", "Ахбори Тоҷикистон ва ҷаҳон аз 19-уми
# январи соли 2017". A report's headline that mentions a date says more than that.
_NUMERIC_DATE = regex.compile(r"\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b")
# Month names as their words start, in the languages newswatch reads (folded, Latin for
# Cyrillic, as `plain_word` gives them).
_MONTHS = (
    # English; the Latin-script languages of the region (az, tk, uz); Russian, Tajik and
    # Kyrgyz in Latin letters (январи → yanvari, сентября → sentyabrya)
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    "yanv", "yanw", "fevr", "fewr", "iyun", "iyul", "avq", "avg", "awg", "sent", "okt",
    "noy", "dek",
    # Turkish
    "ocak", "subat", "nisan", "mayis", "haziran", "temmuz", "agustos", "eylul", "ekim",
    "kasim", "aralik",
    # Kazakh
    "kantar", "akpan", "nauryz", "sauir", "mamyr", "mausym", "shilde", "tamyz",
    "kyrkuyek", "kazan", "karasha", "jeltoksan",
    # Armenian, Georgian
    "հունվար", "փետրվար", "մարտ", "ապրիլ", "մայիս", "հունիս", "հուլիս", "օգոստոս",
    "սեպտեմբեր", "հոկտեմբեր", "նոյեմբեր", "դեկտեմբեր",
    "იანვარ", "თებერვალ", "მარტ", "აპრილ", "მაის", "ივნის", "ივლის", "აგვისტო",
    "სექტემბერ", "ოქტომბერ", "ნოემბერ", "დეკემბერ",
)  # fmt: skip
# Words of three letters or more besides the date; a date's ending ("19-уми", "10-da") and
# the word for year ("соли 2017", "2016 год") are part of it.
ROUNDUP_MAX_WORDS = 3
# Whole words only: as prefixes "sol" and "il" would also take "soldiers" and "Ilham".
_YEAR_WORDS = frozenset(
    {
        "year",
        "god",
        "goda",
        "godu",
        "sol",
        "soli",
        "jyl",
        "jyly",
        "yil",
        "yili",
        "yyl",
        "yyly",
        "il",
        "ili",
    }
)


def plain_word(token: str) -> str:
    """A word folded, and in Latin letters when written in Cyrillic (the n-grams' and the
    roundup titles' view of it)."""
    folded = fold(token)
    return to_latin(folded) if is_cyrillic(folded) else folded


def is_roundup_title(title: str) -> bool:
    """Whether a title is a date and at most ROUNDUP_MAX_WORDS other words."""
    numeric_date = _NUMERIC_DATE.search(title) is not None
    tokens = [plain_word(token) for token in tokenize(_NUMERIC_DATE.sub(" 1 ", title))]
    # A day has one or two digits (a hostile title may hold a number of thousands).
    numbers = [
        n
        for n, token in enumerate(tokens)
        if len(token) <= 2 and token.isdecimal() and int(token) <= 31
    ]
    months = {n for n, token in enumerate(tokens) if token.startswith(_MONTHS)}
    dated = numeric_date or any(_next_to(tokens, n, m) for n in numbers for m in months)
    words = [
        token
        for n, token in enumerate(tokens)
        if n not in months
        and not token.isdigit()
        and len(token) >= 3
        and token not in _YEAR_WORDS
        and not (n > 0 and tokens[n - 1].isdigit() and len(token) <= 3)
    ]
    return dated and len(words) <= ROUNDUP_MAX_WORDS


def _next_to(tokens: list[str], day: int, month: int) -> bool:
    """A day beside its month: "Apr. 9", "18 сентября", or with a short ending between,
    "19-уми январи", "17-si oktyabr"."""
    low, high = sorted((day, month))
    return high - low == 1 or (high - low == 2 and len(tokens[low + 1]) <= 3)


_SENTENCE_END = regex.compile(r"(?<=[.!?…])\s+(?=\p{Lu}|\p{Lo}|\d)")
_CLAUSE_BREAK = regex.compile(r"\s*,\s*")


def _first_clause(text: str) -> str:
    """A roundup's first story: its first sentence, and of a sentence listing stories by
    commas its first clause, with the next ones while it has fewer than _STORY_MIN_WORDS."""
    story = _STORY_BREAK.split(text.strip(), maxsplit=1)[0]
    sentence = _SENTENCE_END.split(story, maxsplit=1)[0]
    clauses = _CLAUSE_BREAK.split(sentence)
    lead = clauses[0]
    for clause in clauses[1:]:
        if len(tokenize(lead)) >= _STORY_MIN_WORDS:
            break
        lead = f"{lead}, {clause}"
    return lead
