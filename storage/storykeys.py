"""What an article says about which event it reports, as keys that compare across languages
and scripts: a pure function over plain values (no SQL, no profile object).

Text similarity alone fails across scripts ("Aktau" and "Актау" share no letter), so an
article is reduced to keys that mean the same in every language:

- `c:` the watch profile's concepts the article matched, as relevance stored them in
  `articles.matched` ("place:Aktau", "exercise:Birlestik", "actor:army"); a name is keyed by
  its label alone ("c:Aktau"), whichever group found it. The profile maps
  each name's spellings and translations to one concept (Aktau / Актау / Aqtau; Unity /
  Birlik / Единство); relevance scores every stored text on the way in, so the keys come at
  no extra cost and storage never needs the profile. A concept whose label is capitalised
  names something (a place, an exercise, an alliance); a lower-case one is a topic word
  ("army", "weapons") and weighs less.
- `n:` names the profile does not know (people, units, ships, places further away):
  capitalised words, written in one Latin skeleton (transliteration folded: Оймаша, Oymaşa
  and Oymasha are all "oimasa") and cut to their first letters, so a Turkic or Russian case
  ending (Актауда, Казахстана) does not make another name.
- `#:` numbers (troops, vehicles, casualties) and `y:` years mentioned.
- `s:` series: a name with an edition year or ordinal ("Unity-2024", «Бірлестік-2025»), and
  `e:`/`o:` those editions: two articles on different editions of one series report two
  events (a sequel), however alike they read.
"""

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from storage.timeutil import from_iso

# How much each kind of key counts before its rarity (idf) is applied.
ENTITY_WEIGHT = 1.0  # a profile concept that names something
TOPIC_WEIGHT = 0.3  # a profile concept that is a topic word
NAME_WEIGHT = 0.6  # each of a name's two keys (n: and m:)
SERIES_WEIGHT = 1.0
NUMBER_WEIGHT = 0.5
YEAR_WEIGHT = 0.3
# Only the opening of a long article is read: the lead carries the event, and it keeps
# the cost flat.
LEAD_CHARS = 3000
# Letters of a name's skeleton kept: enough to tell names apart, few enough that case
# endings fall off.
NAME_PREFIX = 5
CONSONANT_PREFIX = 4
MIN_NAME_LETTERS = 3
UNCASED_MIN_LETTERS = 5
# Numbers below this are mostly days, hours and list counts.
MIN_NUMBER = 10
MAX_NUMBER_DIGITS = 12
# Reasons in `articles.matched` that are not profile terms (relevance/reasons.py).
RESERVED_GROUPS = frozenset({"seed", "rule", "lang"})
# A title with at least this share of capitalised words is in title case: its capitals say
# nothing about names.
TITLE_CASE_SHARE = 0.6

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’ʻ‘`](?=[^\W\d_]))*")
# A name written with hyphens (Ak-Sai, Sary-Shagan, Tyub-Karagan) is one name: other scripts
# write it as one word (Ақсай, Сарышаған).
_NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|['’ʻ‘`](?=[^\W\d_])|-(?=[^\W\d_]))*")
# A sentence ends at . ! ? … or a line break; the next word's capital is grammar, not a name.
_SENTENCE_END = re.compile(r"[.!?…:\n]\W*$")
_NUMBER = re.compile(r"(?<![\d:.,])(\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+|\d+)(?![\d:]|[.,]\d)")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
# An edition: a capitalised name, then a dash and a year ("Unity-2024", "Unity – 2024",
# «Бірлестік-2025»), or a year right after a quoted name («Бирлестик 2024»): what comes
# before a year, up to this many characters, is read.
EDITION_REACH = 40
_DASHED_NAME = re.compile(r"([^\W\d_][\w'’]*)[\"»”“’']?\s*[-‐‑–—]\s*$")
_QUOTED_NAME = re.compile(r"[«\"“]([^\W\d_][\w'’]*)\s+$")
_CLOSING_QUOTES = frozenset('»"”')
# An ordinal number before a capitalised name: "5th Caspian Forum", "5-й Каспийский",
# "5-ci Xəzər", "5-ші Каспий".
_ORDINAL = re.compile(
    r"(?<!\d)(\d{1,3})(?:st|nd|rd|th|-?(?:й|я|е|го|ый|ой|ci|cı|cu|cü|inci|ıncı|üncü|uncu|ші|шы|nchi|чи))"
    r"\s+([^\W\d_][\w'’]*)"
)

_C_IS_J = frozenset({"az", "tr"})
# English capitalises the days and months; they name no one ("on Monday", "in July").
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december".split()
)
_VOWELS = frozenset("aeiou")
# The skeleton is not textkeys' name key on purpose: that key keeps Latin c and maps ч to
# "ch", as profile terms are written; a story key must meet "Caspian" with "Каспий" (c → k)
# while keeping ч, ç and č apart from k, so it has its own folding below.
# Letters folded before transliteration: the region's additions to Latin and Cyrillic.
_FOLD = str.maketrans(
    {
        "ı": "i",
        "ə": "e",
        "ä": "a",
        "ß": "ss",
        "ø": "o",
        "ł": "l",
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
        "ї": "и",
        "є": "е",
        "ў": "у",
        "ҷ": "ж",
        "ӣ": "и",
        "ӯ": "у",
        "ё": "е",
        "э": "е",
        # Letters a decomposition would reduce to another sound: kept as their Cyrillic twin.
        "ç": "ч",
        "č": "ч",
        "š": "ш",
        "ž": "ж",
    }
)
# Cyrillic in Latin letters, written the way the skeleton reads them (ж, дж → j).
_CYRILLIC = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ж": "j",
        "з": "z",
        "и": "i",
        "й": "i",
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
        "х": "k",
        "ц": "ts",
        "ч": "ç",
        "ш": "s",
        "щ": "s",
        "ъ": "",
        "ы": "i",
        "ь": "",
        "ю": "iu",
        "я": "ia",
    }
)
# Latin spellings that transliterations of one name disagree on, to one letter each.
_LATIN_PAIRS = (("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "k"), ("gh", "k"), ("sh", "s"))
_LATIN_LETTERS = str.maketrans(
    {"q": "k", "x": "k", "g": "k", "h": "k", "c": "k", "y": "i", "w": "v", "ç": "c"}
)


@lru_cache(maxsize=65536)
def skeleton(word: str, lang: str | None = None) -> str:
    """A word in one Latin skeleton, whatever its script and transliteration: case,
    diacritics and the letters spellings disagree on folded, doubled letters once.
    (Azerbaijani and Turkish write the English j as c: "Tacikistan".)"""
    folded = word.replace("İ", "i").lower().translate(_FOLD)
    if lang in _C_IS_J:
        folded = folded.replace("c", "j")
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    folded = folded.translate(_CYRILLIC)
    for pair, letter in _LATIN_PAIRS:
        folded = folded.replace(pair, letter)
    folded = folded.replace("ch", "ç").translate(_LATIN_LETTERS)
    out: list[str] = []
    for c in folded:
        if c.isalpha() and (not out or out[-1] != c):
            out.append(c)
    return "".join(out)


def name_key(word: str, lang: str | None = None) -> str | None:
    """The `n:` key of a name, or None for a word too short to tell anything."""
    letters = skeleton(word, lang)
    if len(letters) < MIN_NAME_LETTERS:
        return None
    return letters[:NAME_PREFIX]


def consonant_key(word: str, lang: str | None = None) -> str | None:
    """The `m:` key of a name: its skeleton's consonants (a leading vowel as "V"), the first
    few. Spellings of one name disagree most on vowels (Достук / Достық, Жаны-Жер / Жаңажер,
    Uzbekistan / Özbəkistan), and Russian case endings are mostly vowels."""
    letters = skeleton(word, lang)
    if not letters:
        return None
    first = "V" if letters[0] in _VOWELS else letters[0]
    key = (first + "".join(c for c in letters[1:] if c not in _VOWELS))[:CONSONANT_PREFIX]
    return key if len(key) >= MIN_NAME_LETTERS else None


@dataclass(frozen=True)
class StoryKeys:
    """An article reduced to what compares across languages (see the module's doc)."""

    weights: dict[str, float]  # key -> weight before rarity; `e:`/`o:` keys weigh 0
    day: float | None  # publication day (days since 1970, fractional), None when unknown
    editions: frozenset[str] = field(default_factory=frozenset)  # "e:2024", "o:5"
    # The same article without the profile: every name as a name, no concepts. A story
    # whose articles carry no concepts (the seed, articles stored unscored) is compared
    # with this view, so that "Актау" in it still meets "Aktau" in the seed.
    names_view: dict[str, float] = field(default_factory=dict)

    @property
    def years(self) -> frozenset[str]:
        return frozenset(key for key in self.editions if key.startswith("e:"))

    @property
    def ordinals(self) -> frozenset[str]:
        return frozenset(key for key in self.editions if key.startswith("o:"))


def concept_keys(matched: Iterable[object]) -> dict[str, float]:
    """`c:` keys from `articles.matched` reasons ("group:label"); reserved reasons (seed
    similarity, rules, the language) and anything not a string are left out."""
    keys: dict[str, float] = {}
    for reason in matched:
        if not isinstance(reason, str):
            continue
        group, separator, label = reason.partition(":")
        if not separator or not label or group in RESERVED_GROUPS:
            continue
        if label[:1].isupper():
            # A name is one thing whichever group found it (an exercise by its name or by
            # a generic alias the profile labels with that name).
            keys[f"c:{label}"] = ENTITY_WEIGHT
        else:
            keys[f"c:{reason}"] = TOPIC_WEIGHT
    return keys


def _concept_names(concepts: Iterable[str]) -> set[str]:
    """`n:` keys of the words of the concepts' labels ("c:Aktau" → "n:aktau")."""
    found: set[str] = set()
    for concept in concepts:
        label = concept.split(":", 2)[-1]
        for word in _NAME.findall(label):
            found |= name_keys(word, "en")
    return found


def _is_title_case(title: str) -> bool:
    words: list[str] = [w for w in _WORD.findall(title) if len(w) >= 4]
    if len(words) < 3:
        return False
    capitalised = sum(1 for w in words if w[:1].isupper())
    return capitalised / len(words) >= TITLE_CASE_SHARE


def names_in(text: str, lang: str | None = None) -> set[str]:
    """`n:` and `m:` keys of the capitalised words of a text that are not a sentence's first
    word (an all-capitals abbreviation counts anywhere)."""
    found: set[str] = set()
    for match in _NAME.finditer(text):
        word = match.group(0)
        first = word[0]
        if first.islower():  # most words: settled at once
            continue
        if not first.isupper():
            # Georgian, Persian: no capitals to tell names by; every longer word counts
            # (rarity then weighs the common ones down).
            if len(word) >= UNCASED_MIN_LETTERS:
                found |= name_keys(word, lang)
            continue
        start = match.start()
        acronym = len(word) >= 2 and word.isupper()
        starts_sentence = start == 0 or bool(_SENTENCE_END.search(text, max(0, start - 6), start))
        if (starts_sentence and not acronym) or word.lower() in _CALENDAR:
            continue
        found |= name_keys(word, lang)
    return found


@lru_cache(maxsize=65536)
def name_keys(word: str, lang: str | None = None) -> frozenset[str]:
    """A name's `n:` and `m:` keys (none for a word too short)."""
    keys: set[str] = set()
    key = name_key(word, lang)
    if key:
        keys.add("n:" + key)
    consonants = consonant_key(word, lang)
    if consonants:
        keys.add("m:" + consonants)
    return frozenset(keys)


def numbers_in(text: str) -> tuple[set[str], set[str]]:
    """(`#:` keys of numbers, `y:` keys of years) in a text."""
    numbers: set[str] = set()
    years = {"y:" + year for year in _YEAR.findall(text)}
    for match in _NUMBER.finditer(text):
        raw = match.group(1)
        digits = re.sub(r"\D", "", raw)
        # A run of digits longer than any count (a phone number, an id, a hostile title of
        # thousands of digits, which int() refuses) is no number of troops.
        if not digits or len(digits) > MAX_NUMBER_DIGITS or (len(raw) == 4 and "y:" + raw in years):
            continue
        value = int(digits)
        if value >= MIN_NUMBER:
            numbers.add(f"#:{value}")
    return numbers, years


def editions_in(text: str, lang: str | None = None) -> tuple[set[str], set[str]]:
    """(`s:` series keys, `e:`/`o:` edition keys): names with an edition year or ordinal."""
    series: set[str] = set()
    editions: set[str] = set()
    # Found from the years backwards: a text has few years, and many words.
    for match in _YEAR.finditer(text):
        before = text[max(0, match.start() - EDITION_REACH) : match.start()]
        after = text[match.end() : match.end() + 1]
        found = _DASHED_NAME.search(before) or (
            _QUOTED_NAME.search(before) if after in _CLOSING_QUOTES else None
        )
        name = found.group(1) if found else ""
        key = name_key(name, lang) if name[:1].isupper() else None
        if key:
            series.add("s:" + key)
            editions.add("e:" + match.group(1))
    for match in _ORDINAL.finditer(text):
        number, name = match.group(1), match.group(2)
        key = name_key(name, lang) if name[:1].isupper() else None
        if key:
            series.add("s:" + key)
            editions.add(f"o:{int(number)}")
    return series, editions


def publication_day(published_at: str | None, first_seen_at: str | None) -> float | None:
    """The day an article reports on: its publication time, unless missing, unreadable or
    later than when it was first seen (a wrong date), then when it was first seen."""
    seen = _day(first_seen_at)
    published = _day(published_at)
    if published is None or (seen is not None and published > seen + 1):
        return seen
    return published


# A story's first and last dates are read again for each article it is a candidate for
# (about 40 an article on a crawl's web): each distinct timestamp is parsed once.
@lru_cache(maxsize=8192)
def _day(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return from_iso(value).timestamp() / 86400
    except (ValueError, OverflowError):
        return None


def story_keys(
    title: str | None,
    text: str | None,
    matched: Iterable[object],
    published_at: str | None,
    first_seen_at: str | None = None,
    lang: str | None = None,
) -> StoryKeys:
    """The keys of one article (title, the lead of its text, its matched concepts)."""
    title = title or ""
    lead = (text or "")[:LEAD_CHARS]
    weights: dict[str, float] = concept_keys(matched)
    names = names_in(lead, lang)
    if not _is_title_case(title):
        names |= names_in(title, lang)
    both = f"{title}\n{lead}"
    numbers, years = numbers_in(both)
    series, editions = editions_in(both, lang)
    common: dict[str, float] = {key: NUMBER_WEIGHT for key in numbers}
    common.update((key, YEAR_WEIGHT) for key in years)
    common.update((key, SERIES_WEIGHT) for key in series)
    common.update((key, 0.0) for key in editions)
    names_view = {key: NAME_WEIGHT for key in names}
    # A name the profile knows is counted once, as its concept.
    weights.update((key, NAME_WEIGHT) for key in names - _concept_names(weights))
    return StoryKeys(
        weights={**weights, **common},
        day=publication_day(published_at, first_seen_at),
        editions=frozenset(editions),
        names_view={**names_view, **common},
    )


def idf(articles_with_key: int, articles: int) -> float:
    """How telling a key is: rare keys more. Smoothed, so that on a young database (a few
    dozen articles) every key still counts about alike."""
    return math.log(1.0 + (articles + 20.0) / (articles_with_key + 1.0))
