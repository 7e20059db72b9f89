"""Which country of the region an article is about, from the profile terms it was scored on:
what the digest groups its stories by.

The shipped profile's places and sites, each with its country. A term a user's profile adds
counts when its label is a country's name; other places leave the article "across the
region".
"""

from collections.abc import Iterable

from .reasons import scored_reasons

COUNTRY_OF: dict[str, str] = {
    **dict.fromkeys(
        ["Azerbaijan", "Baku", "Nakhchivan", "Karabakh", "Shusha", "Lachin", "Ganja"], "Azerbaijan"
    ),
    **dict.fromkeys(["Armenia", "Yerevan", "Syunik"], "Armenia"),
    **dict.fromkeys(["Georgia", "Tbilisi", "Abkhazia and South Ossetia"], "Georgia"),
    **dict.fromkeys(
        [
            "Kazakhstan",
            "Astana",
            "Almaty",
            "Aktau",
            "Kazakh cities",
            "Mangystau",
            "Oymasha",
            "Tyub-Karagan",
            "Sary-Shagan",
            "KAZBAT",
        ],
        "Kazakhstan",
    ),
    **dict.fromkeys(["Kyrgyzstan", "Bishkek", "Batken", "Kant airbase"], "Kyrgyzstan"),
    **dict.fromkeys(["Tajikistan", "Dushanbe", "Harbmaydon", "Ayni airbase"], "Tajikistan"),
    **dict.fromkeys(["Turkmenistan", "Ashgabat"], "Turkmenistan"),
    **dict.fromkeys(["Uzbekistan", "Tashkent", "Termez", "Fergana"], "Uzbekistan"),
}
# The groups whose terms locate an article (not a foreign theatre, not a topic word).
LOCATING_GROUPS = frozenset({"place", "site", "region", "alliance"})
# A language only one country of the region writes its news in: a local outlet writes "the
# army" without naming its country (Russian and English are written everywhere).
COUNTRY_OF_LANGUAGE = {
    "az": "Azerbaijan",
    "hy": "Armenia",
    "ka": "Georgia",
    "kk": "Kazakhstan",
    "ky": "Kyrgyzstan",
    "tg": "Tajikistan",
    "tk": "Turkmenistan",
    "uz": "Uzbekistan",
}


def country_of(matched: Iterable[object], lang: str | None = None) -> str | None:
    """The country of the region the article's strongest locating term belongs to; else,
    when it names no place, the country whose language it is written in; else None (only
    region-wide names such as "Caspian" or "Central Asia", or none)."""
    located = False
    for reason in scored_reasons(matched):
        # A bare value (no group: a row written by hand or an import) is taken as a place.
        if reason.group in LOCATING_GROUPS or not reason.group:
            if reason.value in COUNTRY_OF:
                return COUNTRY_OF[reason.value]
            located = True
    return None if located else COUNTRY_OF_LANGUAGE.get(lang or "")
